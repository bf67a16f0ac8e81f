from django.conf import settings
from django.utils.functional import SimpleLazyObject

from articles.models import SiteDetails
from empact_site.i18n import language_urls_for_path


def site(request):
    """What base.html needs on every page. Lazy, so a page that overrides them costs nothing.

    Views that show one object put their own `language_urls` in the context: translating the path
    alone would keep this language's slug."""
    return {
        "SITE_URL": settings.SITE_URL,
        "site": SimpleLazyObject(SiteDetails.load),
        "language_urls": SimpleLazyObject(lambda: language_urls_for_path(request.path)),
    }
