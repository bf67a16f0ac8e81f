from modeltranslation.translator import TranslationOptions, register

from .models import Objective, PolicyCycle, Priority


@register(PolicyCycle)
class PolicyCycleTranslationOptions(TranslationOptions):
    fields = ("description",)


@register(Priority)
class PriorityTranslationOptions(TranslationOptions):
    fields = ("name", "slug", "summary")
    required_languages = ("da",)
    # An English slug left empty is NULL, not "", so the per-language unique constraint holds.
    empty_values = {"slug": None}


@register(Objective)
class ObjectiveTranslationOptions(TranslationOptions):
    fields = ("heading", "text")
    required_languages = {"da": ("text",)}
