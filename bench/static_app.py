"""The benchmark's yardstick: the same page's HTML as a static file, served by WhiteNoise under
the same gunicorn settings as the site."""

import os

from whitenoise import WhiteNoise


def not_found(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"not found"]


application = WhiteNoise(not_found, root=os.environ["BENCH_STATIC_ROOT"])
