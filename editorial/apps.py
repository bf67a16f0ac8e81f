from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    name = "editorial"
    verbose_name = _("Editorial tools")

    def ready(self):
        from .groups import ensure_groups

        # Permissions are created by a post_migrate handler of django.contrib.auth, so they do not
        # exist yet inside a data migration on a fresh database: the groups are kept up to date
        # here.
        post_migrate.connect(ensure_groups, dispatch_uid="editorial.ensure_groups")
