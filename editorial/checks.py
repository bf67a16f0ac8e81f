"""Content checks: notes for the editor on the change form that never stop a save.

- the LIX readability index of every long text (at least LONG_TEXT_WORDS words) in each
  language, with the band Danish editors know;
- a description for search engines (a `seo_description` field) that is missing or longer than
  DESCRIPTION_LIMIT characters;
- headings in rich text that skip a level;
- an image description (alt text) that is missing, too short or just the file's name;
- links in rich text to a page of this site that does not exist (or is not public).

The functions at the top are pure (text in, figures out); `content_checks()` applies them to the
fields of a saved object, with the checks an app registers for its own model (`register_check`).
"""

import re
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.db import models
from django.http import Http404, HttpRequest
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from core.fields import HTMLField

from .text import plain_text
from .translation_status import translated_fields

# Texts shorter than this are headings, names and captions, where LIX says nothing.
LONG_TEXT_WORDS = 30
# Google shows about 155-160 characters of a description (by width, not count) before it cuts
# with "…"; 155 is the length that is never cut. (The pages themselves cut at 160.)
DESCRIPTION_LIMIT = 155
# Fewer characters than this describe nothing ("Foto", "Billede").
ALT_TEXT_MIN = 10

# A word: letters and digits, with inner hyphens and apostrophes ("EU-landene", "2022-2025").
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
SENTENCE_END = re.compile(r"[.!?:]+")
HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.IGNORECASE | re.DOTALL)
HREF = re.compile(r"""<a\b[^>]*?\bhref\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
IMAGE_SUFFIX = re.compile(r"\.(?:jpe?g|png|webp|gif|svg|tiff?|heic)$", re.IGNORECASE)
# Names cameras and stock sites give files: IMG_1234, DSC01234, billede-1-119, photo 3.
CAMERA_NAME = re.compile(
    r"^(?:img|image|dsc|dscn|photo|foto|billede|picture|screenshot|skærmbillede)[\s_-]*[\d\s_-]+$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Lix:
    score: float
    words: int
    sentences: int
    long_words: int

    @property
    def band(self):
        return lix_band(self.score)


def lix(text):
    """The LIX readability index of plain text: words per sentence plus the percentage of long
    words (more than six letters). A sentence ends at . ! ? or : followed by anything but a
    lower-case letter or a digit ("31. december", "kl. 10" go on), and at the end of a line (a
    heading, a list item, a paragraph). None for a text without words."""
    words = long_words = sentences = 0
    for line in text.splitlines():
        line_words = WORD.findall(line)
        if not line_words:
            continue
        words += len(line_words)
        long_words += sum(1 for word in line_words if sum(ch.isalpha() for ch in word) > 6)
        ends = 0
        for end in SENTENCE_END.finditer(line):
            rest = line[end.end() :].lstrip()
            if not rest or not (rest[0].islower() or rest[0].isdigit()):
                ends += 1
        # A line that stops without a full stop (a heading, a list item) ends a sentence too.
        # A line ending in a full stop inside quotes or brackets (”Kom.” / (se EU.)) has ended
        # its sentence already.
        if not SENTENCE_END.search(line.rstrip(" \"'”»)]")[-1:]):
            ends += 1
        sentences += ends
    if not words:
        return None
    return Lix(
        score=words / sentences + 100 * long_words / words,
        words=words,
        sentences=sentences,
        long_words=long_words,
    )


def lix_band(score):
    """The bands Danish editors know, from children's books to specialist texts."""
    score = round(score)
    if score < 25:
        return _("very easy, like children's books")
    if score < 35:
        return _("easy, like popular magazines")
    if score < 45:
        return _("medium, like newspapers")
    if score < 55:
        return _("hard, like factual books")
    return _("very hard, like specialist texts")


def heading_skips(html, *, level_above=2):
    """[(heading text, its level, the level before it)] for each heading in rich text that is more
    than one level below the heading before it. The text sits under the page's h1 and, often, a
    section's h2 (level_above), so it may start with h2 or h3."""
    skips = []
    previous = level_above
    for match in HEADING.finditer(html or ""):
        level = int(match.group(1))
        if level == 1 or level > previous + 1:
            skips.append((plain_text(match.group(2)), level, previous))
        previous = level
    return skips


def description_problem(description, *, limit=DESCRIPTION_LIMIT):
    """None, "missing" or "too long"."""
    description = (description or "").strip()
    if not description:
        return "missing"
    if len(description) > limit:
        return "too long"
    return None


def alt_text_problem(alt, file_name=""):
    """None, "missing", "too short" or "file name" (the image's file name, or a name like one)."""
    alt = (alt or "").strip()
    if not alt:
        return "missing"
    stem = PurePosixPath(file_name).stem if file_name else ""
    as_words = re.sub(r"[\s_-]+", " ", alt).strip().lower()
    if (
        IMAGE_SUFFIX.search(alt)
        or CAMERA_NAME.match(alt)
        or (stem and as_words == re.sub(r"[\s_-]+", " ", stem).strip().lower())
    ):
        return "file name"
    if len(alt) < ALT_TEXT_MIN:
        return "too short"
    return None


def internal_links(html, *, site_url=""):
    """The paths of links in rich text that point at this site: relative addresses ("/da/…")
    and absolute ones under site_url. Anchors, mail and phone links and other sites are left."""
    site_url = site_url.rstrip("/")
    paths = []
    for match in HREF.finditer(html or ""):
        href = match.group(2).strip().replace("&amp;", "&")
        if site_url and (href == site_url or href.startswith(site_url + "/")):
            href = href[len(site_url) :] or "/"
        if href.startswith("/") and not href.startswith("//"):
            path = urlsplit(href).path or "/"
            if path not in paths:
                paths.append(path)
    return paths


def page_exists(path, *, host="localhost"):
    """Whether this site answers `path` with a page (or a redirect to one) for the public: the
    URL resolver finds a view, and the view, asked as an anonymous visitor would, does not
    answer 404. An old address with a redirect counts as existing. None: could not tell."""
    from django.contrib.redirects.models import Redirect

    if path.startswith(settings.STATIC_URL):
        return None  # served by WhiteNoise, outside the URL resolver
    if path.startswith(settings.MEDIA_URL):
        return default_storage.exists(path[len(settings.MEDIA_URL) :])
    if path == "/":
        return True  # LocaleMiddleware sends it to /da/ or /en/
    codes = [code for code, _name in settings.LANGUAGES]
    prefix = path.strip("/").split("/")[0]
    language = prefix if prefix in codes else settings.LANGUAGE_CODE
    with translation.override(language):
        match = None
        candidates = [path]
        if not path.endswith("/"):
            candidates.append(path + "/")  # CommonMiddleware adds the slash
        if prefix not in codes:
            candidates += [f"/{language}{candidate}" for candidate in candidates]
        for candidate in candidates:
            try:
                match = resolve(candidate)
                break
            except Resolver404:
                continue
        if match is None:
            return Redirect.objects.filter(old_path=path).exists()
        request = HttpRequest()
        request.method = "GET"
        request.path = request.path_info = candidate
        request.META = {"HTTP_HOST": host, "SERVER_NAME": host, "SERVER_PORT": "80"}
        request.LANGUAGE_CODE = language
        request.user = AnonymousUser()
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except Http404:
            return Redirect.objects.filter(old_path=candidate).exists()
        except Exception:  # noqa: BLE001 - a note must never break the admin page
            return None
        if response.status_code == 404:
            return Redirect.objects.filter(old_path=candidate).exists()
        return response.status_code < 400


@dataclass(frozen=True)
class Note:
    """One content check's finding: where (a field and language) and what."""

    level: str  # "warning": worth fixing; "info": for reference (LIX)
    where: str
    message: str
    language: str = ""  # the language of the text it is about


_model_checks = []


def register_check(model):
    """Decorator: func(obj) -> [Note] runs for every object of `model` (and its subclasses)
    besides the checks above. For checks that know one model's content, registered by its app
    (editorial imports no content app)."""

    def decorator(func):
        _model_checks.append((model, func))
        return func

    return decorator


def language_codes():
    return [code for code, _name in settings.LANGUAGES]


def content_checks(obj, *, host="localhost", label=""):
    """The notes for one saved object's texts, in the active language (the admin's)."""
    notes = []
    model = type(obj)
    for field_name in translated_fields(model):
        field = model._meta.get_field(field_name)
        if isinstance(field, models.SlugField):
            continue
        for code in language_codes():
            value = getattr(obj, f"{field_name}_{code}", None) or ""
            # As the form labels the field: "brødtekst [da]".
            where = f"{label}{field.verbose_name} [{code}]"
            found = text_notes(field, value, where=where, host=host)
            if field_name == "seo_description":
                found += description_notes(value, where=where)
            notes += [replace(note, language=code) for note in found]
    for field in model._meta.get_fields():
        if isinstance(field, models.ImageField) and getattr(obj, field.name):
            alt_field = f"{field.name}_alt"
            if alt_field not in translated_fields(model):
                continue
            alt_label = model._meta.get_field(alt_field).verbose_name
            file_name = getattr(obj, field.name).name
            for code in language_codes():
                problem = alt_text_problem(getattr(obj, f"{alt_field}_{code}"), file_name)
                if problem:
                    where = f"{label}{alt_label} [{code}]"
                    notes.append(Note("warning", where, ALT_TEXT[problem](), language=code))
    for checked_model, func in _model_checks:
        if isinstance(obj, checked_model):
            notes += [replace(note, where=f"{label}{note.where}") for note in func(obj)]
    return sorted(notes, key=lambda note: note.level != "warning")


def text_notes(field, value, *, where, host):
    notes = []
    if not value:
        return notes
    text = plain_text(value)
    figures = lix(text)
    if figures and figures.words >= LONG_TEXT_WORDS:
        notes.append(
            Note(
                "info",
                where,
                _("LIX %(score)s: %(band)s (%(words)s words, %(sentences)s sentences).")
                % {
                    "score": round(figures.score),
                    "band": figures.band,
                    "words": figures.words,
                    "sentences": figures.sentences,
                },
            )
        )
    if isinstance(field, HTMLField):
        for heading, level, previous in heading_skips(value):
            notes.append(Note("warning", where, heading_message(heading, level, previous)))
        for path in internal_links(value, site_url=settings.SITE_URL):
            if page_exists(path, host=host) is False:
                notes.append(
                    Note(
                        "warning",
                        where,
                        _(
                            "The link to %(path)s leads to a page that does not exist or is "
                            "not public: visitors get “page not found”."
                        )
                        % {"path": path},
                    )
                )
    return notes


def heading_message(heading, level, previous):
    if level == 1:
        return _(
            "The heading “%(heading)s” is a main heading (h1); the page has its own. Use a "
            "level 2 heading."
        ) % {"heading": heading}
    return _(
        "The heading “%(heading)s” (h%(level)s) skips a level: it comes after an "
        "h%(previous)s. Use h%(expected)s, so that screen readers and search engines follow "
        "the structure."
    ) % {"heading": heading, "level": level, "previous": previous, "expected": previous + 1}


def description_notes(value, *, where):
    problem = description_problem(value)
    if problem == "missing":
        return [
            Note(
                "warning",
                where,
                _(
                    "No description for search engines: the page uses the start of the lead "
                    "instead. Write one of up to %(limit)s characters."
                )
                % {"limit": DESCRIPTION_LIMIT},
            )
        ]
    if problem == "too long":
        return [
            Note(
                "warning",
                where,
                _(
                    "The description for search engines has %(count)s characters; search "
                    "engines show about %(limit)s and cut the rest."
                )
                % {"count": len(value.strip()), "limit": DESCRIPTION_LIMIT},
            )
        ]
    return []


ALT_TEXT = {
    "missing": lambda: _("The image has no description (alt text) for people who cannot see it."),
    "too short": lambda: _(
        "The image description is very short: say what the image shows, in a sentence."
    ),
    "file name": lambda: _(
        "The image description is a file name: say what the image shows instead."
    ),
}
