import re

import pytest

from articles.models import Article
from priorities.models import PolicyCycle, Priority
from tests.factories import make_article, make_objective, make_priority

pytestmark = pytest.mark.django_db

# (Danish, English) addresses of every public page this issue adds.
PAGES = [
    ("/da/", "/en/"),
    ("/da/artikler/", "/en/articles/"),
    ("/da/prioriteter/", "/en/priorities/"),
    ("/da/prioriteter/2022-2025/", "/en/priorities/2022-2025/"),
    ("/da/prioriteter/2022-2025/narkotikahandel/", "/en/priorities/2022-2025/drug-trafficking/"),
    ("/da/cyklus/", "/en/cycle/"),
]


def head_links(html, rel):
    return dict(re.findall(rf'<link rel="{rel}" hreflang="([\w-]+)" href="([^"]+)"', html))


def title(html):
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


def meta_description(html):
    return re.search(r'<meta name="description" content="([^"]*)"', html).group(1)


@pytest.mark.parametrize(("da", "en"), PAGES)
def test_page_answers_in_both_languages_with_alternates_and_switcher(client, content, da, en):
    for lang, url, other_lang, other_url in (("da", da, "en", en), ("en", en, "da", da)):
        response = client.get(url)
        html = response.content.decode()

        assert response.status_code == 200, url
        assert f'<html lang="{lang}">' in html
        assert f'<link rel="canonical" href="https://empact.example{url}">' in html
        assert head_links(html, "alternate") == {
            lang: f"https://empact.example{url}",
            other_lang: f"https://empact.example{other_url}",
            "x-default": f"https://empact.example{da}",
        }
        switcher = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
        assert f'href="{other_url}" hreflang="{other_lang}" lang="{other_lang}"' in switcher


def test_every_page_has_its_own_title_and_description(client, content):
    urls = [url for pair in PAGES for url in pair]
    pages = [client.get(url).content.decode() for url in urls]
    titles = [title(html) for html in pages]
    descriptions = [meta_description(html) for html in pages]

    assert len(set(titles)) == len(urls), titles
    assert len(set(descriptions)) == len(urls), descriptions
    assert all(len(d) >= 50 for d in descriptions), descriptions


def test_root_redirects_by_accept_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").url == "/en/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="da,en;q=0.5").url == "/da/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de").url == "/da/"


def test_home_page_shows_each_priority_as_a_heading_followed_by_its_objectives(client, content):
    html = client.get("/da/").content.decode()

    sections = re.findall(
        r'<h3 class="priority__name"[^>]*><a [^>]*>(.*?)</a></h3>\s*'
        r'<ul class="objectives"[^>]*>(.*?)</ul>',
        html,
        re.S,
    )
    names = [name for name, _objectives in sections]
    assert names == list(
        Priority.objects.filter(cycle__slug="2022-2025").values_list("name_da", flat=True)
    )
    assert names[0] == "Kriminelle netværk med høj risiko"
    assert names[-1] == "Ulovlig handel med skydevåben"
    items = {name: objectives.count("<li") for name, objectives in sections}
    assert items["Narkotikahandel"] == 2
    assert items["Svig, økonomisk og finansiel kriminalitet"] == 5
    fraud = dict(sections)["Svig, økonomisk og finansiel kriminalitet"]
    assert re.search(r'<li class="objective"[^>]*>\s*<h4[^>]*>Onlinesvindelordninger</h4>', fraud)


def test_home_page_shows_the_four_steps_as_an_ordered_list_under_a_heading(client, content):
    html = client.get("/en/").content.decode()

    steps = re.search(
        r'<h2 id="steps-heading">(.*?)</h2>.*?<ol class="steps">(.*?)</ol>', html, re.S
    )
    assert "EMPACT" in steps.group(1)
    assert steps.group(2).count('<li class="step"') == 4
    assert "Independent evaluation" in steps.group(2)
    assert 'role="img" aria-labelledby="cycle-diagram-title cycle-diagram-desc"' in html


def test_home_page_links_the_phone_number_and_the_email_address(client, content):
    html = client.get("/da/").content.decode()

    assert '<a href="tel:+4531971111">+45 31971111</a>' in html
    assert '<a href="mailto:info@icare.dk">info@icare.dk</a>' in html
    assert "Rådet for Den Europæiske Union" in html
    assert "8. marts 2021" in html and "26. maj 2021" in html


def test_home_page_shows_the_articles_cycle_even_when_another_is_current(client, content):
    PolicyCycle.objects.update(is_current=False)
    newer = PolicyCycle.objects.create(
        slug="2026-2029", start_year=2026, end_year=2029, is_published=True
    )
    newer.is_current = True
    newer.save()
    make_priority(cycle=newer, name_da="En ny prioritet")

    home = client.get("/da/").content.decode()
    current = client.get("/da/prioriteter/").content.decode()

    assert "Narkotikahandel" in home and "En ny prioritet" not in home
    assert "En ny prioritet" in current and "Narkotikahandel" not in current
    assert "EMPACT 2022-2025" in current  # the link to the other cycles


def test_pages_say_plainly_that_a_cycle_has_ended(client, content):
    html = client.get("/en/priorities/2022-2025/").content.decode()

    assert "The policy cycle EMPACT 2022-2025 ended on 31 December 2025." in html


def test_a_running_cycle_is_not_called_ended(client, db):
    cycle = PolicyCycle.objects.create(
        slug="2026-2029", start_year=2026, end_year=2029, is_published=True
    )

    html = client.get(f"/en/priorities/{cycle.slug}/").content.decode()

    assert "The policy cycle EMPACT 2026-2029 runs until 31 December 2029." in html


def test_english_falls_back_to_danish_where_nothing_is_translated(client, db):
    priority = make_priority(name_da="Kun på dansk", slug_da="kun-paa-dansk")
    make_objective(priority, text_da="Et mål uden oversættelse.")

    response = client.get(f"/en/priorities/{priority.cycle.slug}/kun-paa-dansk/")

    assert response.status_code == 200
    assert "Kun på dansk" in response.content.decode()
    assert "Et mål uden oversættelse." in response.content.decode()


def test_priority_has_its_own_slug_in_each_language(client, content):
    assert client.get("/en/priorities/2022-2025/narkotikahandel/").status_code == 404
    assert client.get("/da/prioriteter/2022-2025/drug-trafficking/").status_code == 404


def test_unpublished_and_scheduled_articles_are_not_public(client, db):
    from django.utils import timezone

    draft = make_article(status=Article.Status.DRAFT)
    scheduled = make_article(published_at=timezone.now() + timezone.timedelta(hours=1))
    public = make_article(title_da="Offentlig")

    assert client.get(f"/da/artikler/{draft.slug_da}/").status_code == 404
    assert client.get(f"/da/artikler/{scheduled.slug_da}/").status_code == 404
    assert client.get(f"/da/artikler/{public.slug_da}/").status_code == 200
    listing = client.get("/da/artikler/").content.decode()
    assert "Offentlig" in listing and draft.title_da not in listing.replace("Offentlig", "")


def test_the_home_article_lives_on_the_home_page(client, content):
    response = client.get("/en/articles/who-is-empact/")

    assert response.status_code == 301
    assert response.url == "/en/"


@pytest.mark.parametrize(
    "url",
    [
        "/da/",
        "/da/prioriteter/",
        "/da/prioriteter/2022-2025/",
        "/da/prioriteter/2022-2025/narkotikahandel/",
        "/en/priorities/2022-2025/drug-trafficking/",
        "/da/cyklus/",
        "/da/artikler/",
    ],
)
def test_page_queries_stay_few_and_do_not_grow_with_priorities(
    client, content, django_assert_max_num_queries, url
):
    # Fragments are off here, so this is what building a page costs: at most 5 queries for its
    # content and 1 for the site details (in production all of it is kept as fragments).
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200

    cycle = PolicyCycle.objects.get(slug="2022-2025")
    for _ in range(40):
        make_objective(make_priority(cycle=cycle))
    with django_assert_max_num_queries(6):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", ["/da/", "/en/priorities/2022-2025/", "/da/cyklus/"])
def test_public_pages_make_no_external_requests_and_have_no_inline_code(client, content, url):
    html = client.get(url).content.decode()

    # The only script elements are schema.org data blocks, which browsers never run.
    assert not re.search(r'<script(?! type="application/ld\+json")', html)
    assert "<style" not in html
    assert " style=" not in html
    assert not re.search(r"\son\w+=", html)
    for attribute in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not attribute.startswith(("http://", "https://", "//")) or attribute.startswith(
            "https://empact.example/"
        ), attribute


def test_the_cycle_diagram_has_valid_coordinates_on_danish_pages(client, content):
    html = client.get("/da/cyklus/").content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)

    coordinates = re.findall(r'\s(?:x|y|width|height|cx|cy)="([^"]*)"', svg)
    assert coordinates
    assert all(re.fullmatch(r"-?[0-9.]+", value) for value in coordinates), coordinates
