from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from articles import views as article_views

# "/" has no pattern: LocaleMiddleware redirects it to /da/ or /en/ by Accept-Language.
urlpatterns = [
    path("admin/", admin.site.urls),
]

urlpatterns += i18n_patterns(
    path("", article_views.home, name="home"),
    path(_("articles/"), include("articles.urls")),
    path(_("priorities/"), include("priorities.urls")),
    path(_("cycle/"), include("cycle.urls")),
)
