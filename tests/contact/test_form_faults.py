"""The contact form under hostile or unlucky input (issue 12): nothing a visitor sends is lost,
and whatever the form accepts can be mailed."""

import threading
import uuid

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from contact.forms import ContactForm
from contact.models import Message
from contact.services import build_email, message_create
from tests.contact.test_contact import contact_data

pytestmark = pytest.mark.django_db


def test_a_reused_token_with_a_different_message_stores_both(client):
    token = str(uuid.uuid4())

    first = client.post("/da/kontakt/", contact_data(token=token, message="Første besked."))
    second = client.post("/da/kontakt/", contact_data(token=token, message="Anden besked."))

    assert first.status_code == second.status_code == 303
    assert sorted(Message.objects.values_list("message", flat=True)) == [
        "Anden besked.",
        "Første besked.",
    ]


@pytest.mark.parametrize("field", ["name", "email", "phone", "organisation"])
def test_a_reused_token_with_any_other_field_changed_stores_both(client, field):
    token = str(uuid.uuid4())
    changed = {
        "name": "Mette Hansen",
        "email": "mette@example.com",
        "phone": "+45 87 65 43 21",
        "organisation": "Regionen",
    }

    client.post("/da/kontakt/", contact_data(token=token))
    client.post("/da/kontakt/", contact_data(token=token, **{field: changed[field]}))

    assert Message.objects.count() == 2


def test_a_reused_token_from_the_other_language_stores_both(client):
    token = str(uuid.uuid4())

    client.post("/da/kontakt/", contact_data(token=token))
    client.post("/en/contact/", contact_data(token=token))

    assert sorted(Message.objects.values_list("language", flat=True)) == ["da", "en"]


def test_two_spellings_of_one_token_keep_different_messages_apart(client):
    token = uuid.uuid4()

    client.post("/da/kontakt/", contact_data(token=f"{{{token}}}", message="Første besked."))
    client.post("/da/kontakt/", contact_data(token=token.hex, message="Anden besked."))

    assert Message.objects.count() == 2


def test_an_identical_resubmission_stores_one_message_however_the_token_is_spelt(client):
    token = uuid.uuid4()

    for spelling in (str(token), f"{{{token}}}", token.hex, str(token).upper()):
        assert client.post("/da/kontakt/", contact_data(token=spelling)).status_code == 303

    assert Message.objects.count() == 1


def test_a_changed_message_sent_twice_with_an_old_token_is_stored_once_more(client):
    token = str(uuid.uuid4())

    client.post("/da/kontakt/", contact_data(token=token, message="Første besked."))
    for _ in range(2):  # back, edit, send, and a double click
        client.post("/da/kontakt/", contact_data(token=token, message="Rettet besked."))

    assert Message.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_identical_posts_at_the_same_moment_store_one_message():
    if connection.vendor != "postgresql":
        pytest.skip("needs two connections writing at once")
    data = {
        "name": "Mette Jensen",
        "email": "mette@example.dk",
        "phone": "",
        "organisation": "",
        "message": "Hej",
    }
    token = uuid.uuid4()
    first_inserted, results = threading.Event(), {}

    def first():
        # Inserts and holds its transaction open, like a request that is not done yet.
        try:
            with transaction.atomic():
                results["first"] = message_create(data=data, language="da", token=token)
                first_inserted.set()
                # The second one is now waiting for this row's fate on the unique index.
                threading.Event().wait(0.5)
        finally:
            connection.close()

    def second():
        first_inserted.wait(5)
        try:
            results["second"] = message_create(data=data, language="da", token=token)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Message.objects.count() == 1
    assert results["first"].pk == results["second"].pk


ENCODED_WORD_ADDRESS = "=?utf-8?q?a=0D=0A?=@b.dk"


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("/da/kontakt/", "Indtast en e-mail-adresse, som vi kan svare på"),
        ("/en/contact/", "Enter an email address that we can reply to"),
    ],
)
@pytest.mark.parametrize(
    "address",
    [ENCODED_WORD_ADDRESS, '"=?utf-8?q?a=0D=0A?="@b.dk', "=?utf-8?q?x?=@b.dk"],
)
def test_an_address_mail_would_change_is_refused_in_the_pages_language(client, url, error, address):
    response = client.post(url, contact_data(email=address))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert Message.objects.count() == 0


def test_an_international_domain_is_still_accepted(client):
    response = client.post("/da/kontakt/", contact_data(email="mette@æblehaven.dk"))

    assert response.status_code == 303
    assert Message.objects.get().email == "mette@æblehaven.dk"


TRICKY_LOCAL_PART = st.text(alphabet='=?_"\\.+-qQbB0AaD(),:;<> \t\r\nå\u200b', max_size=30)


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.one_of(
        st.emails(),
        st.builds(
            "{}@{}".format,
            TRICKY_LOCAL_PART,
            st.sampled_from(["b.dk", "æblehaven.dk", "[127.0.0.1]", "b.dk?=", "=?x?="]),
        ),
    )
)
@example(ENCODED_WORD_ADDRESS)
@example("a@b.dk")
def test_every_address_the_form_accepts_can_be_mailed(address):
    form = ContactForm(contact_data(email=address))

    if form.is_valid():
        message = Message(**{k: form.cleaned_data[k] for k in ("name", "email", "message")})
        message.language = "da"
        built = build_email(message).message()
        assert [a.addr_spec for a in built["Reply-To"].addresses] != []
        built.as_bytes()


INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width (non-)joiners, word joiner, BOM
    " \u00a0\u3000\t\u2028",  # spaces of every width, a line separator
    "\u00ad\u034f",  # soft hyphen, combining grapheme joiner
    "\u3164\u115f",  # Hangul fillers, letters that draw nothing
    "\u2800",  # Braille blank
]


@pytest.mark.parametrize("blank", INVISIBLE)
def test_a_name_or_message_of_invisible_characters_counts_as_empty(client, blank):
    empty = client.post("/da/kontakt/", contact_data(name="", message=""))
    response = client.post("/da/kontakt/", contact_data(name=blank, message=blank))

    assert response.status_code == 200
    required = response.content.decode().count("Dette felt er påkrævet.")
    assert required == empty.content.decode().count("Dette felt er påkrævet.") > 0
    assert Message.objects.count() == 0


def test_invisible_characters_around_real_text_are_fine(client):
    response = client.post("/en/contact/", contact_data(name="\u200bMette", message="Hej\u200b"))

    assert response.status_code == 303
    assert Message.objects.count() == 1


def test_a_filled_honeypot_is_answered_exactly_like_a_real_message(client):
    real = client.post("/da/kontakt/", contact_data())
    bot = client.post("/da/kontakt/", contact_data(website="http://spam.example"))

    assert bot.status_code == real.status_code == 303
    assert bot["Location"] == real["Location"] == "/da/kontakt/tak/"
    assert sorted(bot.headers) == sorted(real.headers)
    spam = Message.objects.get(status=Message.Status.SPAM)
    assert spam.delivery == Message.Delivery.NOT_SENT  # kept, never mailed
