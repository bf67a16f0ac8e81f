"""A sales team's morning in the inbox, in a real browser: the leads with their owner, what is
overdue, the Reply button. `make screenshots` keeps the inbox for docs/contact.md."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from contact.leads import answer_due, update_lead
from contact.models import Message, Note
from editorial.groups import EDITOR

from .conftest import DESKTOP, visit

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long and unusual password"


def lead(name, organisation, *, days_ago=0, **fields):
    received = timezone.now() - timedelta(days=days_ago, hours=1)
    return Message.objects.create(
        name=name,
        email=f"{name.split()[0].lower()}@example.dk",
        organisation=organisation,
        message="Vi vil gerne høre om rådgivning.",
        language="da",
        created_at=received,
        answer_due_at=answer_due(received),
        delivery=Message.Delivery.SENT,
        sent_at=received,
        **fields,
    )


@pytest.fixture
def sales_page(new_page):
    user = get_user_model().objects.create_user("mette", "m@icare.dk", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR))
    page = new_page(viewport=DESKTOP, locale="da-DK")
    visit(page, "/admin/login/")
    page.get_by_label("Brugernavn").fill("mette")
    page.get_by_label("Adgangskode").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    page.user = user
    return page


def test_the_inbox_shows_overdue_leads_and_reply_starts_the_answer(sales_page, tmp_path):
    page = sales_page
    overdue = lead("Karen Holm", "Region Syd", days_ago=6)
    mine = lead("Jonas Berg", "Havneselskabet", days_ago=0)
    update_lead(mine, by=page.user, owner=page.user, status=Message.Status.IN_PROGRESS)
    Note.objects.create(message=mine, author=page.user, text="Ringet op, sender tilbud.")
    answered = lead("Sofie Lund", "Kommunen", days_ago=3)
    update_lead(answered, by=page.user, status=Message.Status.ANSWERED)
    lead("Spam Robot", "", status=Message.Status.SPAM)

    visit(page, "/admin/contact/message/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 3  # spam stays apart
    assert page.locator(".lead-overdue").count() == 1
    assert "Karen Holm" in page.locator("tr:has(.lead-overdue)").inner_text()
    page.locator("#toggle-nav-sidebar").click()  # the inbox's width for the screenshot
    page.evaluate("window.scrollTo(0, 0)")
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / "inbox-desktop.png", animations="disabled", caret="hide")

    visit(page, "/admin/")
    assert "1 forsinket" in page.locator("#leads-panel").inner_text()

    visit(page, f"/admin/contact/message/{overdue.pk}/change/")
    with page.expect_response(f"**/admin/contact/message/{overdue.pk}/reply/") as reply:
        page.get_by_role("button", name="Svar på e-mail").click()
    assert reply.value.status == 302
    mailto = reply.value.headers["location"]
    assert mailto.startswith("mailto:karen@example.dk?")
    # The browser hands the link to the mail program: the one request that leaves loopback.
    page.wait_for_timeout(200)
    assert page.problems.take() == [f"request outside loopback: {mailto}"]
    overdue.refresh_from_db()
    assert overdue.status == Message.Status.IN_PROGRESS
    assert overdue.owner == page.user
