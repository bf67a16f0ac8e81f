from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.generic import ListView

from cycle.models import CycleStep
from empact_site.i18n import language_urls_for
from priorities.models import Priority

from . import structured_data
from .models import Article, RelatedLink, SiteDetails


def with_related_links(queryset):
    return queryset.select_related("cycle").prefetch_related(
        Prefetch("related_links", queryset=RelatedLink.objects.select_related("target_article"))
    )


def article_context(article):
    """Everything an article page shows: the article, and the structured data it frames."""
    site = SiteDetails.load()
    language = get_language()
    return {
        "article": article,
        "priorities": Priority.objects.of_cycle(article.cycle) if article.cycle_id else [],
        "steps": CycleStep.objects.all() if article.shows_cycle_steps else [],
        "language_urls": language_urls_for(article),
        "structured_data": [
            structured_data.article(article, site=site, language=language),
            structured_data.organization(site),
        ],
    }


def home(request):
    article = with_related_links(Article.objects.published().filter(is_home=True)).first()
    if article is None:
        return render(request, "articles/home_empty.html")
    return render(request, "articles/home.html", article_context(article))


def article_detail(request, slug):
    # Staff may open drafts and scheduled articles: a preview exactly as the public will see it.
    visible = Article.objects.all() if request.user.is_staff else Article.objects.published()
    article = with_related_links(visible.by_slug(slug)).first()
    if article is None:
        raise Http404("No such article.")
    if article.is_home and article.is_public:
        # One address per text: the home page is where the home article lives.
        return redirect(article.get_absolute_url(), permanent=True)
    response = render(
        request,
        "articles/article_detail.html",
        {**article_context(article), "is_preview": not article.is_public},
    )
    if not article.is_public:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


class ArticleListView(ListView):
    paginate_by = 10

    def get_queryset(self):
        return Article.objects.published()
