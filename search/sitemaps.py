"""/sitemap.xml: every public page in both languages, with hreflang alternates, absolute URLs
from SITE_URL (not the sites framework's domain) and lastmod from the content itself."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.models import Article
from priorities.models import PolicyCycle, Priority


class SiteSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def _urls(self, page, protocol, domain):
        # Django's x-default is the address without the language prefix, which only works for
        # browsers preferring Danish here (English addresses have English path segments). As
        # in every page's <head>, x-default is the Danish page.
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            alternates = {a["lang_code"]: a for a in url.get("alternates", [])}
            if "x-default" in alternates and "da" in alternates:
                alternates["x-default"]["location"] = alternates["da"]["location"]
        return urls


class PageSitemap(SiteSitemap):
    """Pages that are not one object: the home page (the home article) and the lists."""

    def items(self):
        return [
            "home",
            "articles:list",
            "priorities:current",
            "cycle:steps",
            "contact:contact",
            "privacy",
        ]

    def location(self, item):
        return reverse(item)

    def lastmod(self, item):
        if item == "home":
            article = Article.objects.published().filter(is_home=True).only("updated_at").first()
            return article.updated_at if article else None
        return None


class ArticleSitemap(SiteSitemap):
    def items(self):
        # The home article lives at the home page, listed above.
        return Article.objects.published().filter(is_home=False)

    def lastmod(self, article):
        return article.updated_at


class CycleSitemap(SiteSitemap):
    def items(self):
        return PolicyCycle.objects.published()

    def lastmod(self, cycle):
        return cycle.updated_at


class PrioritySitemap(SiteSitemap):
    def items(self):
        return Priority.objects.published().select_related("cycle")

    def lastmod(self, priority):
        return priority.updated_at


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "cycles": CycleSitemap,
    "priorities": PrioritySitemap,
}
