import re
from pathlib import PurePath

from adminsortable2.admin import SortableAdminBase
from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from PIL import Image

from editorial.admin import EditorialAdmin, SortableTranslationInline
from editorial.checks import Note, register_check
from editorial.schedule import ScheduledChange, scheduled_changes

from .images import FORMATS, delete_with_renditions, make_renditions
from .models import Article, RelatedLink, SiteDetails
from .views import article_preview


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
            # By what Pillow decodes, not by the name: a BMP called .png is still a BMP.
            image_format = image.image.format
            if image_format not in FORMATS:
                raise forms.ValidationError(
                    _("The image is %(format)s; upload a JPEG, PNG or WebP image."),
                    params={"format": image_format or "?"},
                )
            width, height = image.image.size
            if max(width, height) > settings.MAX_IMAGE_PIXELS:
                raise forms.ValidationError(
                    _("The image is %(width)s × %(height)s pixels; at most %(limit)s on a side."),
                    params={"width": width, "height": height, "limit": settings.MAX_IMAGE_PIXELS},
                )
            # Django's check reads only the headers; damaged pixel data (a PNG's IDAT) shows
            # when the whole image is decoded, as the smaller copies will do on save.
            try:
                image.seek(0)
                with Image.open(image) as decoded:
                    decoded.load()
            except Exception as error:  # noqa: BLE001 - whatever Pillow raises, it is unreadable
                raise forms.ValidationError(
                    _(
                        "The image could not be read; it may be damaged. Save it again as JPEG, "
                        "PNG or WebP and upload it once more."
                    ),
                ) from error
            image.seek(0)
            path = PurePath(image.name)
            if path.suffix.lower() not in FORMATS[image_format]:
                image.name = path.stem + FORMATS[image_format][0]
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


# The customer's lead says the unit "henhører under Interpol". The site keeps ICARE's words
# (issue 15), and tells the editors beside them what EMPACT says of itself, for ICARE to decide.
UNDER_INTERPOL = re.compile(r"\bInterpol\b")


@register_check(Article)
def editor_notes(article):
    """Notes among the content checks (change form, staff preview) about claims in the
    article's text that ICARE should decide on."""
    notes = []
    field = Article._meta.get_field("lead")
    for code, _name in settings.LANGUAGES:
        if UNDER_INTERPOL.search(getattr(article, f"lead_{code}") or ""):
            message = _(
                "The lead says that EMPACT comes under Interpol. EMPACT describes itself as an EU "
                "instrument, driven by the EU member states and supported by Europol and other EU "
                "agencies; it is not part of Interpol. The sentence is ICARE’s own and stays "
                "until ICARE decides: keep it, or correct it in both languages."
            )
            notes.append(Note("warning", f"{field.verbose_name} [{code}]", message, language=code))
    return notes


class PublicationFilter(admin.SimpleListFilter):
    title = _("publication")
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return list(PUBLICATION_STATES.items())

    def queryset(self, request, queryset):
        now = timezone.now()
        published = queryset.filter(status=Article.Status.PUBLISHED)
        if self.value() == "draft":
            return queryset.exclude(status=Article.Status.PUBLISHED)
        if self.value() == "scheduled":
            return published.filter(published_at__gt=now).exclude(unpublish_at__lte=now)
        if self.value() == "public":
            return queryset.published()
        if self.value() == "ended":
            return published.filter(unpublish_at__lte=now)
        return queryset


PUBLICATION_STATES = {
    "draft": _("Draft"),
    "scheduled": _("Scheduled"),
    "public": _("Public"),
    "ended": _("Publication ended"),
}


@scheduled_changes
def article_schedule(now, limit):
    """Articles that go public or leave the site after now (the admin index's list)."""
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    for article in published.filter(published_at__gt=now).order_by("published_at")[:limit]:
        yield ScheduledChange(article.published_at, ScheduledChange.PUBLISH, article)
    for article in published.filter(unpublish_at__gt=now).order_by("unpublish_at")[:limit]:
        yield ScheduledChange(article.unpublish_at, ScheduledChange.UNPUBLISH, article)


@admin.register(Article)
class ArticleAdmin(SortableAdminBase, EditorialAdmin):
    form = ArticleForm
    list_display = ["title", "publication", "published_at", "unpublish_at", "is_home", "updated_at"]
    list_filter = [PublicationFilter, "is_home", "cycle"]
    search_fields = ["title_da", "title_en", "lead_da", "lead_en", "body_da", "body_en"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug_da": ["title_da"], "slug_en": ["title_en"]}
    inlines = [RelatedLinkInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "keywords", "lead", "call_to_action", "body"]}),
        (
            _("Publication"),
            {
                "fields": ["status", "published_at", "unpublish_at", "is_home"],
                "description": _(
                    "Drafts, articles with a publication time in the future and articles whose "
                    "end of publication has passed are not public. “View on site” shows staff a "
                    "preview of them."
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

    @admin.display(description=_("publication"), ordering="status")
    def publication(self, obj):
        return PUBLICATION_STATES[obj.publication_state]

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:pk>/preview/<str:language>/", preview, name="articles_article_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk, language):
        """The article as the public will see it, drafts too (articles.views.article_preview)."""
        if language not in dict(settings.LANGUAGES):
            raise Http404("No such language.")
        if not self.has_view_permission(request):
            raise PermissionDenied
        return article_preview(request, pk, language)

    def view_on_site(self, obj):
        if obj.is_public:
            return obj.get_absolute_url()
        return reverse("admin:articles_article_preview", args=[obj.pk, get_language()])

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "image" in form.changed_data and obj.image:
            request.stored_image = obj.image.name
            make_renditions(obj.image)

    def changeform_view(self, request, *args, **kwargs):
        # The database rolls back whatever failed after the image was stored; its files would
        # stay behind, unreferenced, without this.
        try:
            return super().changeform_view(request, *args, **kwargs)
        except Exception:
            if stored := getattr(request, "stored_image", None):
                delete_with_renditions(stored)
            raise


@admin.register(SiteDetails)
class SiteDetailsAdmin(EditorialAdmin):
    list_display = ["company_name", "phone", "email", "cvr_number"]

    def has_add_permission(self, request):
        return not SiteDetails.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
