"""Behind our proxy the client's address is the last X-Forwarded-For entry. Whatever a client
puts there, the admin's lockout still counts and the contact form still answers (issue 12)."""

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory

from contact.models import Message
from contact.ratelimit import client_address
from tests.contact.test_contact import contact_data

pytestmark = pytest.mark.django_db

JUNK = [
    "not-an-ip",
    "1.2.3.4:5678",
    "999.999.999.999",
    "1" * 300,
    "fe80::1%eth0",
    "[2001:db8::1]",
    "1.2.3.4, not-an-ip",
    " , ",
]


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_PROXY = True


@pytest.mark.parametrize(
    ("forwarded", "address"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("198.51.100.1, 203.0.113.7", "203.0.113.7"),
        ("203.0.113.7 ", "203.0.113.7"),
        ("2001:DB8:0:0::1", "2001:db8::1"),
        *((junk, "127.0.0.1") for junk in JUNK),
    ],
)
def test_the_client_address_is_the_proxys_entry_or_the_proxy_itself(
    behind_proxy, forwarded, address
):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1")

    assert client_address(request) == address


@pytest.mark.parametrize("junk", JUNK)
def test_junk_forwarded_for_still_locks_the_admin_login(client, behind_proxy, junk):
    User.objects.create_superuser("chef", "chef@icare.dk", "Rigtig-Adgangskode-2026")
    login = {"username": "chef", "password": "forkert", "next": "/admin/"}

    answers = [
        client.post("/admin/login/", login, HTTP_X_FORWARDED_FOR=junk).status_code for _ in range(5)
    ]
    locked = client.post(
        "/admin/login/",
        {**login, "password": "Rigtig-Adgangskode-2026"},
        HTTP_X_FORWARDED_FOR=junk,
    )

    assert answers == [200, 200, 200, 200, 429]
    assert locked.status_code == 429


@pytest.mark.parametrize("junk", JUNK)
def test_junk_forwarded_for_never_breaks_a_contact_post(client, behind_proxy, settings, junk):
    settings.CONTACT_RATE_LIMIT = 5

    response = client.post("/da/kontakt/", contact_data(), HTTP_X_FORWARDED_FOR=junk)

    assert response.status_code == 303
    assert Message.objects.count() == 1


def test_junk_forwarded_for_is_counted_against_the_proxys_address(client, behind_proxy, settings):
    settings.CONTACT_RATE_LIMIT = 5
    answers = [
        client.post("/da/kontakt/", contact_data(), HTTP_X_FORWARDED_FOR=junk).status_code
        for junk in JUNK[:6]
    ]

    assert answers == [303] * 5 + [429]
