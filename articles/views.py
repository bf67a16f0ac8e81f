from dataclasses import dataclass, field, replace

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import ListView

from articles.context_processors import site_details
from core import fragments, structured_data
from core.fragments import Page
from core.i18n import language_urls_for
from cycle.models import CycleStep
from editorial.checks import content_checks
from priorities.models import Priority
from priorities.views import with_preview_links

from .models import Article
from .sections import SectionIds, with_section_ids


def article_page(request, article, *, draft_cycle=False):
    """Everything an article's page shows from the database: its head (title, description,
    addresses in both languages, schema.org data) and its body with the related entries and,
    where it shows them, the priorities of its cycle (which bring the cycle along) and the steps
    of the cycle. Four queries besides the article's own.

    The priorities of a cycle the public may not see yet (a draft, or scheduled) are left out
    until it is public, unless `draft_cycle` (staff previews)."""
    priorities = []
    if article.cycle_id:
        priorities = Priority.objects.filter(cycle=article.cycle_id)
        if not draft_cycle:
            priorities = priorities.published()
        priorities = list(priorities.select_related("cycle").prefetch_related("objectives"))
    context = {
        "article": article,
        "cycle": priorities[0].cycle if priorities else None,
        "priorities": priorities,
        "links": list(article.related_links.select_related("target_article")),
        "steps": list(CycleStep.objects.all()) if article.shows_cycle_steps else [],
    }
    context.update(sections_of(context))
    site = site_details(request)
    return Page(
        title=article.page_title,
        description=Truncator(article.page_description).chars(160),
        language_urls=language_urls_for(article),
        structured_data=[
            structured_data.article(article, site=site, language=get_language()),
            structured_data.organization(site),
        ],
        body=fragments.render("articles/_article.html", context),
        og_type="article",
    )


def sections_of(context):
    """The article's rich text with ids on its headings, and its table of contents: every h2
    of the page in reading order (the body's, the priorities, the steps, the conclusion's), the
    priorities under theirs."""
    article, cycle, priorities = context["article"], context["cycle"], context["priorities"]
    ids = SectionIds()
    body, body_sections = with_section_ids(article.body, ids)
    conclusion, conclusion_sections = with_section_ids(article.conclusion, ids)
    steps_heading = article.steps_heading or _("The EMPACT cycle")
    toc = [TocEntry(section.id, section.title) for section in body_sections]
    if priorities:
        children = [TocEntry(f"priority-{p.pk}", p.name) for p in priorities]
        toc.append(
            TocEntry("priorities-heading", article.priorities_heading or str(cycle), children)
        )
    if context["steps"]:
        toc.append(TocEntry("steps-heading", steps_heading))
    toc += [TocEntry(section.id, section.title) for section in conclusion_sections]
    return {"body": body, "conclusion": conclusion, "steps_heading": steps_heading, "toc": toc}


@dataclass(frozen=True)
class TocEntry:
    id: str
    title: str
    children: list = field(default_factory=list)


def home(request):
    def build():
        article = Article.objects.published().filter(is_home=True).first()
        return article_page(request, article) if article else None

    page = fragments.cached(request, "home", build=build)
    if page is None:
        return render(request, "articles/home_empty.html")
    return fragments.render_page(request, page)


def article_detail(request, slug):
    """A public article. Never looks at who is asking (no session), so every visitor gets the
    same page and the page cache keeps it; staff preview drafts under /admin/ (article_preview)."""

    def build():
        article = Article.objects.published().by_slug(slug).first()
        if article is None:
            return None
        if article.is_home:
            # One address per text: the home page is where the home article lives.
            return Page.redirect_to(article.get_absolute_url())
        return article_page(request, article)

    page = fragments.cached(request, "article", slug, build=build)
    if page is None:
        raise Http404("No such article.")
    if page.redirect:
        return redirect(page.redirect, permanent=True)
    return fragments.render_page(request, page)


def article_preview(request, pk, language):
    """Staff see an article (a draft or scheduled one too) exactly as the public will, in either
    language: under /admin/ (ArticleAdmin's preview URL, staff only), marked as a preview,
    noindex, and never kept by any cache."""
    article = get_object_or_404(Article.objects.select_related("cycle"), pk=pk)
    # In the admin's language (the staff member's), about the texts of the previewed language.
    checks = [
        note
        for note in content_checks(article, host=request.get_host())
        if note.language in ("", language)
    ]
    with translation.override(language):
        request.LANGUAGE_CODE = language
        page = article_page(request, article, draft_cycle=True)
        page = replace(page, is_preview=not article.is_public)
        if article.publication_state == "ended":
            when = formats.date_format(timezone.localtime(article.unpublish_at), "DATETIME_FORMAT")
            note = _(
                "Preview: the publication of this article ended on %(time)s; it is no longer "
                "public. Only staff can see this page."
            )
            page = replace(page, preview_note=note % {"time": when})
        if article.cycle is not None and not article.cycle.is_public:
            # The priorities of a cycle that is not public yet: shown here, left out in public.
            page = replace(
                page,
                body=with_preview_links(page.body, article.cycle, language),
                is_preview=True,
            )
            if article.is_public:
                note = _(
                    "Preview: the priorities of EMPACT %(years)s are not public yet; until they "
                    "are, the public page leaves them out. Only staff can see this page."
                )
                page = replace(page, preview_note=note % {"years": article.cycle.years})
        page = replace(page, preview_checks=tuple(checks))
        response = fragments.render_page(request, page)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


class ArticleListView(ListView):
    paginate_by = 10

    def get_queryset(self):
        return Article.objects.published()
