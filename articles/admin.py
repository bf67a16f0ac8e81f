from adminsortable2.admin import SortableAdminBase
from django import forms
from django.conf import settings
from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from editorial.admin import EditorialAdmin, SortableTranslationInline

from .images import make_renditions
from .models import Article, RelatedLink, SiteDetails


class RelatedLinkInline(SortableTranslationInline):
    model = RelatedLink
    fk_name = "article"
    fields = ["order", "title", "target_article", "url"]
    autocomplete_fields = ["target_article"]


class ArticleForm(forms.ModelForm):
    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image and "image" in self.changed_data:
            if image.size > settings.MAX_IMAGE_BYTES:
                raise forms.ValidationError(
                    _("The image is %(size)s; it may be at most %(limit)s."),
                    params={
                        "size": filesizeformat(image.size),
                        "limit": filesizeformat(settings.MAX_IMAGE_BYTES),
                    },
                )
            width, height = image.image.size
            if max(width, height) > settings.MAX_IMAGE_PIXELS:
                raise forms.ValidationError(
                    _("The image is %(width)s × %(height)s pixels; at most %(limit)s on a side."),
                    params={"width": width, "height": height, "limit": settings.MAX_IMAGE_PIXELS},
                )
        return image

    ALT_TEXT_REQUIRED = {
        "da": _("Describe the image in Danish for people who cannot see it."),
        "en": _("Describe the image in English for people who cannot see it."),
    }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image"):
            for code, message in self.ALT_TEXT_REQUIRED.items():
                if not cleaned.get(f"image_alt_{code}"):
                    self.add_error(f"image_alt_{code}", message)
        return cleaned


@admin.register(Article)
class ArticleAdmin(SortableAdminBase, EditorialAdmin):
    form = ArticleForm
    list_display = ["title", "status", "published_at", "is_home", "updated_at"]
    list_filter = ["status", "is_home", "cycle"]
    search_fields = ["title_da", "title_en", "lead_da", "lead_en", "body_da", "body_en"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug_da": ["title_da"], "slug_en": ["title_en"]}
    inlines = [RelatedLinkInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "keywords", "lead", "call_to_action", "body"]}),
        (
            _("Publication"),
            {
                "fields": ["status", "published_at", "is_home"],
                "description": _(
                    "Drafts and articles with a publication time in the future are not public. "
                    "“View on site” shows staff a preview of them."
                ),
            },
        ),
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

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "image" in form.changed_data:
            make_renditions(obj.image)


@admin.register(SiteDetails)
class SiteDetailsAdmin(SimpleHistoryAdmin):
    list_display = ["company_name", "phone", "email", "cvr_number"]

    def has_add_permission(self, request):
        return not SiteDetails.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
