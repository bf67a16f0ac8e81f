"""Whole-page caching of public pages: each page is rendered once per content change and then
served from the shared cache (Redis or the file cache) like a static file.

Cache keys carry a *content version* (and the release digest). Every write to public content
replaces the version after its transaction commits (saves and deletes, bulk deletes included,
of `ChangesContent` models; bulk updates such as drag-and-drop reordering and a restore call
`content_changed()`/`forget_state()` themselves), so no page older than the change is ever
served again. The version also expires by itself at the next moment a page changes
without anybody writing: a scheduled article's publication time, or New Year, when a policy cycle
ends or begins (its status is computed from the date).
"""

import functools
import hashlib
import logging
import os
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from importlib import metadata
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control

from empact_site.middleware import log_request
from empact_site.redis import redis_client

STATE_KEY = "content-state"
logger = logging.getLogger("empact.page_cache")
LANGUAGE_PREFIXES = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)


def next_change_by_date():
    """When pages change by themselves: the next scheduled publication or New Year."""
    from articles.models import Article

    now = timezone.localtime()
    new_year = timezone.make_aware(datetime(now.year + 1, 1, 1))
    try:
        scheduled = (
            Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=now)
            .order_by("published_at")
            .values_list("published_at", flat=True)
            .first()
        )
    except DatabaseError:
        # The database is down: pages can't render anyway (they answer 503); ask again soon.
        return now + timedelta(seconds=10)
    return min(filter(None, [scheduled, new_year]))


def content_state():
    """The current content version and until when it holds."""
    state = read_state()
    if state is None or state["valid_until"] <= timezone.now():
        state = {"version": uuid.uuid4().hex, "valid_until": next_change_by_date()}
        write_state(state)
    return state


# With Redis the state is a plain string read with redis-py ("version:valid-until timestamp"),
# about half the cost of a round trip through Django's cache API with its pickling, and every
# change is announced on a channel (StateWatcher below). Without Redis, Django's (file) cache
# holds it.
REDIS_STATE_KEY = "empact:content-state"


def changes_channel():
    # Channels are not per database: sites sharing one Redis server must not hear each other.
    return f"empact:content-changed:{redis_client().connection_pool.connection_kwargs.get('db', 0)}"


def read_state():
    if not settings.REDIS_URL:
        return cache.get(STATE_KEY)
    raw = redis_client().get(REDIS_STATE_KEY)
    if raw is None:
        return None
    version, valid_until = raw.decode().split(":")
    return {"version": version, "valid_until": datetime.fromtimestamp(float(valid_until), UTC)}


def write_state(state):
    if not settings.REDIS_URL:
        cache.set(STATE_KEY, state, timeout=None)
        return
    value = f"{state['version']}:{state['valid_until'].timestamp()}"
    # Announced too: two servers may replace an expired version at once, and the one whose
    # version lost must not keep it.
    redis_client().pipeline(transaction=False).set(REDIS_STATE_KEY, value).publish(
        changes_channel(), "replaced"
    ).execute()


def content_changed():
    """Call after public content was written (after the commit, so that no request can cache
    the old content under the new version)."""
    transaction.on_commit(forget_state)


def forget_state():
    state_watcher.forget()  # this process at once; the others hear it on the channel
    if settings.REDIS_URL:
        redis_client().pipeline(transaction=False).delete(REDIS_STATE_KEY).publish(
            changes_channel(), "changed"
        ).execute()
    else:
        cache.delete(STATE_KEY)


class StateWatcher:
    """This process's copy of the content state, so that serving a cached page or fragment needs
    no round trip to Redis. A thread subscribed to changes_channel() drops the copy as soon as any
    server replaces the version: Redis sends the message before the writing server has even
    answered its editor. Every few seconds the thread also checks that Redis still holds the
    kept version (a restore, FLUSHDB or an eviction removes it without a word) and that the
    channel still answers. Until the subscription is confirmed, and whenever the connection is
    lost, every request reads the state from Redis; without Redis there is no watcher and the
    state is always read from the cache."""

    HEARTBEAT_SECONDS = 5
    RETRY_SECONDS = (1, 2, 5, 10, 30)

    def __init__(self):
        self.state = None
        self.generation = 0
        self.listening = False
        self.pid = None
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def start(self):
        """Listen from this process (once; a forked worker starts its own thread)."""
        if not settings.REDIS_URL or self.pid == os.getpid():
            return
        with self.lock:
            if self.pid == os.getpid():
                return
            self.pid = os.getpid()
            self.listening = False
            self.generation += 1
            self.state = None
        threading.Thread(target=self.listen, name="content-state", daemon=True).start()

    def forget(self):
        with self.lock:
            self.generation += 1
            self.state = None

    def current(self):
        state = self.state
        if state is not None and self.listening and state["valid_until"] > timezone.now():
            return state
        generation = self.generation
        state = content_state()
        with self.lock:
            if generation == self.generation:  # no change was announced while reading
                self.state = state
        return state

    def stop(self):
        self.stopped.set()

    def listen(self):
        failures = 0
        while not self.stopped.is_set():
            try:
                self.listen_once()
            except Exception:  # noqa: BLE001 - any failure: read per request, then reconnect
                if not failures:
                    logger.warning("Content-change channel lost; reading the state per request")
                failures += 1
            self.listening = False
            self.forget()
            self.stopped.wait(self.RETRY_SECONDS[min(failures, len(self.RETRY_SECONDS)) - 1])

    def listen_once(self):
        pubsub = redis_client().pubsub()
        try:
            pubsub.subscribe(changes_channel())
            last_heard = time.monotonic()
            while not self.stopped.is_set():
                message = pubsub.get_message(timeout=self.HEARTBEAT_SECONDS)
                if message is None:
                    if time.monotonic() - last_heard > 3 * self.HEARTBEAT_SECONDS:
                        raise ConnectionError("no answer from Redis")
                    pubsub.ping()
                    self.verify()
                    continue
                last_heard = time.monotonic()
                if message["type"] == "subscribe":
                    # Changes made before the subscription took effect were not heard.
                    self.forget()
                    self.listening = True
                elif message["type"] == "message":
                    self.forget()
        finally:
            pubsub.close()

    def verify(self):
        """Forget the kept state if Redis no longer holds that version."""
        kept = self.state
        if kept is not None:
            stored = read_state()
            if stored is None or stored["version"] != kept["version"]:
                self.forget()


state_watcher = StateWatcher()


def current_state():
    """The content state, from this process's copy while the watcher vouches for it."""
    return state_watcher.current()


class ChangesContent:
    """Model mixin: saving or deleting a row of public content makes every page re-render.

    Deletes are caught by the post_delete signal, so that bulk deletes (the admin's "delete
    selected" action, cascades) count too; it is connected for these models only, so other
    models keep Django's fast bulk delete."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        post_delete.connect(content_deleted, sender=cls, weak=False)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        content_changed()


def content_deleted(sender, **kwargs):
    content_changed()


def is_cacheable_request(request):
    return (
        settings.PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and request.path.startswith(LANGUAGE_PREFIXES)
    )


@functools.cache
def release():
    """A digest of what renders pages: our apps' code, the templates, the translations, the
    installed packages and the static files' manifest. It is part of every cache key, so a
    deploy that changes how pages look never serves pages or fragments rendered by the previous
    code, while servers still share one content version."""
    roots = [Path(__file__).parent, *map(Path, settings.LOCALE_PATHS)]
    roots += [Path(d) for engine in settings.TEMPLATES for d in engine["DIRS"]]
    # The project's own apps sit at the top of the project (installed packages do not).
    roots += [
        Path(app.path)
        for app in apps.get_app_configs()
        if Path(app.path).parent == settings.BASE_DIR
    ]
    digest = hashlib.sha256()
    # Installed packages render too (Django's formats and translations, Jinja2, the sanitiser),
    # and pages name the hashed static files of the manifest.
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    digest.update("\n".join(packages).encode())
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if manifest.exists():
        digest.update(manifest.read_bytes())
    for root in sorted(set(roots)):
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html", ".mo"}:
                digest.update(str(path.relative_to(root.parent)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def page_key(version, full_path):
    return f"page:{release()}:{version}:{full_path}"


def is_cacheable_response(response):
    """Only what every visitor would get alike: no cookies, nothing per visitor or private."""
    vary = response.get("Vary", "").lower()
    cache_control = response.get("Cache-Control", "").lower()
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "cookie" not in vary
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


class PageCacheMiddleware:
    """Near the top of the middleware: fills the cache with the final response of a public page,
    security headers included, and serves hits to requests that reach Django (the WSGI wrapper
    below serves them before Django runs at all)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_cacheable_request(request):
            return self.get_response(request)
        state = current_state()
        key = page_key(state["version"], request.get_full_path())
        entry = cache.get(key)
        if entry is None:
            response = self.get_response(request)
            if not is_cacheable_response(response):
                return response
            # Browsers and a CDN revalidate (cheap: 304 for an unchanged ETag); a CDN may keep a
            # page for a minute.
            patch_cache_control(response, public=True, max_age=0, s_maxage=60, must_revalidate=True)
            digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
            response["ETag"] = f'"{digest}"'
            entry = {
                "content": response.content,
                "headers": [(h, v) for h, v in response.headers.items() if h != "Content-Length"],
                "etag": response["ETag"],
            }
            timeout = (state["valid_until"] - timezone.now()).total_seconds()
            cache.set(key, entry, timeout=max(1, min(timeout, settings.PAGE_CACHE_SECONDS)))
            status = "miss"
        else:
            status = "hit"
        response = HttpResponse(entry["content"])
        for header, value in entry["headers"]:
            response[header] = value
        response["X-Page-Cache"] = status
        return get_conditional_response(request, etag=entry["etag"], response=response)


class CachedPagesApplication:
    """WSGI wrapper around Django: a cached public page is answered from here, like a static
    file, without building a request or running the middleware. It takes the content version
    from current_state() (this process's copy while the change channel vouches for it, so a
    change made through another server shows at once) and keeps the pages of the current version
    in this process's memory. Everything else, and every miss, goes to Django, whose
    PageCacheMiddleware fills the cache."""

    MEMORY_ENTRIES = 512

    def __init__(self, application):
        self.application = application
        self.version = None
        self.memory = {}

    def __call__(self, environ, start_response):
        state_watcher.start()
        path = environ.get("PATH_INFO", "")
        if (
            not settings.PAGE_CACHE
            or environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or not path.startswith(LANGUAGE_PREFIXES)
        ):
            return self.application(environ, start_response)
        started = time.perf_counter()
        state = current_state()
        if state["version"] != self.version:
            self.version, self.memory = state["version"], {}
        query = environ.get("QUERY_STRING", "")
        key = page_key(state["version"], f"{path}?{query}" if query else path)
        entry = self.memory.get(key)
        if entry is None:
            entry = cache.get(key)
            if entry is None:
                return self.application(environ, start_response)
            if len(self.memory) < self.MEMORY_ENTRIES:
                self.memory[key] = entry
        headers = [*entry["headers"], ("X-Page-Cache", "hit")]
        if entry["etag"] in environ.get("HTTP_IF_NONE_MATCH", ""):
            status, body = "304 Not Modified", b""
        else:
            status, body = "200 OK", entry["content"]
            headers.append(("Content-Length", str(len(body))))
        start_response(status, headers)
        log_request(environ["REQUEST_METHOD"], path, int(status[:3]), started)
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]
