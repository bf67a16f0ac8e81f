import email
import email.policy
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

from articles.seeding import load_content

LOCMEM_MAIL = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture(autouse=True)
def fast_plain_settings(settings, tmp_path):
    """Most tests use plain static storage and a per-test memory cache (one test covers the
    manifest storage that production uses: tests/test_static.py)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Memory caches live for the whole process: every test starts with an empty one.
    cache.clear()
    settings.SITE_URL = "https://empact.example"
    settings.MEDIA_ROOT = tmp_path / "media"
    # Django's test runner swaps every MAILERS entry for the in-memory backend; tests about
    # delivery replace it with a real SMTP server (smtp_server below).
    settings.MAILERS = LOCMEM_MAIL
    settings.CONTACT_RATE_LIMIT = 0
    # Whole-page and fragment caching have their own tests (tests/test_page_cache.py); elsewhere
    # every request renders, so tests see their changes without running on-commit hooks.
    settings.PAGE_CACHE = False
    settings.FRAGMENT_CACHE = False


@pytest.fixture
def content(db):
    """The EMPACT content exactly as `make run` loads it."""
    load_content()


class RecordingHandler:
    """Keeps every message the SMTP server accepts, parsed; optionally slow, to make workers
    overlap."""

    def __init__(self):
        self.messages = []
        self.delay = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_mailers(port, timeout=2):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": timeout},
        }
    }


class SMTPServer:
    """A real SMTP server on loopback (aiosmtpd) that a test can stop and start again."""

    def __init__(self):
        self.handler = RecordingHandler()
        self.port = free_port()
        self.controller = None

    @property
    def messages(self):
        return self.handler.messages

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(settings):
    server = SMTPServer()
    server.start()
    settings.MAILERS = smtp_mailers(server.port)
    yield server
    server.stop()


@pytest.fixture
def hanging_smtp_server(settings):
    """Accepts connections and never says a word, like an overloaded or broken mail server."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    settings.MAILERS = smtp_mailers(listener.getsockname()[1], timeout=1)
    yield listener
    listener.close()


@pytest.fixture
def db_proxy():
    """A TCP proxy to the local PostgreSQL server that the test can freeze, cut and restore
    (tests/faults.py); database_url_through(db_proxy, ...) gives a subprocess its address."""
    from tests.faults import TCPProxy

    proxy = TCPProxy("127.0.0.1", 5432).start()
    yield proxy
    proxy.stop()
