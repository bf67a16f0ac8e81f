import time
from dataclasses import replace
from datetime import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from core import content as content_module
from core import fragments as fragments_module
from core.content import LocalState, content_state, write_state
from core.release import release
from priorities.models import Priority
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def fragments(settings):
    """Page caching switched off by its setting; fragments cached."""
    settings.FRAGMENT_CACHE = True


def test_cached_pages_expire_at_new_year_when_cycles_end_or_begin(db):
    valid_until = timezone.localtime(content_state()["valid_until"])

    assert (valid_until.month, valid_until.day, valid_until.hour) == (1, 1, 0)
    assert valid_until.year == timezone.localdate().year + 1
    assert isinstance(valid_until, datetime)


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
    "/da/cyklus/",
    "/en/cycle/",
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


def test_a_page_kept_as_a_fragment_is_rendered_once_per_address(
    client, content, fragments, monkeypatch
):
    rendered = []
    render_to_string = fragments_module.render_to_string

    def counting(template_name, *args, **kwargs):
        rendered.append(template_name)
        return render_to_string(template_name, *args, **kwargs)

    monkeypatch.setattr(fragments_module, "render_to_string", counting)
    first = client.get("/da/cyklus/")
    second = client.get("/da/cyklus/")
    english = client.get("/en/cycle/")

    assert rendered.count("page.html") == 2  # once per address
    assert second.content == first.content
    # The menu marks the page it is on, in each language.
    assert 'href="/da/cyklus/" aria-current="page"' in first.text
    assert 'href="/en/cycle/" aria-current="page"' in english.text


def test_a_page_changed_for_a_preview_renders_anew():
    kept = fragments_module.Page(title="Offentlig", body="<p>Offentlig</p>")
    kept.html["/da/"] = "<p>the public page</p>"

    preview = replace(kept, is_preview=True)

    assert preview.html == {}


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


def test_each_process_sees_another_servers_change_within_a_second(settings, db, monkeypatch):
    """Each process keeps its copy of the content version and reads it again at most once a
    second: a change written through another server (here: written behind this copy's back)
    is served everywhere within a second, with one read per process and second."""
    import redis

    settings.REDIS_URL = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(settings.REDIS_URL).delete("empact:content-state")
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    reads = []
    monkeypatch.setattr(content_module, "read_state", counting(content_module.read_state, reads))
    local = LocalState()
    first = local.current()
    for _ in range(100):
        assert local.current() == first
    assert len(reads) == 1

    write_state({**first, "version": "changed-elsewhere"})
    assert local.current()["version"] == first["version"]  # still the kept copy
    time.sleep(content_module.LOCAL_SECONDS + 0.05)
    assert local.current()["version"] == "changed-elsewhere"
    assert len(reads) == 2


def counting(func, calls):
    def counted(*args, **kwargs):
        calls.append(1)
        return func(*args, **kwargs)

    return counted
