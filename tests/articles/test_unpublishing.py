"""Scheduled unpublishing: after its end of publication an article is 404 and in no list, sitemap,
feed, search or open data; the cached pages expire at that time; the admin index lists what is
scheduled to go public or leave the site next."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from articles.models import Article
from core.content import content_state, local_state, write_state
from empact_site.wsgi import application
from priorities.models import PolicyCycle
from tests.core.test_page_cache import WSGIClient
from tests.factories import make_article

pytestmark = pytest.mark.django_db


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


def make_pair(**fields):
    """An article whose publication has ended and one whose end is still to come, alike but for
    that (so a test that finds neither proves nothing)."""
    ended = make_article(
        title_da="Udløbet beredskabsartikel",
        title_en="Expired preparedness article",
        slug_da="udloebet",
        slug_en="expired",
        published_at=in_hours(-48),
        unpublish_at=in_hours(-1),
        **fields,
    )
    running = make_article(
        title_da="Gældende beredskabsartikel",
        title_en="Running preparedness article",
        slug_da="gaeldende",
        slug_en="running",
        published_at=in_hours(-48),
        unpublish_at=in_hours(1),
        **fields,
    )
    return ended, running


def test_an_article_is_404_after_its_end_of_publication_and_public_until_then(client):
    ended, running = make_pair()

    assert client.get("/da/artikler/udloebet/").status_code == 404
    assert client.get("/en/articles/expired/").status_code == 404
    assert client.get("/da/artikler/gaeldende/").status_code == 200
    assert client.get("/en/articles/running/").status_code == 200
    assert (ended.publication_state, running.publication_state) == ("ended", "public")


@pytest.mark.parametrize(
    "url",
    ["/da/artikler/", "/en/articles/", "/sitemap.xml", "/da/feed/", "/en/feed/",
     "/da/soeg/?q=beredskabsartikel", "/en/search/?q=preparedness",
     "/da/prioriteter/2022-2025/cyberangreb/"],
)  # fmt: skip
def test_an_ended_article_leaves_lists_sitemap_feeds_search_and_priority_pages(
    client, content, url
):
    make_pair(cycle=PolicyCycle.objects.get(slug="2022-2025"))

    page = client.get(url).content.decode()

    assert "gaeldende" in page or "running" in page  # the other one is there
    assert "Udløbet" not in page and "Expired" not in page
    assert "udloebet" not in page and "/expired/" not in page


def test_cached_pages_expire_at_an_end_of_publication(wsgi, db):
    ends_at = in_hours(1)
    article = make_article(title_da="Snart væk", slug_da="snart-vaek", unpublish_at=ends_at)
    state = content_state()
    # The pages (and their fragments) are kept until the end of publication, not a moment longer.
    assert state["valid_until"] == ends_at
    assert "Snart væk" in wsgi.get("/da/artikler/").text
    assert wsgi.get("/da/artikler/").headers["x-page-cache"] == "hit"
    assert wsgi.get("/da/artikler/snart-vaek/").status == 200

    # The hour passes (without waiting for it): the end of publication and the version's expiry
    # are now in the past. Nobody saves anything.
    past = in_hours(-1 / 3600)
    Article.objects.filter(pk=article.pk).update(unpublish_at=past)
    write_state({**state, "valid_until": past})
    local_state.forget()  # this process reads the shared state again at once, not within 1 s

    listing = wsgi.get("/da/artikler/")
    assert listing.headers["x-page-cache"] == "miss" and "Snart væk" not in listing.text
    assert wsgi.get("/da/artikler/snart-vaek/").status == 404


def test_staff_preview_an_ended_article_with_a_note_saying_so(admin_client):
    ended, _running = make_pair()

    page = admin_client.get(f"/admin/articles/article/{ended.pk}/preview/en/").content.decode()

    assert "Expired preparedness article" in page
    assert "Preview: the publication of this article ended on" in page
    assert '<meta name="robots" content="noindex">' in page


def test_the_admin_index_lists_what_goes_public_or_leaves_the_site_next(admin_client):
    make_article(title_da="Kommer i morgen", published_at=in_hours(24))
    make_article(title_da="Forsvinder om en time", unpublish_at=in_hours(1))
    make_article(title_da="Allerede væk", published_at=in_hours(-5), unpublish_at=in_hours(-1))
    make_article(title_da="En kladde", status=Article.Status.DRAFT, published_at=in_hours(2))
    make_article(title_da="Bare offentlig")

    page = admin_client.get("/admin/").content.decode()
    module = page[page.index('id="scheduled-changes"') :]
    module = module[: module.index("</div>")]

    assert "Forsvinder om en time" in module and "Kommer i morgen" in module
    assert module.index("Forsvinder om en time") < module.index("Kommer i morgen")  # soonest first
    for absent in ("Allerede væk", "En kladde", "Bare offentlig"):
        assert absent not in module
    change_url = f"/admin/articles/article/{Article.objects.get(title_da='Kommer i morgen').pk}/"
    assert f'href="{change_url}change/"' in module


def test_the_schedule_shows_only_what_the_staff_member_may_see(client):
    make_article(title_da="Kommer i morgen", published_at=in_hours(24))
    user = User.objects.create_user("redaktoer", password="x", is_staff=True)
    client.force_login(user)

    page = client.get("/admin/").content.decode()
    assert "Kommer i morgen" not in page

    user.groups.add(Group.objects.get(name="Editor"))
    page = client.get("/admin/").content.decode()
    assert "Kommer i morgen" in page
