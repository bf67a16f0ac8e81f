"""The sections of an article for its table of contents: the h2 headings of its rich text (body,
conclusion) in reading order, given ids at render time (the sanitiser keeps no id attribute)."""

import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import slugify

# Sanitised rich text (core/html.py): an h2 carries at most a lang attribute and never nests.
H2 = re.compile(r"<h2(?P<attributes>(?:\s[^>]*)?)>(?P<inner>.*?)</h2>", re.DOTALL)


@dataclass(frozen=True)
class Section:
    id: str
    title: str


class SectionIds:
    """Gives each heading of one page an id of its own, readable and stable across renders."""

    def __init__(self, taken=()):
        self.taken = set(taken)

    def add(self, title):
        base = "section-" + (slugify(title) or "x")
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}-{n}", n + 1
        self.taken.add(candidate)
        return candidate


def with_section_ids(text, ids):
    """(text with an id on every h2, [Section, ...] of those headings)."""
    sections = []

    def add_id(match):
        title = " ".join(html.unescape(strip_tags(match["inner"])).split())
        section = Section(id=ids.add(title), title=title)
        sections.append(section)
        return f'<h2 id="{section.id}"{match["attributes"]}>{match["inner"]}</h2>'

    return mark_safe(H2.sub(add_id, text or "")), sections
