from modeltranslation.translator import TranslationOptions, register

from .models import CycleStep


@register(CycleStep)
class CycleStepTranslationOptions(TranslationOptions):
    fields = ("title", "summary", "body")
    required_languages = ("da",)
