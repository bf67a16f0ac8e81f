"""The Jinja2 environment of the public pages (templates/jinja2/).

Public pages are rendered with Jinja2 rather than the Django template language because, measured
with `make bench`, the Django template language spent about 3 ms on the page frame alone (header,
footer, meta tags), more than the whole per-page budget of the uncached target. Jinja2 compiles
templates to Python code. The admin keeps the Django template language.

Conventions follow the Django templates': all text goes through gettext as `{{ _("…") }}` (or
`{% set name = _("…") %}`), so `makemessages` finds it; sentences with values use
`{{ _("… %(name)s …")|format(name=value) }}`; plural sentences are made in the view with
ngettext. Fragments start with `_` and are macros imported with `{% from … import … %}`.
"""

import json
from functools import lru_cache

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from jinja2 import Environment
from markupsafe import Markup

# As django.utils.html.json_script: nothing in the data can close the <script> element.
JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data):
    """A schema.org block. A data block, not a script: browsers never run it, so the
    Content-Security-Policy (which has no 'unsafe-inline') does not apply to it."""
    text = json.dumps(data, ensure_ascii=False, default=str).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@lru_cache(maxsize=1024)
def _url(name, kwargs, language, prefix):
    return reverse(name, kwargs=dict(kwargs) or None)


def url(name, **kwargs):
    """reverse(), remembered: an address depends only on these arguments, the language and the
    script prefix, and the menu and footer reverse the same dozen addresses on every page."""
    return _url(
        name, tuple(sorted(kwargs.items())), translation.get_language(), get_script_prefix()
    )


@receiver(setting_changed)
def _forget_urls(*, setting, **kwargs):
    if setting in {"ROOT_URLCONF", "FORCE_SCRIPT_NAME"}:
        _url.cache_clear()


def date(value, format_name=None):
    """Django's date filter, in the current time zone as the Django template language does."""
    if value in (None, ""):
        return ""
    return defaultfilters.date(timezone.template_localtime(value), format_name)


def iso_datetime(value):
    return date(value, r"Y-m-d\TH:i:sO")


def squash(value):
    """A block's output on one line (the page title and description, used in several tags)."""
    text = " ".join(str(value).split())
    return Markup(text) if isinstance(value, Markup) else text


def language_name(code):
    return defaultfilters.capfirst(translation.get_language_info(code)["name_local"])


_app_globals = {}


def template_global(func):
    """Make func callable from every public template by its name. Apps register theirs when
    they are ready (the cycle's diagram), so core needs no import of the apps."""
    _app_globals[func.__name__] = func
    return func


def environment(**options):
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=False)
    env.globals.update(
        url=url,
        static=static,
        json_ld=json_ld,
        language_name=language_name,
        **_app_globals,
    )
    env.filters.update(
        date=date,
        squash=squash,
        iso_datetime=iso_datetime,
        truncatechars=defaultfilters.truncatechars,
        truncatewords=defaultfilters.truncatewords,
        capfirst=defaultfilters.capfirst,
        urlencode=defaultfilters.urlencode,
    )
    return env
