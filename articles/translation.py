from modeltranslation.translator import TranslationOptions, register

from .models import Article, RelatedLink, SiteDetails


@register(Article)
class ArticleTranslationOptions(TranslationOptions):
    fields = (
        "title", "slug", "keywords", "lead", "call_to_action", "body", "priorities_heading",
        "steps_heading", "steps_intro", "steps_outro", "conclusion", "source_credit",
        "photo_credit", "image_alt", "seo_title", "seo_description",
    )  # fmt: skip
    required_languages = {"da": ("title", "slug")}
    # An English slug left empty is NULL, not "", so the per-language unique constraint holds.
    empty_values = {"slug": None}


@register(RelatedLink)
class RelatedLinkTranslationOptions(TranslationOptions):
    fields = ("title",)
    required_languages = ("da",)


@register(SiteDetails)
class SiteDetailsTranslationOptions(TranslationOptions):
    fields = ("answer_promise",)
