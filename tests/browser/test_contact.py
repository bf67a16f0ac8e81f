"""A prospect writes to ICARE with the keyboard alone, and the mail reaches a real SMTP server."""

import pytest

from contact.models import Message
from contact.services import deliver_due

from .conftest import PHONE, assert_no_problems, tab_to, visit

pytestmark = pytest.mark.django_db(transaction=True)


def press_and_wait(page, key):
    with page.expect_navigation():
        page.keyboard.press(key)
    assert_no_problems(page)


def test_the_contact_form_is_filled_and_sent_with_the_keyboard_alone(
    new_page, content, smtp_server
):
    page = new_page(viewport=PHONE)
    visit(page, "/en/contact/")

    # First without the consent: the errors come back in English, with what was typed kept.
    tab_to(page, "#id_name")
    page.keyboard.type("Karen Jensen")
    page.keyboard.press("Tab")
    page.keyboard.type("karen@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("+45 12 34 56 78")
    page.keyboard.press("Tab")
    page.keyboard.type("Havnens Vagt ApS")
    page.keyboard.press("Tab")
    page.keyboard.type("We guard a port and would like advice on EMPACT.")
    tab_to(page, "button[type=submit]")
    press_and_wait(page, "Enter")

    assert page.locator(".error-summary").is_visible()
    assert "Please agree" in page.locator(".error-summary").inner_text()
    assert page.locator("#id_name").input_value() == "Karen Jensen"
    assert Message.objects.count() == 0

    # The summary's link leads to the checkbox; Space ticks it, Enter on the button sends.
    tab_to(page, "#id_consent")
    page.keyboard.press("Space")
    assert page.locator("#id_consent").is_checked()
    tab_to(page, "button[type=submit]")
    press_and_wait(page, "Enter")

    assert page.url.endswith("/en/contact/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "Thank you for your message"
    assert deliver_due() == 1  # the mail worker's round (tests/contact/test_delivery.py runs one)
    [mail] = smtp_server.messages
    assert mail["Reply-To"] == "karen@example.com"
    assert "Karen Jensen" in mail["Subject"]
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "We guard a port and would like advice on EMPACT." in body
    assert "Havnens Vagt ApS" in body
    assert Message.objects.get().email == "karen@example.com"
