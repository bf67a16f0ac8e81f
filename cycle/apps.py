from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CycleConfig(AppConfig):
    name = "cycle"
    verbose_name = _("The EMPACT cycle")

    def ready(self):
        from simple_history import register

        from . import diagram  # noqa: F401 - registers cycle_diagram() with the templates
        from .models import CycleStep

        # After modeltranslation has added the _da and _en fields (see priorities.apps).
        register(CycleStep, app=self.label)
