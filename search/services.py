"""Site search over articles, priorities, objectives and cycle steps, in the page's language.

On PostgreSQL: full-text search with the Danish or English configuration (stemming, ranking, a
title match above a body match, highlighted snippets), plus trigram word similarity on text
folded from æ/ø/å to ae/oe/aa, so "miljø", "miljo", "miljoe" and "miljokriminalitet" all find
Miljøkriminalitet. Elsewhere (SQLite) a plain but correct substring search.
"""

import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Replace
from django.urls import reverse
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from cycle.models import CycleStep
from priorities.models import Objective, Priority

MAX_QUERY_LENGTH = 200
SIMILARITY = 0.45
MARK_START, MARK_END = "\x02", "\x03"
TEXT_SEARCH_CONFIG = {"da": "danish", "en": "english"}
FOLDS = (("æ", "ae"), ("ø", "oe"), ("å", "aa"))


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    snippet: str
    score: float


class StripTags(Func):
    template = "regexp_replace(%(expressions)s, '<[^>]+>', ' ', 'g')"
    output_field = TextField()


def fold(text):
    text = text.lower()
    for letter, stand_in in FOLDS:
        text = text.replace(letter, stand_in)
    return text


def fold_expression(expression):
    expression = Lower(expression)
    for letter, stand_in in FOLDS:
        expression = Replace(expression, Value(letter), Value(stand_in))
    return expression


def translated(field, language):
    """The field in the page's language, falling back to Danish like the pages do."""
    own = Coalesce(F(f"{field}_{language}"), Value(""), output_field=TextField())
    if language == settings.MODELTRANSLATION_DEFAULT_LANGUAGE:
        return own
    danish = Coalesce(F(f"{field}_da"), Value(""), output_field=TextField())
    return Coalesce(NullIf(own, Value("")), danish, output_field=TextField())


def joined(fields, language, *, html_fields=()):
    parts = []
    for field in fields:
        expression = translated(field, language)
        parts += [StripTags(expression) if field in html_fields else expression, Value(" ")]
    return Concat(*parts, output_field=TextField()) if len(parts) > 2 else parts[0]


@dataclass
class Source:
    kind: str
    model: type
    title: list
    body: list
    html_fields: tuple = ()
    related: tuple = ()

    def queryset(self):
        queryset = self.model.objects.all()
        if self.related:
            queryset = queryset.select_related(*self.related)
        if self.model in (Article, Priority, Objective):
            queryset = queryset.published()  # no draft, scheduled or draft cycle's content
        return queryset

    def url(self, obj):
        if isinstance(obj, Objective):
            return f"{obj.priority.get_absolute_url()}#objective-{obj.pk}"
        if isinstance(obj, CycleStep):
            return f"{reverse('cycle:steps')}#step-{obj.number}"
        return obj.get_absolute_url()

    def title_of(self, obj):
        if isinstance(obj, Objective) and obj.heading:
            return f"{obj.priority.name}: {obj.heading}"
        if isinstance(obj, Objective):
            return obj.priority.name
        return str(obj)


SOURCES = [
    Source(
        _("Article"),
        Article,
        ["title"],
        ["lead", "body", "conclusion", "steps_intro", "steps_outro"],
        html_fields=("body", "conclusion", "steps_intro", "steps_outro"),
    ),
    Source(_("Priority"), Priority, ["name"], ["summary"], related=("cycle",)),
    Source(
        _("Objective"), Objective, ["heading"], ["text"], related=("priority", "priority__cycle")
    ),
    Source(_("Cycle step"), CycleStep, ["title"], ["body"], html_fields=("body",)),
]


def clean_query(query):
    return " ".join(query.split())[:MAX_QUERY_LENGTH]


def search(query, language):
    """Hits for query in the language, best first."""
    query = clean_query(query)
    if not re.search(r"\w", query):
        return []
    if connection.vendor == "postgresql":
        hits = [hit for source in SOURCES for hit in postgres_hits(source, query, language)]
    else:
        hits = [hit for source in SOURCES for hit in simple_hits(source, query, language)]
    return sorted(hits, key=lambda hit: hit.score, reverse=True)


def highlighted(text):
    """Escape text for HTML, turning the search's markers into <mark> elements."""
    text = escape(html.unescape(text))
    return mark_safe(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def postgres_hits(source, query, language):
    config = TEXT_SEARCH_CONFIG[language]
    search_query = SearchQuery(query, config=config, search_type="websearch")
    folded = fold(query)
    rows = (
        source.queryset()
        .annotate(
            search_title=joined(source.title, language),
            search_body=joined(source.body, language, html_fields=source.html_fields),
        )
        .annotate(
            vector=SearchVector("search_title", weight="A", config=config)
            + SearchVector("search_body", weight="B", config=config),
            title_similarity=TrigramWordSimilarity(Value(folded), fold_expression("search_title")),
            body_similarity=TrigramWordSimilarity(Value(folded), fold_expression("search_body")),
        )
        .annotate(rank=SearchRank(F("vector"), search_query, weights=[0.1, 0.2, 0.4, 1.0]))
        .filter(
            Q(vector=search_query)
            | Q(title_similarity__gte=SIMILARITY)
            | Q(body_similarity__gte=SIMILARITY)
        )
        .annotate(
            snippet=SearchHeadline(
                "search_body",
                search_query,
                config=config,
                start_sel=MARK_START,
                stop_sel=MARK_END,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )[:50]
    )
    return [
        Hit(
            kind=source.kind,
            title=source.title_of(row),
            url=source.url(row),
            snippet=highlighted(row.snippet),
            score=row.rank + row.title_similarity + 0.3 * row.body_similarity,
        )
        for row in rows
    ]


SKELETON = {"ae": "a", "oe": "o", "aa": "a", "æ": "a", "ø": "o", "å": "a"}


def skeleton(text):
    """Lower-case text with æ/ø/å and their stand-ins (ae/oe/aa) reduced to one letter each, so
    "Miljøkriminalitet", "miljoekriminalitet" and "miljokriminalitet" all read the same. Returns
    the skeleton and, per letter of it, the span of the original text it came from."""
    text = text.lower()
    letters, spans, i = [], [], 0
    while i < len(text):
        width = 2 if text[i : i + 2] in SKELETON else 1
        letters.append(SKELETON.get(text[i : i + width], text[i]))
        spans.append((i, i + width))
        i += width
    return "".join(letters), spans


def simple_hits(source, query, language):
    """SQLite: substring search on skeletons, title matches first; the first match highlighted."""
    wanted, _spans = skeleton(query)
    hits = []
    for row in source.queryset()[:500]:
        title = source.title_of(row)
        body = " ".join(
            html.unescape(strip_tags(getattr(row, field) or "")) for field in source.body
        )
        in_title = wanted in skeleton(title)[0]
        body_skeleton, spans = skeleton(body)
        position = body_skeleton.find(wanted)
        if not in_title and position < 0:
            continue
        if position >= 0:
            start, end = spans[position][0], spans[position + len(wanted) - 1][1]
            snippet = (
                body[max(start - 80, 0) : start]
                + MARK_START + body[start:end] + MARK_END
                + body[end : end + 120]
            )  # fmt: skip
        else:
            snippet = body[:200]
        hits.append(
            Hit(source.kind, title, source.url(row), highlighted(snippet), 2.0 if in_title else 1.0)
        )
    return hits
