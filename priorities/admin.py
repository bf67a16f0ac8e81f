from adminsortable2.admin import SortableAdminBase
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from editorial.admin import EditorialAdmin, SortableContentAdminMixin, SortableTranslationInline
from editorial.schedule import ScheduledChange, scheduled_changes

from .models import Objective, PolicyCycle, Priority, published_q
from .views import cycle_preview, priority_preview


class PreviewMixin:
    """ "View on site" for a page that is not public yet leads to its preview under /admin/
    (priorities.views.render_preview): public views never look at who is asking, so that every
    visitor gets the same, cacheable page."""

    preview_view_function = None  # staticmethod((request, pk, language) -> response)

    def get_urls(self):
        opts = self.model._meta
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path(
                "<int:pk>/preview/<str:language>/",
                preview,
                name=f"{opts.app_label}_{opts.model_name}_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk, language):
        if language not in dict(settings.LANGUAGES):
            raise Http404("No such language.")
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self.preview_view_function(request, pk, language)

    def view_on_site(self, obj):
        if self.cycle_of(obj).is_public:
            return obj.get_absolute_url()
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_preview", args=[obj.pk, get_language()]
        )


class PublicationFilter(admin.SimpleListFilter):
    title = _("publication")
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return [("draft", _("Draft")), ("scheduled", _("Scheduled")), ("public", _("Public"))]

    def queryset(self, request, queryset):
        if self.value() == "draft":
            return queryset.filter(is_published=False)
        if self.value() == "scheduled":
            return queryset.filter(is_published=True, published_at__gt=timezone.now())
        if self.value() == "public":
            return queryset.filter(published_q())
        return queryset


class PriorityInline(SortableTranslationInline):
    model = Priority
    fields = ["order", "name", "slug"]
    prepopulated_fields = {"slug_da": ["name_da"], "slug_en": ["name_en"]}
    show_change_link = True


@scheduled_changes
def cycle_schedule(now, limit):
    """Policy cycles that go public after now (the admin index's list of what is scheduled)."""
    cycles = PolicyCycle.objects.filter(is_published=True, published_at__gt=now)
    for cycle in cycles.order_by("published_at")[:limit]:
        yield ScheduledChange(cycle.published_at, ScheduledChange.PUBLISH, cycle)


@admin.register(PolicyCycle)
class PolicyCycleAdmin(PreviewMixin, SortableAdminBase, EditorialAdmin):
    list_display = ["__str__", "publication", "is_current", "status_label", "priority_count"]
    list_filter = [PublicationFilter, "is_current"]
    search_fields = ["slug", "description_da", "description_en"]
    inlines = [PriorityInline]
    actions = ["publish"]
    preview_view_function = staticmethod(cycle_preview)
    fieldsets = [
        (None, {"fields": ["slug", "start_year", "end_year", "description"]}),
        (
            _("Publication"),
            {
                "fields": ["is_published", "published_at", "is_current"],
                "description": _(
                    "A new cycle is a draft: it and its priorities are not public, and “View on "
                    "site” shows staff a preview. Publish it, at once or from a publication time "
                    "in the future (e.g. the Council’s decision), when the priorities are final. "
                    "Only a published cycle can be current."
                ),
            },
        ),
    ]

    @staticmethod
    def cycle_of(cycle):
        return cycle

    @admin.display(description=_("publication"), ordering="is_published")
    def publication(self, cycle):
        state = cycle.publication_state
        if state == "scheduled":
            when = formats.date_format(timezone.localtime(cycle.published_at), "DATETIME_FORMAT")
            return _("Scheduled: %(time)s") % {"time": when}
        return {"draft": _("Draft"), "public": _("Published")}[state]

    @admin.action(description=_("Publish the selected cycles now"), permissions=["change"])
    def publish(self, request, queryset):
        now = timezone.now()
        published = 0
        for cycle in queryset:
            if cycle.is_public:
                continue
            cycle.is_published = True
            if cycle.published_at is not None and cycle.published_at > now:
                cycle.published_at = now
            cycle.save()  # one by one: the history and the pages hear of it
            self.log_change(request, cycle, [{"changed": {"fields": ["published"]}}])
            published += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d cycle is now public.", "%(count)d cycles are now public.", published
            )
            % {"count": published},
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(priority_count=Count("priorities"))

    @admin.display(description=_("priorities"), ordering="priority_count")
    def priority_count(self, cycle):
        return cycle.priority_count

    @admin.display(description=_("status"))
    def status_label(self, cycle):
        return {"ended": _("ended"), "upcoming": _("upcoming"), "running": _("running")}[
            cycle.status
        ]

    def save_model(self, request, obj, form, change):
        # Marking a cycle current takes the mark from the previous one in the same transaction,
        # instead of failing on the "only one current cycle" constraint.
        if obj.is_current:
            PolicyCycle.objects.filter(is_current=True).exclude(pk=obj.pk).update(is_current=False)
        super().save_model(request, obj, form, change)


class ObjectiveInline(SortableTranslationInline):
    model = Objective
    fields = ["order", "heading", "text"]


@admin.register(Priority)
class PriorityAdmin(PreviewMixin, SortableContentAdminMixin, EditorialAdmin):
    list_display = ["order", "name", "cycle", "objective_count"]
    list_display_links = ["name"]
    list_filter = ["cycle"]
    list_select_related = ["cycle"]
    search_fields = ["name_da", "name_en", "summary_da", "summary_en"]
    prepopulated_fields = {"slug_da": ["name_da"], "slug_en": ["name_en"]}
    inlines = [ObjectiveInline]
    preview_view_function = staticmethod(priority_preview)

    @staticmethod
    def cycle_of(priority):
        return priority.cycle

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(objective_count=Count("objectives"))

    @admin.display(description=_("objectives"), ordering="objective_count")
    def objective_count(self, priority):
        return priority.objective_count


@admin.register(Objective)
class ObjectiveAdmin(EditorialAdmin):
    """Objectives are edited inside their priority; this list exists for search and history."""

    list_display = ["__str__", "priority"]
    list_filter = ["priority__cycle", "priority"]
    list_select_related = ["priority"]
    search_fields = ["heading_da", "heading_en", "text_da", "text_en"]
