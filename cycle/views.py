from django.shortcuts import render

from priorities.models import PolicyCycle

from .models import CycleStep


def steps(request):
    return render(
        request,
        "cycle/cyclestep_list.html",
        {"steps": CycleStep.objects.all(), "cycles": PolicyCycle.objects.published()},
    )
