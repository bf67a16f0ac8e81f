"""The page cache, through the real WSGI application of empact_site/wsgi.py (which Django's test
client never goes through): hits answer exactly as misses would."""

import gzip
import io
import json
import logging
import sys
import time
from dataclasses import dataclass

import brotli
import pytest
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections

from articles.models import Article
from core import fragments as fragments_module
from core import page_cache as page_cache_module
from cycle.models import CycleStep
from empact_site.wsgi import application
from priorities.models import Priority
from tests.factories import make_article

pytestmark = pytest.mark.django_db


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self):
        return self.body.decode()

    def header_names(self):
        return set(self.headers)


class WSGIClient:
    """Calls the real application(environ, start_response) as gunicorn does."""

    def reload(self):
        """Django's middleware reads some settings once, when it is loaded (SecurityMiddleware)."""
        application.application.application.load_middleware()

    def get(self, path, query="", method="GET", host="127.0.0.1", scheme="http", **headers):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
        }
        answer = {}

        def start_response(status, header_list, exc_info=None):
            answer["status"] = int(status[:3])
            answer["headers"] = {name.lower(): value for name, value in header_list}

        # As Django's test client does: the connection stays open between requests (the test's
        # transaction holds it).
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            result = application(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return Answer(answer["status"], answer["headers"], body)


@pytest.fixture
def wsgi(settings):
    """Whole pages and fragments cached, as in production."""
    settings.PAGE_CACHE = True
    settings.FRAGMENT_CACHE = True
    # One connection serves the test and every request here, for many seconds on end: the
    # deadline on waiting for the database (tests/core/test_database_faults.py) stays out of it.
    settings.DATABASE_TIMEOUT = 600
    application.application.memory.entries.clear()
    application.application.hits = page_cache_module.HitCount()
    client = WSGIClient()
    yield client
    settings.SECURE_SSL_REDIRECT = False
    client.reload()


def memory():
    return application.application.memory.entries


def test_a_page_is_rendered_once_then_served_without_the_database(
    wsgi, content, django_assert_num_queries
):
    first = wsgi.get("/da/prioriteter/")
    with django_assert_num_queries(0):
        second = wsgi.get("/da/prioriteter/")

    assert first.headers["x-page-cache"] == "miss" and second.headers["x-page-cache"] == "hit"
    assert second.body == first.body
    assert "must-revalidate" in second.headers["cache-control"]


@pytest.mark.parametrize("encoding", [None, "gzip", "br"])
def test_a_hit_answers_with_exactly_the_headers_of_the_miss(wsgi, content, encoding):
    headers = {"accept_encoding": encoding} if encoding else {}
    miss = wsgi.get("/da/cyklus/", **headers)
    hit = wsgi.get("/da/cyklus/", **headers)

    assert (miss.status, hit.status) == (200, 200)
    assert miss.header_names() == hit.header_names()
    differing = {name for name in miss.headers if miss.headers[name] != hit.headers[name]}
    assert differing == {"x-page-cache"}
    for name in ("content-security-policy", "vary", "cache-control", "etag", "x-frame-options"):
        assert name in hit.headers
    assert "Accept-Encoding" in hit.headers["vary"]


def test_an_unknown_host_gets_400_on_a_hit_as_on_a_miss(wsgi, content):
    assert wsgi.get("/da/", host="evil.example").status == 400  # a miss
    assert wsgi.get("/da/").status == 200
    assert wsgi.get("/da/").headers["x-page-cache"] == "hit"

    assert wsgi.get("/da/", host="evil.example").status == 400  # the page is cached now


def test_plain_http_is_redirected_to_https_on_a_hit_as_on_a_miss(wsgi, content, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 3600
    wsgi.reload()
    secure = wsgi.get("/da/", x_forwarded_proto="https")
    assert secure.status == 200 and "strict-transport-security" in secure.headers
    assert wsgi.get("/da/", x_forwarded_proto="https").headers["x-page-cache"] == "hit"

    plain = wsgi.get("/da/")

    assert plain.status == 301
    assert plain.headers["location"] == "https://127.0.0.1/da/"


@pytest.mark.parametrize(
    "if_none_match",
    ['"{etag}"', 'W/"{etag}"', '"other", "{etag}"', "*"],
)
def test_conditional_requests_get_304_for_a_tag_they_have(wsgi, content, if_none_match):
    etag = wsgi.get("/da/cyklus/").headers["etag"].strip('"')

    response = wsgi.get("/da/cyklus/", if_none_match=if_none_match.format(etag=etag))

    assert response.status == 304 and response.body == b""
    assert wsgi.get("/da/cyklus/", if_none_match='"other"').status == 200


def test_head_answers_like_get_without_a_body(wsgi, content):
    get = wsgi.get("/da/cyklus/")
    head = wsgi.get("/da/cyklus/", method="HEAD")

    assert head.status == 200 and head.body == b""
    assert head.headers["content-length"] == str(len(get.body))
    assert head.headers["etag"] == get.headers["etag"]


def test_pages_come_compressed_with_their_own_etag_per_encoding(wsgi, content):
    plain = wsgi.get("/da/")
    gzipped = wsgi.get("/da/", accept_encoding="gzip, deflate")
    brotlied = wsgi.get("/da/", accept_encoding="gzip, deflate, br")

    assert gzipped.headers["content-encoding"] == "gzip"
    assert brotlied.headers["content-encoding"] == "br"
    assert gzip.decompress(gzipped.body) == plain.body == brotli.decompress(brotlied.body)
    assert len({plain.headers["etag"], gzipped.headers["etag"], brotlied.headers["etag"]}) == 3
    # The targets on the wire for the home page (30 kB plain).
    assert len(gzipped.body) <= 9000 and len(brotlied.body) <= 7500
    print(f"/da/: {len(plain.body)} B plain, {len(gzipped.body)} gzip, {len(brotlied.body)} br")
    refused = wsgi.get("/da/", accept_encoding="br;q=0, gzip;q=0")
    assert "content-encoding" not in refused.headers


def test_safe_pages_that_are_not_cached_are_compressed_but_never_one_with_a_csrf_token(
    wsgi, content
):
    search = wsgi.get("/da/soeg/", query="q=narkotika", accept_encoding="gzip")
    contact = wsgi.get("/da/kontakt/", accept_encoding="gzip")

    assert "x-page-cache" not in search.headers and search.headers["content-encoding"] == "gzip"
    assert "narkotika" in gzip.decompress(search.body).decode()
    assert "content-encoding" not in contact.headers  # BREACH: a secret in the body
    assert "csrfmiddlewaretoken" in contact.text
    assert "x-page-cache" not in contact.headers


def test_a_response_of_the_moment_is_compressed_once_while_it_is_recent(wsgi, content, monkeypatch):
    compressed = []
    compress = page_cache_module._compress

    def counting(body, encoding, *, quality):
        compressed.append(encoding)
        return compress(body, encoding, quality=quality)

    monkeypatch.setattr(page_cache_module, "_compress", counting)
    page_cache_module._compress_recent.cache_clear()
    first = wsgi.get("/da/soeg/", query="q=narkotika", accept_encoding="br")
    second = wsgi.get("/da/soeg/", query="q=narkotika", accept_encoding="br")
    other = wsgi.get("/da/soeg/", query="q=cyber", accept_encoding="br")

    assert compressed == ["br", "br"]  # the repeated search once, the other search once
    assert second.body == first.body and second.headers["content-encoding"] == "br"
    assert "narkotika" in brotli.decompress(second.body).decode()
    assert "cyber" in brotli.decompress(other.body).decode()


def test_hits_are_counted_in_a_line_a_minute_not_logged_one_by_one(wsgi, content, caplog):
    caplog.set_level(logging.INFO, logger="empact.request")
    wsgi.get("/da/cyklus/")  # the miss: Django's line
    for _ in range(3):
        wsgi.get("/da/cyklus/")
    lines = [r.getMessage() for r in caplog.records if r.name == "empact.request"]
    assert lines == ["GET /da/cyklus/ 200 " + lines[0].rsplit(" ", 1)[1]]

    application.application.hits.since -= 60  # a minute later
    wsgi.get("/da/cyklus/")

    summary = [r for r in caplog.records if r.name == "empact.request"][-1]
    assert summary.page_cache_hits == 4
    assert summary.getMessage().startswith("Page cache: 4 hits in ")
    assert int(summary.getMessage().split(" in ")[1].removesuffix(" s")) >= 60


def test_article_pages_are_cached(wsgi, db):
    article = make_article(title_da="Om EMPACT")
    wsgi.get(article.get_absolute_url())

    response = wsgi.get(article.get_absolute_url())

    assert response.headers["x-page-cache"] == "hit"
    assert "cookie" not in response.headers.get("vary", "").lower()


def test_only_the_article_lists_page_numbers_are_cached_among_query_strings(wsgi, db):
    for _ in range(12):
        make_article()

    wsgi.get("/da/artikler/", query="page=2")
    assert wsgi.get("/da/artikler/", query="page=2").headers["x-page-cache"] == "hit"
    for path, query in [("/da/", "utm_source=x"), ("/da/", "page=2"), ("/da/soeg/", "q=x")]:
        wsgi.get(path, query=query)
        assert "x-page-cache" not in wsgi.get(path, query=query).headers


def test_ten_thousand_junk_addresses_neither_grow_the_caches_nor_push_hot_pages_out(wsgi, content):
    hot = ["/da/", "/en/", "/da/cyklus/"]
    for path in hot:
        wsgi.get(path)
    # The first junk address of each kind builds what its page shows (fragments, kept per
    # content version); after that, nothing more may be kept, however many addresses come.
    wsgi.get("/da/cyklus/", query="junk=first")
    wsgi.get("/en/", query="utm_source=first")
    kept_in_memory = set(memory())
    kept_in_shared_cache = len(cache._cache)

    for n in range(10_000):
        if n % 2:
            answer = wsgi.get("/da/cyklus/", query=f"junk={n}")
        else:
            answer = wsgi.get("/en/", query=f"utm_source=mail&n={n}")
        assert answer.status == 200

    assert set(memory()) == kept_in_memory
    assert len(cache._cache) == kept_in_shared_cache, list(cache._cache)
    for path in hot:
        assert wsgi.get(path).headers["x-page-cache"] == "hit"


def test_the_memory_tier_lets_the_least_recently_used_page_go_first(monkeypatch):
    tier = page_cache_module.MemoryTier(2)
    tier.put("v1", "a", 1)
    tier.put("v1", "b", 2)
    assert tier.get("v1", "a") == 1  # a is now the most recently used
    tier.put("v1", "c", 3)

    assert list(tier.entries) == ["a", "c"]
    assert tier.get("v2", "a") is None  # a new content version starts afresh


def test_saving_content_shows_at_once(wsgi, content, django_capture_on_commit_callbacks):
    wsgi.get("/en/priorities/")
    with django_capture_on_commit_callbacks(execute=True):
        priority = Priority.objects.get(slug_en="cyber-attacks")
        priority.name_en = "Cyber-attacks (revised)"
        priority.save()

    response = wsgi.get("/en/priorities/")

    assert response.headers["x-page-cache"] == "miss"
    assert "Cyber-attacks (revised)" in response.text


def test_drag_and_drop_reordering_shows_at_once(
    admin_client, wsgi, content, django_capture_on_commit_callbacks
):
    first, second = Priority.objects.filter(cycle__slug="2022-2025")[:2]
    wsgi.get("/da/")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/priorities/priority/adminsortable2_update/",
            json.dumps({"updatedItems": [[first.pk, second.order], [second.pk, first.order]]}),
            content_type="application/json",
        )

    html = wsgi.get("/da/").text

    assert html.index(second.name_da) < html.index(first.name_da)


def test_deleting_in_bulk_shows_at_once(
    admin_client, wsgi, content, django_capture_on_commit_callbacks
):
    """The admin's "delete selected" deletes with a bulk query, not one delete() per row."""
    wsgi.get("/da/cyklus/")
    step = CycleStep.objects.get(number=4)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/cycle/cyclestep/",
            {"action": "delete_selected", "_selected_action": [step.pk], "post": "yes"},
        )

    assert step.title_da not in wsgi.get("/da/cyklus/").text


def test_a_scheduled_article_appears_on_time_without_anybody_saving(wsgi, content):
    make_article(title_da="Planlagt", published_at=timezone_in(1.5))

    assert "Planlagt" not in wsgi.get("/da/artikler/").text
    time.sleep(1.6)
    assert "Planlagt" in wsgi.get("/da/artikler/").text


def test_a_draft_is_never_served_to_the_public_nor_cached(wsgi, admin_client, db):
    draft = make_article(title_da="Hemmelig kladde", status=Article.Status.DRAFT)

    assert wsgi.get(draft.get_absolute_url()).status == 404
    preview = admin_client.get(f"/admin/articles/article/{draft.pk}/preview/da/")
    assert "Hemmelig kladde" in preview.text
    assert wsgi.get(draft.get_absolute_url()).status == 404


def test_a_new_release_never_serves_what_the_old_one_cached(wsgi, content, monkeypatch):
    """Cache keys carry the digest, so a deploy that changes how pages look starts afresh while
    the servers keep sharing one content version."""
    assert wsgi.get("/da/").headers["x-page-cache"] == "miss"
    assert wsgi.get("/da/").headers["x-page-cache"] == "hit"

    monkeypatch.setattr(page_cache_module, "release", lambda: "next-release")
    monkeypatch.setattr(fragments_module, "release", lambda: "next-release")

    assert wsgi.get("/da/").headers["x-page-cache"] == "miss"


def timezone_in(seconds):
    from django.utils import timezone

    return timezone.now() + timezone.timedelta(seconds=seconds)
