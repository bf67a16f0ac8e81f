"""Model fields whose values are normalised every time a model is saved.

pre_save covers every translation column too: modeltranslation builds the _da and _en fields from
these classes, and the admin, the loader and the shell all go through it."""

from django.db import models

from core.html import sanitize_html


class HTMLField(models.TextField):
    """Rich text, sanitised before it is stored, so templates may render it unescaped."""

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class TranslatedSlugField(models.SlugField):
    """A slug whose translation columns store "no slug" as NULL, not "".

    Per-language unique constraints then hold for every row that has a slug, and a page without
    an English slug falls back to the Danish one."""

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if self.null and not value:
            value = None
            setattr(model_instance, self.attname, value)
        return value
