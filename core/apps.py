from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: the content version, the page cache and fragments, fields, i18n
    helpers, templating, errors, health and the database deadline. It imports no app; apps
    register with it (core.content.changes_by_date, core.health.health_check,
    core.templating.template_global)."""

    name = "core"
