from django import template

from editorial.schedule import upcoming_changes

register = template.Library()


@register.inclusion_tag("admin/_schedule.html", takes_context=True)
def upcoming_schedule(context):
    """On the admin index: what goes public or leaves the site next (editorial/schedule.py)."""
    return {"changes": upcoming_changes(context["request"].user)}
