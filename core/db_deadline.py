"""A deadline on waiting for PostgreSQL, enforced from this side of the connection.

A database that hangs (a frozen network link or proxy, a stopped or wedged server) leaves the
TCP connection open and, as long as the peer's kernel still acknowledges packets, none of
libpq's own knobs fire: keepalives and tcp_user_timeout only notice a peer that stops
acknowledging, and statement_timeout is enforced by the server, which is what does not answer.
connect_timeout does bound connecting (settings.py sets it). A query, commit or health check on
an open connection would wait for as long as the database hangs (issue 12: until gunicorn
killed the worker, 31 s).

So a watchdog thread in each process looks at the connections of the threads that are inside
`database_deadline()` ten times a second. A connection whose command has been waiting for the
server longer than the deadline without any other query starting meanwhile (libpq reports the
connection ACTIVE while a command is in flight) has its socket shut down: the blocked psycopg
call then fails at once with OperationalError, the page answers the styled 503
(DatabaseOutageMiddleware), and Django drops the broken connection at the end of the request.
The deadline is per database call, not per block: a page that runs many quick queries is never
cut off, one call that waits too long is.

    with database_deadline(seconds):   # settings.DATABASE_TIMEOUT when not given
        ...

DeadlineApplication puts every web request under it, from Django's request_started (where a
connection with errors is checked) to the response's close() (request_finished). Elsewhere
(management commands, migrations) nothing is interrupted unless the code asks for it.

Inside a deadline, the process also remembers an outage (`outage` below): once a connection was
interrupted or could not be opened, new connections fail at once for a second, then one thread
at a time tries again, so that a hung database costs visitors a quick 503 instead of holding
every web thread for connect_timeout (cached pages need a free thread too). The first
connection that succeeds ends it. The PostgreSQL backend in core/postgresql/ asks it.
"""

import contextlib
import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

try:
    from psycopg.pq import TransactionStatus

    # libpq's status while a command is in flight (sent, its result not yet read).
    ACTIVE = TransactionStatus.ACTIVE
except ImportError:  # no psycopg: nothing to watch
    ACTIVE = None

logger = logging.getLogger("empact.db_deadline")


class Guard:
    """One thread's block under a deadline on one database connection. Also an execute wrapper,
    so that the watchdog sees each query that starts (a sign of progress)."""

    def __init__(self, wrapper, seconds):
        self.wrapper = wrapper
        self.seconds = seconds
        self.queries = 0
        self.seen = None
        self.waiting_since = None

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        return execute(sql, params, many, context)

    def check(self, now):
        """Interrupt the connection if its command has waited for longer than the deadline."""
        pgconn = getattr(self.wrapper.connection, "pgconn", None)
        if pgconn is None or pgconn.transaction_status != ACTIVE:
            self.waiting_since = None
            return
        mark = (id(pgconn), self.queries)
        if self.waiting_since is None or self.seen != mark:
            self.waiting_since, self.seen = now, mark
        elif now - self.waiting_since >= self.seconds:
            self.waiting_since = None
            if interrupt(pgconn):
                logger.warning(
                    "No answer from the database within %s s: connection dropped", self.seconds
                )


def interrupt(pgconn):
    """Shut the connection's socket down (both ways), so that whoever waits on it wakes up with
    an error. True if it was done."""
    try:
        fd = pgconn.socket
        duplicate = os.dup(fd)
    except Exception:  # noqa: BLE001 - closed meanwhile: nothing to interrupt
        return False
    with socket.socket(fileno=duplicate) as sock:
        try:
            # The number is still this connection's (it is never reopened), so the duplicate
            # is its socket and not one that reused the number after a close.
            if pgconn.socket != fd or pgconn.transaction_status != ACTIVE:
                return False
            # Known before the interrupted thread wakes up and tries to connect again.
            outage.failed()
            sock.shutdown(socket.SHUT_RDWR)
        except Exception:  # noqa: BLE001 - closed meanwhile
            return False
    return True


class Watchdog:
    TICK = 0.1

    def __init__(self):
        self.guards = set()
        self.lock = threading.Lock()
        self.pid = None

    def add(self, guard):
        if self.pid != os.getpid():  # first use in this process (gunicorn forks workers)
            with self.lock:
                if self.pid != os.getpid():
                    self.pid = os.getpid()
                    self.guards = set()
                    threading.Thread(target=self.run, name="database-deadline", daemon=True).start()
        with self.lock:
            self.guards.add(guard)

    def remove(self, guard):
        with self.lock:
            self.guards.discard(guard)

    def run(self):
        while True:
            time.sleep(self.TICK)
            with self.lock:
                guards = list(self.guards)
            now = time.monotonic()
            for guard in guards:
                try:
                    guard.check(now)
                except Exception:  # noqa: BLE001 - the watchdog must never die
                    logger.exception("Database deadline check failed")


watchdog = Watchdog()


NORMAL, PROBE = "normal", "probe"


class Outage:
    """Whether this process has just found the database unreachable (see the module's doc)."""

    RETRY_SECONDS = 1.0
    # A thread that tries longer than this (it cannot, connect_timeout ends it) no longer
    # keeps the others from trying.
    PROBE_SECONDS = 10.0

    def __init__(self):
        self.lock = threading.Lock()
        self.failed_at = None
        self.probe_started = None

    def admit(self):
        """May this thread try to connect now? NORMAL (no outage), PROBE (the one thread that
        tries during an outage) or None (fail at once)."""
        if self.failed_at is None:
            return NORMAL
        now = time.monotonic()
        with self.lock:
            if self.failed_at is None:
                return NORMAL
            if self.probe_started is not None and now - self.probe_started < self.PROBE_SECONDS:
                return None
            if now - self.failed_at < self.RETRY_SECONDS:
                return None
            self.probe_started = now
            return PROBE

    def failed(self, admitted=None):
        with self.lock:
            if self.failed_at is None:
                logger.error("Database unreachable: new connections fail fast until it answers")
            self.failed_at = time.monotonic()
            if admitted is PROBE:
                self.probe_started = None

    def succeeded(self):
        if self.failed_at is None:
            return
        with self.lock:
            if self.failed_at is not None:
                logger.warning("Database reachable again")
            self.failed_at = self.probe_started = None


outage = Outage()


def is_guarded(wrapper):
    """Is the thread that owns this connection inside database_deadline()?"""
    return any(isinstance(each, Guard) for each in wrapper.execute_wrappers)


def enter(seconds=None, using=DEFAULT_DB_ALIAS):
    wrapper = connections[using]
    if wrapper.vendor != "postgresql":
        return None  # SQLite has no network link; its busy timeout bounds waiting for locks
    guard = Guard(wrapper, settings.DATABASE_TIMEOUT if seconds is None else seconds)
    wrapper.execute_wrappers.append(guard)
    watchdog.add(guard)
    return guard


def leave(guard):
    if guard is None:
        return
    watchdog.remove(guard)
    with contextlib.suppress(ValueError):
        guard.wrapper.execute_wrappers.remove(guard)


@contextlib.contextmanager
def database_deadline(seconds=None, using=DEFAULT_DB_ALIAS):
    """No database call inside waits for the server longer than `seconds` (default
    settings.DATABASE_TIMEOUT): after that it fails with OperationalError, and the connection
    is unusable (Django replaces it at the next request; elsewhere call
    connection.close_if_unusable_or_obsolete() or connection.close())."""
    guard = enter(seconds, using)
    try:
        yield
    finally:
        leave(guard)


class DeadlineApplication:
    """WSGI wrapper: the whole of each request under database_deadline(), including the checks
    Django runs on its connection when the request starts and ends."""

    def __init__(self, application, seconds=None):
        self.application = application
        self.seconds = seconds

    def __call__(self, environ, start_response):
        guard = enter(self.seconds)
        try:
            response = self.application(environ, start_response)
        except BaseException:
            leave(guard)
            raise
        file_wrapper = environ.get("wsgi.file_wrapper")
        if (
            guard is None
            or not hasattr(response, "close")
            or (isinstance(file_wrapper, type) and isinstance(response, file_wrapper))
        ):
            leave(guard)  # nothing more to guard, or a file sent with sendfile
            return response
        return GuardedResponse(response, guard)


class GuardedResponse:
    """The response body, with the deadline kept until the server closes it."""

    def __init__(self, response, guard):
        self.response = response
        self.guard = guard

    def __iter__(self):
        return iter(self.response)

    def close(self):
        try:
            self.response.close()
        finally:
            leave(self.guard)
