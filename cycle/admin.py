from django.contrib import admin

from editorial.admin import EditorialAdmin, SortableContentAdminMixin

from .models import CycleStep


@admin.register(CycleStep)
class CycleStepAdmin(SortableContentAdminMixin, EditorialAdmin):
    list_display = ["number", "title", "summary"]
    list_display_links = ["title"]
    search_fields = ["title_da", "title_en", "body_da", "body_en"]
