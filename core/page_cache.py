"""Where every request is served: the WSGI application in front of Django (empact_site/wsgi.py).

A GET or HEAD of a canonical public address (under /da/ or /en/, with no query string, or only
`page=N` on the article list) is answered from the page cache when the current content version
(core/content.py) has it: from this process's memory (the least recently used page leaves first)
or from the shared cache (Redis, or the file cache). Otherwise Django handles the request in full,
and a response that every visitor would get alike (200; no cookie set; no Vary: Cookie, so
nothing from a session or a CSRF token; nothing private) is stored once, plain and compressed
with gzip and brotli, and answered by `respond()`, the same function that answers hits: a hit
answers exactly as the miss did (status, every header, ETag per encoding, conditional requests,
HEAD). Before a hit is served, the request is checked as Django's middleware would check it:
a Host that is not allowed, or plain HTTP when HTTPS is required, goes to Django, which answers
400 or the redirect.

Responses that are not cached but safe to compress (the same test: no cookie set and no
Vary: Cookie, so no CSRF token or other secret in the body, because of BREACH; never the admin)
are compressed for clients that ask. The content of a page never depends on the session: staff
previews of drafts live under /admin/ and are never cached.
"""

import gzip
import hashlib
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache, lru_cache

import brotli
from django.conf import settings
from django.core.cache import cache as shared_cache
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import parse_etags

from core.content import current_state
from core.middleware import request_logger
from core.release import release

LANGUAGE_PREFIXES = tuple(f"/{code}/" for code, _name in settings.LANGUAGES)
# Served by whatever serves them (WhiteNoise, the media view, the admin): never touched here.
PASS_THROUGH_PREFIXES = ("/admin/", "/static/", "/media/")
# Cached pages: for browsers and proxies, revalidate (a 304 for an unchanged ETag costs
# little); a shared cache such as a CDN may keep a page for a minute.
CACHE_CONTROL = "public, max-age=0, s-maxage=60, must-revalidate"
COMPRESSIBLE_TYPES = re.compile(
    r"^(text/(html|plain|xml|csv|css|javascript)|application/(xml|json|atom\+xml|rss\+xml|"
    r"ld\+json|javascript))\b"
)
MIN_COMPRESSED_SIZE = 256
# Responses of the moment whose compressed bytes are remembered (by their plain bytes): at most
# RECENT_BODIES of up to RECENT_BODY_MAX bytes each, a few MB.
RECENT_BODIES = 64
RECENT_BODY_MAX = 128 * 1024
ENCODINGS = ("br", "gzip")
PAGE_QUERY = re.compile(r"^page=[1-9][0-9]{0,3}$")


@dataclass(frozen=True)
class Entry:
    """A response ready to answer with: its status, its headers (without the ones that depend on
    the encoding chosen), and its body in each encoding it is kept in."""

    status: str
    headers: tuple
    bodies: dict
    etag: str


def compress(body, encoding, *, stored):
    """Kept pages are compressed once, as small as it gets; responses of the moment quickly,
    and the same bytes only once while they are recent (pages served past the page cache repeat
    themselves: it is switched off, or a query string it does not keep)."""
    if stored:
        return _compress(body, encoding, quality=11 if encoding == "br" else 9)
    if len(body) > RECENT_BODY_MAX:
        return _compress(body, encoding, quality=4 if encoding == "br" else 6)
    return _compress_recent(body, encoding)


def _compress(body, encoding, *, quality):
    if encoding == "br":
        return brotli.compress(body, quality=quality)
    return gzip.compress(body, compresslevel=quality, mtime=0)


@lru_cache(maxsize=RECENT_BODIES)
def _compress_recent(body, encoding):
    return _compress(body, encoding, quality=4 if encoding == "br" else 6)


def accepted_encodings(environ):
    """br and gzip as far as Accept-Encoding allows them (q=0 refuses), best first."""
    return _accepted_encodings(environ.get("HTTP_ACCEPT_ENCODING", ""))


@lru_cache(maxsize=256)  # browsers send a handful of spellings; bounded, as it comes from clients
def _accepted_encodings(header):
    accepted = {}
    for item in header.lower().split(","):
        name, _sep, params = item.strip().partition(";")
        quality = 1.0
        if match := re.search(r"q=([0-9.]+)", params):
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        accepted[name.strip()] = quality
    star = accepted.get("*", 0.0)
    return tuple(name for name in ("br", "gzip") if accepted.get(name, star) > 0)


def is_compressible(headers, body):
    content_type = headers.get("content-type", "")
    return (
        len(body) >= MIN_COMPRESSED_SIZE
        and COMPRESSIBLE_TYPES.match(content_type)
        and "content-encoding" not in headers
    )


def is_same_for_everybody(headers):
    """Nothing in the response belongs to one visitor: no cookie is set, it does not vary by
    cookie (the session and the CSRF token do), and it is not marked private."""
    cache_control = headers.get("cache-control", "").lower()
    return (
        "set-cookie" not in headers
        and "cookie" not in headers.get("vary", "").lower()
        and "private" not in cache_control
        and "no-store" not in cache_control
    )


def with_vary(headers, value):
    vary = [v.strip() for v in headers.get("vary", "").split(",") if v.strip()]
    if value.lower() not in (v.lower() for v in vary):
        vary.append(value)
    return ", ".join(vary)


def make_entry(status, header_list, body, *, encodings, stored):
    """An Entry for a response of Django's, compressed in `encodings` if it is worth it: every
    encoding for a page to be kept, the one the client prefers for a response of the moment."""
    names = {name.lower(): value for name, value in header_list}
    skip = {"content-length", "etag", "vary", "cache-control"}
    headers = [(name, value) for name, value in header_list if name.lower() not in skip]
    bodies = {"identity": body}
    if is_compressible(names, body):
        headers.append(("Vary", with_vary(names, "Accept-Encoding")))
        bodies |= {encoding: compress(body, encoding, stored=stored) for encoding in encodings}
    elif "vary" in names:
        headers.append(("Vary", names["vary"]))
    if stored:
        headers.append(("Cache-Control", CACHE_CONTROL))
    elif "cache-control" in names:
        headers.append(("Cache-Control", names["cache-control"]))
    digest = hashlib.md5(body, usedforsecurity=False).hexdigest() if stored else ""
    return Entry(status, tuple(headers), bodies, digest)


def not_modified(environ, etag):
    """If-None-Match as RFC 9110 reads it: a list of tags, weak comparison, or *."""
    header = environ.get("HTTP_IF_NONE_MATCH")
    if not header or not etag:
        return False
    tags = parse_etags(header)
    if "*" in tags:
        return True
    return etag.removeprefix("W/") in {tag.removeprefix("W/") for tag in tags}


def respond(entry, environ, start_response, *, page_cache=None):
    """Answer with an entry: the best encoding the client accepts, its ETag, 304 when the
    client has it, no body for HEAD. Hits and misses of the page cache both end here."""
    encoding = next((e for e in accepted_encodings(environ) if e in entry.bodies), "identity")
    body = entry.bodies[encoding]
    headers = list(entry.headers)
    if encoding != "identity":
        headers.append(("Content-Encoding", encoding))
    etag = ""
    if entry.etag:
        etag = f'"{entry.etag}"' if encoding == "identity" else f'"{entry.etag}-{encoding}"'
        headers.append(("ETag", etag))
    if page_cache:
        headers.append(("X-Page-Cache", page_cache))
    if environ["REQUEST_METHOD"] in ("GET", "HEAD") and not_modified(environ, etag):
        headers = [(n, v) for n, v in headers if n.lower() != "content-type"]
        start_response("304 Not Modified", headers)
        return [b""]
    headers.append(("Content-Length", str(len(body))))
    start_response(entry.status, headers)
    return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]


@cache
def paginated_paths():
    """The addresses whose pages use ?page=N (the article list in each language)."""
    paths = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths.add(reverse("articles:list"))
    return frozenset(paths)


def cache_path(environ):
    """The page's address for the cache, or None if this request is not served from it."""
    if not settings.PAGE_CACHE or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    path = environ.get("PATH_INFO", "")
    if not path.startswith(LANGUAGE_PREFIXES):
        return None
    query = environ.get("QUERY_STRING", "")
    if not query:
        return path
    # Only a query string the page uses: anything else (?utm_source=, ?junk=) is rendered by
    # Django and never kept, so made-up addresses cannot fill the cache or push pages out.
    if PAGE_QUERY.match(query) and path in paginated_paths():
        return f"{path}?{query}"
    return None


class RequestProbe(HttpRequest):
    """Just enough of a request for Django's own Host and scheme checks."""

    def __init__(self, environ):
        super().__init__()
        self.META = environ

    def _get_scheme(self):
        return self.META.get("wsgi.url_scheme", "http")


def passes_django_checks(environ):
    """Would Django's middleware let this request through to the page (and not answer 400 for
    its Host or a redirect to HTTPS)? If not, Django answers it. The answer depends on a few
    values only, so it is remembered for them (bounded: they come from the client)."""
    proxy_header = (settings.SECURE_PROXY_SSL_HEADER or ("", ""))[0]
    return _passes_django_checks(
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ.get("wsgi.url_scheme", "http"),
        environ.get(proxy_header) if proxy_header else None,
    )


@lru_cache(maxsize=256)
def _passes_django_checks(host, server_name, server_port, scheme, forwarded_proto):
    environ = {"SERVER_NAME": server_name, "SERVER_PORT": server_port, "wsgi.url_scheme": scheme}
    if host is not None:
        environ["HTTP_HOST"] = host
    if forwarded_proto is not None:
        environ[settings.SECURE_PROXY_SSL_HEADER[0]] = forwarded_proto
    probe = RequestProbe(environ)
    try:
        probe.get_host()
    except DisallowedHost:
        return False
    return not (settings.SECURE_SSL_REDIRECT and not probe.is_secure())


@receiver(setting_changed)
def _forget_checks(**kwargs):
    _passes_django_checks.cache_clear()


class MemoryTier:
    """This process's copies of the pages of the current content version, least recently used
    out first."""

    def __init__(self, size):
        self.size = size
        self.version = None
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, version, key):
        with self.lock:
            if version != self.version:
                self.version, self.entries = version, OrderedDict()
                return None
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, version, key, entry):
        with self.lock:
            if version != self.version:
                self.version, self.entries = version, OrderedDict()
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class HitCount:
    """Hits are counted, not logged one by one: every request Django handles has its line in
    the request log, and a line a minute per process gives the number of hits (nginx's access
    log has each request). Measured with `make bench`, a line per hit cost cached pages about a
    quarter of their rate (formatting and writing it took longer than answering)."""

    SECONDS = 60

    def __init__(self):
        self.count = 0
        self.since = time.monotonic()
        self.lock = threading.Lock()

    def add(self):
        with self.lock:
            self.count += 1
            now = time.monotonic()
            if now - self.since < self.SECONDS:
                return
            count, seconds = self.count, now - self.since
            self.count, self.since = 0, now
        request_logger.info(
            "Page cache: %s hits in %.0f s", count, seconds, extra={"page_cache_hits": count}
        )


def page_key(version, path):
    return f"page:{release()}:{version}:{path}"


class CachedPagesApplication:
    """The WSGI application: page cache hits, misses that fill it, and compression of the rest
    (see the module's doc). Everything else is Django's."""

    MEMORY_ENTRIES = 512

    def __init__(self, application):
        self.application = application
        self.memory = MemoryTier(self.MEMORY_ENTRIES)
        self.hits = HitCount()

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith(PASS_THROUGH_PREFIXES):
            return self.application(environ, start_response)
        key = cache_path(environ)
        if key is not None and passes_django_checks(environ):
            state = current_state()
            cache_key = page_key(state["version"], key)
            entry = self.memory.get(state["version"], cache_key)
            if entry is None:
                entry = shared_cache.get(cache_key)
                if entry is not None:
                    self.memory.put(state["version"], cache_key, entry)
            if entry is not None:
                self.hits.add()
                return respond(entry, environ, start_response, page_cache="hit")
            return self.render(environ, start_response, state=state, cache_key=cache_key)
        return self.render(environ, start_response)

    def render(self, environ, start_response, *, state=None, cache_key=None):
        """Django's answer, kept when it may be, compressed when it is safe."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: captured.setdefault("written", []).append(data)

        result = self.application(environ, capture)
        try:
            body = b"".join([*captured.get("written", []), *result])
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = captured["status"], captured["headers"]
        names = {name.lower(): value for name, value in headers}
        keep = (
            cache_key is not None
            and status.startswith("200")
            and is_same_for_everybody(names)
            and "content-encoding" not in names
        )
        if keep:
            entry = make_entry(status, headers, body, encodings=ENCODINGS, stored=True)
            timeout = (state["valid_until"] - timezone.now()).total_seconds()
            shared_cache.set(
                cache_key, entry, timeout=max(1, min(timeout, settings.PAGE_CACHE_SECONDS))
            )
            self.memory.put(state["version"], cache_key, entry)
            return respond(entry, environ, start_response, page_cache="miss")
        if (
            environ["REQUEST_METHOD"] in ("GET", "HEAD")
            and is_same_for_everybody(names)
            and is_compressible(names, body)
        ):
            preferred = accepted_encodings(environ)[:1]
            entry = make_entry(status, headers, body, encodings=preferred, stored=False)
            return respond(entry, environ, start_response)
        start_response(status, headers, captured.get("exc_info"))
        return [body]
