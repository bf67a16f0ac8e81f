"""Content checks: notes on the change form that never stop a save."""

import pytest
from django.utils import translation

from articles.models import Article
from editorial.checks import (
    alt_text_problem,
    description_problem,
    heading_skips,
    internal_links,
    lix,
    page_exists,
)
from editorial.text import plain_text
from tests.editorial.helpers import admin_form_data
from tests.factories import make_article, make_image_file, make_step

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_lix_of_a_hand_counted_text():
    # 7 words; 3 of more than six letters (Politiet, samarbejder, Europol; "virker" has six);
    # 2 sentences. LIX = 7/2 + 100*3/7 = 3.5 + 42.857 = 46.36: "hard".
    figures = lix("Politiet samarbejder med Europol. Det virker godt.")

    assert (figures.words, figures.long_words, figures.sentences) == (7, 3, 2)
    assert figures.score == pytest.approx(46.357, abs=0.001)
    with translation.override("da"):  # Danish for Danish staff
        assert figures.band == "svær, som saglige bøger"


def test_a_sentence_ending_inside_quotes_or_brackets_counts_once():
    figures = lix("Han sagde: ”Kom nu.”\nSe også EU (og Europol.)")

    assert figures.sentences == 3  # "Han sagde:", "”Kom nu.”" and the second line


def test_lix_counts_headings_and_list_items_as_sentences_of_rich_text():
    html = (
        "<h2>Samarbejde</h2><p>Politiet samarbejder med Europol. Det virker godt.</p>"
        "<ul><li>Første punkt</li></ul>"
    )
    # 10 words, 4 long (Samarbejde too; "Første" has six letters), 4 sentences:
    # 10/4 + 100*4/10 = 42.5.
    figures = lix(plain_text(html))

    assert (figures.words, figures.long_words, figures.sentences) == (10, 4, 4)
    assert figures.score == pytest.approx(42.5)


def test_lix_does_not_end_a_sentence_at_a_date_or_a_time():
    # "31." before "december" and "kl." before "10" go on; 9 words, 1 long (december).
    figures = lix("Mødet er den 31. december kl. 10. Alle kommer.")

    assert figures.sentences == 2
    assert figures.score == pytest.approx(9 / 2 + 100 / 9)


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (24.4, "meget let, som børnebøger"),
        (25, "let, som ugeblade"),
        (40, "middel, som dagblade"),
        (54.4, "svær, som saglige bøger"),
        (55, "meget svær, som faglitteratur"),
    ],
)
def test_lix_bands(score, band):
    from editorial.checks import lix_band

    with translation.override("da"):
        assert lix_band(score) == band


def test_a_text_without_words_has_no_lix():
    assert lix("") is None
    assert lix("– …") is None


def test_headings_that_skip_a_level_are_found():
    html = "<h2>EMPACT</h2><h4>Resultater</h4><h3>Trin</h3><h2>Mål</h2><h3>A</h3>"

    assert heading_skips(html) == [("Resultater", 4, 2)]
    assert heading_skips("<h4>Først</h4>") == [("Først", 4, 2)]
    assert heading_skips("<h3>Under en sektion</h3>") == []


def test_a_description_for_search_engines_missing_or_too_long():
    assert description_problem("") == "missing"
    assert description_problem("   ") == "missing"
    assert description_problem("x" * 155) is None
    assert description_problem("x" * 156) == "too long"


@pytest.mark.parametrize(
    ("alt", "file_name", "problem"),
    [
        ("", "articles/2026/foto.png", "missing"),
        ("Foto", "articles/2026/europol.png", "too short"),
        ("billede-1-119", "articles/2026/billede-1-119.png", "file name"),
        ("europol hq", "articles/2026/europol_hq.jpg", "file name"),
        ("IMG_2041", "", "file name"),
        ("europol.jpg", "", "file name"),
        ("Europols hovedkvarter i Haag", "articles/2026/europol.jpg", None),
    ],
)
def test_image_descriptions(alt, file_name, problem):
    assert alt_text_problem(alt, file_name) == problem


def test_internal_links_are_relative_or_under_the_site_address():
    html = (
        '<p><a href="/da/prioriteter/">a</a> <a href="https://empact.example/en/cycle/#x">b</a>'
        ' <a href="https://europol.europa.eu/">c</a> <a href="mailto:info@icare.dk">d</a>'
        ' <a href="#top">e</a> <a href="//cdn.example/x">f</a></p>'
    )

    assert internal_links(html, site_url="https://empact.example") == [
        "/da/prioriteter/",
        "/en/cycle/",
    ]


@pytest.mark.django_db
def test_a_link_to_a_page_that_does_not_exist_is_found(content):
    article = Article.objects.get()
    draft = make_article(title_da="Kladde", slug_da="kladde", status=Article.Status.DRAFT)

    assert page_exists(article.get_absolute_url()) is True
    assert page_exists("/da/prioriteter/2022-2025/") is True
    assert page_exists("/en/priorities/2022-2025") is True  # the slash is added
    assert page_exists("/da/prioriteter/1999-2000/") is False
    assert page_exists("/da/artikler/findes-ikke/") is False
    assert page_exists(f"/da/artikler/{draft.slug_da}/") is False  # not public
    assert page_exists("/da/ingen-side/") is False
    assert page_exists("/") is True


@pytest.mark.django_db
def test_an_old_address_that_redirects_counts_as_a_page(content):
    from django.contrib.redirects.models import Redirect
    from django.contrib.sites.models import Site

    Redirect.objects.create(
        site=Site.objects.get_current(), old_path="/da/gammel/", new_path="/da/prioriteter/"
    )

    assert page_exists("/da/gammel/") is True


@pytest.mark.django_db
def test_the_change_form_shows_the_content_checks_and_saving_still_works(admin_client, settings):
    body = (
        "<h2>Samarbejde</h2>"
        "<p>Politiet samarbejder med Europol om at bekæmpe grov og organiseret kriminalitet i "
        "hele Den Europæiske Union. Medlemsstaterne udvælger hvert fjerde år de prioriteter, "
        "som myndighederne arbejder sammen om, og Europol støtter dem med analyser.</p>"
        "<h4>Resultater</h4>"
        '<p>Se <a href="/da/artikler/findes-ikke/">den gamle side</a> og '
        '<a href="/da/artikler/en-anden/">en anden artikel</a>.</p>'
    )
    make_article(slug_da="en-anden")
    article = make_article(
        body_da=body,
        seo_description_da="x" * 170,
        image=make_image_file("billede-1-119.png", size=(800, 400)),
        image_alt_da="billede-1-119",
        image_alt_en="Photo",
    )
    url = f"/admin/articles/article/{article.pk}/change/"

    page = admin_client.get(url, **ENGLISH)
    html = page.content.decode()

    assert 'id="content-checks"' in html
    assert "LIX " in html and "words" in html
    assert "“Resultater” (h4) skips a level: it comes after an h2. Use h3" in html
    assert "The link to /da/artikler/findes-ikke/ leads to a page that does not exist" in html
    assert "/da/artikler/en-anden/ leads" not in html
    assert "has 170 characters; search engines show about 155" in html
    assert "No description for search engines" in html  # the English one is empty
    assert "The image description is a file name" in html
    assert "The image description is very short" in html  # English
    # Notes never block a save.
    response = admin_client.post(url, admin_form_data(page, title_da="Ny titel"), **ENGLISH)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.title_da == "Ny titel"


@pytest.mark.django_db
def test_a_short_text_gets_no_lix_and_a_clean_text_no_notes(admin_client):
    step = make_step(title_da="Trin", title_en="Step", summary_en="Step", body_da="<p>Kort.</p>")

    html = admin_client.get(f"/admin/cycle/cyclestep/{step.pk}/change/", **ENGLISH)

    assert 'id="content-checks"' not in html.content.decode()


@pytest.mark.django_db
def test_the_staff_preview_shows_the_checks_of_its_language(admin_client, client):
    article = make_article(
        status=Article.Status.DRAFT,
        body_da="<h2>A</h2><h4>Dansk underoverskrift</h4>",
        body_en="<h2>A</h2><h4>English subheading</h4>",
    )

    preview = admin_client.get(
        f"/admin/articles/article/{article.pk}/preview/en/", **ENGLISH
    ).content.decode()

    assert 'class="preview-checks"' in preview
    assert "“English subheading” (h4) skips a level" in preview
    assert "Dansk underoverskrift" not in preview
    article.status = Article.Status.PUBLISHED
    article.save()
    assert "preview-checks" not in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_an_app_can_register_a_check_for_its_own_model(monkeypatch):
    from editorial import checks
    from editorial.checks import Note, content_checks, register_check

    monkeypatch.setattr(checks, "_model_checks", [])

    @register_check(Article)
    def no_interpol(article):
        if "Interpol" in article.lead_da:
            return [Note("warning", "indledning [da]", "Interpol?", language="da")]
        return []

    article = make_article(lead_da="Enheden henhører under Interpol.")
    step = make_step(body_da="<p>Interpol.</p>")

    [note] = [n for n in content_checks(article, label="A: ") if n.message == "Interpol?"]
    assert note.where == "A: indledning [da]"
    assert not [n for n in content_checks(step) if n.message == "Interpol?"]
