"""Draft and scheduled policy cycles: not public (404, in no list, sitemap, search or open data)
until published and due; previewed by staff under /admin/, marked, noindex and never cached."""

import re
from datetime import timedelta

import pytest
from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from articles.models import Article
from core import fragments
from core.content import content_state, local_state, write_state
from empact_site.wsgi import application
from priorities.models import PolicyCycle
from tests.core.test_page_cache import WSGIClient
from tests.editorial.helpers import admin_form_data
from tests.factories import make_article, make_cycle, make_objective, make_priority

pytestmark = pytest.mark.django_db

DRAFT_PAGES = [
    "/da/prioriteter/2026-2029/",
    "/en/priorities/2026-2029/",
    "/da/prioriteter/2026-2029/hybride-trusler/",
    "/en/priorities/2026-2029/hybrid-threats/",
    "/da/prioriteter/2026-2029.json",
    "/en/priorities/2026-2029.csv",
]


def make_new_cycle(**fields):
    """EMPACT 2026-2029 with one priority and its objective, in both languages."""
    cycle = make_cycle(slug="2026-2029", **fields)
    priority = make_priority(
        cycle=cycle,
        name_da="Hybride trusler",
        name_en="Hybrid threats",
        slug_da="hybride-trusler",
        slug_en="hybrid-threats",
    )
    make_objective(priority, text_da="At standse sabotage mod kritisk infrastruktur.")
    return cycle


def in_hours(hours):
    return timezone.now() + timedelta(hours=hours)


@pytest.fixture
def wsgi(settings):
    """The real WSGI application with whole pages and fragments cached, as in production."""
    settings.PAGE_CACHE = True
    settings.FRAGMENT_CACHE = True
    settings.DATABASE_TIMEOUT = 600
    application.application.memory.entries.clear()
    return WSGIClient()


def test_a_new_cycle_is_a_draft():
    cycle = PolicyCycle.objects.create(slug="2026-2029", start_year=2026, end_year=2029)

    assert not cycle.is_published and cycle.publication_state == "draft"


@pytest.mark.parametrize("url", DRAFT_PAGES)
def test_a_draft_cycle_and_its_priorities_are_404_in_both_languages(client, admin_client, url):
    make_new_cycle(is_published=False)

    assert client.get(url).status_code == 404
    # The public address never looks at who asks (so the page cache may keep it): staff too.
    assert admin_client.get(url).status_code == 404


@pytest.mark.parametrize("url", DRAFT_PAGES)
def test_a_scheduled_cycle_is_404_until_its_time_and_public_after(client, url):
    cycle = make_new_cycle(published_at=in_hours(1))
    assert cycle.publication_state == "scheduled"
    assert client.get(url).status_code == 404

    PolicyCycle.objects.filter(pk=cycle.pk).update(published_at=in_hours(-1))

    assert client.get(url).status_code == 200


def test_draft_cycles_are_in_no_list_or_navigation(client, content):
    make_new_cycle(is_published=False)

    for url in ("/da/prioriteter/", "/da/prioriteter/2022-2025/", "/en/cycle/", "/da/cyklus/"):
        html = client.get(url).content.decode()
        assert "2026-2029" not in html and "Hybride trusler" not in html, url
    for url in ("/da/prioriteter/2022-2025/narkotikahandel/", "/en/", "/da/"):
        assert "2026-2029" not in client.get(url).content.decode(), url


def test_a_current_cycle_scheduled_for_later_leaves_the_priorities_page_to_the_last_public_one(
    client, content
):
    PolicyCycle.objects.update(is_current=False)
    make_new_cycle(published_at=in_hours(1), is_current=True)

    html = client.get("/da/prioriteter/").content.decode()

    assert "Narkotikahandel" in html and "Hybride trusler" not in html


def test_draft_cycles_are_not_in_the_sitemap_until_published(client, content):
    cycle = make_new_cycle(is_published=False)
    assert "2026-2029" not in client.get("/sitemap.xml").content.decode()

    cycle.is_published = True
    cycle.save()

    sitemap = client.get("/sitemap.xml").content.decode()
    assert "https://empact.example/da/prioriteter/2026-2029/hybride-trusler/" in sitemap
    assert "https://empact.example/en/priorities/2026-2029/" in sitemap


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("/da/soeg/?q=hybride", "Hybride trusler"),
        ("/da/soeg/?q=sabotage", "mod kritisk infrastruktur"),
    ],
)
def test_search_finds_a_draft_cycle_s_priorities_and_objectives_only_once_published(
    client, content, url, text
):
    cycle = make_new_cycle(published_at=in_hours(1))
    assert text not in client.get(url).content.decode()

    PolicyCycle.objects.filter(pk=cycle.pk).update(published_at=in_hours(-1))

    assert text in client.get(url).content.decode()


def test_a_home_article_about_a_draft_cycle_leaves_its_priorities_out_until_published(
    client, admin_client, content
):
    cycle = make_new_cycle(is_published=False)
    home = Article.objects.get(is_home=True)
    Article.objects.filter(pk=home.pk).update(cycle=cycle)

    public = client.get("/da/").content.decode()
    assert public.count("Hybride trusler") == 0 and "Narkotikahandel" not in public
    assert 'href="#priorities-heading"' not in public  # nor in the table of contents

    # The article's preview shows them, linking to their previews, and says why.
    preview = admin_client.get(f"/admin/articles/article/{home.pk}/preview/da/").content.decode()
    assert "Hybride trusler" in preview
    priority = cycle.priorities.get()
    assert f'href="/admin/priorities/priority/{priority.pk}/preview/da/"' in preview
    assert "EMPACT 2026-2029" in banner(preview)

    cycle.is_published = True
    cycle.save()
    assert "Hybride trusler" in client.get("/da/").content.decode()


def banner(html):
    match = re.search(r'<p class="preview-banner" role="status">(.*?)</p>', html, re.S)
    return match.group(1) if match else ""


def test_staff_preview_a_draft_cycle_marked_noindex_and_in_both_languages(client, admin_client):
    cycle = make_new_cycle(is_published=False)
    priority = cycle.priorities.get()

    change_form = admin_client.get(f"/admin/priorities/policycycle/{cycle.pk}/change/")
    preview_url = f"/admin/priorities/policycycle/{cycle.pk}/preview/da/"
    assert f'href="{preview_url}"' in change_form.content.decode()  # "View on site"

    response = admin_client.get(preview_url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hybride trusler" in html
    assert "EMPACT 2026-2029" in banner(html)
    assert '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"] == "noindex"
    assert "private, no-store" in response["Cache-Control"]
    # Links between the draft's pages lead from preview to preview, not to a 404.
    priority_preview = f"/admin/priorities/priority/{priority.pk}/preview/da/"
    assert f'href="{priority_preview}"' in html
    # The language switcher leads to the preview in English.
    assert f'<a href="/admin/priorities/policycycle/{cycle.pk}/preview/en/" hreflang="en"' in html

    english = admin_client.get(f"/admin/priorities/policycycle/{cycle.pk}/preview/en/")
    assert '<html lang="en"' in english.content.decode()
    assert "Hybrid threats" in english.content.decode()

    priority_page = admin_client.get(priority_preview).content.decode()
    assert "<h1" in priority_page and "Hybride trusler" in priority_page
    assert banner(priority_page) and 'content="noindex"' in priority_page
    assert f'href="{preview_url}"' in priority_page  # the breadcrumb to the cycle's preview
    assert (
        f'href="{priority_preview}"'
        in admin_client.get(f"/admin/priorities/priority/{priority.pk}/change/").content.decode()
    )

    assert client.get(preview_url).status_code == 302  # to the admin login


def test_the_preview_of_a_scheduled_cycle_says_when_it_becomes_public(admin_client):
    at = timezone.make_aware(timezone.datetime(2030, 5, 26, 10, 0))
    cycle = make_new_cycle(published_at=at)

    html = admin_client.get(f"/admin/priorities/policycycle/{cycle.pk}/preview/en/").content
    assert "26 May 2030" in banner(html.decode())


def test_view_on_site_of_a_public_cycle_is_its_public_address(admin_client, content):
    cycle = PolicyCycle.objects.get(slug="2022-2025")

    html = admin_client.get(f"/admin/priorities/policycycle/{cycle.pk}/change/").content.decode()

    assert 'href="/da/prioriteter/2022-2025/" class="viewsitelink"' in html


def test_a_preview_is_never_kept_by_the_page_cache_or_the_fragments(wsgi, admin_client):
    cycle = make_new_cycle(is_published=False)
    session = f"sessionid={admin_client.cookies['sessionid'].value}"
    preview_url = f"/admin/priorities/policycycle/{cycle.pk}/preview/da/"

    first = wsgi.get(preview_url, cookie=session)
    second = wsgi.get(preview_url, cookie=session)

    assert first.status == 200 and "Hybride trusler" in second.text
    assert "x-page-cache" not in second.headers
    assert not any("2026-2029" in key for key in fragments._memory["entries"])
    assert not any("preview" in key for key in application.application.memory.entries)
    for url in DRAFT_PAGES[:4]:
        assert wsgi.get(url).status == 404, url


def test_a_scheduled_cycle_appears_when_the_content_version_expires_at_its_time(wsgi, content):
    publish_at = in_hours(1)
    cycle = make_new_cycle(published_at=publish_at)
    state = content_state()
    # The pages (and their fragments) are kept until the publication time, not a moment longer.
    assert state["valid_until"] == publish_at
    assert "2026-2029" not in wsgi.get("/da/cyklus/").text
    assert wsgi.get("/da/cyklus/").headers["x-page-cache"] == "hit"

    # The hour passes (without waiting for it): the publication time and the version's expiry
    # are now in the past. Nobody saves anything.
    past = in_hours(-1 / 3600)
    PolicyCycle.objects.filter(pk=cycle.pk).update(published_at=past)
    write_state({**state, "valid_until": past})
    local_state.forget()  # this process reads the shared state again at once, not within 1 s

    page = wsgi.get("/da/cyklus/")
    assert page.headers["x-page-cache"] == "miss" and "2026-2029" in page.text
    assert wsgi.get("/da/prioriteter/2026-2029/hybride-trusler/").status == 200
    assert wsgi.get("/en/priorities/2026-2029.json").status == 200


def test_only_a_published_cycle_can_be_current():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_cycle(slug="2026-2029", is_published=False, is_current=True)
    with pytest.raises(ValidationError) as error:
        PolicyCycle(slug="2026-2029", start_year=2026, end_year=2029, is_current=True).full_clean()
    assert "is_current" in error.value.error_dict


def test_the_admin_refuses_to_make_a_draft_current_and_says_why(admin_client):
    cycle = make_new_cycle(is_published=False)
    url = f"/admin/priorities/policycycle/{cycle.pk}/change/"

    response = admin_client.post(url, admin_form_data(admin_client.get(url), is_current="on"))

    assert response.status_code == 200
    assert "is_current" in response.context["adminform"].form.errors
    cycle.refresh_from_db()
    assert not cycle.is_current


def test_the_admin_publishes_a_cycle_from_its_form_and_makes_it_current(client, admin_client):
    cycle = make_new_cycle(is_published=False)
    url = f"/admin/priorities/policycycle/{cycle.pk}/change/"

    data = admin_form_data(admin_client.get(url), is_published="on", is_current="on")
    response = admin_client.post(url, data)

    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.is_published and cycle.is_current
    assert "Hybride trusler" in client.get("/da/prioriteter/").content.decode()


def test_the_admin_lists_filters_and_publishes_cycles(client, admin_client, content):
    draft = make_new_cycle(is_published=False)
    scheduled = make_cycle(slug="2030-2033", published_at=in_hours(24))

    listing = admin_client.get("/admin/priorities/policycycle/?publication=draft")
    assert [c.pk for c in listing.context["cl"].result_list] == [draft.pk]
    listing = admin_client.get("/admin/priorities/policycycle/?publication=scheduled")
    assert [c.pk for c in listing.context["cl"].result_list] == [scheduled.pk]
    listing = admin_client.get("/admin/priorities/policycycle/?publication=public")
    assert len(listing.context["cl"].result_list) == 4
    columns = admin_client.get("/admin/priorities/policycycle/").content.decode()
    assert "Kladde" in columns  # "Draft", the cycle's publication column

    response = admin_client.post(
        "/admin/priorities/policycycle/",
        {"action": "publish", "_selected_action": [draft.pk, scheduled.pk]},
    )

    assert response.status_code == 302
    assert {c.publication_state for c in PolicyCycle.objects.all()} == {"public"}
    assert client.get("/da/prioriteter/2026-2029/").status_code == 200
    assert client.get("/da/prioriteter/2030-2033/").status_code == 200
    assert draft.history.count() == 2  # the action saves one by one: the history records it


def test_a_draft_s_changed_slug_leaves_no_redirect():
    cycle = make_new_cycle(is_published=False)

    cycle.slug = "2026-2030"
    cycle.save()

    assert not Redirect.objects.exists()


def test_the_loader_creates_the_cycles_published(content):
    assert set(PolicyCycle.objects.values_list("is_published", flat=True)) == {True}


@pytest.mark.django_db(transaction=True)
def test_cycles_saved_before_drafts_existed_stay_public_after_the_migration():
    before = [("priorities", "0004_add_publication")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old = old_apps.get_model("priorities", "PolicyCycle")
    saved = old.objects.create(slug="2022-2025", start_year=2022, end_year=2025, is_current=True)
    # A revision saved then (simple-history writes them; the historical model of that time).
    old_apps.get_model("priorities", "HistoricalPolicyCycle").objects.create(
        id=saved.pk, slug="2022-2025", start_year=2022, end_year=2025, is_current=True,
        updated_at=timezone.now(), history_date=timezone.now(), history_type="~",
    )  # fmt: skip

    call_command("migrate", verbosity=0)

    cycle = PolicyCycle.objects.get(slug="2022-2025")
    assert cycle.is_published and cycle.is_current and cycle.published_at is None
    # Reverting to that revision keeps the cycle public.
    assert cycle.history.get().is_published


def test_the_admin_index_lists_a_scheduled_cycle_among_what_goes_public_next(admin_client):
    make_cycle(slug="2026-2029", published_at=in_hours(24))
    make_cycle(slug="2030-2033", is_published=False, published_at=in_hours(2))  # a draft
    make_cycle(slug="2022-2025", published_at=in_hours(-24))  # public already
    make_article(title_da="Kommer om en time", published_at=in_hours(1))

    page = admin_client.get("/admin/").content.decode()
    module = page[page.index('id="scheduled-changes"') :]
    module = module[: module.index("</div>")]

    assert "EMPACT 2026-2029" in module
    assert module.index("Kommer om en time") < module.index("EMPACT 2026-2029")  # soonest first
    cycle = PolicyCycle.objects.get(slug="2026-2029")
    assert f'href="/admin/priorities/policycycle/{cycle.pk}/change/"' in module
    assert "2030-2033" not in module and "2022-2025" not in module
