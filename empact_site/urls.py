from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from articles import views as article_views
from empact_site.media import serve_media

admin.site.site_header = _("ICARE SECURITY A/S: EMPACT site")
admin.site.site_title = _("EMPACT site administration")
admin.site.index_title = _("Content and settings")

# "/" has no pattern: LocaleMiddleware redirects it to /da/ or /en/ by Accept-Language.
urlpatterns = [
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns.append(path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media))

urlpatterns += i18n_patterns(
    path("", article_views.home, name="home"),
    path(_("articles/"), include("articles.urls")),
    path(_("priorities/"), include("priorities.urls")),
    path(_("cycle/"), include("cycle.urls")),
)
