import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_pages_render_with_the_hashed_compressed_static_files_of_production(
    client, settings, tmp_path, content
):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)

    html = client.get("/da/").content.decode()

    assert "/static/css/site." in html and ".css" in html
    assert "/static/css/site.css" not in html  # the hashed name, which can be cached for ever
    assert list(tmp_path.glob("css/site.*.css.gz"))
