"""A data subject's requests: export everything stored about an address as JSON, erase it after
a confirmation, and keep an audit entry with no personal data. After erasure no text column of
the database holds the address."""

import io
import json

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection

from contact.leads import update_lead
from contact.models import Acknowledgement, DataRequest, Message, Note, RateLimitHit
from contact.services import deliver_due
from tests.contact.test_contact import contact_data

pytestmark = pytest.mark.django_db

ADDRESS = "Mette.Jensen@Example.dk"


@pytest.fixture
def stored(client, admin_user, settings, smtp_server):
    """Two messages from the person (one acknowledged over SMTP), worked in the admin, a note on
    someone else's message that mentions the address, and rate-limit rows."""
    settings.CONTACT_ACKNOWLEDGEMENT = True
    client.post("/da/kontakt/", contact_data(email=ADDRESS))
    client.post("/en/contact/", contact_data(email=ADDRESS.lower(), message="Second"))
    client.post("/da/kontakt/", contact_data(name="Anden", email="anden@example.dk"))
    deliver_due()
    admin_client = client
    admin_client.force_login(admin_user)
    mine = Message.objects.filter(email__iexact=ADDRESS).order_by("created_at").first()
    admin_client.post(
        "/admin/contact/message/", {"action": "assign_to_me", "_selected_action": [mine.pk]}
    )
    update_lead(mine, by=admin_user, status=Message.Status.ANSWERED)
    Note.objects.create(message=mine, author=admin_user, text="Kunden vil have et tilbud")
    other = Message.objects.get(email="anden@example.dk")
    Note.objects.create(message=other, text=f"Kollega af {ADDRESS.lower()}")
    RateLimitHit.objects.create(key="contact:203.0.113.9")
    RateLimitHit.objects.create(key="contact:198.51.100.1")
    return mine


def text_columns_holding(value):
    """Every (table, column) of a text-like type in which some row contains value."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN "
            "('text', 'character varying', 'jsonb', 'json', 'character')"
        )
        columns = cursor.fetchall()
        found = []
        for table, column in columns:
            cursor.execute(
                f'SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s LIMIT 1',
                [f"%{value}%"],
            )
            if cursor.fetchone():
                found.append((table, column))
    return found


def test_the_export_holds_everything_and_leaves_an_audit_entry(stored, admin_user):
    output = io.StringIO()
    call_command(
        "personal_data", "export", ADDRESS, "--client-address", "203.0.113.9", stdout=output
    )

    data = json.loads(output.getvalue())
    assert len(data["messages"]) == 2
    first = data["messages"][0]
    assert first["email"].lower() == ADDRESS.lower()
    assert first["acknowledgement"]["subject"] == "Tak for din henvendelse til ICARE SECURITY A/S"
    assert first["acknowledgement"]["delivery"] == "sent"
    assert first["notes"][0]["text"] == "Kunden vil have et tilbud"
    assert [c["to"] for c in first["status_and_owner_changes"]] == ["admin", "answered"]
    assert data["mentions_in_notes"][0]["text"].startswith("Kollega af")
    assert data["rate_limit_records"][0]["client_address"] == "203.0.113.9"
    [entry] = DataRequest.objects.all()
    assert entry.kind == DataRequest.Kind.EXPORT
    assert entry.total == 2 + 1 + 2 + 2 + 1 + 1 + entry.records["admin_log_entries"]
    assert Message.objects.filter(email__iexact=ADDRESS).count() == 2  # nothing erased


def test_erasure_leaves_no_trace_of_the_address_and_an_audit_entry_without_it(stored):
    assert text_columns_holding(ADDRESS)  # the search finds it before

    call_command(
        "personal_data", "erase", ADDRESS, "--client-address", "203.0.113.9", "--yes",
        stdout=io.StringIO(),
    )  # fmt: skip

    assert text_columns_holding(ADDRESS) == []
    assert text_columns_holding("203.0.113.9") == []
    assert Message.objects.get().email == "anden@example.dk"
    assert Note.objects.get().text == "Kollega af [erased]"
    assert not Acknowledgement.objects.filter(lead__email__iexact=ADDRESS).exists()
    assert RateLimitHit.objects.get().key == "contact:198.51.100.1"
    [entry] = DataRequest.objects.all()
    assert entry.kind == DataRequest.Kind.ERASURE
    assert entry.records["messages"] == 2 and entry.records["acknowledgements"] == 2
    assert entry.handled_by_name.startswith("manage.py personal_data")
    assert "mette" not in json.dumps(entry.records).lower()


def test_the_admin_page_finds_exports_and_erases_only_after_the_address_is_typed_again(
    stored, client
):
    url = "/admin/contact/message/personal-data/"
    assert client.get(url).status_code == 200

    found = client.post(url, {"email": ADDRESS, "action": "find"}).content.decode()
    assert '<th scope="row">Henvendelser</th><td>2</td>' in found
    assert '<th scope="row">Kvitteringer mailet til personen</th><td>2</td>' in found

    export = client.post(url, {"email": ADDRESS, "action": "export"})
    assert export["Content-Type"].startswith("application/json")
    assert len(json.loads(export.content)["messages"]) == 2

    wrong = client.post(url, {"email": ADDRESS, "action": "erase", "confirmation": "x@y.dk"})
    assert wrong.status_code == 200
    assert Message.objects.filter(email__iexact=ADDRESS).count() == 2

    done = client.post(url, {"email": ADDRESS, "action": "erase", "confirmation": ADDRESS})
    assert done.status_code == 302
    assert not Message.objects.filter(email__iexact=ADDRESS).exists()
    erasure = DataRequest.objects.get(kind=DataRequest.Kind.ERASURE)
    assert erasure.handled_by.username == "admin"
    log = client.get("/admin/contact/datarequest/").content.decode()
    assert "mette" not in log.lower()


def test_an_editor_cannot_open_the_personal_data_page(client):
    editor = User.objects.create_user("red", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    client.force_login(editor)

    assert client.get("/admin/contact/message/personal-data/").status_code == 403


def test_retention_deletes_notes_acknowledgements_and_history_with_the_message(stored):
    from datetime import timedelta

    from django.utils import timezone

    Message.objects.update(created_at=timezone.now() - timedelta(days=400))

    call_command("purge_contact_messages", stdout=io.StringIO())

    assert not Message.objects.exists()
    assert not Note.objects.exists() and not Acknowledgement.objects.exists()
    assert text_columns_holding(ADDRESS) == []
