from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("Editorial tools")

    def ready(self):
        from .groups import ensure_groups
        from .translation_status import connect_signals

        # Permissions are created by a post_migrate handler of django.contrib.auth, so they do not
        # exist yet inside a data migration on a fresh database: the groups are kept up to date
        # here.
        post_migrate.connect(ensure_groups, dispatch_uid="editorial.ensure_groups")
        # Which Danish text each English text was written against, kept on every save of a
        # translated model (modeltranslation has registered them all by now: it comes first in
        # INSTALLED_APPS).
        connect_signals()
