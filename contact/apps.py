from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactConfig(AppConfig):
    name = "contact"
    verbose_name = _("Contact")

    def ready(self):
        from simple_history import register

        from . import health  # noqa: F401 - registers the mail report of /healthz
        from .models import PrivacyNotice

        # After modeltranslation has added the _da and _en fields (see priorities.apps).
        register(PrivacyNotice, app=self.label)
