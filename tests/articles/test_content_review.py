"""What the content review of issue 15 found, each fixed and kept fixed (one test per finding)."""

import html.parser

import pytest

from articles.models import Article
from tests.factories import make_image_file

pytestmark = pytest.mark.django_db


class Outline(html.parser.HTMLParser):
    """The headings of a page (level, id, text) in document order, and the links of its table
    of contents (href, text)."""

    def __init__(self, page):
        super().__init__()
        self.headings, self.toc_links, self.ids = [], [], set()
        self._heading = self._link = None
        self._in_toc = 0
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "nav" and attrs.get("class") == "toc":
            self._in_toc = 1
        elif tag == "nav" and self._in_toc:
            self._in_toc += 1
        if tag in ("h1", "h2", "h3", "h4"):
            self._heading = [int(tag[1]), attrs.get("id"), ""]
        if tag == "a" and self._in_toc:
            self._link = [attrs["href"], ""]

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3", "h4") and self._heading:
            self.headings.append((self._heading[0], self._heading[1], self._heading[2].strip()))
            self._heading = None
        if tag == "a" and self._link:
            self.toc_links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None
        if tag == "nav" and self._in_toc:
            self._in_toc -= 1

    def handle_data(self, data):
        if self._heading:
            self._heading[2] += data
        if self._link:
            self._link[1] += data


SECTIONS = {
    "da": [
        "EMPACT samarbejde med andre TOP10 sikkerhedsrådgivere i mange lande",
        "Hvad skal EMPACT lave fra år 2022-2025?",
        "EMPACT trin",
        "EMPACT resultater",
    ],
    "en": [
        "EMPACT cooperation with other top 10 security advisers in many countries",
        "What will EMPACT do from 2022 to 2025?",
        "EMPACT steps",
        "EMPACT results",
    ],
}


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_home_page_s_h1_comes_before_its_table_of_contents(client, content, language):
    outline = Outline(client.get(f"/{language}/").content.decode())

    first_level, _id, first_text = outline.headings[0]
    assert first_level == 1 and first_text.startswith(("Hvem er EMPACT?", "Who is EMPACT?"))
    assert outline.headings[1][1] == "toc-heading"


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_table_of_contents_lists_every_section_of_the_article(client, content, language):
    outline = Outline(client.get(f"/{language}/").content.decode())

    sections = [text for href, text in outline.toc_links if not href.startswith("#priority-")]
    assert sections == SECTIONS[language]
    # Every entry leads to a heading of the page, the sections in the order the page has them.
    for href, _text in outline.toc_links:
        assert href.startswith("#") and href[1:] in outline.ids, href
    h2s = [text for level, id_, text in outline.headings if level == 2 and id_ != "toc-heading"]
    assert [h2 for h2 in h2s if h2 in sections] == sections
    priorities = [text for href, text in outline.toc_links if href.startswith("#priority-")]
    assert len(priorities) == 10


def test_the_photo_credit_shows_only_with_the_photo_it_credits(client, content):
    article = Article.objects.get(is_home=True)
    assert article.photo_credit_da == "Empact"  # the customer's credit is kept

    assert "Fotokredit" not in client.get("/da/").content.decode()
    assert "Photo credit" not in client.get("/en/").content.decode()

    article.image = make_image_file()
    article.image_alt_da = "EMPACT-cyklussen"
    article.save()
    page = client.get("/da/").content.decode()
    figure = page[page.index('<figure class="article__image">') : page.index("</figure>")]
    assert "Fotokredit: Empact" in figure
    assert page.count("Fotokredit") == 1
