from adminsortable2.admin import SortableAdminBase
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from editorial.admin import EditorialAdmin, SortableContentAdminMixin, SortableTranslationInline

from .models import Objective, PolicyCycle, Priority


class PriorityInline(SortableTranslationInline):
    model = Priority
    fields = ["order", "name", "slug"]
    prepopulated_fields = {"slug_da": ["name_da"], "slug_en": ["name_en"]}
    show_change_link = True


@admin.register(PolicyCycle)
class PolicyCycleAdmin(SortableAdminBase, EditorialAdmin):
    list_display = ["__str__", "is_current", "status_label", "priority_count"]
    list_filter = ["is_current"]
    search_fields = ["slug", "description_da", "description_en"]
    inlines = [PriorityInline]

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
class PriorityAdmin(SortableContentAdminMixin, EditorialAdmin):
    list_display = ["order", "name", "cycle", "objective_count"]
    list_display_links = ["name"]
    list_filter = ["cycle"]
    list_select_related = ["cycle"]
    search_fields = ["name_da", "name_en", "summary_da", "summary_en"]
    prepopulated_fields = {"slug_da": ["name_da"], "slug_en": ["name_en"]}
    inlines = [ObjectiveInline]

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
