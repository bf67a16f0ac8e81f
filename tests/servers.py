"""The project served by gunicorn in a subprocess, for tests of what only a real server shows
(faults of the database or the mail server, the page cache under load)."""

import http.client
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


class Site:
    """The project served by gunicorn from its own gunicorn.conf.py, as `make run` does."""

    def __init__(self, database_url, var_dir):
        self.port = free_port()
        self.log = (var_dir / "gunicorn.log").open("wb")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "EMAIL_", "DATABASE_", "REDIS_"))
        }
        env.update(
            DJANGO_SETTINGS_MODULE="tests.server_settings",
            DATABASE_URL=database_url,
            DJANGO_SECRET_KEY="faults-" + "k" * 50,
            DJANGO_VAR_DIR=str(var_dir),  # the page cache is the file cache in here
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
        )
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "empact_site.wsgi",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz", timeout=5)[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start: see {self.log.name}")

    def get(self, path, timeout=20):
        """(status, body, seconds, headers) of a GET."""
        started = time.monotonic()
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            client.request("GET", path)
            response = client.getresponse()
            body = response.read().decode()
            return response.status, body, time.monotonic() - started, dict(response.headers)
        finally:
            client.close()

    def get_all(self, paths, timeout=20):
        """GET the paths at once, each on its own connection; their results in order."""
        results = [None] * len(paths)

        def fetch(i, path):
            try:
                results[i] = self.get(path, timeout=timeout)
            except OSError as error:
                results[i] = (None, repr(error), timeout, {})

        threads = [threading.Thread(target=fetch, args=item) for item in enumerate(paths)]
        for thread in threads:
            thread.start()
        return threads, results

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
