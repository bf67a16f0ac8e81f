"""The two staff groups, created and kept up to date after every migrate."""

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

EDITOR = "Editor"
ADMINISTRATOR = "Administrator"

# What editors work on: every content model, its history, and the related rows edited inline.
CONTENT_MODELS = {
    "priorities": ["policycycle", "priority", "objective"],
    "cycle": ["cyclestep"],
    "articles": ["article", "relatedlink"],
    "contact": ["privacynotice"],
}
# What editors may look at but not change.
VIEW_ONLY_MODELS = {"articles": ["sitedetails"], "redirects": ["redirect"]}
# The contact inbox: editors work leads (status, owner, notes, replies) and edit the
# acknowledgement's text, but delete nothing and handle no data subject's request.
INBOX_PERMISSIONS = [
    "view_message", "change_message", "view_note", "add_note", "view_leadchange",
    "view_acknowledgement", "view_acknowledgementtext", "change_acknowledgementtext",
]  # fmt: skip


def editor_permissions():
    content = Q()
    for app_label, models in CONTENT_MODELS.items():
        historical = [f"historical{model}" for model in models]
        content |= Q(content_type__app_label=app_label, content_type__model__in=models)
        content |= Q(
            content_type__app_label=app_label,
            content_type__model__in=historical,
            codename__startswith="view_",
        )
    for app_label, models in VIEW_ONLY_MODELS.items():
        content |= Q(
            content_type__app_label=app_label,
            content_type__model__in=models,
            codename__startswith="view_",
        )
    content |= Q(content_type__app_label="contact", codename__in=INBOX_PERMISSIONS)
    return Permission.objects.filter(content)


def ensure_groups(app_config=None, **kwargs):
    """Idempotent: the groups exist with exactly these permissions after every migrate (and flush).

    post_migrate is sent once per app that has models, each creating its own permissions, so the
    groups are set after the last one, when every permission exists."""
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is not None and app_config is not with_models[-1]:
        return
    editor, _created = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(editor_permissions())
    administrator, _created = Group.objects.get_or_create(name=ADMINISTRATOR)
    administrator.permissions.set(Permission.objects.all())
