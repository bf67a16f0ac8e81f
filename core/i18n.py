"""Helpers for pages that exist once per language, each with its own translated URL."""

from django.conf import settings
from django.db.models import F, Q
from django.urls import translate_url
from django.utils.translation import get_language, override
from modeltranslation.utils import build_localized_fieldname


def language_urls_for(obj):
    """The URL of obj in every language, each with that language's own slug.

    Django's translate_url() translates the path segments but keeps the slug of the page it starts
    from, which is the wrong address for the other language."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            urls[code] = obj.get_absolute_url()
    return urls


def language_urls_for_path(path):
    return {code: translate_url(path, code) for code, _name in settings.LANGUAGES}


def filter_by_translated_slug(queryset, slug, field="slug"):
    """Rows whose URL in the active language uses this slug: their own slug in the language or,
    where that is empty (NULL), the fallback language's slug that modeltranslation shows.
    A row's own slug wins over another row's fallback, so it comes first."""
    own = build_localized_fieldname(field, get_language())
    q = Q(**{own: slug})
    for fallback in settings.MODELTRANSLATION_FALLBACK_LANGUAGES:
        other = build_localized_fieldname(field, fallback)
        if other != own:
            q |= Q(**{f"{own}__isnull": True, other: slug})
    return queryset.filter(q).order_by(F(own).asc(nulls_last=True))
