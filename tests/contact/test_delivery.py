"""Delivery of contact mail: the request stores and hands over, the mail worker sends, retries and
recovers. Every mail server here is real (aiosmtpd, or a socket that hangs or drips)."""

import io
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from contact.models import MailWorker, Message
from contact.services import deliver_due
from tests.conftest import database_url
from tests.contact.test_contact import contact_data
from tests.faults import database_url_through

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def make_message(**fields):
    return Message.objects.create(
        **{"name": "Mette", "email": "mette@example.dk", "message": "Hej", "language": "da"}
        | fields
    )


def test_a_valid_post_stores_the_message_and_the_worker_mails_it_once(client, smtp_server):
    response = client.post("/da/kontakt/", contact_data())

    assert response.status_code == 303
    assert response["Location"] == "/da/kontakt/tak/"
    assert Message.objects.get().delivery == Message.Delivery.PENDING
    assert deliver_due() == 1
    assert deliver_due() == 0
    message = Message.objects.get()
    assert message.delivery == Message.Delivery.SENT and message.attempts == 1
    assert message.language == "da"
    [sent] = smtp_server.messages
    assert sent["To"] == "info@icare.dk"
    assert sent["Reply-To"] == "mette@example.dk"
    assert "Mette Jensen" in sent["Subject"]
    assert sent["Message-ID"] == message.message_id
    body = sent.get_content()
    for text in ("+45 12 34 56 78", "Kommunen", "Vi vil gerne høre om rådgivning.", "Dansk"):
        assert text in body
    assert timezone.localtime(message.created_at).strftime("%d.%m.%Y %H:%M") in body


def test_a_double_submit_sends_one_message(client, smtp_server):
    data = contact_data()

    client.post("/da/kontakt/", data)
    second = client.post("/da/kontakt/", data)
    deliver_due()

    assert second.status_code == 303
    assert Message.objects.count() == 1
    assert len(smtp_server.messages) == 1


def test_the_visitor_never_waits_for_a_hanging_mail_server(
    client, hanging_smtp_server, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/da/kontakt/", contact_data())
    elapsed = time.monotonic() - started

    assert response.status_code == 303
    assert elapsed < 1  # the mail timeout of this server is 1 s: the request never tried it
    message = Message.objects.get()
    assert message.delivery == Message.Delivery.PENDING and message.attempts == 0


def test_a_stopped_mail_server_loses_nothing_and_the_command_sends_at_once(client, smtp_server):
    smtp_server.stop()
    client.post("/da/kontakt/", contact_data())

    assert deliver_due() == 0
    message = Message.objects.get()
    assert message.delivery == Message.Delivery.PENDING
    assert message.server_was_down
    assert "Connection refused" in message.last_error or "Errno" in message.last_error
    assert message.next_attempt_at > timezone.now()  # waiting for its retry

    smtp_server.start()
    out = io.StringIO()
    call_command("send_pending_mail", stdout=out)

    assert out.getvalue().strip() == "1 message(s) sent."
    assert len(smtp_server.messages) == 1
    assert Message.objects.get().delivery == Message.Delivery.SENT


def test_the_command_with_due_only_leaves_what_waits_for_its_retry(smtp_server):
    make_message(next_attempt_at=timezone.now() + timedelta(hours=1), attempts=3)
    out = io.StringIO()

    call_command("send_pending_mail", "--due-only", stdout=out)

    assert out.getvalue().strip() == "0 message(s) sent."
    assert smtp_server.messages == []


def test_a_delivery_that_succeeds_makes_what_waited_for_the_server_due_at_once(smtp_server):
    later = timezone.now() + timedelta(hours=2)
    waited = make_message(server_was_down=True, next_attempt_at=later, attempts=6)
    gave_up = make_message(
        server_was_down=True, next_attempt_at=later, attempts=12, delivery="failed"
    )
    refused = make_message(server_was_down=False, next_attempt_at=later, attempts=2)
    make_message()  # new, due now

    assert deliver_due() == 1
    assert deliver_due() == 2

    states = dict(Message.objects.values_list("pk", "delivery"))
    assert states[waited.pk] == states[gave_up.pk] == Message.Delivery.SENT
    assert states[refused.pk] == Message.Delivery.PENDING  # its own refusal keeps its backoff
    assert len(smtp_server.messages) == 3


def test_a_dripping_mail_server_is_given_up_after_the_timeout_in_total(dripping_smtp_server):
    # One byte every 0.5 s: no single read ever times out, yet the greeting never ends.
    make_message()
    started = time.monotonic()

    assert deliver_due() == 0

    assert time.monotonic() - started < 2.5  # timeout 1.5 s over the whole conversation
    message = Message.objects.get()
    assert message.delivery == Message.Delivery.PENDING and message.server_was_down
    assert "did not finish within 1.5 s" in message.last_error


def test_a_round_ends_at_the_first_message_a_hanging_server_does_not_take(hanging_smtp_server):
    for _ in range(3):
        make_message()
    started = time.monotonic()

    deliver_due()

    assert time.monotonic() - started < 1.9  # one timeout (1 s), not three
    assert sorted(Message.objects.values_list("attempts", flat=True)) == [0, 0, 1]


def test_healthz_says_when_no_mail_worker_has_completed_a_round_lately(client, settings):
    assert client.get("/healthz").json()["mail"]["worker"]["status"] == "never_ran"

    worker = MailWorker.objects.create(name="web-1:42", last_round_at=timezone.now())
    assert client.get("/healthz").json()["mail"]["worker"]["status"] == "ok"

    stale = settings.CONTACT_WORKER_STALE_SECONDS + 5
    worker.last_round_at = timezone.now() - timedelta(seconds=stale)
    worker.save()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["mail"]["worker"]["status"] == "stale"
    assert health.json()["mail"]["worker"]["seconds_since_last_round"] >= stale


def start_worker(tmp_path, smtp_port, database=None):
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "empact_site.settings",
        "DATABASE_URL": database or database_url(),
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "2",
        "REDIS_URL": "",
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_pending_mail", "--loop"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(worker):
    worker.terminate()
    return worker.communicate(timeout=20)[0]


def wait_for(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
def test_the_worker_is_woken_and_mail_reaches_the_server_within_seconds(
    client, smtp_server, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a database it can share (PostgreSQL)")
    worker = start_worker(tmp_path, smtp_server.port)
    try:
        assert wait_for(lambda: MailWorker.objects.exists(), 20), "the worker did not start"
        time.sleep(0.5)  # listening by now

        submitted = time.monotonic()
        client.post("/da/kontakt/", contact_data())

        assert wait_for(lambda: smtp_server.messages, 5)
        # Woken by NOTIFY, not by its 5 s round.
        assert time.monotonic() - submitted < 2
    finally:
        output = stop_worker(worker)
    assert "Mail worker stopped." in output


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fault", ["cut", "freeze"])
def test_the_worker_recovers_by_itself_after_a_database_outage(
    fault, client, smtp_server, db_proxy, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("the outage is a proxy in front of PostgreSQL")
    worker = start_worker(
        tmp_path, smtp_server.port, database_url_through(db_proxy, connection.settings_dict)
    )
    try:
        assert wait_for(lambda: MailWorker.objects.exists(), 20), "the worker did not start"
        getattr(db_proxy, fault)()
        client.post("/da/kontakt/", contact_data())  # the site's own link is not cut
        time.sleep(6)  # rounds fail meanwhile (or hang, on a frozen link)
        assert smtp_server.messages == []

        db_proxy.restore()
        restored = time.monotonic()

        assert wait_for(lambda: smtp_server.messages, 10), "the worker did not recover"
        recovery = time.monotonic() - restored
    finally:
        output = stop_worker(worker)
    assert Message.objects.get().delivery == Message.Delivery.SENT
    assert recovery < 10
    if fault == "cut":
        assert "Mail worker round failed" in output


def test_a_post_while_the_database_is_cut_gives_the_form_back_with_everything_typed(
    client, through_proxy
):
    data = contact_data(message="Ring venligst tilbage i morgen.")
    through_proxy.cut()

    response = client.post("/da/kontakt/", data)

    html = response.content.decode()
    assert response.status_code == 503
    assert "Din besked kunne ikke gemmes lige nu" in html
    assert "info@icare.dk" in html
    assert "Ring venligst tilbage i morgen." in html and 'value="Mette Jensen"' in html
    through_proxy.restore()
    connection.close()
    assert Message.objects.count() == 0


def test_staff_resend_hands_failed_mail_to_the_worker(admin_client, smtp_server):
    message = make_message(delivery="failed", attempts=12, last_error="SMTPDataError: 554")

    response = admin_client.post(
        "/admin/contact/message/",
        {"action": "resend_mail", "_selected_action": [message.pk]},
        follow=True,
    )

    assert "1 besked er givet videre til mailarbejderen" in response.content.decode()
    message.refresh_from_db()
    assert message.delivery == Message.Delivery.PENDING and message.attempts == 0
    assert deliver_due() == 1
    assert smtp_server.messages[0]["Message-ID"] == message.message_id
