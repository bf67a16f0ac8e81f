import csv
import io
import os
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from contact.models import Message
from contact.services import build_email, deliver_due

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def contact_data(**overrides):
    return {
        "name": "Mette Jensen",
        "email": "mette@example.dk",
        "phone": "+45 12 34 56 78",
        "organisation": "Kommunen",
        "message": "Vi vil gerne høre om rådgivning.",
        "consent": "on",
        "website": "",
        "token": str(uuid.uuid4()),
        **overrides,
    }


def post(client, data, url="/da/kontakt/", capture=None):
    if capture is None:
        return client.post(url, data)
    with capture(execute=True):
        return client.post(url, data)


def test_contact_page_has_every_field_and_a_hidden_honeypot(client):
    html = client.get("/da/kontakt/").content.decode()

    for name in ("name", "email", "phone", "organisation", "message", "consent", "token"):
        assert f'name="{name}"' in html
    assert '<div class="honeypot" aria-hidden="true">' in html
    assert 'name="website"' in html and 'autocomplete="off"' in html
    assert 'href="/da/privatliv/"' in html
    assert client.get("/en/contact/").status_code == 200


def test_the_thanks_page_is_in_the_pages_language(client):
    assert "Tak for din besked" in client.get("/da/kontakt/tak/").content.decode()
    assert "Thank you for your message" in client.get("/en/contact/thanks/").content.decode()


def test_invalid_input_shows_errors_in_the_pages_language_keeps_values_and_stores_nothing(
    client, smtp_server
):
    data = contact_data(email="ikke-en-adresse", consent="", message="x" * 5001)

    response = client.post("/da/kontakt/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert Message.objects.count() == 0
    assert 'role="alert"' in html
    assert "Indtast en gyldig e-mail-adresse." in html
    assert 'value="ikke-en-adresse"' in html and 'value="Mette Jensen"' in html
    assert 'aria-invalid="true"' in html
    assert "5000" in html or "5.000" in html
    english = client.post("/en/contact/", {**data, "email": "nope"}).content.decode()
    assert "Enter a valid email address." in english


def test_the_production_mailer_has_a_timeout():
    environment = {
        **os.environ,
        "EMAIL_HOST": "smtp.example.dk",
        "DJANGO_SETTINGS_MODULE": "empact_site.settings",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.MAILERS['default']['OPTIONS']['timeout'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, cwd=ROOT, capture_output=True, text=True
    )

    assert result.stdout.strip() == "10.0", result.stderr


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_exactly_once(smtp_server):
    smtp_server.handler.delay = 0.01  # slow enough for the workers to overlap
    for n in range(30):
        Message.objects.create(
            name=f"Afsender {n}", email=f"a{n}@example.dk", message="Hej", language="da"
        )
    rounds = []

    def worker():
        try:
            rounds.append(deliver_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(rounds) == 30
    assert all(count > 0 for count in rounds), rounds  # both really worked
    ids = [m["Message-ID"] for m in smtp_server.messages]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert Message.objects.filter(delivery=Message.Delivery.SENT).count() == 30


def test_a_message_stuck_in_sending_goes_back_to_pending(smtp_server, settings):
    message = Message.objects.create(name="A", email="a@example.dk", message="Hej", language="da")
    Message.objects.filter(pk=message.pk).update(
        delivery=Message.Delivery.SENDING,
        sending_started_at=timezone.now()
        - timedelta(seconds=settings.CONTACT_STUCK_AFTER_SECONDS + 1),
    )

    assert deliver_due() == 1
    assert smtp_server.messages[0]["Message-ID"] == message.message_id


def test_without_a_mail_server_configured_nothing_is_marked_sent(
    client, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {}

    post(client, contact_data(), capture=django_capture_on_commit_callbacks)
    call_command("send_pending_mail", stdout=io.StringIO(), stderr=io.StringIO())

    assert Message.objects.get().delivery == Message.Delivery.PENDING
    health = client.get("/healthz").json()
    assert health["mail"]["configured"] is False
    assert health["mail"]["pending"] == 1


def test_header_injection_never_reaches_the_headers(client, smtp_server):
    response = client.post(
        "/da/kontakt/",
        contact_data(
            name="Eve\r\nBcc: victim@example.com", email="eve@example.dk\nBcc: x@example.com"
        ),
    )
    assert response.status_code == 200
    assert Message.objects.count() == 0

    message = Message(
        name="Eve\r\nBcc: victim@example.com", email="eve@example.dk", message="x", language="da"
    )
    built = build_email(message).message()
    assert "\n" not in built["Subject"] and built["Bcc"] is None


def test_a_filled_honeypot_looks_like_success_and_is_kept_as_spam(
    client, smtp_server, django_capture_on_commit_callbacks
):
    response = post(
        client,
        contact_data(website="http://spam.example"),
        capture=django_capture_on_commit_callbacks,
    )

    assert response.status_code in (302, 303)
    assert response["Location"] == "/da/kontakt/tak/"
    message = Message.objects.get()
    assert message.status == Message.Status.SPAM
    assert smtp_server.messages == []


def test_more_than_five_posts_in_ten_minutes_get_a_clear_429(client, settings):
    settings.CONTACT_RATE_LIMIT = 5
    for _ in range(5):
        assert client.post("/da/kontakt/", contact_data(email="bad")).status_code == 200

    response = client.post("/da/kontakt/", contact_data())

    assert response.status_code == 429
    assert "For mange beskeder" in response.content.decode()
    assert Message.objects.count() == 0


def test_the_rate_limit_uses_the_proxys_address_only_behind_a_proxy(client, settings):
    settings.CONTACT_RATE_LIMIT = 1
    settings.BEHIND_PROXY = True
    client.post("/da/kontakt/", contact_data(email="bad"), HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.1")
    other = client.post(
        "/da/kontakt/", contact_data(email="bad"), HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.2"
    )
    spoofed = client.post(
        "/da/kontakt/", contact_data(email="bad"), HTTP_X_FORWARDED_FOR="9.9.9.9, 10.0.0.1"
    )

    assert other.status_code == 200
    assert spoofed.status_code == 429


RATE_HIT = (
    "import django; django.setup(); from contact.ratelimit import hit; "
    "print(*[hit('contact:203.0.113.7') for _ in range(3)])"
)


def run_hits(env):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "empact_site.settings", **env}
    return subprocess.Popen(
        [sys.executable, "-c", RATE_HIT],
        env=environment,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.django_db(transaction=True)
def test_the_database_rate_limit_is_shared_by_processes():
    if connection.vendor != "postgresql":
        pytest.skip("the test database of SQLite lives in this process's memory")
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    processes = [run_hits({"DATABASE_URL": url, "REDIS_URL": ""}) for _ in range(2)]
    counts = sorted(int(n) for p in processes for n in p.communicate(timeout=60)[0].split())

    assert counts[-1] == 6


def test_the_redis_rate_limit_is_shared_by_processes():
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).delete("empact:ratelimit:contact:203.0.113.7")
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    processes = [run_hits({"REDIS_URL": url}) for _ in range(2)]
    counts = sorted(int(n) for p in processes for n in p.communicate(timeout=60)[0].split())

    assert counts == [1, 2, 3, 4, 5, 6]


def test_a_missing_form_token_gets_a_friendly_page():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/da/kontakt/", contact_data())

    assert response.status_code == 403
    assert "Formularen er udløbet" in response.content.decode()
    assert Message.objects.count() == 0


def test_staff_export_the_inbox_for_danish_excel(admin_client):
    Message.objects.create(
        name='=HYPERLINK("x")',
        email="a@example.dk",
        message="+1 -2 @3",
        language="en",
        organisation="Øst A/S",
    )

    response = admin_client.post(
        "/admin/contact/message/",
        {"action": "export_csv", "_selected_action": [str(m.pk) for m in Message.objects.all()]},
    )

    content = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["navn"] == '\'=HYPERLINK("x")'
    assert row["besked"] == "'+1 -2 @3"
    assert row["organisation"] == "Øst A/S"


def test_staff_close_messages_and_an_editor_cannot_delete_them(admin_client, client):
    from django.contrib.auth.models import Group, User

    message = Message.objects.create(name="A", email="a@example.dk", message="Hej", language="da")
    admin_client.post(
        "/admin/contact/message/", {"action": "mark_closed", "_selected_action": [message.pk]}
    )
    message.refresh_from_db()
    assert message.status == Message.Status.CLOSED

    editor = User.objects.create_user("red", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)
    assert client.get("/admin/contact/message/").status_code == 200
    assert client.get(f"/admin/contact/message/{message.pk}/delete/").status_code == 403


def test_overdue_mail_shows_on_the_admin_index_and_in_healthz(admin_client, client):
    message = Message.objects.create(name="A", email="a@example.dk", message="Hej", language="da")
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=31))

    index = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    health = client.get("/healthz").json()

    assert "1 contact message has not reached ICARE by mail for more than 30 minutes." in index
    assert health["mail"]["overdue"] == 1
    assert health["mail"]["oldest_pending_minutes"] >= 31


def test_purge_deletes_only_messages_older_than_the_retention(settings):
    old = Message.objects.create(name="Gammel", email="a@example.dk", message="x", language="da")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=366))
    Message.objects.create(name="Ny", email="b@example.dk", message="x", language="da")

    call_command("purge_contact_messages", stdout=io.StringIO())

    assert list(Message.objects.values_list("name", flat=True)) == ["Ny"]


def test_the_privacy_notice_states_the_retention_and_datatilsynet(client, content):
    html = client.get("/da/privatliv/").content.decode()

    assert "Datatilsynet" in html
    assert "365 dage" in html
    assert "cookie" in html.lower()
    assert client.get("/en/privacy/").status_code == 200


def test_the_privacy_notice_says_how_to_ask_for_your_data_and_how_long_it_takes(client, content):
    danish = client.get("/da/privatliv/").content.decode()
    english = client.get("/en/privacy/").content.decode()

    assert "senest en måned" in danish and "artikel 12, stk. 3" in danish
    assert "at the latest one month" in english
    assert "kvittering" in danish and "acknowledgement" in english


def test_the_privacy_notice_shows_the_address_and_cvr_number_only_once_staff_fill_them_in(
    client, content
):
    from articles.models import SiteDetails

    for url in ("/da/privatliv/", "/en/privacy/"):
        page = client.get(url).content.decode()
        assert "nederst på siden" not in page and "bottom of the page" not in page
        assert "CVR" not in page

    details = SiteDetails.load()
    details.address = "Eksempelvej 1\n2100 København Ø"
    details.cvr_number = "12345678"
    details.save()

    page = client.get("/da/privatliv/").content.decode()
    assert "ICARE SECURITY A/S, Eksempelvej 1, 2100 København Ø, CVR-nummer 12345678" in page


@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.fixed_dictionaries(
        {
            key: st.text(max_size=300)
            for key in (
                "name",
                "email",
                "phone",
                "organisation",
                "message",
                "consent",
                "website",
                "token",
            )
        }
    )
)
def test_random_input_never_causes_a_server_error(client, data):
    mail.outbox = []
    response = client.post("/en/contact/", data)

    assert response.status_code in (200, 302, 303)


def test_the_contact_and_thanks_pages_promise_no_answer_time_until_staff_write_one(client):
    from articles.models import SiteDetails

    for url in ("/da/kontakt/", "/da/kontakt/tak/", "/en/contact/", "/en/contact/thanks/"):
        page = client.get(url).content.decode()
        assert "arbejdsdag" not in page and "working day" not in page

    SiteDetails(
        answer_promise_da="Vi svarer som regel inden for en arbejdsdag.",
        answer_promise_en="We usually answer within one working day.",
    ).save()

    for url in ("/da/kontakt/", "/da/kontakt/tak/"):
        assert "Vi svarer som regel inden for en arbejdsdag." in client.get(url).content.decode()
    for url in ("/en/contact/", "/en/contact/thanks/"):
        assert "We usually answer within one working day." in client.get(url).content.decode()
