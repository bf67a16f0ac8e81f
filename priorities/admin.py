from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import Objective, PolicyCycle, Priority


class PriorityInline(TranslationTabularInline):
    model = Priority
    fields = ["order", "name", "slug"]
    prepopulated_fields = {"slug_da": ["name_da"], "slug_en": ["name_en"]}
    show_change_link = True
    extra = 0


@admin.register(PolicyCycle)
class PolicyCycleAdmin(TranslationAdmin):
    list_display = ["__str__", "is_current", "status_label"]
    list_filter = ["is_current"]
    search_fields = ["slug", "description"]
    inlines = [PriorityInline]

    @admin.display(description=_("status"))
    def status_label(self, cycle):
        return {"ended": _("ended"), "upcoming": _("upcoming"), "running": _("running")}[
            cycle.status
        ]


class ObjectiveInline(TranslationTabularInline):
    model = Objective
    fields = ["order", "heading", "text"]
    extra = 0


@admin.register(Priority)
class PriorityAdmin(TranslationAdmin):
    list_display = ["name", "cycle", "order", "objective_count"]
    list_filter = ["cycle"]
    search_fields = ["name", "summary", "objectives__text"]
    prepopulated_fields = {"slug_da": ["name_da"], "slug_en": ["name_en"]}
    inlines = [ObjectiveInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(objective_count=Count("objectives"))

    @admin.display(description=_("objectives"), ordering="objective_count")
    def objective_count(self, priority):
        return priority.objective_count
