import email
import email.policy
import socket
import threading
import time

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache

from core.content import local_state
from operations.seeding import load_content

LOCMEM_MAIL = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture(autouse=True)
def fast_plain_settings(settings, tmp_path):
    """Most tests use plain static storage and a per-test memory cache (one test covers the
    manifest storage that production uses: tests/core/test_static.py)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Memory caches live for the whole process: every test starts with an empty one.
    cache.clear()
    local_state.forget()  # this process's copy of the content version went with the cache
    settings.SITE_URL = "https://empact.example"
    settings.MEDIA_ROOT = tmp_path / "media"
    # Django's test runner swaps every MAILERS entry for the in-memory backend; tests about
    # delivery replace it with a real SMTP server (smtp_server below).
    settings.MAILERS = LOCMEM_MAIL
    settings.CONTACT_RATE_LIMIT = 0
    # One mail per message (to ICARE) unless a test is about the acknowledgement to the visitor
    # (tests/contact/test_acknowledgement.py turns it on, as production has it).
    settings.CONTACT_ACKNOWLEDGEMENT = False
    # Whole-page and fragment caching have their own tests (tests/core/test_page_cache.py,
    # tests/core/test_content.py); elsewhere every request renders, so tests see their
    # changes without running on-commit hooks.
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
            "BACKEND": "contact.mail.EmailBackend",
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


class DrippingSMTPServer:
    """Accepts connections and answers one byte every `interval` seconds: every single read
    succeeds within any per-operation timeout, yet the greeting takes forever."""

    def __init__(self, interval=0.5):
        self.interval = interval
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn):
        with conn:
            for byte in b"220 slow.example ESMTP\r\n" * 100:
                if self.stopped.wait(self.interval):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def stop(self):
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def dripping_smtp_server(settings):
    server = DrippingSMTPServer()
    settings.MAILERS = smtp_mailers(server.port, timeout=1.5)
    yield server
    server.stop()


def database_url():
    """The test database (inside a test) as a URL, for a subprocess such as a mail worker."""
    from django.db import connection

    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def through_proxy(transactional_db, db_proxy):
    """This process's connection to the test database goes through the proxy."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the proxy stands in front of PostgreSQL; SQLite has no network link")
    real = connection.settings_dict["HOST"], connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", db_proxy.port
    yield db_proxy
    db_proxy.restore()
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = real
    from core.db_deadline import outage

    outage.succeeded()  # no other test inherits this one's outage
