"""Which records still lack English text, so nothing ships half-translated by accident."""

from django.db.models import Q
from modeltranslation.translator import NotRegistered, translator


def translated_fields(model):
    try:
        return translator.get_options_for_model(model).get_field_names()
    except NotRegistered:
        return ()


def missing_english_q(model):
    """Rows where some field has Danish text but no English text."""
    q = Q()
    for field in translated_fields(model):
        danish, english = f"{field}_da", f"{field}_en"
        has_danish = Q(**{f"{danish}__isnull": False}) & ~Q(**{danish: ""})
        lacks_english = Q(**{f"{english}__isnull": True}) | Q(**{english: ""})
        q |= has_danish & lacks_english
    return q


def missing_english_fields(obj):
    """Verbose names of the fields of obj that have Danish text and no English text."""
    return [
        str(obj._meta.get_field(field).verbose_name)
        for field in translated_fields(type(obj))
        if getattr(obj, f"{field}_da", None) and not getattr(obj, f"{field}_en", None)
    ]
