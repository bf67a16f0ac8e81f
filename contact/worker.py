"""The mail worker (`manage.py send_pending_mail --loop`): the only thing that retries mail.

Each round delivers what is due and records that the round completed (/healthz reports a worker
that has not completed one lately). A round that fails (the database gone, cut or restarted)
drops the broken connections; the next round connects afresh, so the worker recovers by itself
as soon as the database answers. Between rounds it waits on PostgreSQL's LISTEN for a new
message, so mail leaves within moments of the submission; without PostgreSQL it polls."""

import contextlib
import logging
import os
import socket
import time
from datetime import timedelta

import psycopg
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.db_deadline import database_deadline

from .models import MailWorker
from .services import MAIL_CHANNEL, deliver_due

logger = logging.getLogger(__name__)

# How long a worker waits between rounds when nothing wakes it.
LISTENING_INTERVAL = 5.0
POLLING_INTERVAL = 1.0
# A completed round is recorded at most this often (one UPDATE, not one per round).
HEARTBEAT_SECONDS = 10


class Wakeups:
    """A connection of its own that LISTENs for new mail (PostgreSQL only)."""

    def __init__(self):
        self.enabled = connection.vendor == "postgresql"
        self.listener = None

    def wait(self, seconds, stopping):
        """Return when woken, after `seconds`, or soon after stopping() becomes true."""
        deadline = time.monotonic() + seconds
        while not stopping() and (left := deadline - time.monotonic()) > 0:
            if not self._listen():
                time.sleep(min(left, 0.2))
                continue
            try:
                for _ in self.listener.notifies(timeout=min(left, 1.0), stop_after=1):
                    return
            except psycopg.Error:
                self.close()

    def _listen(self):
        if not self.enabled:
            return False
        if self.listener is None:
            try:
                params = connection.get_connection_params()
                self.listener = psycopg.connect(**params, autocommit=True)
                self.listener.execute(f"LISTEN {MAIL_CHANNEL}")
            except psycopg.Error as error:
                logger.warning("Mail worker cannot listen for new mail: %s", error)
                self.close()
                return False
        return True

    def close(self):
        if self.listener is not None:
            with contextlib.suppress(psycopg.Error):
                self.listener.close()
            self.listener = None


class Heartbeat:
    def __init__(self):
        self.name = f"{socket.gethostname()}:{os.getpid()}"[:200]
        self.recorded_at = None

    def beat(self):
        now = timezone.now()
        if self.recorded_at and now - self.recorded_at < timedelta(seconds=HEARTBEAT_SECONDS):
            return
        MailWorker.objects.update_or_create(name=self.name, defaults={"last_round_at": now})
        self.recorded_at = now


def drop_connection():
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a connection that cannot even close is gone anyway
        connection.connection = None


def run(*, stopping, interval=None, report=print):
    """Deliver due mail round after round until stopping() is true."""
    wakeups = Wakeups()
    interval = interval or (LISTENING_INTERVAL if wakeups.enabled else POLLING_INTERVAL)
    heartbeat = Heartbeat()
    report(
        f"Mail worker running ({'woken by new mail, ' if wakeups.enabled else ''}"
        f"every {interval:g} s at the latest)."
    )
    try:
        while not stopping():
            try:
                # No database call waits longer than DATABASE_TIMEOUT for a hung server (the
                # time spent talking to the mail server does not count).
                with database_deadline():
                    sent = deliver_due()
                    heartbeat.beat()
                if sent:
                    report(f"{sent} message(s) sent.")
            except Exception as error:  # noqa: BLE001 - an outage must not kill the worker
                logger.error("Mail worker round failed: %s", error)
                # A broken connection is never reused: the next round connects afresh.
                drop_connection()
                wakeups.close()
                heartbeat.recorded_at = None
            wakeups.wait(interval, stopping)
    finally:
        wakeups.close()
        drop_connection()


def worker_status():
    """What /healthz says of the mail workers: when one last completed a round."""
    last = (
        MailWorker.objects.filter(last_round_at__isnull=False)
        .order_by("-last_round_at")
        .values_list("last_round_at", flat=True)
        .first()
    )
    if last is None:
        return {"status": "never_ran", "last_round_at": None, "seconds_since_last_round": None}
    since = (timezone.now() - last).total_seconds()
    stale = since > settings.CONTACT_WORKER_STALE_SECONDS
    return {
        "status": "stale" if stale else "ok",
        "last_round_at": last,
        "seconds_since_last_round": round(since),
    }
