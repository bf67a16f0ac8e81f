"""The base every content admin shares: Danish and English side by side in tabs, markers of
what is still untranslated or out of date, content checks, revision history with revert, and
search/filters."""

from adminsortable2.admin import (
    SortableAdminMixin,
    SortableInlineAdminMixin,
    SortableTabularInline,
)
from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget
from modeltranslation.admin import TabbedDjangoJqueryTranslationAdmin, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from core.content import content_changed
from core.fields import HTMLField

from .checks import content_checks
from .models import TranslationBasis
from .text import diff_html, plain_text
from .translation_status import (
    bases_of,
    confirm_english,
    missing_english_fields,
    missing_english_q,
    out_of_date_fields,
    out_of_date_q,
)

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
        return [
            ("missing", _("English missing")),
            ("out_of_date", _("English out of date")),
            ("complete", _("Complete")),
        ]

    def queryset(self, request, queryset):
        model = queryset.model
        if self.value() == "missing":
            return queryset.filter(missing_english_q(model))
        if self.value() == "out_of_date":
            return queryset.filter(out_of_date_q(model))
        if self.value() == "complete":
            return queryset.exclude(missing_english_q(model)).exclude(out_of_date_q(model))
        return queryset


class NotedWidget:
    """Mixed into a form field's widget: renders a note (safe HTML) after the widget itself,
    beside the field, in whichever tab and inline row the field is."""

    note = ""

    def render(self, name, value, attrs=None, renderer=None):
        return mark_safe(super().render(name, value, attrs, renderer) + self.note)  # noqa: S308


_noted_widget_classes = {}


def add_note(widget, note):
    cls = type(widget)
    if cls not in _noted_widget_classes:
        _noted_widget_classes[cls] = type(f"Noted{cls.__name__}", (NotedWidget, cls), {})
    widget.__class__ = _noted_widget_classes[cls]
    widget.note = note


def out_of_date_note(stale, *, field, confirm_name, confirmed):
    """The note beside an out-of-date English field: what changed in the Danish since the
    English was written (then -> now), and the box that confirms the English still fits."""
    if isinstance(field, HTMLField):
        then, now = plain_text(stale.danish_then), plain_text(stale.danish_now)
    else:
        then, now = stale.danish_then, stale.danish_now
    if stale.basis.kind == TranslationBasis.Kind.ASSUMED:
        why = _(
            "The Danish text changed on %(date)s; this English text was written for the Danish "
            "text as it was before."
        )
    else:
        why = _(
            "The Danish text has changed since this English text was written or confirmed "
            "(%(date)s)."
        )
    date = date_format(timezone.localtime(stale.basis.recorded_at), "SHORT_DATETIME_FORMAT")
    return format_html(
        '<div class="translation-note" role="note">'
        "<p><strong>{}</strong> {}</p>"
        "<details><summary>{}</summary>"
        '<p class="translation-diff-legend">{}</p>'
        '<div class="translation-diff">{}</div></details>'
        # Not a <label>: modeltranslation's tabs rewrite every label beside a field.
        '<span class="translation-confirm">'
        '<input type="checkbox" name="{}" value="{}" aria-labelledby="{}"{}> '
        '<span id="{}">{}</span></span></div>',
        _("English out of date."),
        why % {"date": date},
        _("What changed in the Danish text"),
        _("Crossed out: the Danish when the English was written. Underlined: the Danish now."),
        diff_html(then, now),
        confirm_name,
        stale.field,
        f"{confirm_name}-{stale.field}-label",
        mark_safe(" checked") if confirmed else "",
        f"{confirm_name}-{stale.field}-label",
        _("The English is still right for the Danish text as it is now"),
    )


class ConfirmEnglishField(forms.MultipleChoiceField):
    """The fields whose English the editor confirms; rendered as checkboxes in the notes beside
    the fields (out_of_date_note), not by the admin. Nothing ticked may arrive as ""."""

    def to_python(self, value):
        return [item for item in super().to_python(value) if item]


class TranslationStateForm:
    """Mixed into every content admin form (inline rows too): beside each English field that is
    out of date, the note with the diff and a box to confirm it (the confirm_english field,
    stored by EditorialAdmin.save_model/save_formset)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.out_of_date = out_of_date_fields(self.instance)
        if not self.out_of_date:
            return
        self.fields["confirm_english"] = ConfirmEnglishField(
            label=_("English confirmed as still right"),
            required=False,
            choices=[(stale.field, stale.label) for stale in self.out_of_date],
        )
        confirm_name = self.add_prefix("confirm_english")
        ticked = self.data.getlist(confirm_name) if self.is_bound else []
        for stale in self.out_of_date:
            if (form_field := self.fields.get(f"{stale.field}_en")) is None:
                continue
            model_field = self.instance._meta.get_field(stale.field)
            add_note(
                form_field.widget,
                out_of_date_note(
                    stale,
                    field=model_field,
                    confirm_name=confirm_name,
                    confirmed=stale.field in ticked,
                ),
            )


def with_translation_state(form_class):
    if issubclass(form_class, TranslationStateForm):
        return form_class
    return type(form_class.__name__, (TranslationStateForm, form_class), {})


def confirm_from_form(form):
    """Record the English fields the editor confirmed in `form` (after its object is saved)."""
    cleaned = getattr(form, "cleaned_data", None) or {}
    if form.instance.pk is None:
        return
    for field in cleaned.get("confirm_english", []):
        confirm_english(form.instance, field)


class EditorialAdmin(SimpleHistoryAdmin, TabbedDjangoJqueryTranslationAdmin):
    """Tabs are modeltranslation's jQuery UI tabs, with jQuery UI served from our own static files
    (settings.JQUERY_UI_URL), so the admin makes no external request."""

    formfield_overrides = RICH_TEXT

    class Media:
        css = {"all": ["css/admin-editorial.css"]}

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = with_translation_state(kwargs.get("form", self.form))
        return super().get_form(request, obj, **kwargs)

    def get_list_display(self, request):
        return [*super().get_list_display(request), "english_status"]

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), TranslationStatusFilter]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The English column of every row from one query (the result list is evaluated here
        # and kept, so the column sees these same objects).
        objects = list(changelist.result_list)
        bases = bases_of(objects)
        for obj in objects:
            obj.translation_bases = bases.get(obj.pk, [])
        return changelist

    @admin.display(description=_("English"))
    def english_status(self, obj):
        missing = missing_english_fields(obj)
        stale = [s.label for s in out_of_date_fields(obj, getattr(obj, "translation_bases", None))]
        parts = []
        if missing:
            parts.append(format_lazy("{}: {}", _("missing"), ", ".join(missing)))
        if stale:
            parts.append(format_lazy("{}: {}", _("out of date"), ", ".join(stale)))
        if not parts:
            return "✓"
        return "; ".join(str(part) for part in parts)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        confirm_from_form(form)
        self.warn_about_english(request, obj)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for inline_form in formset.forms:
            confirm_from_form(inline_form)
        for obj in formset.new_objects + [o for o, _fields in formset.changed_objects]:
            self.warn_about_english(request, obj)

    @staticmethod
    def warn_about_english(request, obj):
        if missing := missing_english_fields(obj):
            messages.warning(
                request,
                format_lazy(
                    "{} “{}”: {}", _("English is still missing for"), obj, ", ".join(missing)
                ),
            )
        if stale := out_of_date_fields(obj):
            messages.warning(
                request,
                format_lazy(
                    "{} “{}”: {}. {}",
                    _("English is out of date for"),
                    obj,
                    ", ".join(s.label for s in stale),
                    _("Update it, or confirm beside the field that it is still right."),
                ),
            )

    def editorial_context(self, request, obj, form=None, inline_admin_formsets=()):
        """What the top of the change form shows (templates/admin/editorial/_notes.html): the
        English out of date in the object and its inline rows (as their forms found it, before
        anything posted), and the content checks."""
        host = request.get_host()
        objects = [(obj, form, "")]
        for inline_admin_formset in inline_admin_formsets:
            verbose_name = inline_admin_formset.opts.model._meta.verbose_name
            for inline_form in inline_admin_formset.formset.forms:
                if inline_form.instance.pk is not None:
                    child = inline_form.instance
                    label = f"{str(verbose_name).capitalize()} “{child}”: "
                    objects.append((child, inline_form, label))
        outdated, checks = [], []
        for item, item_form, label in objects:
            stale = getattr(item_form, "out_of_date", None)
            for field in out_of_date_fields(item) if stale is None else stale:
                outdated.append(capfirst(f"{label}{field.label}"))
            checks += content_checks(item, host=host, label=label)
        checks.sort(key=lambda note: note.level != "warning")
        return {
            "outdated_english": outdated,
            "content_checks": checks,
            "content_check_warnings": sum(note.level == "warning" for note in checks),
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context.update(
                self.editorial_context(
                    request,
                    obj,
                    context["adminform"].form if "adminform" in context else None,
                    context.get("inline_admin_formsets", []),
                )
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def render_history_view(self, request, template, context, **kwargs):
        # A revision's page (revert): the notes about that revision's texts.
        if (original := context.get("original")) is not None and "adminform" in context:
            context.update(self.editorial_context(request, original, context["adminform"].form))
        return super().render_history_view(request, template, context, **kwargs)


class SortableTranslationInline(SortableInlineAdminMixin, TranslationTabularInline):
    """Rows in Danish and English, reordered by drag and drop (the handle comes with the
    sortable template; our copy for Django 6.1 is in templates/adminsortable2/)."""

    template = SortableTabularInline.template
    formfield_overrides = RICH_TEXT
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = with_translation_state(kwargs.get("form", self.form))
        return super().get_formset(request, obj, **kwargs)


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
