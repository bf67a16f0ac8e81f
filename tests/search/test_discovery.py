import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article
from priorities.models import Priority
from tests.factories import make_article

pytestmark = pytest.mark.django_db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return {block["@type"]: block for block in map(json.loads, blocks)}


def test_sitemap_lists_every_public_page_in_both_languages_with_alternates(client, content):
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.content)

    urls = {u.find("s:loc", NS).text: u for u in root.findall("s:url", NS)}
    assert "https://empact.example/da/" in urls and "https://empact.example/en/" in urls
    for path in (
        "/da/prioriteter/2022-2025/narkotikahandel/",
        "/en/priorities/2022-2025/drug-trafficking/",
        "/da/kontakt/",
        "/en/privacy/",
        "/da/cyklus/",
    ):
        assert f"https://empact.example{path}" in urls, path
    assert all(loc.startswith("https://empact.example/") for loc in urls)
    drugs = urls["https://empact.example/en/priorities/2022-2025/drug-trafficking/"]
    alternates = {link.get("hreflang"): link.get("href") for link in drugs.findall("x:link", NS)}
    assert alternates == {
        "da": "https://empact.example/da/prioriteter/2022-2025/narkotikahandel/",
        "en": "https://empact.example/en/priorities/2022-2025/drug-trafficking/",
        "x-default": "https://empact.example/da/prioriteter/2022-2025/narkotikahandel/",
    }
    assert drugs.find("s:lastmod", NS) is not None
    assert "example.com" not in response.content.decode()


def test_robots_txt_names_the_sitemap_and_keeps_the_admin_out(client):
    text = client.get("/robots.txt").content.decode()

    assert "Sitemap: https://empact.example/sitemap.xml" in text
    assert "Disallow: /admin/" in text


def test_the_article_has_social_cards_and_schema_org_data(client, content):
    html = client.get("/en/").content.decode()
    data = json_ld(html)

    article = data["Article"]
    assert article["headline"].startswith("Who is EMPACT?")
    assert article["inLanguage"] == "en"
    assert article["author"]["name"] == "ICARE SECURITY A/S"
    assert article["publisher"]["name"] == "ICARE SECURITY A/S"
    assert "datePublished" not in article  # the customer gives no date; none is made up
    assert article["dateModified"]
    assert article["mainEntityOfPage"] == "https://empact.example/en/"
    contact = data["Organization"]["contactPoint"][0]
    assert contact["telephone"] == "+4531971111" and contact["email"] == "info@icare.dk"
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:url" content="https://empact.example/en/">' in html
    assert re.search(
        r'<meta property="og:image" content="https://empact.example/static/img/share[^"]*png">',
        html,
    )
    assert re.search(r'<meta property="og:title" content="Who is EMPACT\?', html)
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_priority_pages_carry_breadcrumbs(client, content):
    html = client.get("/da/prioriteter/2022-2025/narkotikahandel/").content.decode()

    trail = json_ld(html)["BreadcrumbList"]["itemListElement"]
    assert [item["position"] for item in trail] == [1, 2, 3]
    assert trail[-1]["name"] == "Narkotikahandel"
    assert trail[-1]["item"] == "https://empact.example/da/prioriteter/2022-2025/narkotikahandel/"


def test_the_feed_lists_published_articles_in_the_pages_language(client, content):
    make_article(title_da="Kladde", title_en="Draft", status=Article.Status.DRAFT)
    newer = make_article(title_da="Nyere artikel", title_en="Newer article")
    Article.objects.filter(pk=newer.pk).update(published_at=timezone.now())

    response = client.get("/en/feed/")
    root = ET.fromstring(response.content)
    atom = {"a": "http://www.w3.org/2005/Atom"}

    titles = [entry.find("a:title", atom).text for entry in root.findall("a:entry", atom)]
    assert titles[0] == "Newer article"
    assert any(title.startswith("Who is EMPACT?") for title in titles)
    assert "Draft" not in titles
    links = [e.find("a:link", atom).get("href") for e in root.findall("a:entry", atom)]
    assert all(link.startswith("https://empact.example/en/") for link in links)
    assert 'type="application/atom+xml"' in client.get("/da/").content.decode()
    assert client.get("/da/feed/").status_code == 200


def test_the_article_list_is_paginated_newest_first(client, db):
    for n in range(12):
        make_article(
            title_da=f"Artikel {n:02}", published_at=timezone.now() - timedelta(days=n + 1)
        )

    first = client.get("/da/artikler/").content.decode()
    second = client.get("/da/artikler/?page=2").content.decode()

    assert first.index("Artikel 00") < first.index("Artikel 09")
    assert "Artikel 10" not in first and "Artikel 11" in second


def test_priority_pages_link_the_articles_that_mention_them(client, content):
    make_article(title_da="Om narkotika", body_da="<p>Narkotikahandel i Danmark.</p>")
    make_article(title_da="Om noget andet", body_da="<p>Intet om det.</p>")

    html = client.get("/da/prioriteter/2022-2025/narkotikahandel/").content.decode()

    assert "Om narkotika" in html
    assert "Hvem er EMPACT?" in html  # the article about the priority's cycle
    assert "Om noget andet" not in html


def search(client, q, language="da"):
    path = "/da/soeg/" if language == "da" else "/en/search/"
    response = client.get(path, {"q": q})
    assert response.status_code == 200
    return response


def hit_titles(response):
    """The titles of the hits, in the order a visitor sees them."""
    hit = r'<li class="hit">.*?<h2><a href="[^"]*">(.*?)</a></h2>'
    found = re.findall(hit, response.text, re.S)
    return [unescape(title) for title in found]


@pytest.mark.parametrize(
    "q", ["miljøkriminalitet", "Miljøkriminalitet", "miljokriminalitet", "miljoekriminalitet"]
)
def test_search_finds_a_priority_with_or_without_danish_letters(client, content, q):
    response = search(client, q)

    titles = hit_titles(response)
    assert "Miljøkriminalitet" in titles[:3], titles


def test_search_finds_stand_ins_for_aa(client, content):
    response = search(client, "raadet for den europaeiske union")

    assert hit_titles(response)


def test_search_survives_a_typo(client, content):
    if connection.vendor != "postgresql":
        pytest.skip("typo tolerance needs pg_trgm")
    titles = hit_titles(search(client, "narkotikahandl"))

    assert "Narkotikahandel" in titles[:3]


def test_search_ranks_a_title_match_above_a_body_match(client, content):
    make_article(title_da="Om Europol", body_da="<p>Noget helt andet.</p>")
    make_article(
        title_da="Noget andet", body_da="<p>En sætning, der nævner Europol en enkelt gang.</p>"
    )

    titles = hit_titles(search(client, "europol"))

    assert titles.index("Om Europol") < titles.index("Noget andet")


def test_search_highlights_the_match_in_the_snippet(client, content):
    html = search(client, "cyberangreb").content.decode()

    assert "<mark>" in html.lower()


def test_search_in_english_uses_the_english_texts(client, content):
    titles = hit_titles(search(client, "firearms", "en"))

    assert "Firearms trafficking" in titles


@pytest.mark.parametrize(
    "q", ["", "   ", "!!!???...", "x" * 10_000, "<script>alert(1)</script>", "'; DROP TABLE"]
)
def test_search_answers_absurd_queries_clearly(client, content, q):
    response = search(client, q)
    html = response.content.decode()

    assert "<script>alert(1)</script>" not in html
    if len(q) > 200:
        assert "200" in html
    if not q.strip():
        assert "»miljøkriminalitet«" in html  # the hint of what to type


def test_open_data_has_the_same_counts_as_the_pages(client, content):
    data = client.get("/da/prioriteter/2022-2025.json").json()
    english = client.get("/en/priorities/2022-2025.json").json()
    rows = list(
        csv.DictReader(io.StringIO(client.get("/da/prioriteter/2022-2025.csv").content.decode()))
    )

    assert data["schema_version"] == 1 and data["language"] == "da"
    assert data["cycle"]["slug"] == "2022-2025"
    assert len(data["priorities"]) == 10 == Priority.objects.filter(cycle__slug="2022-2025").count()
    counts = {p["name"]: len(p["objectives"]) for p in data["priorities"]}
    assert counts["Narkotikahandel"] == 2
    assert counts["Svig, økonomisk og finansiel kriminalitet"] == 5
    assert english["priorities"][5]["name"] == "Drug trafficking"
    assert len(rows) == 15 and rows[0]["cycle"] == "2022-2025"
    assert {row["priority"] for row in rows} == set(counts)
    page = client.get("/da/prioriteter/2022-2025/").content.decode()
    assert (
        'href="/da/prioriteter/2022-2025.json"' in page
        and 'href="/da/prioriteter/2022-2025.csv"' in page
    )
