import pytest

from articles.seeding import load_content


@pytest.fixture(autouse=True)
def fast_plain_settings(settings, tmp_path):
    """Most tests use plain static storage and a per-test memory cache (one test covers the
    manifest storage that production uses: tests/test_static.py)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.SITE_URL = "https://empact.example"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def content(db):
    """The EMPACT content exactly as `make run` loads it."""
    load_content()
