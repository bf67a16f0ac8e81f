"""/.well-known/security.txt (RFC 9116) from the site details, and the admin's warning before
it expires."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import SiteDetails

pytestmark = pytest.mark.django_db

URL = "/.well-known/security.txt"
RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def set_details(**fields):
    details = SiteDetails.objects.filter(pk=1).first() or SiteDetails()
    for name, value in fields.items():
        setattr(details, name, value)
    details.save()
    return details


def fields_of(text):
    return [tuple(line.split(": ", 1)) for line in text.splitlines()]


def test_security_txt_has_the_fields_rfc_9116_requires(client, settings):
    settings.SITE_URL = "https://empact.icare.dk"
    set_details(
        security_contact="mailto:security@icare.dk",
        security_policy_url="https://icare.dk/sikkerhed/",
        security_txt_expires_on=date(2027, 6, 30),
    )

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert fields_of(response.text) == [
        ("Contact", "mailto:security@icare.dk"),
        # The end of the day staff chose, Copenhagen summer time.
        ("Expires", "2027-06-30T23:59:59+02:00"),
        ("Policy", "https://icare.dk/sikkerhed/"),
        ("Preferred-Languages", "da, en"),
        ("Canonical", "https://empact.icare.dk/.well-known/security.txt"),
    ]
    expires = dict(fields_of(response.text))["Expires"]
    assert RFC_3339.match(expires)
    assert datetime.fromisoformat(expires) == timezone.make_aware(datetime(2027, 6, 30, 23, 59, 59))
    assert client.head(URL).status_code == 200


def test_security_txt_without_a_policy_leaves_the_field_out(client):
    set_details(
        security_contact="https://icare.dk/kontakt/", security_txt_expires_on=date(2027, 1, 31)
    )

    fields = dict(fields_of(client.get(URL).text))

    assert fields["Contact"] == "https://icare.dk/kontakt/"
    assert fields["Expires"] == "2027-01-31T23:59:59+01:00"
    assert "Policy" not in fields


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"security_contact": "mailto:security@icare.dk"},
        {"security_txt_expires_on": date(2027, 6, 30)},
    ],
)
def test_no_security_txt_without_both_contact_and_expiry(client, fields):
    set_details(**fields)

    assert client.get(URL).status_code == 404


@pytest.mark.parametrize(
    "contact", ["security@icare.dk", "http://icare.dk/sikkerhed/", "mailto:", "ftp://icare.dk/"]
)
def test_the_security_contact_is_a_mailto_or_https_address(contact):
    details = SiteDetails(pk=1, security_contact=contact)

    with pytest.raises(ValidationError) as error:
        details.full_clean()

    assert "security_contact" in error.value.message_dict


def test_the_policy_must_be_an_https_address():
    details = SiteDetails(pk=1, security_policy_url="http://icare.dk/sikkerhed/")

    with pytest.raises(ValidationError) as error:
        details.full_clean()

    assert "security_policy_url" in error.value.message_dict


def test_the_admin_index_warns_ten_days_before_security_txt_expires(admin_client):
    expires_on = timezone.localdate() + timedelta(days=10)
    set_details(security_contact="mailto:security@icare.dk", security_txt_expires_on=expires_on)

    danish = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="da").text
    english = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").text

    assert "security.txt udløber den" in danish and "om 10 dage" in danish
    assert "security.txt expires on" in english and "in 10 days" in english
    assert 'href="/admin/articles/sitedetails/1/change/"' in english


def test_the_admin_index_says_when_security_txt_has_expired(admin_client):
    set_details(
        security_contact="mailto:security@icare.dk",
        security_txt_expires_on=timezone.localdate() - timedelta(days=1),
    )

    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").text

    assert "security.txt expired on" in page


def test_the_admin_index_is_quiet_while_security_txt_holds_for_another_month(admin_client):
    set_details(
        security_contact="mailto:security@icare.dk",
        security_txt_expires_on=timezone.localdate() + timedelta(days=60),
    )

    assert "security.txt" not in admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").text


def test_the_admin_index_is_quiet_about_a_security_txt_never_set_up(admin_client):
    set_details()

    assert "security.txt" not in admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").text


def test_the_admin_index_says_a_contact_without_an_expiry_date_is_not_published(admin_client):
    set_details(security_contact="mailto:security@icare.dk")

    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").text

    assert "security.txt is not published" in page
