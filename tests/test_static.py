import pytest
from django.core.management import call_command


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
@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/priorities/priority/",
        "/admin/priorities/priority/1/change/",
        "/admin/priorities/policycycle/4/change/",
        "/admin/cycle/cyclestep/",
        "/admin/cycle/cyclestep/1/change/",
        "/admin/articles/article/1/change/",
    ],
)
def test_admin_pages_find_every_static_file_they_need(admin_client, manifest_storage, content, url):
    # Libraries pick files by Django version (adminsortable2's actions-6.1.js, for one).
    assert admin_client.get(url).status_code == 200
