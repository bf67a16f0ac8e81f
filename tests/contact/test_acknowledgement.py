"""The acknowledgement mailed to the visitor: once per stored message, in the page's language,
through the same outbox as the mail to ICARE, over real SMTP, never for spam, and never carrying
what the visitor typed (the name aside)."""

import pytest

from articles.models import SiteDetails
from contact.acknowledgements import greeting_name
from contact.models import Acknowledgement, AcknowledgementText, Message
from contact.services import deliver_due
from tests.conftest import SMTPServer, free_port, smtp_mailers
from tests.contact.test_contact import contact_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def acknowledgements_on(settings):
    settings.CONTACT_ACKNOWLEDGEMENT = True
    SiteDetails(phone="+45 31971111", email="info@icare.dk").save()


def text_of(mail):
    return mail.get_content().replace("\r\n", "\n")


def sent_to(smtp_server, address):
    return [mail for mail in smtp_server.messages if mail["To"] == address]


def test_a_danish_visitor_gets_one_danish_acknowledgement(client, smtp_server, settings):
    client.post("/da/kontakt/", contact_data())

    assert deliver_due() == 2
    assert deliver_due() == 0
    [receipt] = sent_to(smtp_server, "mette@example.dk")
    assert receipt["Subject"] == "Tak for din henvendelse til ICARE SECURITY A/S"
    assert receipt["From"] == settings.DEFAULT_FROM_EMAIL
    assert receipt["Reply-To"] == "info@icare.dk"
    assert receipt["Auto-Submitted"] == "auto-replied"
    body = text_of(receipt)
    assert body.startswith("Hej Mette Jensen\n")
    assert "+45 31971111" in body and "info@icare.dk" in body
    acknowledgement = Acknowledgement.objects.get()
    assert acknowledgement.delivery == Acknowledgement.Delivery.SENT
    assert receipt["Message-ID"] == acknowledgement.message_id
    assert len(sent_to(smtp_server, "info@icare.dk")) == 1


def test_an_english_visitor_gets_it_in_english(client, smtp_server):
    client.post("/en/contact/", contact_data(name="John Smith", email="john@example.com"))

    deliver_due()
    [receipt] = sent_to(smtp_server, "john@example.com")
    assert receipt["Subject"] == "Thank you for contacting ICARE SECURITY A/S"
    assert text_of(receipt).startswith("Hello John Smith,\n")


def test_a_double_submit_acknowledges_once(client, smtp_server):
    data = contact_data()
    client.post("/da/kontakt/", data)
    client.post("/da/kontakt/", data)

    deliver_due()
    deliver_due()
    assert len(sent_to(smtp_server, "mette@example.dk")) == 1


def test_spam_gets_no_acknowledgement(client, smtp_server):
    response = client.post("/da/kontakt/", contact_data(website="http://spam.example"))

    assert response.status_code == 303
    assert deliver_due() == 0
    assert smtp_server.messages == []
    assert not Acknowledgement.objects.exists()
    assert Message.objects.get().status == Message.Status.SPAM


def test_a_refused_post_gets_no_acknowledgement(client, smtp_server, settings):
    settings.CONTACT_RATE_LIMIT = 1
    client.post("/da/kontakt/", contact_data())
    response = client.post("/da/kontakt/", contact_data(email="other@example.dk"))

    assert response.status_code == 429
    deliver_due()
    assert sent_to(smtp_server, "other@example.dk") == []
    assert Acknowledgement.objects.count() == 1


def test_nothing_the_visitor_typed_is_repeated_but_the_name(client, smtp_server):
    typed = contact_data(
        name="Mette Jensen",
        phone="+45 99 88 77 66",
        organisation="Buy cheap pills at pills.example",
        message="Click https://phish.example/login and enter your password",
    )
    client.post("/da/kontakt/", typed)

    deliver_due()
    [receipt] = sent_to(smtp_server, "mette@example.dk")
    text = receipt["Subject"] + text_of(receipt)
    assert "Mette Jensen" in text
    for value in ("99 88 77 66", "pills", "phish", "password", "rådgivning"):
        assert value not in text


@pytest.mark.parametrize(
    "name",
    [
        "Visit https://spam.example now",
        "Win 1000 kr",
        "mail me at x@spam.example",
        "A" * 61,
        "See www.victim.example",
    ],
)
def test_a_name_that_is_no_name_is_left_out(client, smtp_server, name):
    client.post("/da/kontakt/", contact_data(name=name))

    deliver_due()
    [receipt] = sent_to(smtp_server, "mette@example.dk")
    body = text_of(receipt)
    assert body.startswith("Hej\n")
    assert "spam" not in body and "1000" not in body and "victim" not in body


@pytest.mark.parametrize("name", ["Søren Ø. Hansen", "Anne-Marie O'Neil", "Åse"])
def test_real_names_are_kept(name):
    assert greeting_name(name) == name


def test_staff_text_is_used_and_only_known_placeholders_are_filled(client, smtp_server):
    text = AcknowledgementText(
        subject_da="Kvittering",
        body_da="Kære {name}, ring {company_phone}. {message} {name.__class__}",
        subject_en="Receipt",
        body_en="Dear {name}",
    )
    text.save()

    client.post("/da/kontakt/", contact_data())
    deliver_due()
    [receipt] = sent_to(smtp_server, "mette@example.dk")
    assert receipt["Subject"] == "Kvittering"
    assert text_of(receipt).strip() == (
        "Kære Mette Jensen, ring +45 31971111. {message} {name.__class__}"
    )


def test_the_admin_refuses_an_unknown_placeholder(admin_client):
    response = admin_client.get("/admin/contact/acknowledgementtext/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/contact/acknowledgementtext/1/change/"

    response = admin_client.post(
        "/admin/contact/acknowledgementtext/1/change/",
        {
            "subject_da": "Tak",
            "body_da": "Hej {name}, du skrev: {message}",
            "subject_en": "Thanks",
            "body_en": "Hello {name}",
        },
    )
    assert response.status_code == 200
    assert "{message}" in response.content.decode()
    assert "Hej {name}" in AcknowledgementText.objects.get().body_da  # the defaults, unchanged


def test_switched_off_no_acknowledgement_is_stored(client, smtp_server, settings):
    settings.CONTACT_ACKNOWLEDGEMENT = False
    client.post("/da/kontakt/", contact_data())

    assert deliver_due() == 1
    assert not Acknowledgement.objects.exists()
    assert sent_to(smtp_server, "mette@example.dk") == []


def test_a_down_server_keeps_the_acknowledgement_pending_until_it_answers(client, settings):
    settings.MAILERS = smtp_mailers(free_port(), timeout=1)  # nothing listens there
    client.post("/da/kontakt/", contact_data())
    assert deliver_due() == 0
    acknowledgement = Acknowledgement.objects.get()
    assert acknowledgement.delivery == Acknowledgement.Delivery.PENDING

    server = SMTPServer()
    server.start()
    try:
        settings.MAILERS = smtp_mailers(server.port)
        assert deliver_due(due_only=False) == 2
        assert len(sent_to(server, "mette@example.dk")) == 1
    finally:
        server.stop()


def test_the_message_in_the_admin_shows_the_acknowledgement_and_its_delivery(
    client, admin_client, smtp_server
):
    client.post("/da/kontakt/", contact_data())
    deliver_due()
    message = Message.objects.get()

    page = admin_client.get(f"/admin/contact/message/{message.pk}/change/").content.decode()
    assert "Tak for din henvendelse til ICARE SECURITY A/S" in page
    assert "Sendt" in page or "Sent" in page
