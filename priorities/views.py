import csv
from dataclasses import replace

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core import fragments, structured_data
from core.fragments import Page
from core.i18n import language_urls_for

from .models import PolicyCycle, Priority


def cycle_label(cycle, cycles):
    """What a public page may call the cycle among the cycles: "current" only while it runs,
    "upcoming" before it begins, "latest" once it has ended while no later cycle has begun,
    otherwise nothing. Never from `is_current`, which only chooses what the priorities page
    shows: an ended cycle is not current, whatever the flag says (issue 15)."""
    if cycle.status in ("running", "upcoming"):
        return cycle.status
    later_has_begun = any(
        other.start_year > cycle.start_year and other.status != "upcoming" for other in cycles
    )
    return "" if later_has_begun else "latest"


def cycle_page(request, cycles, cycle, *, is_current_page):
    """Everything a cycle's page shows from the database: the cycles and this cycle's priorities
    with their objectives. Two queries besides the cycles'."""
    priorities = list(cycle.priorities.prefetch_related("objectives"))
    years = {"years": cycle.years}
    if priorities:
        heading = _("EU crime priorities EMPACT %(years)s") % years
    else:
        # A cycle of the past the article tells about, without its list of priorities here:
        # the page says what the article says about it, not that something is missing.
        heading = _("The policy cycle EMPACT %(years)s") % years
    label = cycle_label(cycle, cycles)
    if is_current_page and priorities and label:
        title, description = {
            "running": (
                _("The EU’s current crime priorities"),
                _(
                    "The EU’s crime priorities in the current policy cycle, EMPACT %(years)s, "
                    "with the objectives of each priority."
                ),
            ),
            "latest": (
                _("The EU’s latest crime priorities"),
                _(
                    "The EU’s crime priorities in the latest policy cycle, EMPACT %(years)s, "
                    "with the objectives of each priority."
                ),
            ),
            "upcoming": (
                _("The EU’s coming crime priorities"),
                _(
                    "The EU’s crime priorities in the coming policy cycle, EMPACT %(years)s, "
                    "with the objectives of each priority."
                ),
            ),
        }[label]
        description %= years
    elif priorities:
        title = heading
        description = ngettext(
            "The EU crime priority of EMPACT %(years)s and its objectives.",
            "The %(counter)s EU crime priorities of EMPACT %(years)s and their objectives.",
            len(priorities),
        ) % {**years, "counter": len(priorities)}
    else:
        title = heading
        description = Truncator(cycle.description or heading).chars(160)
    trail = [(_("EMPACT"), reverse("home")), (f"EMPACT {cycle.years}", cycle.get_absolute_url())]
    labels = {
        "running": _("current"),
        "latest": _("latest"),
        "upcoming": _("coming"),
    }
    context = {
        "cycle": cycle,
        "cycles": [(other, labels.get(cycle_label(other, cycles), "")) for other in cycles],
        "priorities": priorities,
        "heading": heading,
    }
    return Page(
        title=title,
        description=description,
        structured_data=[structured_data.breadcrumbs(trail)],
        body=fragments.render("priorities/_cycle_page.html", context),
    )


def cycle_response(request, slug):
    """The page of the current cycle (slug None) or of the cycle with this slug."""

    def build():
        cycles = list(PolicyCycle.objects.published())
        if slug is None:
            cycle = next((c for c in cycles if c.is_current), cycles[-1] if cycles else None)
        else:
            cycle = next((c for c in cycles if c.slug == slug), None)
        return cycle_page(request, cycles, cycle, is_current_page=slug is None) if cycle else None

    key = ("current-cycle",) if slug is None else ("cycle", slug)
    page = fragments.cached(request, *key, build=build)
    if page is None:
        raise Http404("No such policy cycle.")
    return fragments.render_page(request, page)


def current_cycle(request):
    return cycle_response(request, None)


def cycle_detail(request, cycle):
    return cycle_response(request, cycle)


def get_cycle(slug):
    cycle = PolicyCycle.objects.published().filter(slug=slug).first()
    if cycle is None:
        raise Http404("No such policy cycle.")
    return cycle


def priority_page(request, priority):
    """Everything a priority's page shows from the database: the priority with its cycle, its
    objectives, the articles about it and its siblings in the cycle. Three queries besides the
    priority's own."""
    objectives = list(priority.objectives.all())
    # Articles about the priority's cycle, and any other article that names the priority.
    name_field = f"body_{get_language()}"
    # Through the relation the articles declare (Article.cycle), so that priorities does not
    # import the articles app, which builds on it.
    articles = priority.cycle.articles.model.objects.published().filter(
        Q(cycle=priority.cycle_id) | Q(**{f"{name_field}__icontains": priority.name})
    )
    if priority.summary:
        description = Truncator(priority.summary).chars(160)
    else:
        first = objectives[0].text if objectives else ""
        description = f"{priority.name}: {Truncator(first).chars(140)}"
    trail = [
        (_("EMPACT"), reverse("home")),
        (f"EMPACT {priority.cycle.years}", priority.cycle.get_absolute_url()),
        (priority.name, priority.get_absolute_url()),
    ]
    context = {
        "priority": priority,
        "objectives": objectives,
        "articles": list(articles),
        "siblings": list(priority.cycle.priorities.all()),
    }
    return Page(
        title=f"{priority.name} – EMPACT {priority.cycle.years}",
        description=description,
        language_urls=language_urls_for(priority),
        structured_data=[structured_data.breadcrumbs(trail)],
        body=fragments.render("priorities/_priority_page.html", context),
    )


def priority_detail(request, cycle, slug):
    def build():
        priority = (
            Priority.objects.published()
            .select_related("cycle")
            .filter(cycle__slug=cycle)
            .by_slug(slug)
            .first()
        )
        return priority_page(request, priority) if priority else None

    page = fragments.cached(request, "priority", cycle, slug, build=build)
    if page is None:
        raise Http404("No such priority.")
    return fragments.render_page(request, page)


def preview_note(cycle):
    """The preview banner's text for the pages of a cycle the public cannot see yet."""
    if cycle.publication_state == "scheduled":
        when = formats.date_format(timezone.localtime(cycle.published_at), "DATETIME_FORMAT")
        return _(
            "Preview: EMPACT %(years)s becomes public on %(time)s. Until then only staff can see "
            "this page."
        ) % {"years": cycle.years, "time": when}
    return _(
        "Preview: EMPACT %(years)s is a draft and not public. Only staff can see this page."
    ) % {"years": cycle.years}


def with_preview_links(html, cycle, language):
    """The HTML of a page with its links to the pages of a cycle the public cannot see yet
    (the cycle's and its priorities') leading to their previews instead of to a 404."""
    for public, preview in preview_urls(cycle, language).items():
        html = html.replace(f'href="{public}"', f'href="{preview}"')
    return mark_safe(html)


def preview_urls(cycle, language):
    """{public address: preview address} of the cycle's pages in the language."""
    with translation.override(language):
        urls = {
            cycle.get_absolute_url(): reverse(
                "admin:priorities_policycycle_preview", args=[cycle.pk, language]
            )
        }
        for priority in cycle.priorities.all():
            urls[priority.get_absolute_url()] = reverse(
                "admin:priorities_priority_preview", args=[priority.pk, language]
            )
    return urls


def render_preview(request, page, cycle, language, *, preview_name, pk):
    """Staff see a page of a cycle (a draft or scheduled one too) as the public will: under
    /admin/ (the admin's preview URLs, staff only), marked as a preview, noindex, and never kept
    by any cache (the page cache passes /admin/ by, and no fragment is used)."""
    if not cycle.is_public:
        page = replace(
            page,
            body=with_preview_links(page.body, cycle, language),
            is_preview=True,
            preview_note=preview_note(cycle),
            # The language switcher leads to the preview in the other language.
            language_urls={
                code: reverse(preview_name, args=[pk, code]) for code, _name in settings.LANGUAGES
            },
        )
    response = fragments.render_page(request, page)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def cycle_preview(request, pk, language):
    """A cycle's page for staff (PolicyCycleAdmin's preview URL), in either language."""
    cycle = get_object_or_404(PolicyCycle, pk=pk)
    with translation.override(language):
        request.LANGUAGE_CODE = language
        # The cycles the public sees, and this one among them.
        cycles = sorted(
            {*PolicyCycle.objects.published(), cycle}, key=lambda c: (c.start_year, c.pk)
        )
        page = cycle_page(request, cycles, cycle, is_current_page=False)
        return render_preview(
            request,
            replace(page, language_urls=language_urls_for(cycle)),
            cycle,
            language,
            preview_name="admin:priorities_policycycle_preview",
            pk=cycle.pk,
        )


def priority_preview(request, pk, language):
    """A priority's page for staff (PriorityAdmin's preview URL), in either language."""
    priority = get_object_or_404(Priority.objects.select_related("cycle"), pk=pk)
    with translation.override(language):
        request.LANGUAGE_CODE = language
        return render_preview(
            request,
            priority_page(request, priority),
            priority.cycle,
            language,
            preview_name="admin:priorities_priority_preview",
            pk=priority.pk,
        )


def open_data(cycle):
    """The cycle's priorities and objectives in the page's language (schema: README)."""
    priorities = Priority.objects.of_cycle(cycle)
    return {
        "schema_version": 1,
        "language": get_language(),
        "cycle": {
            "slug": cycle.slug,
            "start_year": cycle.start_year,
            "end_year": cycle.end_year,
            "is_current": cycle.is_current,
            "status": cycle.status,
            "url": structured_data.absolute(cycle.get_absolute_url()),
        },
        "priorities": [
            {
                "position": position,
                "name": priority.name,
                "slug": priority.slug,
                "url": structured_data.absolute(priority.get_absolute_url()),
                "summary": priority.summary,
                "objectives": [
                    {"position": n, "heading": objective.heading, "text": objective.text}
                    for n, objective in enumerate(priority.objectives.all(), start=1)
                ],
            }
            for position, priority in enumerate(priorities, start=1)
        ],
    }


def cycle_json(request, cycle):
    data = open_data(get_cycle(cycle))
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Access-Control-Allow-Origin"] = "*"
    return response


CSV_COLUMNS = [
    "cycle", "priority_position", "priority", "priority_url", "objective_position",
    "objective_heading", "objective",
]  # fmt: skip


def cycle_csv(request, cycle):
    data = open_data(get_cycle(cycle))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'inline; filename="empact-{cycle}-priorities-{data["language"]}.csv"'
    )
    response["Access-Control-Allow-Origin"] = "*"
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for priority in data["priorities"]:
        for objective in priority["objectives"]:
            writer.writerow(
                [
                    data["cycle"]["slug"],
                    priority["position"],
                    priority["name"],
                    priority["url"],
                    objective["position"],
                    objective["heading"],
                    objective["text"],
                ]
            )
    return response
