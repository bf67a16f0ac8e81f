import json
import re
import time

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.utils import timezone

from articles.models import Article
from cycle.models import CycleStep
from editorial.groups import ADMINISTRATOR, EDITOR
from priorities.models import Objective, Priority
from tests.editorial.helpers import admin_form_data
from tests.factories import make_article, make_image_file

pytestmark = pytest.mark.django_db

CONTENT_ADMINS = [
    "/admin/priorities/policycycle/",
    "/admin/priorities/priority/",
    "/admin/priorities/objective/",
    "/admin/cycle/cyclestep/",
    "/admin/articles/article/",
]


@pytest.fixture
def editor(client):
    user = User.objects.create_user("redaktoer", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITOR))
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", CONTENT_ADMINS)
def test_superuser_and_editor_can_list_add_change_and_see_history(
    admin_client, editor, content, url
):
    for client in (admin_client, editor):
        changelist = client.get(url)
        assert changelist.status_code == 200
        first = changelist.context["cl"].result_list[0]
        assert client.get(f"{url}add/").status_code == 200
        assert client.get(f"{url}{first.pk}/change/").status_code == 200
        assert client.get(f"{url}{first.pk}/history/").status_code == 200


def test_an_editor_cannot_manage_users_groups_or_site_details(editor, content):
    assert editor.get("/admin/auth/user/").status_code == 403
    assert editor.get("/admin/auth/group/").status_code == 403
    page = editor.get("/admin/articles/sitedetails/1/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # view only


def test_the_groups_exist_with_the_right_permissions_on_a_fresh_database():
    editor = set(Group.objects.get(name=EDITOR).permissions.values_list("codename", flat=True))
    administrator = Group.objects.get(name=ADMINISTRATOR).permissions

    assert {"change_priority", "add_objective", "delete_article", "change_cyclestep"} <= editor
    assert {"view_historicalpriority", "view_sitedetails", "view_redirect"} <= editor
    assert not {"change_user", "add_user", "change_group", "change_sitedetails"} & editor
    assert administrator.count() == Permission.objects.count()


def test_admin_tabs_load_jquery_ui_from_our_own_static_files(admin_client, content):
    priority = Priority.objects.first()
    html = admin_client.get(f"/admin/priorities/priority/{priority.pk}/change/").content.decode()

    assert "/static/vendor/jquery-ui-1.14.2/jquery-ui.min.js" in html
    assert "googleapis" not in html and "//ajax." not in html
    assert 'name="name_da"' in html and 'name="name_en"' in html


def test_admin_is_danish_with_the_sites_name(admin_client):
    html = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="da").content.decode()

    assert "ICARE SECURITY A/S" in html
    assert "Log ud" in html


def test_translation_status_shows_what_lacks_english(admin_client, content):
    Priority.objects.filter(slug_da="cyberangreb").update(name_en="")

    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    missing = admin_client.get("/admin/priorities/priority/?translation=missing", **english)
    index = admin_client.get("/admin/", **english).content.decode()

    assert [p.name_da for p in missing.context["cl"].result_list] == ["Cyberangreb"]
    assert "missing: name" in missing.content.decode()
    assert "/admin/priorities/priority/?translation=missing" in index
    assert "1 record lacks English" in index


HOSTILE_BODY = (
    '<p style="color:red">Ny tekst<img src=x onerror="alert(1)">'
    '<a href="javascript:alert(1)">klik</a><script>alert("x")</script></p>'
)


def test_saving_hostile_html_in_the_admin_stores_it_clean(admin_client, content):
    article = Article.objects.get()
    page = admin_client.get(f"/admin/articles/article/{article.pk}/change/")

    response = admin_client.post(
        page.request["PATH_INFO"], admin_form_data(page, body_da=HOSTILE_BODY)
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    article.refresh_from_db()
    assert article.body_da == "<p>Ny tekst<a>klik</a></p>"
    public = admin_client.get("/da/").content.decode()
    assert "Ny tekst" in public
    for bad in ("onerror", "style=", "javascript:", 'alert("x")'):
        assert bad not in public
    assert not re.search(r'<script(?! type="application/ld\+json")', public)


def test_rich_text_fields_get_the_prose_editor_from_our_static_files(admin_client, content):
    step = CycleStep.objects.first()
    html = admin_client.get(f"/admin/cycle/cyclestep/{step.pk}/change/").content.decode()

    assert "data-django-prose-editor-configurable" in html
    assert "/static/django_prose_editor/editor.js" in html
    assert "/static/admin/prose-language.js" in html


def test_a_draft_is_hidden_from_the_public_and_previewed_for_staff(client, admin_client, db):
    draft = make_article(title_da="Hemmelig kladde", status=Article.Status.DRAFT)

    assert client.get(f"/da/artikler/{draft.slug_da}/").status_code == 404
    # The public address never looks at who asks (so the page cache may keep it): staff too.
    assert admin_client.get(f"/da/artikler/{draft.slug_da}/").status_code == 404

    change_form = admin_client.get(f"/admin/articles/article/{draft.pk}/change/").content.decode()
    preview_url = f"/admin/articles/article/{draft.pk}/preview/da/"
    assert f'href="{preview_url}"' in change_form  # "View on site"
    preview = admin_client.get(preview_url)
    assert preview.status_code == 200
    assert "Hemmelig kladde" in preview.content.decode()
    assert 'class="preview-banner"' in preview.content.decode()
    assert '<meta name="robots" content="noindex">' in preview.content.decode()
    assert "private, no-store" in preview["Cache-Control"]
    english = admin_client.get(f"/admin/articles/article/{draft.pk}/preview/en/")
    assert english.status_code == 200 and '<html lang="en"' in english.content.decode()
    assert client.get(preview_url).status_code == 302  # to the admin login


def test_a_scheduled_article_appears_when_its_time_comes(client, db):
    article = make_article(published_at=timezone.now() + timezone.timedelta(seconds=1.5))

    assert client.get(f"/da/artikler/{article.slug_da}/").status_code == 404
    time.sleep(1.6)
    assert client.get(f"/da/artikler/{article.slug_da}/").status_code == 200


def test_dragging_priorities_into_a_new_order_persists(admin_client, content):
    first, second = Priority.objects.filter(cycle__slug="2022-2025")[:2]

    response = admin_client.post(
        "/admin/priorities/priority/adminsortable2_update/",
        json.dumps({"updatedItems": [[first.pk, second.order], [second.pk, first.order]]}),
        content_type="application/json",
    )

    assert response.status_code == 200
    names = list(Priority.objects.filter(cycle__slug="2022-2025").values_list("name_da", flat=True))
    assert names[:2] == [second.name_da, first.name_da]
    home = admin_client.get("/da/").content.decode()
    assert home.index(second.name_da) < home.index(first.name_da)


def test_reordering_objectives_inline_persists(admin_client, content):
    priority = Priority.objects.get(slug_da="narkotikahandel")
    first, second = priority.objectives.all()
    page = admin_client.get(f"/admin/priorities/priority/{priority.pk}/change/")
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    forms = page.context["inline_admin_formsets"][0].formset.forms
    swap = {f"{prefix}-{i}-order": str(2 - i) for i in range(len(forms))}

    response = admin_client.post(page.request["PATH_INFO"], admin_form_data(page, **swap))

    assert response.status_code == 302
    assert list(priority.objectives.all()) == [second, first]


def test_revert_restores_the_earlier_text(admin_client, content):
    step = CycleStep.objects.get(number=4)
    page = admin_client.get(f"/admin/cycle/cyclestep/{step.pk}/change/")
    admin_client.post(page.request["PATH_INFO"], admin_form_data(page, title_da="Ændret titel"))
    step.refresh_from_db()
    assert step.title_da == "Ændret titel"
    original = step.history.order_by("history_date").first()

    history = admin_client.get(f"/admin/cycle/cyclestep/{step.pk}/history/").content.decode()
    assert "Ændret titel" in history  # the diff of the change
    url = f"/admin/cycle/cyclestep/{step.pk}/history/{original.history_id}/"
    form_page = admin_client.get(url)
    admin_client.post(url, admin_form_data(form_page))

    step.refresh_from_db()
    assert step.title_da == "Uafhængig evaluering"
    assert step.title_en == "Independent evaluation"


def test_changing_a_published_slug_keeps_the_old_address_working(client, content):
    priority = Priority.objects.get(slug_en="drug-trafficking")
    priority.slug_en = "drugs"
    priority.save()

    old = client.get("/en/priorities/2022-2025/drug-trafficking/")

    assert old.status_code == 301
    assert old["Location"] == "/en/priorities/2022-2025/drugs/"
    assert client.get("/en/priorities/2022-2025/drugs/").status_code == 200
    assert client.get("/da/prioriteter/2022-2025/narkotikahandel/").status_code == 200


def test_changing_a_slug_twice_redirects_the_first_address_straight_to_the_last(client, content):
    article = make_article(slug_da="foerste")
    for slug in ("anden", "tredje"):
        article.slug_da = slug
        article.save()

    response = client.get("/da/artikler/foerste/")

    assert response.status_code == 301 and response["Location"] == "/da/artikler/tredje/"


def test_a_slug_that_clashes_is_refused_with_a_message(admin_client, content):
    priority = Priority.objects.get(slug_da="cyberangreb")
    page = admin_client.get(f"/admin/priorities/priority/{priority.pk}/change/")

    response = admin_client.post(
        page.request["PATH_INFO"], admin_form_data(page, slug_da="narkotikahandel")
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors


def test_an_article_image_is_checked_described_and_served_responsively(
    admin_client, client, content
):
    article = make_article(title_da="Med billede")
    url = f"/admin/articles/article/{article.pk}/change/"
    page = admin_client.get(url)

    not_an_image = admin_client.post(
        url, {**admin_form_data(page), "image": make_image_file().__class__("x.png", b"<html>")}
    )
    assert not_an_image.status_code == 200
    assert "image" in not_an_image.context["adminform"].form.errors

    without_english_alt = admin_client.post(
        url, {**admin_form_data(page, image_alt_da="Et kort"), "image": make_image_file()}
    )
    assert "image_alt_en" in without_english_alt.context["adminform"].form.errors

    saved = admin_client.post(
        url,
        {
            **admin_form_data(page, image_alt_da="Et kort", image_alt_en="A map"),
            "image": make_image_file(size=(2000, 1000)),
        },
    )
    assert saved.status_code == 302
    html = client.get(f"/en/articles/{article.slug_da}/").content.decode()
    assert 'alt="A map"' in html
    assert "-480w.webp 480w" in html and "-1600w.webp 1600w" in html
    image = client.get(Article.objects.get(pk=article.pk).image.url)
    assert image["Content-Type"] == "image/png"
    assert image["X-Content-Type-Options"] == "nosniff"


def test_uploads_other_than_images_are_never_served(client, settings):
    (settings.MEDIA_ROOT / "articles").mkdir(parents=True)
    (settings.MEDIA_ROOT / "articles" / "evil.html").write_text("<script>alert(1)</script>")

    assert client.get("/media/articles/evil.html").status_code == 404


def test_objectives_keep_their_order_field_unique_free_for_sorting(content):
    # Two objectives may share an order value mid-drag without a database error.
    priority = Priority.objects.get(slug_da="narkotikahandel")
    Objective.objects.filter(priority=priority).update(order=1)
    assert priority.objectives.count() == 2
