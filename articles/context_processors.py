from django.conf import settings
from django.db import DatabaseError
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from core import fragments
from core.i18n import language_urls_for_path

from .models import SiteDetails


def site_details(request):
    """The company's details, kept with the fragments of the current content version (the one
    place they are cached), read once per request; the defaults when the database is what
    failed (error pages)."""
    if (details := getattr(request, "site_details", None)) is not None:
        return details
    try:
        details = fragments.cached(request, "site-details", build=SiteDetails.load)
    except DatabaseError:
        return SiteDetails()  # the company name default, nothing that needs the database
    request.site_details = details
    return details


def site(request):
    """What base.html needs on every page. Lazy, so a page that does not show them costs nothing.

    Jinja2 applies context processors after the view's context, so nothing here may share a
    name with what a view passes: views that show one object pass their own `language_urls`
    (each language's own slug), and base.html falls back to `path_language_urls`, which
    translates the path alone."""
    return {
        "SITE_URL": settings.SITE_URL,
        "LANGUAGE_CODE": translation.get_language(),
        "site": SimpleLazyObject(lambda: site_details(request)),
        "path_language_urls": SimpleLazyObject(lambda: language_urls_for_path(request.path)),
    }
