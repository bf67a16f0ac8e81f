"""The lead pipeline in the admin: status, owner, notes, the time of first answer, overdue by
working days, the Reply link, permissions, history, and the daily digest."""

import datetime
from datetime import timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.utils import timezone

from contact.leads import answer_due
from contact.models import LeadChange, Message, Note
from tests.contact.test_contact import contact_data

pytestmark = pytest.mark.django_db

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def at(*args):
    return datetime.datetime(*args, tzinfo=COPENHAGEN)


def make_lead(**fields):
    received = fields.pop("created_at", timezone.now())
    return Message.objects.create(
        **{
            "name": "Mette Jensen",
            "email": "mette@example.dk",
            "message": "Hej",
            "language": "da",
            "created_at": received,
            "answer_due_at": answer_due(received),
        }
        | fields
    )


@pytest.fixture
def editor(db):
    user = User.objects.create_user("redaktor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        (at(2026, 12, 2, 9, 30), 1, at(2026, 12, 3, 9, 30)),  # Wednesday -> Thursday
        (at(2026, 12, 4, 15, 0), 1, at(2026, 12, 7, 15, 0)),  # Friday -> Monday
        (at(2026, 12, 5, 10, 0), 1, at(2026, 12, 8, 0, 0)),  # Saturday -> end of Monday
        (at(2026, 12, 6, 23, 0), 1, at(2026, 12, 8, 0, 0)),  # Sunday -> end of Monday
        (at(2026, 12, 3, 12, 0), 3, at(2026, 12, 8, 12, 0)),  # Thursday + 3 -> Tuesday
        (at(2026, 3, 27, 10, 0), 1, at(2026, 3, 30, 10, 0)),  # over the change to summer time
    ],
)
def test_an_answer_is_due_after_working_days_in_copenhagen(received, days, due):
    assert answer_due(received, days) == due


def test_a_stored_message_is_due_after_the_configured_working_days(client, settings):
    settings.CONTACT_ANSWER_WORKING_DAYS = 2
    client.post("/da/kontakt/", contact_data())

    message = Message.objects.get()
    assert message.answer_due_at == answer_due(message.created_at, 2)
    assert message.status == Message.Status.NEW


def test_overdue_leads_by_a_fixed_clock():
    friday = make_lead(created_at=at(2026, 12, 4, 15, 0))
    make_lead(created_at=at(2026, 12, 4, 15, 0), status=Message.Status.ANSWERED)
    make_lead(created_at=at(2026, 12, 4, 15, 0), status=Message.Status.SPAM)

    assert list(Message.objects.answer_overdue(now=at(2026, 12, 7, 14, 59))) == []
    assert list(Message.objects.answer_overdue(now=at(2026, 12, 7, 15, 1))) == [friday]


def test_the_inbox_marks_overdue_leads_and_the_index_counts_them(admin_client):
    make_lead(name="Gammel Henvendelse", created_at=timezone.now() - timedelta(days=8))
    make_lead(name="Ny Henvendelse")

    inbox = admin_client.get("/admin/contact/message/").content.decode()
    assert inbox.count('class="lead-overdue"') == 1
    overdue = admin_client.get("/admin/contact/message/?leads=overdue").content.decode()
    assert "Gammel Henvendelse" in overdue and "Ny Henvendelse" not in overdue

    index = admin_client.get("/admin/").content.decode()
    assert "2 venter på svar" in index
    assert "1 forsinket" in index


def test_spam_stays_apart_from_the_leads(admin_client):
    make_lead(name="Rigtig Kunde")
    make_lead(name="Spam Robot", status=Message.Status.SPAM)

    leads = admin_client.get("/admin/contact/message/").content.decode()
    assert "Rigtig Kunde" in leads and "Spam Robot" not in leads
    spam = admin_client.get("/admin/contact/message/?leads=spam").content.decode()
    assert "Spam Robot" in spam and "Rigtig Kunde" not in spam


def test_assign_to_me_mine_and_unassigned(client, editor):
    taken, free = make_lead(name="Min Kunde"), make_lead(name="Fri Kunde")
    client.force_login(editor)

    client.post(
        "/admin/contact/message/", {"action": "assign_to_me", "_selected_action": [taken.pk]}
    )

    taken.refresh_from_db()
    assert taken.owner == editor
    mine = client.get("/admin/contact/message/?leads=mine").content.decode()
    assert "Min Kunde" in mine and "Fri Kunde" not in mine
    unassigned = client.get("/admin/contact/message/?leads=unassigned").content.decode()
    assert "Fri Kunde" in unassigned and "Min Kunde" not in unassigned
    [change] = LeadChange.objects.filter(message=taken)
    assert (change.field, change.old_value, change.new_value) == ("owner", "", "redaktor")
    assert change.changed_by == editor
    assert free.changes.count() == 0


def test_an_editor_works_a_lead_and_the_history_keeps_each_step(client, editor):
    lead = make_lead()
    client.force_login(editor)
    url = f"/admin/contact/message/{lead.pk}/change/"
    form = {
        "notes-TOTAL_FORMS": "1",
        "notes-INITIAL_FORMS": "0",
        "notes-0-text": "Ringede til hende, sender tilbud fredag.",
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
    }

    response = client.post(url, {"status": "in_progress", "owner": editor.pk, **form})
    assert response.status_code == 302
    client.post(url, {"status": "answered", "owner": editor.pk, **form | {"notes-0-text": ""}})
    lead.refresh_from_db()
    first_answer = lead.answered_at
    client.post(url, {"status": "closed", "owner": editor.pk, **form | {"notes-0-text": ""}})

    lead.refresh_from_db()
    assert lead.status == Message.Status.CLOSED
    assert lead.answered_at == first_answer is not None
    [note] = lead.notes.all()
    assert note.author == editor and note.text.startswith("Ringede")
    steps = [(c.field, c.old_value, c.new_value) for c in lead.changes.all()]
    assert steps == [
        ("status", "new", "in_progress"),
        ("owner", "", "redaktor"),
        ("status", "in_progress", "answered"),
        ("status", "answered", "closed"),
    ]
    page = client.get(url).content.decode()
    assert "Ringede til hende" in page


def test_notes_are_never_mailed(client, smtp_server, admin_user):
    from contact.services import deliver_due

    client.post("/da/kontakt/", contact_data())
    lead = Message.objects.get()
    Note.objects.create(message=lead, author=admin_user, text="Intern: kunden er svær")
    deliver_due()

    [mail] = smtp_server.messages
    assert "svær" not in mail.get_content()


def test_an_editor_cannot_delete_a_lead_or_a_note(client, editor):
    lead = make_lead()
    Note.objects.create(message=lead, text="x")
    client.force_login(editor)

    assert client.get(f"/admin/contact/message/{lead.pk}/delete/").status_code == 403
    page = client.get(f"/admin/contact/message/{lead.pk}/change/").content.decode()
    assert "notes-0-DELETE" not in page


def test_reply_opens_the_mail_program_in_the_visitors_language_and_marks_it_in_progress(
    client, editor, settings
):
    settings.CONTACT_ACKNOWLEDGEMENT = True
    client.post("/en/contact/", contact_data(name="John Smith", email="john@example.com"))
    lead = Message.objects.get()
    client.force_login(editor)

    assert client.get(f"/admin/contact/message/{lead.pk}/reply/").status_code == 403
    response = client.post(f"/admin/contact/message/{lead.pk}/reply/")

    assert response.status_code == 302
    link = unquote(response["Location"])
    assert link.startswith("mailto:john@example.com?")
    assert "subject=Re: Thank you for contacting ICARE SECURITY A/S" in link
    assert "body=Hello John Smith," in link
    lead.refresh_from_db()
    assert lead.status == Message.Status.IN_PROGRESS
    assert lead.owner == editor
    page = client.get(f"/admin/contact/message/{lead.pk}/change/").content.decode()
    assert f'action="/admin/contact/message/{lead.pk}/reply/"' in page


def test_a_danish_reply_has_a_danish_subject(admin_client):
    lead = make_lead()
    link = unquote(admin_client.post(f"/admin/contact/message/{lead.pk}/reply/")["Location"])
    assert "subject=Re: Tak for din henvendelse til ICARE SECURITY A/S" in link
    assert "body=Hej Mette Jensen\n" in link


def test_the_digest_lists_waiting_and_overdue_leads_with_admin_links(smtp_server, settings):
    overdue = make_lead(name="Forsinket Kunde", created_at=timezone.now() - timedelta(days=8))
    waiting = make_lead(name="Ventende Kunde")
    make_lead(name="Besvaret Kunde", status=Message.Status.ANSWERED)
    make_lead(name="Spam Robot", status=Message.Status.SPAM)

    call_command("send_lead_digest")

    [mail] = smtp_server.messages
    assert mail["To"] == settings.CONTACT_RECIPIENT
    assert mail["Subject"] == "2 henvendelser venter på svar, 1 forsinket"
    body = mail.get_content()
    assert "Forsinket (1):" in body and "Venter (1):" in body
    assert body.index("Forsinket Kunde") < body.index("Ventende Kunde")
    assert f"https://empact.example/admin/contact/message/{overdue.pk}/change/" in body
    assert f"https://empact.example/admin/contact/message/{waiting.pk}/change/" in body
    assert "Besvaret" not in body and "Spam" not in body


def test_no_digest_when_nothing_waits(smtp_server):
    make_lead(status=Message.Status.CLOSED)

    call_command("send_lead_digest")

    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_messages_from_before_the_pipeline_keep_their_meaning():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("contact", "0002_mail_worker_heartbeat")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("contact", "Message")
    received = timezone.now() - timedelta(days=3)
    common = {"email": "a@example.dk", "message": "Hej", "language": "da", "created_at": received}
    old.objects.create(name="Handled", status="handled", message_id="<1@x>", **common)
    old.objects.create(name="Waiting", status="new", message_id="<2@x>", **common)

    call_command("migrate", verbosity=0)

    assert Message.objects.get(name="Handled").status == Message.Status.CLOSED
    waiting = Message.objects.get(name="Waiting")
    assert waiting.answer_due_at == received + timedelta(days=1)
    assert list(Message.objects.answer_overdue()) == [waiting]
