import csv

from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from articles import structured_data
from articles.models import Article
from empact_site.i18n import language_urls_for

from .models import PolicyCycle, Priority


def render_cycle(request, cycle, cycles, *, is_current_page):
    trail = [(_("EMPACT"), reverse("home")), (f"EMPACT {cycle.years}", cycle.get_absolute_url())]
    return render(
        request,
        "priorities/policycycle_detail.html",
        {
            "cycle": cycle,
            "cycles": cycles,
            "priorities": Priority.objects.of_cycle(cycle),
            "is_current_page": is_current_page,
            "structured_data": [structured_data.breadcrumbs(trail)],
        },
    )


def current_cycle(request):
    cycles = list(PolicyCycle.objects.all())
    cycle = next((c for c in cycles if c.is_current), cycles[-1] if cycles else None)
    if cycle is None:
        raise Http404("No policy cycle yet.")
    return render_cycle(request, cycle, cycles, is_current_page=True)


def get_cycle(slug):
    cycle = PolicyCycle.objects.filter(slug=slug).first()
    if cycle is None:
        raise Http404("No such policy cycle.")
    return cycle


def cycle_detail(request, cycle):
    cycles = list(PolicyCycle.objects.all())
    selected = next((c for c in cycles if c.slug == cycle), None)
    if selected is None:
        raise Http404("No such policy cycle.")
    return render_cycle(request, selected, cycles, is_current_page=False)


def priority_detail(request, cycle, slug):
    priority = (
        Priority.objects.select_related("cycle")
        .prefetch_related("objectives")
        .filter(cycle__slug=cycle)
        .by_slug(slug)
        .first()
    )
    if priority is None:
        raise Http404("No such priority.")
    # Articles about the priority's cycle, and any other article that names the priority.
    name_field = f"body_{get_language()}"
    articles = Article.objects.published().filter(
        Q(cycle=priority.cycle_id) | Q(**{f"{name_field}__icontains": priority.name})
    )
    trail = [
        (_("EMPACT"), reverse("home")),
        (f"EMPACT {priority.cycle.years}", priority.cycle.get_absolute_url()),
        (priority.name, priority.get_absolute_url()),
    ]
    return render(
        request,
        "priorities/priority_detail.html",
        {
            "priority": priority,
            "siblings": priority.cycle.priorities.all(),
            "articles": articles,
            "language_urls": language_urls_for(priority),
            "structured_data": [structured_data.breadcrumbs(trail)],
        },
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
