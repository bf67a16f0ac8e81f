import pytest
from django.core.management import call_command

from articles.models import Article
from contact.models import PrivacyNotice
from cycle.models import CycleStep
from priorities.models import PolicyCycle, Priority


@pytest.fixture
def manifest_storage(settings, tmp_path):
    """Production's static files: collected, hashed and compressed (a missing file is an error)."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    return tmp_path


@pytest.mark.django_db
def test_public_pages_render_with_the_hashed_compressed_static_files(
    client, manifest_storage, content
):
    html = client.get("/da/").content.decode()

    assert "/static/css/site." in html and ".css" in html
    assert "/static/css/site.css" not in html  # the hashed name, which can be cached for ever
    assert list(manifest_storage.glob("css/site.*.css.gz"))


@pytest.mark.django_db
def test_admin_pages_find_every_static_file_they_need(admin_client, manifest_storage, content):
    # Libraries pick files by Django version (adminsortable2's actions-6.1.js, for one).
    urls = ["/admin/", "/admin/priorities/priority/", "/admin/cycle/cyclestep/"]
    for model in (PolicyCycle, Priority, CycleStep, Article, PrivacyNotice):
        opts = model._meta
        urls.append(f"/admin/{opts.app_label}/{opts.model_name}/{model.objects.first().pk}/change/")

    for url in urls:
        assert admin_client.get(url).status_code == 200, url
