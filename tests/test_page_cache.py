import json
import time
from datetime import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from articles.models import Article
from cycle.models import CycleStep
from empact_site import fragments as fragments_module
from empact_site import page_cache as page_cache_module
from empact_site.page_cache import (
    StateWatcher,
    content_state,
    forget_state,
    release,
)
from priorities.models import Priority
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    """Whole pages and fragments cached, as in production."""
    settings.PAGE_CACHE = True
    settings.FRAGMENT_CACHE = True


@pytest.fixture
def fragments(settings):
    """Page caching switched off by its setting; fragments cached."""
    settings.FRAGMENT_CACHE = True


def test_a_page_is_rendered_once_then_served_without_the_database(
    client, content, page_cache, django_assert_num_queries
):
    first = client.get("/da/prioriteter/")
    with django_assert_num_queries(0):
        second = client.get("/da/prioriteter/")

    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "public" in second["Cache-Control"] and "must-revalidate" in second["Cache-Control"]
    assert second["Content-Security-Policy"]  # security headers still on cached pages


def test_languages_are_cached_apart(client, content, page_cache):
    client.get("/da/")
    english = client.get("/en/")

    assert english["X-Page-Cache"] == "miss"
    assert '<html lang="en">' in english.content.decode()


def test_saving_content_shows_at_once(
    client, content, page_cache, django_capture_on_commit_callbacks
):
    client.get("/en/priorities/")
    with django_capture_on_commit_callbacks(execute=True):
        priority = Priority.objects.get(slug_en="cyber-attacks")
        priority.name_en = "Cyber-attacks (revised)"
        priority.save()

    response = client.get("/en/priorities/")

    assert response["X-Page-Cache"] == "miss"
    assert "Cyber-attacks (revised)" in response.content.decode()


def test_drag_and_drop_reordering_shows_at_once(
    admin_client, client, content, page_cache, django_capture_on_commit_callbacks
):
    first, second = Priority.objects.filter(cycle__slug="2022-2025")[:2]
    client.get("/da/")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/priorities/priority/adminsortable2_update/",
            json.dumps({"updatedItems": [[first.pk, second.order], [second.pk, first.order]]}),
            content_type="application/json",
        )

    html = client.get("/da/").content.decode()

    assert html.index(second.name_da) < html.index(first.name_da)


def test_a_scheduled_article_appears_on_time_without_anybody_saving(client, page_cache, content):
    make_article(title_da="Planlagt", published_at=timezone.now() + timezone.timedelta(seconds=1.5))

    assert "Planlagt" not in client.get("/da/artikler/").content.decode()
    time.sleep(1.6)
    assert "Planlagt" in client.get("/da/artikler/").content.decode()


def test_cached_pages_expire_at_new_year_when_cycles_end_or_begin(db):
    valid_until = timezone.localtime(content_state()["valid_until"])

    assert (valid_until.month, valid_until.day, valid_until.hour) == (1, 1, 0)
    assert valid_until.year == timezone.localdate().year + 1
    assert isinstance(valid_until, datetime)


def test_browsers_revalidate_with_the_etag(client, content, page_cache):
    etag = client.get("/da/cyklus/")["ETag"]

    response = client.get("/da/cyklus/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


def test_pages_per_visitor_are_never_cached(client, admin_client, page_cache, db):
    client.get("/da/kontakt/")
    assert client.get("/da/kontakt/").get("X-Page-Cache") is None  # a CSRF token per visitor

    draft = make_article(title_da="Kladde", status=Article.Status.DRAFT)
    assert admin_client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_static_files_are_cached_for_ever(settings, tmp_path, db):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = next(tmp_path.glob("css/site.*.css")).name

    response = Client().get(f"/static/css/{hashed}")

    assert response.status_code == 200
    assert (
        "immutable" in response["Cache-Control"]
        and "max-age=315360000" in response["Cache-Control"]
    )


def test_with_redis_the_content_version_is_shared_and_replaced_on_change(
    settings, db, django_capture_on_commit_callbacks
):
    import redis

    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(settings.REDIS_URL).delete("empact:content-state")
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    first = content_state()

    assert content_state() == first  # read back from Redis, not made anew
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title_da="Ny")
    assert content_state()["version"] != first["version"]


HELD_TO_TARGET = [
    "/da/",
    "/en/",
    "/da/prioriteter/2022-2025/",
    "/en/priorities/2022-2025/",
    "/da/prioriteter/2022-2025/narkotikahandel/",
    "/en/priorities/2022-2025/drug-trafficking/",
]


@pytest.mark.parametrize("url", HELD_TO_TARGET)
def test_without_the_page_cache_a_page_needs_no_query_once_its_fragment_is_built(
    client, content, fragments, url, django_assert_max_num_queries, django_assert_num_queries
):
    client.get(url[:4] + ("kontakt/" if url.startswith("/da/") else "contact/"))
    # The content version and the footer's site details are shared by every page: now known.
    with django_assert_max_num_queries(5):
        first = client.get(url)  # builds the fragment
    with django_assert_num_queries(0):
        second = client.get(url)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert "X-Page-Cache" not in second


def test_a_fragment_shows_a_change_at_once(
    client, content, fragments, django_capture_on_commit_callbacks
):
    client.get("/en/priorities/2022-2025/cyber-attacks/")
    with django_capture_on_commit_callbacks(execute=True):
        objective = Priority.objects.get(slug_en="cyber-attacks").objectives.first()
        objective.text_en = "A revised objective."
        objective.save()

    assert "A revised objective." in client.get("/en/priorities/2022-2025/cyber-attacks/").text


def test_a_renamed_priority_moves_at_once_despite_its_fragment(
    client, content, fragments, django_capture_on_commit_callbacks
):
    client.get("/da/prioriteter/2022-2025/narkotikahandel/")
    with django_capture_on_commit_callbacks(execute=True):
        priority = Priority.objects.get(slug_da="narkotikahandel")
        priority.slug_da = "narko"
        priority.save()

    old = client.get("/da/prioriteter/2022-2025/narkotikahandel/")

    assert old.status_code == 301 and old["Location"] == "/da/prioriteter/2022-2025/narko/"
    assert client.get("/da/prioriteter/2022-2025/narko/").status_code == 200


def test_a_staff_preview_is_never_kept_for_visitors(client, admin_client, db, fragments):
    draft = make_article(title_da="Hemmelig kladde", status=Article.Status.DRAFT)

    assert "Hemmelig kladde" in admin_client.get(draft.get_absolute_url()).text
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_fragments_are_kept_per_language(client, content, fragments):
    client.get("/da/")

    english = client.get("/en/").text

    assert "Drug trafficking" in english and "Narkotikahandel" not in english


def test_the_release_digest_changes_with_what_renders_pages(settings, tmp_path):
    template = tmp_path / "page.html"
    template.write_text("<p>one</p>")
    settings.TEMPLATES = [*settings.TEMPLATES, {**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    before = release.__wrapped__()

    template.write_text("<p>two</p>")

    assert release.__wrapped__() != before


def test_a_new_release_never_serves_what_the_old_one_cached(
    client, content, page_cache, monkeypatch
):
    """Cache keys carry the digest, so a deploy that changes how pages look starts afresh while
    the servers keep sharing one content version."""
    assert client.get("/da/")["X-Page-Cache"] == "miss"
    assert client.get("/da/")["X-Page-Cache"] == "hit"

    monkeypatch.setattr(page_cache_module, "release", lambda: "next-release")
    monkeypatch.setattr(fragments_module, "release", lambda: "next-release")

    assert client.get("/da/")["X-Page-Cache"] == "miss"


def test_deleting_in_bulk_shows_at_once(
    admin_client, client, content, page_cache, django_capture_on_commit_callbacks
):
    """The admin's "delete selected" deletes with a bulk query, not one delete() per row."""
    client.get("/da/cyklus/")
    step = CycleStep.objects.get(number=4)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/cycle/cyclestep/",
            {"action": "delete_selected", "_selected_action": [step.pk], "post": "yes"},
        )

    assert not CycleStep.objects.filter(pk=step.pk).exists()
    assert step.title_da not in client.get("/da/cyklus/").text


def wait_for(condition, seconds=3):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_with_redis_each_process_keeps_the_state_until_a_change_is_announced(settings, db):
    """A server answers cached pages without asking Redis for the content version; any
    server's change reaches it at once through the channel."""
    import redis

    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(settings.REDIS_URL).delete("empact:content-state")
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    content_state()  # the current version exists
    watcher = StateWatcher()
    watcher.start()
    try:
        wait_for(lambda: watcher.listening)
        first = watcher.current()
        assert watcher.current() is first  # this process's copy: no round trip

        forget_state()  # as another server does after saving content

        wait_for(lambda: watcher.state is None)
        assert watcher.current()["version"] != first["version"]
    finally:
        watcher.stop()


def test_with_redis_a_version_that_vanishes_unannounced_is_not_kept(settings, db):
    """A restore, FLUSHDB or an eviction removes the version without a message; the watcher's
    heartbeat notices."""
    import redis

    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    store = redis.Redis.from_url(settings.REDIS_URL)
    try:
        store.delete("empact:content-state")
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    watcher = StateWatcher()
    watcher.listening = True  # as once subscribed
    first = watcher.current()

    store.delete("empact:content-state")
    watcher.verify()

    assert watcher.current()["version"] != first["version"]


def test_without_the_channel_every_request_reads_the_state(settings, db):
    watcher = StateWatcher()  # never started: no Redis here, or not yet subscribed

    first = watcher.current()
    forget_state()

    assert watcher.current()["version"] != first["version"]
