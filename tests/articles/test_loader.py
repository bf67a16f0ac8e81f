import os
import re
import tomllib
from pathlib import Path

import pytest
from django.core.management import call_command

from articles.models import Article, RelatedLink, SiteDetails
from cycle.models import CycleStep
from operations.seeding import DATA_FILE, ContentLoader
from priorities.models import Objective, PolicyCycle, Priority

pytestmark = pytest.mark.django_db

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_ba1d14067e2fa116.txt"
DEBRIS = ("billede-1-119", "billede-1-124", "Scroll to Top", "PrioritetMål(er)")
# The photo it credits was the picture of the cycle, replaced by a diagram: the credit shows
# only with a photo (tests/articles/test_content_review.py).
WITHOUT_ITS_PHOTO = ("Fotokredit: Empact",)


def data():
    with open(DATA_FILE, "rb") as f:
        return tomllib.load(f)


def snapshot():
    models = (PolicyCycle, Priority, Objective, CycleStep, Article, RelatedLink, SiteDetails)
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in models}


def test_loader_creates_the_whole_article(content):
    assert PolicyCycle.objects.count() == 4
    assert list(PolicyCycle.objects.values_list("slug", flat=True)) == [
        "2012-2013", "2014-2017", "2018-2021", "2022-2025",
    ]  # fmt: skip
    assert PolicyCycle.objects.get(is_current=True).slug == "2022-2025"
    assert Priority.objects.count() == 10
    assert CycleStep.objects.count() == 4
    assert Objective.objects.filter(priority__name_da="Narkotikahandel").count() == 2
    fraud = Priority.objects.get(name_da="Svig, økonomisk og finansiel kriminalitet")
    assert fraud.objectives.count() == 5
    assert fraud.objectives.first().heading_da == "Onlinesvindelordninger"
    article = Article.objects.published().get(is_home=True)
    assert article.cycle.slug == "2022-2025"
    assert article.related_links.count() == 2
    assert SiteDetails.load().phone == "+45 31971111"
    assert SiteDetails.load().address == "" and SiteDetails.load().cvr_number == ""


def test_every_danish_record_has_an_english_translation(content):
    for priority in Priority.objects.all():
        assert priority.name_en and priority.slug_en
        for objective in priority.objectives.all():
            assert objective.text_en
            assert bool(objective.heading_en) == bool(objective.heading_da)
    article = Article.objects.get()
    for field in ("title", "lead", "body", "conclusion", "steps_intro", "seo_description"):
        assert getattr(article, f"{field}_en"), field


def test_loading_twice_changes_nothing(content):
    before = snapshot()

    call_command("load_empact_content")

    assert snapshot() == before


def test_an_editors_change_survives_a_rerun_while_untouched_fields_get_corrections(content):
    priority = Priority.objects.get(slug_da="cyberangreb")
    priority.name_da = "Cyberangreb (redigeret)"
    priority.save()
    corrected = data()
    entry = next(p for p in corrected["priorities"] if p["slug"]["da"] == "cyberangreb")
    entry["name"]["da"] = "Cyberangreb, rettet i datafilen"
    entry["name"]["en"] = "Cyber-attacks, corrected"

    stats = ContentLoader().load(corrected)

    priority.refresh_from_db()
    assert priority.name_da == "Cyberangreb (redigeret)"
    assert priority.name_en == "Cyber-attacks, corrected"
    assert stats["fields kept: edited by an editor"] == 1


def test_a_deleted_record_is_not_resurrected(content):
    Priority.objects.get(name_da="Miljøkriminalitet").delete()
    CycleStep.objects.get(number=4).delete()

    call_command("load_empact_content")

    assert not Priority.objects.filter(name_da="Miljøkriminalitet").exists()
    assert Priority.objects.count() == 9
    assert Objective.objects.count() == 14
    assert CycleStep.objects.count() == 3


def test_site_details_an_editor_filled_in_before_the_first_load_are_kept(db):
    SiteDetails.objects.create(pk=1, email="kontor@icare.dk", cvr_number="12345678")

    call_command("load_empact_content")

    details = SiteDetails.objects.get()
    assert details.email == "kontor@icare.dk"
    assert details.cvr_number == "12345678"
    assert details.phone == "+45 31971111"


def letters_and_digits(text):
    """Only the words, run together: markup, punctuation and spacing may differ on the page."""
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"[\W_]+", "", text).casefold()


@pytest.mark.skipif(
    not SEED.exists() and not os.environ.get("CI"), reason="the seed article is not beside the repo"
)
def test_home_page_carries_every_line_of_the_danish_seed(client, content):
    seed = SEED.read_text()
    for debris in (*DEBRIS, *WITHOUT_ITS_PHOTO):
        seed = seed.replace(debris, "")
    page = letters_and_digits(client.get("/da/").content.decode())

    lines = [letters_and_digits(line) for line in seed.splitlines() if line.strip()]
    missing = [line for line in lines if line and line not in page]

    assert len(lines) > 40
    assert missing == []
