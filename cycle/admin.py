from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import CycleStep


@admin.register(CycleStep)
class CycleStepAdmin(TranslationAdmin):
    list_display = ["number", "title", "summary"]
    list_display_links = ["title"]
    search_fields = ["title", "body"]
