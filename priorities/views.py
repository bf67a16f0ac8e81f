from django.http import Http404
from django.shortcuts import render

from empact_site.i18n import language_urls_for

from .models import PolicyCycle, Priority


def render_cycle(request, cycle, cycles, *, is_current_page):
    return render(
        request,
        "priorities/policycycle_detail.html",
        {
            "cycle": cycle,
            "cycles": cycles,
            "priorities": Priority.objects.of_cycle(cycle),
            "is_current_page": is_current_page,
        },
    )


def current_cycle(request):
    cycles = list(PolicyCycle.objects.all())
    cycle = next((c for c in cycles if c.is_current), cycles[-1] if cycles else None)
    if cycle is None:
        raise Http404("No policy cycle yet.")
    return render_cycle(request, cycle, cycles, is_current_page=True)


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
    return render(
        request,
        "priorities/priority_detail.html",
        {
            "priority": priority,
            "siblings": priority.cycle.priorities.all(),
            "language_urls": language_urls_for(priority),
        },
    )
