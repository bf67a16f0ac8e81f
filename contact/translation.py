from modeltranslation.translator import TranslationOptions, register

from .models import PrivacyNotice


@register(PrivacyNotice)
class PrivacyNoticeTranslationOptions(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("da",)
