"""An editor changes a Danish text in a real browser, sees the English marked out of date beside
its field with what changed in the Danish, and confirms it."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from editorial.groups import EDITOR
from editorial.translation_status import out_of_date_fields
from priorities.models import Priority

from .conftest import DESKTOP, assert_no_problems, visit

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long and unusual password"


@pytest.fixture
def editor(new_page, content):
    user = get_user_model().objects.create_user("redaktoer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR))
    page = new_page(viewport=DESKTOP, locale="en-GB")  # the admin speaks the browser's language
    visit(page, "/admin/login/")
    page.get_by_label("Username").fill("redaktoer")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.locator("input[type=submit]"))
    return page


def submit(page, button):
    with page.expect_navigation():
        button.click()
    assert_no_problems(page)


def test_an_editor_sees_the_english_out_of_date_and_confirms_it(editor):
    priority = Priority.objects.get(cycle__slug="2022-2025", slug_da="narkotikahandel")
    page = editor
    url = f"/admin/priorities/priority/{priority.pk}/change/"
    visit(page, url)
    page.locator('[role=tab][aria-controls="tab_id_name_da"]').click()
    page.locator("#id_name_da").fill("Narkotikahandel og narkotikakriminalitet")
    submit(page, page.locator("input[name=_save]"))
    assert page.locator(".messagelist .warning", has_text="English is out of date").is_visible()

    visit(page, url)
    assert page.locator("#outdated-english", has_text="name").is_visible()
    page.locator('[role=tab][aria-controls="tab_id_name_en"]').click()
    note = page.locator(".field-name_en .translation-note, #tab_id_name_en .translation-note")
    assert note.is_visible()
    assert "English out of date." in note.inner_text()
    note.locator("summary").click()
    assert note.locator("ins").inner_text().strip() == "og narkotikakriminalitet"
    if shots := os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{shots}/translation-note.png", full_page=True)
    note.get_by_role("checkbox", name="The English is still right").check()
    submit(page, page.locator("input[name=_save]"))

    priority.refresh_from_db()
    assert out_of_date_fields(priority) == []
    visit(page, url)
    assert page.locator(".translation-note").count() == 0
