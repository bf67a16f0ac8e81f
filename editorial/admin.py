"""The base every content admin shares: Danish and English side by side in tabs, a marker of
what is still untranslated, revision history with revert, and search/filters."""

from adminsortable2.admin import (
    SortableAdminMixin,
    SortableInlineAdminMixin,
    SortableTabularInline,
)
from django.contrib import admin, messages
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget
from modeltranslation.admin import TabbedDjangoJqueryTranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from core.content import content_changed
from core.fields import HTMLField

from .translation_status import missing_english_fields, missing_english_q

# What the rich-text editor offers. The sanitiser (core.html) has the last word on what is
# stored, whatever a browser sends.
PROSE_EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Heading": {"levels": [2, 3]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HardBreak": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto", "tel"]},
        "Language": True,
    }
}
# HTMLField comes before TextField in a translation field's MRO, so this beats the admin's
# default textarea for TextField.
RICH_TEXT = {
    HTMLField: {"widget": AdminProseEditorWidget(config=PROSE_EDITOR_CONFIG, preset="configurable")}
}


class TranslationStatusFilter(admin.SimpleListFilter):
    title = _("English translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [("missing", _("English missing")), ("complete", _("Complete"))]

    def queryset(self, request, queryset):
        missing = missing_english_q(queryset.model)
        if self.value() == "missing":
            return queryset.filter(missing)
        if self.value() == "complete":
            return queryset.exclude(missing)
        return queryset


class EditorialAdmin(SimpleHistoryAdmin, TabbedDjangoJqueryTranslationAdmin):
    """Tabs are modeltranslation's jQuery UI tabs, with jQuery UI served from our own static files
    (settings.JQUERY_UI_URL), so the admin makes no external request."""

    formfield_overrides = RICH_TEXT

    def get_list_display(self, request):
        return [*super().get_list_display(request), "english_status"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), TranslationStatusFilter]

    @admin.display(description=_("English"))
    def english_status(self, obj):
        missing = missing_english_fields(obj)
        if not missing:
            return "✓"
        return format_lazy("{}: {}", _("missing"), ", ".join(missing))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.warn_about_missing_english(request, obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects + [o for o, _fields in formset.changed_objects]:
            self.warn_about_missing_english(request, obj)

    @staticmethod
    def warn_about_missing_english(request, obj):
        if missing := missing_english_fields(obj):
            messages.warning(
                request,
                format_lazy(
                    "{} “{}”: {}", _("English is still missing for"), obj, ", ".join(missing)
                ),
            )


class SortableTranslationInline(SortableInlineAdminMixin, TranslationTabularInline):
    """Rows in Danish and English, reordered by drag and drop (the handle comes with the
    sortable template; our copy for Django 6.1 is in templates/adminsortable2/)."""

    template = SortableTabularInline.template
    formfield_overrides = RICH_TEXT
    extra = 0


class SortableContentAdminMixin(SortableAdminMixin):
    """Drag-and-drop reordering of a changelist. The package writes the new order with bulk
    updates, which bypass save(), so the pages are told about the change here."""

    def update_order(self, request):
        response = super().update_order(request)
        content_changed()
        return response

    def _bulk_move(self, request, queryset, method):
        super()._bulk_move(request, queryset, method)
        content_changed()
