from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.contrib.sites.models import Site
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from articles import views as article_views
from articles.feeds import ArticleFeed
from contact import views as contact_views
from core.health import healthz
from core.media import serve_media
from search import views as search_views
from search.sitemaps import SITEMAPS

admin.site.site_header = _("ICARE SECURITY A/S: EMPACT site")
admin.site.site_title = _("EMPACT site administration")
admin.site.index_title = _("Content and settings")
# The sites framework is only there for django.contrib.redirects; addresses come from SITE_URL.
admin.site.unregister(Site)


def robots_txt(request):
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {settings.SITE_URL}/sitemap.xml", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


class FaviconView(RedirectView):
    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.svg")


# "/" has no pattern: LocaleMiddleware redirects it to /da/ or /en/ by Accept-Language.
urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for it on pages (like the admin's) that do not name their icon.
    path("favicon.ico", FaviconView.as_view()),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots"),
    path(".well-known/", include("articles.security_txt")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media))

urlpatterns += i18n_patterns(
    path("", article_views.home, name="home"),
    path(_("articles/"), include("articles.urls")),
    path(_("priorities/"), include("priorities.urls")),
    path(_("cycle/"), include("cycle.urls")),
    path(_("contact/"), include("contact.urls")),
    path(_("privacy/"), contact_views.privacy, name="privacy"),
    path(_("search/"), search_views.results, name="search"),
    path(_("feed/"), ArticleFeed(), name="feed"),
)

handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
