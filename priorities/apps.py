from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrioritiesConfig(AppConfig):
    name = "priorities"
    verbose_name = _("EU crime priorities")

    def ready(self):
        from simple_history import register

        from .models import Objective, PolicyCycle, Priority

        # Registered here, after modeltranslation has added the _da and _en fields, so the
        # history records (and reverts) every language.
        for model in (PolicyCycle, Priority, Objective):
            register(model, app=self.label)
