"""Stale translations, field by field: a Danish text that changes after its English was written
makes that English "out of date" until an editor saves new English or confirms it."""

import textwrap

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cycle.models import CycleStep
from editorial.models import TranslationBasis
from editorial.translation_status import out_of_date_fields, out_of_date_q
from operations.seeding import load_content
from priorities.models import Objective
from tests.editorial.helpers import admin_form_data
from tests.factories import make_objective, make_priority, make_step

pytestmark = pytest.mark.django_db

DANISH = {"HTTP_ACCEPT_LANGUAGE": "da"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def make_translated_step():
    return make_step(
        title_da="Evaluering",
        title_en="Evaluation",
        summary_en="Evaluation",
        body_da="<p>Cyklussen evalueres hvert fjerde år af Rådet.</p>",
        body_en="<p>The cycle is evaluated every four years by the Council.</p>",
    )


def change_url(obj):
    return f"/admin/cycle/cyclestep/{obj.pk}/change/"


def post_change(client, obj, **changes):
    page = client.get(change_url(obj), **ENGLISH)
    response = client.post(change_url(obj), admin_form_data(page, **changes), **ENGLISH)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def stale(obj):
    obj.refresh_from_db()
    return [item.field for item in out_of_date_fields(obj)]


def test_changing_the_danish_shows_the_english_out_of_date_where_editors_look(admin_client):
    step = make_translated_step()

    post_change(admin_client, step, body_da="<p>Cyklussen evalueres hvert andet år af Rådet.</p>")

    assert stale(step) == ["body"]
    changelist = admin_client.get("/admin/cycle/cyclestep/", **ENGLISH).content.decode()
    assert "out of date: text" in changelist
    filtered = admin_client.get("/admin/cycle/cyclestep/?translation=out_of_date", **ENGLISH)
    assert list(filtered.context["cl"].result_list) == [step]
    complete = admin_client.get("/admin/cycle/cyclestep/?translation=complete", **ENGLISH)
    assert list(complete.context["cl"].result_list) == []
    index = admin_client.get("/admin/", **ENGLISH).content.decode()
    assert "1 record has English out of date" in index
    assert "/admin/cycle/cyclestep/?translation=out_of_date" in index
    form = admin_client.get(change_url(step), **ENGLISH).content.decode()
    assert "English out of date." in form
    # Beside the English field: the Danish as it was when the English was written, and now.
    assert "<del>fjerde</del><ins>andet</ins>" in form
    assert 'name="confirm_english" value="body"' in form


def test_the_change_form_speaks_danish_to_danish_staff(admin_client):
    step = make_translated_step()
    post_change(admin_client, step, title_da="Evaluering af cyklussen")

    form = admin_client.get(change_url(step), **DANISH).content.decode()

    assert "Engelsk forældet." in form
    assert "Den engelske tekst passer stadig til den danske, som den er nu" in form


def test_saving_new_english_clears_out_of_date(admin_client):
    step = make_translated_step()
    post_change(admin_client, step, body_da="<p>Cyklussen evalueres hvert andet år.</p>")
    assert stale(step) == ["body"]

    post_change(admin_client, step, body_en="<p>The cycle is evaluated every two years.</p>")

    assert stale(step) == []
    changelist = admin_client.get("/admin/cycle/cyclestep/", **ENGLISH).content.decode()
    assert "out of date: text" not in changelist


def test_confirming_the_english_clears_out_of_date(admin_client):
    step = make_translated_step()
    post_change(admin_client, step, title_da="Evaluering (trin 4)")
    assert stale(step) == ["title"]

    post_change(admin_client, step, confirm_english=["title"])

    assert stale(step) == []
    assert not CycleStep.objects.filter(out_of_date_q(CycleStep)).exists()
    form = admin_client.get(change_url(step), **ENGLISH).content.decode()
    assert "English out of date." not in form


def test_changing_danish_and_english_together_keeps_them_in_step(admin_client):
    step = make_translated_step()

    post_change(admin_client, step, title_da="Evaluering (trin 4)", title_en="Evaluation (step 4)")

    assert stale(step) == []


def test_changing_the_danish_back_puts_the_english_in_step_again(admin_client):
    step = make_translated_step()
    post_change(admin_client, step, title_da="Vurdering")
    assert stale(step) == ["title"]

    post_change(admin_client, step, title_da="Evaluering")

    assert stale(step) == []


def test_english_written_before_tracking_counts_as_written_against_the_danish_as_it_was():
    step = make_translated_step()
    TranslationBasis.objects.all().delete()  # as on a site that had English before this
    assert stale(step) == []

    step.body_da = "<p>Cyklussen evalueres hvert andet år af Rådet.</p>"
    step.save()

    [item] = out_of_date_fields(step)
    assert item.danish_then == "<p>Cyklussen evalueres hvert fjerde år af Rådet.</p>"
    assert item.danish_now == "<p>Cyklussen evalueres hvert andet år af Rådet.</p>"


def test_the_diff_is_escaped(admin_client):
    step = make_translated_step()
    post_change(admin_client, step, title_da='Evaluering <script>alert("x")</script>')

    form = admin_client.get(change_url(step), **ENGLISH).content.decode()

    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</ins>" in form
    assert '<script>alert("x")' not in form


def test_reverting_a_revision_brings_back_that_revisions_translation_state(admin_client):
    step = make_translated_step()
    post_change(admin_client, step, title_da="Vurdering")  # the English is now out of date
    post_change(admin_client, step, title_en="Assessment")  # and in step again
    assert stale(step) == []
    versions = list(step.history.order_by("history_date"))
    created, danish_changed = versions[0], versions[1]

    def revert(version):
        url = f"/admin/cycle/cyclestep/{step.pk}/history/{version.history_id}/"
        page = admin_client.get(url, **ENGLISH)
        response = admin_client.post(url, admin_form_data(page), **ENGLISH)
        assert response.status_code == 302

    # Back to "Vurdering" / "Evaluation": that English was written for "Evaluering".
    revert(danish_changed)
    assert stale(step) == ["title"]
    # Back to where both were written together.
    revert(created)
    assert stale(step) == []


def test_an_inline_row_shows_its_out_of_date_english_and_confirms_it(admin_client):
    priority = make_priority(name_en="Priority")
    objective = make_objective(
        priority, text_da="At bekæmpe netværk.", text_en="To fight networks.", heading_en=""
    )
    objective.text_da = "At bekæmpe kriminelle netværk."
    objective.save()
    url = f"/admin/priorities/priority/{priority.pk}/change/"

    page = admin_client.get(url, **ENGLISH)
    html = page.content.decode()
    assert "<ins>kriminelle </ins>" in html or "<ins>kriminelle</ins>" in html
    assert f"Objective “{objective}”: text" in html  # the summary at the top of the form
    prefix = page.context["inline_admin_formsets"][0].formset.forms[0].prefix
    assert f'name="{prefix}-confirm_english" value="text"' in html

    response = admin_client.post(
        url, admin_form_data(page, **{f"{prefix}-confirm_english": ["text"]}), **ENGLISH
    )

    assert response.status_code == 302
    assert stale(objective) == []


def test_deleting_an_object_deletes_its_translation_rows(admin_client):
    priority = make_priority(name_en="Priority")
    make_objective(priority, text_en="To fight networks.")
    assert TranslationBasis.objects.count() == 2

    Objective.objects.all().delete()
    assert TranslationBasis.objects.count() == 1
    priority.delete()

    assert TranslationBasis.objects.count() == 0


STEP_TOML = """
[[steps]]
key = "step-4"
number = 4
title.da = "{title_da}"
title.en = "{title_en}"
summary.da = "Evaluering"
summary.en = "Evaluation"
"""


def load_step(tmp_path, title_da, title_en):
    path = tmp_path / "content.toml"
    path.write_text(textwrap.dedent(STEP_TOML.format(title_da=title_da, title_en=title_en)))
    load_content(path)
    return CycleStep.objects.get()


def test_the_loader_leaves_danish_and_english_in_step(tmp_path):
    step = load_step(tmp_path, "Evaluering", "Evaluation")
    assert stale(step) == []

    # The data file corrects both: in step.
    step = load_step(tmp_path, "Evaluering af cyklussen", "Evaluation of the cycle")
    assert step.title_en == "Evaluation of the cycle"
    assert stale(step) == []


def test_the_loader_marks_english_out_of_date_when_only_the_customers_danish_changed(tmp_path):
    load_step(tmp_path, "Evaluering", "Evaluation")

    step = load_step(tmp_path, "Vurdering", "Evaluation")

    assert step.title_da == "Vurdering"
    assert stale(step) == ["title"]
    [item] = out_of_date_fields(step)
    assert (item.danish_then, item.danish_now) == ("Evaluering", "Vurdering")


def test_loaded_english_beside_an_editors_danish_is_out_of_date(tmp_path):
    step = load_step(tmp_path, "Evaluering", "Evaluation")
    step.title_da = "Evaluering (redaktionens)"
    step.save()
    assert stale(step) == ["title"]  # the editor changed the Danish only

    # The data file's new English translates the data file's Danish, not the editor's.
    step = load_step(tmp_path, "Evaluering af cyklussen", "Evaluation of the cycle")

    assert step.title_da == "Evaluering (redaktionens)"
    assert step.title_en == "Evaluation of the cycle"
    [item] = out_of_date_fields(step)
    assert (item.danish_then, item.danish_now) == ("Evaluering af cyklussen", step.title_da)


def test_the_whole_empact_content_loads_in_step(content, admin_client):
    index = admin_client.get("/admin/", **ENGLISH).content.decode()

    assert "English out of date" not in index
    for model in (CycleStep, Objective):
        assert not model.objects.filter(out_of_date_q(model)).exists()


@pytest.mark.parametrize("url", ["/admin/priorities/objective/", "/admin/priorities/priority/"])
def test_the_english_column_costs_one_query_for_the_whole_list(admin_client, content, url):
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url, **ENGLISH)

    assert response.status_code == 200
    bases = [q for q in queries.captured_queries if "editorial_translationbasis" in q["sql"]]
    assert len(bases) == 1
