"""An editor at work in the admin, in a real browser (jQuery UI tabs, django-admin-sortable2), and
the public pages changing accordingly, with the whole-page cache on as in production."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import translation

from articles.models import Article
from editorial.groups import EDITOR
from priorities.models import Priority
from tests.factories import make_article

from .conftest import DESKTOP, assert_no_problems, visit

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long and unusual password"


@pytest.fixture
def editor_page(new_page, content, settings):
    settings.PAGE_CACHE = True
    user = get_user_model().objects.create_user(
        "redaktoer", "redaktoer@example.com", PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=EDITOR))
    page = new_page(viewport=DESKTOP, locale="en-GB")  # the admin speaks the browser's language
    visit(page, "/admin/login/")
    page.get_by_label("Username").fill("redaktoer")
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, page.locator("input[type=submit]"))
    assert page.url.endswith("/admin/")
    return page


def submit(page, button):
    with page.expect_navigation():
        button.click()
    assert_no_problems(page)


def public_url(obj, language):
    obj.refresh_from_db()
    with translation.override(language):
        return obj.get_absolute_url()


def drug_trafficking():
    return Priority.objects.get(cycle__slug="2022-2025", slug_da="narkotikahandel")


def test_an_editor_changes_a_priority_s_english_name_in_its_tab(editor_page, new_page):
    priority = drug_trafficking()
    visitor = new_page()
    visit(visitor, public_url(priority, "en"))  # cached from now on
    assert visitor.get_by_role("heading", level=1).inner_text() == "Drug trafficking"

    page = editor_page
    visit(page, f"/admin/priorities/priority/{priority.pk}/change/")
    page.locator('[role=tab][aria-controls="tab_id_name_en"]').click()
    name = page.locator("#id_name_en")
    assert name.is_visible()
    name.fill("Drug trafficking and drug crime")
    submit(page, page.locator("input[name=_save]"))
    assert page.locator(".messagelist .success").is_visible()

    visit(visitor, public_url(priority, "en"))
    assert visitor.get_by_role("heading", level=1).inner_text() == "Drug trafficking and drug crime"
    visit(visitor, public_url(priority, "da"))
    assert visitor.get_by_role("heading", level=1).inner_text() == "Narkotikahandel"


def test_an_editor_previews_a_draft_from_view_on_site(editor_page, new_page):
    draft = make_article(
        title_da="Hemmelig kladde", title_en="Secret draft", status=Article.Status.DRAFT
    )
    url = public_url(draft, "da")

    visit(editor_page, f"/admin/articles/article/{draft.pk}/change/")
    submit(editor_page, editor_page.locator("a.viewsitelink"))
    # In the language the editor works in (this browser asks for English), then in Danish.
    assert editor_page.url.endswith(f"/admin/articles/article/{draft.pk}/preview/en/")
    assert editor_page.get_by_role("heading", level=1).inner_text() == "Secret draft"
    visit(editor_page, f"/admin/articles/article/{draft.pk}/preview/da/")
    assert editor_page.get_by_role("heading", level=1).inner_text() == "Hemmelig kladde"
    assert editor_page.get_by_role("status").is_visible()  # the preview banner
    assert editor_page.locator('meta[name="robots"]').get_attribute("content") == "noindex"

    visitor = new_page()
    assert visitor.request.get(url).status == 404


def test_an_editor_reorders_two_objectives_and_the_public_page_follows(editor_page, new_page):
    priority = drug_trafficking()
    first, second = priority.objectives.order_by("order")
    visitor = new_page()
    visit(visitor, public_url(priority, "en"))
    objectives = visitor.locator(".objective")
    assert objectives.nth(0).inner_text().startswith(first.heading_en)

    page = editor_page
    visit(page, f"/admin/priorities/priority/{priority.pk}/change/")
    page.locator("#objectives-0 .move-end").click()
    rows = page.locator("#objectives-group tr.has_original td.original p")
    assert rows.nth(0).inner_text().strip() == second.heading_en
    submit(page, page.locator("input[name=_save]"))
    assert page.locator(".messagelist .success").is_visible()

    visit(visitor, public_url(priority, "en"))
    texts = [text.strip() for text in objectives.all_inner_texts()]
    assert texts[0].startswith(second.heading_en)
    assert texts[1].startswith(first.heading_en)
