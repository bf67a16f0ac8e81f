"""The project's settings for a site that a test serves with gunicorn in a subprocess: exactly
production's, except plain static files, so no collectstatic has to run first."""

from empact_site.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
