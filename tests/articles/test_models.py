import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import make_article, make_image_file, make_step

pytestmark = pytest.mark.django_db

HOSTILE = (
    '<p style="color:red" onclick="steal()">Tekst <a href="javascript:alert(1)">link</a>'
    '<img src=x onerror="alert(1)"><script>alert(1)</script>'
    '<a href="tel:+4531971111">ring</a> <span lang="en">English</span></p>'
)


def test_article_html_is_sanitised_on_save_in_every_language(client):
    article = make_article(body_da=HOSTILE, body_en=HOSTILE, conclusion_da=HOSTILE)

    article.refresh_from_db()
    for stored in (article.body_da, article.body_en, article.conclusion_da):
        assert stored == (
            '<p>Tekst <a>link</a><a href="tel:+4531971111">ring</a> '
            '<span lang="en">English</span></p>'
        )
    html = client.get(f"/da/artikler/{article.slug_da}/").content.decode()
    assert "onclick" not in html and "javascript:" not in html
    assert not re.search(r'<script(?! type="application/ld\+json")', html)


def test_step_body_is_sanitised_on_save():
    step = make_step(body_da=HOSTILE)

    step.refresh_from_db()
    assert "script" not in step.body_da and "style" not in step.body_da


def test_only_one_article_is_the_home_article():
    make_article(is_home=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(is_home=True)


def test_a_published_article_without_a_publication_time_is_public_with_no_date(client):
    article = make_article(slug_da="udateret", published_at=None)

    html = client.get("/da/artikler/udateret/").content.decode()

    assert article.is_public
    assert "article__meta" not in html and "<time" not in html
    assert "udateret" in client.get("/da/artikler/").content.decode()


def test_an_article_cannot_end_before_it_is_published():
    now = timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(published_at=now, unpublish_at=now - datetime.timedelta(hours=1))
    make_article(published_at=now, unpublish_at=now + datetime.timedelta(hours=1))
    make_article(published_at=None, unpublish_at=now + datetime.timedelta(hours=1))


def test_an_image_needs_alt_text():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(image=make_image_file(), image_alt_da="")
    make_article(image=make_image_file(), image_alt_da="Europol-bygningen i Haag")


def test_article_slugs_are_unique_per_language():
    make_article(slug_da="empact", slug_en="empact-en")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(slug_da="empact")
    make_article(slug_da="andet", slug_en="")
    make_article(slug_da="tredje", slug_en="")


@pytest.mark.django_db
def test_an_article_published_without_a_date_is_listed_as_new_not_last(client):
    make_article(
        title_da="Fra sidste uge", published_at=timezone.now() - datetime.timedelta(days=7)
    )
    make_article(title_da="Uden dato", published_at=None)

    page = client.get("/da/artikler/").content.decode()

    assert page.index("Uden dato") < page.index("Fra sidste uge")
