from modeltranslation.translator import TranslationOptions, register

from .models import AcknowledgementText, PrivacyNotice


@register(PrivacyNotice)
class PrivacyNoticeTranslationOptions(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("da",)


@register(AcknowledgementText)
class AcknowledgementTextTranslationOptions(TranslationOptions):
    fields = ("subject", "body")
    required_languages = ("da", "en")
