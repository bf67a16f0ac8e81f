"""What the content review of issue 15 found, each fixed and kept fixed (one test per finding)."""

import datetime
import html
import html.parser
import re
import tomllib

import pytest
from django.utils import timezone

from articles.models import Article
from operations.seeding import DATA_FILE, ContentLoader
from priorities.models import PolicyCycle
from tests.factories import make_cycle, make_image_file, make_priority

pytestmark = pytest.mark.django_db


def content_data():
    with open(DATA_FILE, "rb") as f:
        return tomllib.load(f)


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


def visible_text(page):
    """The page's words as a reader sees them (title included), without markup or attributes."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


@pytest.mark.parametrize(
    "url",
    ["/da/prioriteter/", "/da/prioriteter/2022-2025/", "/da/prioriteter/2012-2013/",
     "/en/priorities/", "/en/priorities/2022-2025/", "/en/priorities/2018-2021/"],
)  # fmt: skip
def test_an_ended_cycle_is_never_called_current_whatever_is_current_says(client, content, url):
    assert PolicyCycle.objects.get(slug="2022-2025").is_current  # the flag, as loaded
    assert PolicyCycle.objects.get(slug="2022-2025").has_ended  # and the calendar

    text = visible_text(client.get(url).content.decode())

    assert not re.search(r"\bcurrent\b|\baktuel", text, re.IGNORECASE), text
    latest = "seneste" if url.startswith("/da/") else "latest"
    assert f"EMPACT 2022-2025 ({latest})" in text  # in the list of cycles


@pytest.mark.parametrize(
    ("url", "title"),
    [("/da/prioriteter/", "EU’s seneste kriminalitetsprioriteter"),
     ("/en/priorities/", "The EU’s latest crime priorities")],
)  # fmt: skip
def test_the_priorities_page_calls_the_ended_cycle_it_shows_the_latest(client, content, url, title):
    page = client.get(url).content.decode()

    assert f"<title>{title} | ICARE SECURITY A/S</title>" in page


def test_a_running_cycle_is_current_and_an_ended_one_beside_it_is_neither(client, db):
    year = timezone.localdate().year
    old = make_cycle(slug=f"{year - 4}-{year - 1}", is_current=True)
    running = make_cycle(slug=f"{year - 1}-{year + 2}")
    for cycle in (old, running):
        make_priority(cycle=cycle, name_en=f"Priority of {cycle.slug}")

    page = client.get("/en/priorities/").content.decode()
    text = visible_text(page)
    assert "<title>EU crime priorities EMPACT " in page  # the flag's cycle, not "current"
    assert f"EMPACT {old.years} (" not in text
    assert f"EMPACT {running.years} (current)" in text

    old.is_current, running.is_current = False, True
    old.save()
    running.save()
    page = client.get("/en/priorities/").content.decode()
    assert "<title>The EU’s current crime priorities | ICARE SECURITY A/S</title>" in page


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("/da/prioriteter/2012-2013/", "Den oprindelige, reducerede EU-politikcyklus"),
        ("/da/prioriteter/2014-2017/", "Den første af to fuldt udbyggede EU-politikcyklusser"),
        ("/da/prioriteter/2018-2021/", "EU-flagskibsinstrument for tværfagligt"),
        ("/en/priorities/2012-2013/", "The initial, reduced EU Policy Cycle"),
        ("/en/priorities/2014-2017/", "The first of two fully-fledged EU Policy Cycles"),
        ("/en/priorities/2018-2021/", "EU flagship instrument for multidisciplinary"),
    ],
)
def test_the_cycles_before_2022_say_what_the_article_says_and_nothing_missing(
    client, content, url, said
):
    page = client.get(url).content.decode()
    text = visible_text(page)

    assert said in text
    for placeholder in ("endnu ikke", "not yet", "yet", "0 ", "no priorities", "ingen"):
        assert placeholder not in text.lower(), placeholder
    assert "Open data" not in text and "Åbne data" not in text  # open data of nothing
    h1 = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert h1 in (
        "Politikcyklussen EMPACT " + url[-10:-1],
        "The policy cycle EMPACT " + url[-10:-1],
    )


def test_the_english_search_page_suggests_english_words_that_find_something(client, content):
    hint = visible_text(client.get("/en/search/").content.decode())
    assert "miljø" not in hint
    example = re.search(r"e\.g\. “([^”]+)”", hint).group(1)

    results = client.get("/en/search/", {"q": example}).content.decode()

    assert example == "environmental crime"
    assert "Environmental crime" in visible_text(results)
    assert "»miljøkriminalitet«" in client.get("/da/soeg/").content.decode()


@pytest.mark.parametrize("url", ["/da/", "/da/cyklus/"])
def test_the_four_steps_repeat_in_every_four_year_cycle_in_good_danish(client, content, url):
    text = visible_text(client.get(url).content.decode())

    assert "De fire trin gentages i hver fireårig politikcyklus." in text
    assert "fireårige politikcyklus" not in text


def test_english_says_third_countries_as_the_eu_does(client, content):
    text = visible_text(client.get("/en/").content.decode())

    assert "as well as third countries and organisations" in text
    assert "third-party" not in text


def test_a_fresh_load_publishes_the_article_without_a_made_up_date(client, content):
    article = Article.objects.get(is_home=True)
    page = client.get("/da/").content.decode()
    feed = client.get("/da/feed/")

    assert article.is_public and article.published_at is None
    assert "article__meta" not in page and "<time" not in page
    assert '"datePublished"' not in page
    assert feed.status_code == 200 and article.title_da in feed.content.decode()
    assert "<published>" not in feed.content.decode()  # the entry has only its <updated>
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "<lastmod>" + article.updated_at.date().isoformat() in sitemap  # its real change


def test_a_date_the_data_file_gives_is_the_article_s_date(client, db):
    data = content_data()
    data["articles"][0]["published_at"] = datetime.date(2021, 6, 1)
    ContentLoader().load(data)

    article = Article.objects.get(is_home=True)
    assert timezone.localtime(article.published_at) == timezone.make_aware(
        datetime.datetime(2021, 6, 1)
    )
    assert '<time datetime="2021-06-01' in client.get("/da/").content.decode()


def test_a_date_an_earlier_load_made_up_is_cleared_but_an_editor_s_date_is_kept(db):
    ContentLoader().load(content_data())
    article = Article.objects.get(is_home=True)
    # What earlier versions of the loader did: the moment of the first load as the date.
    Article.objects.filter(pk=article.pk).update(published_at=article.created_at)

    stats = ContentLoader().load(content_data())

    article.refresh_from_db()
    assert article.published_at is None and article.is_public
    assert stats["publication date cleared: invented by an earlier load"] == 1
    chosen = timezone.make_aware(datetime.datetime(2022, 3, 1, 9, 0))
    Article.objects.filter(pk=article.pk).update(published_at=chosen)
    ContentLoader().load(content_data())
    article.refresh_from_db()
    assert article.published_at == chosen


def test_the_editors_are_told_that_the_interpol_sentence_contradicts_empact(admin_client, content):
    article = Article.objects.get(is_home=True)
    url = f"/admin/articles/article/{article.pk}/change/"

    notes = content_checks_of(admin_client.get(url).content.decode())

    assert "Enheden henhører under Interpol" in article.lead_da  # the customer's text stays
    assert "comes under Interpol" in article.lead_en
    interpol = [note for note in notes if "Interpol" in note]
    assert len(interpol) == 2  # the Danish lead and the English one
    assert all("Europol" in note and "EU-instrument" in note for note in interpol)

    article.lead_da = article.lead_da.replace("henhører under Interpol", "støttes af Europol")
    article.lead_en = article.lead_en.replace("comes under Interpol", "is supported by Europol")
    article.save()
    notes = content_checks_of(admin_client.get(url).content.decode())
    assert not [note for note in notes if "Interpol" in note]


def content_checks_of(form):
    """The texts of the notes in the change form's content checks (in the admin's Danish)."""
    if 'id="content-checks"' not in form:
        return []
    block = form[form.index('id="content-checks"') :]
    block = block[: block.index("</details>")]
    return [visible_text(item) for item in re.findall(r"<li\b.*?</li>", block, re.DOTALL)]


def test_the_corrections_reach_an_install_loaded_before_them_but_spare_editors_work(client, db):
    before = content_data()
    article, cycles = before["articles"][0], {c["key"]: c for c in before["cycles"]}
    article["body"]["en"] = article["body"]["en"].replace(
        "third countries", "third-party countries"
    )
    cycles["2018-2021"]["description"] = {
        "da": "Den anden af to fuldt udbyggede EU-politikcyklusser for organiseret og grov "
        "international kriminalitet (2018-2021).",
        "en": "The second of two fully-fledged EU Policy Cycles for organised and serious "
        "international crime (2018-2021).",
    }
    ContentLoader().load(before)
    edited = PolicyCycle.objects.get(slug="2018-2021")
    edited.description_en = "Written by an editor."
    edited.save()

    ContentLoader().load(content_data())

    assert "as well as third countries" in Article.objects.get(is_home=True).body_en
    edited.refresh_from_db()
    assert "EU-flagskibsinstrument" in edited.description_da  # untouched: corrected
    assert edited.description_en == "Written by an editor."  # edited: kept
