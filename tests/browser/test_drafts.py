"""An editor prepares a new policy cycle as a draft: previews it from the admin, follows the
preview to a priority, then publishes it, in a real browser with the whole-page cache on."""

import pytest

from tests.factories import make_cycle, make_objective, make_priority

from .conftest import assert_no_problems, visit

# The logged-in editor of the other admin journeys (a fixture, hence the noqa below).
from .test_editor import editor_page, submit  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_editor_previews_a_draft_cycle_from_the_admin_and_publishes_it(
    editor_page,  # noqa: F811
    new_page,
):
    cycle = make_cycle(slug="2026-2029", is_published=False)
    priority = make_priority(
        cycle=cycle,
        name_da="Hybride trusler",
        name_en="Hybrid threats",
        slug_da="hybride-trusler",
        slug_en="hybrid-threats",
    )
    make_objective(priority, text_da="At standse sabotage.", text_en="To stop sabotage.")
    visitor = new_page()
    public = "/en/priorities/2026-2029/"
    assert visitor.request.get(public).status == 404
    assert "2026-2029" not in visitor.request.get("/en/priorities/2022-2025/").text()

    page = editor_page
    visit(page, f"/admin/priorities/policycycle/{cycle.pk}/change/")
    submit(page, page.locator("a.viewsitelink"))
    # In the language the editor works in (this browser asks for English).
    assert page.url.endswith(f"/admin/priorities/policycycle/{cycle.pk}/preview/en/")
    assert (
        page.get_by_role("heading", level=1).inner_text() == "EU crime priorities EMPACT 2026-2029"
    )
    assert page.get_by_role("status").inner_text().startswith("Preview: EMPACT 2026-2029")
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"

    # From preview to preview: the priority, then its page in Danish.
    submit(page, page.get_by_role("link", name="Hybrid threats").first)
    assert page.url.endswith(f"/admin/priorities/priority/{priority.pk}/preview/en/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hybrid threats"
    assert page.get_by_role("status").is_visible()
    submit(page, page.locator(".language-switcher a[hreflang=da]"))
    assert page.get_by_role("heading", level=1).inner_text() == "Hybride trusler"
    assert visitor.request.get("/da/prioriteter/2026-2029/hybride-trusler/").status == 404

    visit(page, f"/admin/priorities/policycycle/{cycle.pk}/change/")
    page.locator("#id_is_published").check()
    submit(page, page.locator("input[name=_save]"))
    assert page.locator(".messagelist .success").is_visible()

    visit(visitor, public)
    assert visitor.get_by_role("heading", level=1).inner_text() == (
        "EU crime priorities EMPACT 2026-2029"
    )
    assert not visitor.get_by_role("status").count()  # no preview banner for the public
    visit(visitor, "/en/priorities/2022-2025/")
    assert visitor.get_by_role("link", name="EMPACT 2026-2029").is_visible()
    assert_no_problems(visitor)
