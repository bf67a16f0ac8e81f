"""Fragments: what a public page shows from the database, built once per content change and
language.

The article with its related entries, the priorities of its cycle and the steps of the cycle; a
cycle with its priorities; a priority with its objectives, siblings and articles: each is built
from several tables with at most 5 queries, together with the page's title, description,
language addresses and schema.org data, and kept under the *content version* of
core/page_cache.py. Any write to public content replaces the version, so nothing built
before the change is used again (a renamed or deleted page answers a redirect or 404 at once),
and the version expires by itself when a scheduled article is published or a cycle ends. Staff
previews of drafts are never kept.

Django still handles every request in full (middleware, session, CSRF, the view): fragments
serve whatever the whole-page cache does not, i.e. pages with the page cache switched off, its
misses and pages with something per visitor. A Page kept as a fragment also keeps its HTML with
the frame (page.html: the head, the navigation marking the page, the language switcher, the
footer) per address, since nothing else goes into it; the view answers with it as it is.
They live in the shared cache (Redis when REDIS_URL is set, so all app servers share them) and,
for the current version, in this process's memory. DJANGO_FRAGMENT_CACHE=0 switches them off
(debugging, the benchmark of the fully uncached site).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.content import current_state
from core.release import release

MEMORY_ENTRIES = 256
_memory = {"version": None, "entries": {}}


def cached(request, name, *key, build):
    """What build() returns (HTML, or a dict of HTML and text), built once per content version
    and language. build() runs only on a miss, so the queries behind it run only then."""
    if not settings.FRAGMENT_CACHE:
        return build()
    # One read of the content version per request, however many fragments the page has.
    state = getattr(request, "content_state", None)
    if state is None:
        state = request.content_state = current_state()
    version = state["version"]
    if _memory["version"] != version:
        _memory["version"], _memory["entries"] = version, {}
    cache_key = ":".join(["fragment", release(), version, get_language(), name, *map(str, key)])
    entries = _memory["entries"]
    value = entries.get(cache_key)
    if value is None:
        value = cache.get(cache_key)
        if value is None:
            value = build()
            if value is None:
                return None  # nothing found: never kept, so made-up addresses fill no cache
            timeout = (state["valid_until"] - timezone.now()).total_seconds()
            cache.set(cache_key, value, timeout=max(1, min(timeout, settings.PAGE_CACHE_SECONDS)))
        if len(entries) < MEMORY_ENTRIES:
            entries[cache_key] = value
    return value


@dataclass(frozen=True)
class Page:
    """What page.html shows around the frame: the head and the body a view built. Kept whole
    as a fragment; `redirect` instead when the address has moved."""

    title: str = ""
    description: str = ""
    body: str = ""
    language_urls: dict | None = None
    structured_data: list = field(default_factory=list)
    og_type: str = "website"
    is_preview: bool = False
    preview_note: str = ""  # the preview banner's text, where the article's does not fit
    # Staff previews only: the content checks' notes on the texts of this language.
    preview_checks: tuple = ()
    redirect: str = ""
    # page.html around it, per address (the menu marks the page it is on): rendered once for
    # a Page kept as a fragment, which lives as long as its content version. Not an argument,
    # so a replace()d Page (a preview) starts without it.
    html: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def redirect_to(cls, url):
        return cls(redirect=url)


def render_page(request, page):
    """The response for a Page (page.html around it)."""
    html = page.html.get(request.path)
    if html is None:
        html = page.html[request.path] = render_to_string(
            "page.html",
            {
                "page": page,
                # base.html's own names, which other templates set too.
                "language_urls": page.language_urls,
                "structured_data": page.structured_data,
            },
            request,
        )
    return HttpResponse(html)


def render(template_name, context):
    """A fragment's HTML, safe to insert into the page (Jinja2's render() returns a plain str).
    Rendered without the request, so nothing of one visitor's (a CSRF token, the user) can
    reach what every visitor is served."""
    return mark_safe(render_to_string(template_name, context))
