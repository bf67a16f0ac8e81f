from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from .models import Article


class ArticleFeed(Feed):
    """The published articles, newest first, as an Atom feed in the page's language. Links are
    absolute from SITE_URL, never the sites framework's domain."""

    feed_type = Atom1Feed
    title = _("ICARE SECURITY A/S: articles on security advisers and the authorities")
    subtitle = _("New articles from ICARE SECURITY A/S, in the series on EMPACT and security.")
    author_name = "ICARE SECURITY A/S"

    def link(self):
        return settings.SITE_URL + reverse("articles:list")

    def feed_url(self):
        return settings.SITE_URL + reverse("feed")

    def items(self):
        return Article.objects.published()[:20]

    def item_title(self, article):
        return article.title

    def item_description(self, article):
        return article.lead

    def item_link(self, article):
        return settings.SITE_URL + article.get_absolute_url()

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_author_name(self, article):
        return "ICARE SECURITY A/S"
