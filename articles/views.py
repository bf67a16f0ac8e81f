from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.views.generic import ListView

from cycle.models import CycleStep
from empact_site import fragments
from empact_site.context_processors import site_details
from empact_site.i18n import language_urls_for
from priorities.models import Priority

from . import structured_data
from .models import Article


def article_page(request, article):
    """Everything an article's page shows from the database: its head (title, description,
    addresses in both languages, schema.org data) and its body with the related entries and,
    where it shows them, the priorities of its cycle (which bring the cycle along) and the steps
    of the cycle. Four queries besides the article's own."""
    priorities = []
    if article.cycle_id:
        priorities = list(
            Priority.objects.filter(cycle=article.cycle_id)
            .select_related("cycle")
            .prefetch_related("objectives")
        )
    context = {
        "article": article,
        "cycle": priorities[0].cycle if priorities else None,
        "priorities": priorities,
        "links": list(article.related_links.select_related("target_article")),
        "steps": list(CycleStep.objects.all()) if article.shows_cycle_steps else [],
    }
    site = site_details(request)
    return {
        "title": article.page_title,
        "description": Truncator(article.page_description).chars(160),
        "language_urls": language_urls_for(article),
        "structured_data": [
            structured_data.article(article, site=site, language=get_language()),
            structured_data.organization(site),
        ],
        "body": fragments.render("articles/_article.html", context),
        "og_type": "article",
        "is_public": article.is_public,
    }


def home(request):
    def build():
        article = Article.objects.published().filter(is_home=True).first()
        return article_page(request, article) if article else None

    page = fragments.cached(request, "home", build=build)
    if page is None:
        return render(request, "articles/home_empty.html")
    return fragments.render_page(request, page)


def article_detail(request, slug):
    def build(visible):
        article = visible.by_slug(slug).first()
        if article is None:
            return None
        if article.is_home and article.is_public:
            # One address per text: the home page is where the home article lives.
            return {"redirect": article.get_absolute_url()}
        return article_page(request, article)

    if request.user.is_staff:
        # Staff may open drafts and scheduled articles: a preview exactly as the public will
        # see it. Never kept as a fragment, which visitors would then be served.
        page = build(Article.objects.all())
    else:
        page = fragments.cached(
            request, "article", slug, build=lambda: build(Article.objects.published())
        )
    if page is None:
        raise Http404("No such article.")
    if "redirect" in page:
        return redirect(page["redirect"], permanent=True)
    response = fragments.render_page(request, page, is_preview=not page["is_public"])
    if not page["is_public"]:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex"
    return response


class ArticleListView(ListView):
    paginate_by = 10

    def get_queryset(self):
        return Article.objects.published()
