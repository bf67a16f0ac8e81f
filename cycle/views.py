from django.utils.translation import gettext as _

from core import fragments
from core.fragments import Page
from priorities.models import PolicyCycle

from .models import CycleStep


def steps(request):
    """The four steps of the cycle, its diagram and the cycles so far: built once per content
    change and language, like the other public pages (no query once built)."""

    def build():
        context = {
            "steps": list(CycleStep.objects.all()),
            "cycles": list(PolicyCycle.objects.published()),
        }
        return Page(
            title=_("The EMPACT cycle: four steps"),
            description=_(
                "The four steps every EMPACT policy cycle goes through, from the EU SOCTA threat "
                "assessment to the independent evaluation, and the cycles so far."
            ),
            body=fragments.render("cycle/_steps_page.html", context),
        )

    return fragments.render_page(request, fragments.cached(request, "cycle-steps", build=build))
