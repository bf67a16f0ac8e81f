from django import template
from django.urls import NoReverseMatch, reverse

from editorial.translation_status import missing_english_q, out_of_date_q

from ..admin_site import content_models

register = template.Library()


@register.inclusion_tag("admin/_translation_status.html", takes_context=True)
def translation_status(context):
    """Per content model the staff member may see: how many records still lack English, and how
    many have English that is out of date."""
    user = context["request"].user
    rows = []
    for model in content_models():
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue
        objects = model._default_manager
        rows.append(
            {
                "name": opts.verbose_name_plural,
                "missing": objects.filter(missing_english_q(model)).count(),
                "out_of_date": objects.filter(out_of_date_q(model)).count(),
                "url": url,
            }
        )
    return {"rows": rows}
