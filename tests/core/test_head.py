"""Every public page answers HEAD like GET (link checkers, uptime monitors and crawlers use it)."""

import pytest

from tests.factories import make_article

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/",
    "/robots.txt",
    "/sitemap.xml",
    "/favicon.ico",
    *(
        url
        for pair in [
            ("/da/", "/en/"),
            ("/da/artikler/", "/en/articles/"),
            ("/da/artikler/en-artikel/", "/en/articles/an-article/"),
            ("/da/prioriteter/", "/en/priorities/"),
            ("/da/prioriteter/2022-2025/", "/en/priorities/2022-2025/"),
            ("/da/prioriteter/2022-2025.json", "/en/priorities/2022-2025.json"),
            ("/da/prioriteter/2022-2025.csv", "/en/priorities/2022-2025.csv"),
            (
                "/da/prioriteter/2022-2025/narkotikahandel/",
                "/en/priorities/2022-2025/drug-trafficking/",
            ),
            ("/da/cyklus/", "/en/cycle/"),
            ("/da/kontakt/", "/en/contact/"),
            ("/da/kontakt/tak/", "/en/contact/thanks/"),
            ("/da/privatliv/", "/en/privacy/"),
            ("/da/soeg/?q=svindel", "/en/search/?q=fraud"),
            ("/da/feed/", "/en/feed/"),
        ]
        for url in pair
    ),
]


@pytest.fixture(params=[False, True], ids=["rendered", "cached"])
def site(request, content, settings):
    """The content as loaded by `make run`, with the whole-page cache off and on."""
    settings.PAGE_CACHE = settings.FRAGMENT_CACHE = request.param
    make_article(title_da="En artikel", slug_da="en-artikel", slug_en="an-article")


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_public_page_answers_head_like_get(client, site, url):
    got = client.get(url)
    head = client.head(url)

    assert got.status_code in (200, 301, 302), url
    assert head.status_code == got.status_code
    assert head.get("Content-Type") == got.get("Content-Type")
    assert head.content == b""


def test_healthz_answers_head(client):
    # Alone: within a test's transaction, /healthz closes its connection after answering.
    head = client.head("/healthz")

    assert head.status_code == 200
    assert head["Content-Type"] == "application/json"
    assert head.content == b""
