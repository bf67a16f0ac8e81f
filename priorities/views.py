import csv

from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from core import fragments, structured_data
from core.fragments import Page
from core.i18n import language_urls_for

from .models import PolicyCycle, Priority


def cycle_page(request, cycles, cycle, *, is_current_page):
    """Everything a cycle's page shows from the database: the cycles and this cycle's priorities
    with their objectives. Two queries besides the cycles'."""
    priorities = list(cycle.priorities.prefetch_related("objectives"))
    heading = _("EU crime priorities EMPACT %(years)s") % {"years": cycle.years}
    if is_current_page:
        title = _("The EU’s current crime priorities")
        description = _(
            "The EU’s crime priorities in the current policy cycle, EMPACT %(years)s, with the "
            "objectives of each priority."
        ) % {"years": cycle.years}
    else:
        title = heading
        description = ngettext(
            "The EU crime priority of EMPACT %(years)s and its objectives.",
            "The %(counter)s EU crime priorities of EMPACT %(years)s and their objectives.",
            len(priorities),
        ) % {"years": cycle.years, "counter": len(priorities)}
    trail = [(_("EMPACT"), reverse("home")), (f"EMPACT {cycle.years}", cycle.get_absolute_url())]
    context = {"cycle": cycle, "cycles": cycles, "priorities": priorities}
    return Page(
        title=title,
        description=description,
        structured_data=[structured_data.breadcrumbs(trail)],
        body=fragments.render("priorities/_cycle_page.html", context),
    )


def cycle_response(request, slug):
    """The page of the current cycle (slug None) or of the cycle with this slug."""

    def build():
        cycles = list(PolicyCycle.objects.all())
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
    cycle = PolicyCycle.objects.filter(slug=slug).first()
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
            Priority.objects.select_related("cycle").filter(cycle__slug=cycle).by_slug(slug).first()
        )
        return priority_page(request, priority) if priority else None

    page = fragments.cached(request, "priority", cycle, slug, build=build)
    if page is None:
        raise Http404("No such priority.")
    return fragments.render_page(request, page)


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
