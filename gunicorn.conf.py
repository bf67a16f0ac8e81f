"""gunicorn's settings for `make run` and `make bench` (gunicorn reads this file by itself when
started from the project's directory; command-line options override it)."""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = 30
control_socket_disable = True
