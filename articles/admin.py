from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import Article, RelatedLink, SiteDetails


class RelatedLinkInline(TranslationTabularInline):
    model = RelatedLink
    fk_name = "article"
    fields = ["order", "title", "target_article", "url"]
    autocomplete_fields = ["target_article"]
    extra = 0


@admin.register(Article)
class ArticleAdmin(TranslationAdmin):
    list_display = ["title", "status", "published_at", "is_home", "updated_at"]
    list_filter = ["status", "is_home", "cycle"]
    search_fields = ["title", "lead", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug_da": ["title_da"], "slug_en": ["title_en"]}
    inlines = [RelatedLinkInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "keywords", "lead", "call_to_action", "body"]}),
        (_("Publication"), {"fields": ["status", "published_at", "is_home"]}),
        (
            _("EU priorities and the cycle"),
            {
                "fields": [
                    "cycle",
                    "priorities_heading",
                    "shows_cycle_steps",
                    "steps_heading",
                    "steps_intro",
                    "steps_outro",
                ]  # fmt: skip
            },
        ),
        (_("End of the article"), {"fields": ["conclusion", "source_credit", "photo_credit"]}),
        (_("Image"), {"fields": ["image", "image_alt"]}),
        (_("Search engines"), {"fields": ["seo_title", "seo_description"]}),
    ]


@admin.register(SiteDetails)
class SiteDetailsAdmin(admin.ModelAdmin):
    list_display = ["company_name", "phone", "email", "cvr_number"]

    def has_add_permission(self, request):
        return not SiteDetails.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
