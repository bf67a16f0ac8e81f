from django import template

from contact.models import Message

register = template.Library()


@register.inclusion_tag("admin/_overdue_mail.html", takes_context=True)
def overdue_mail_warning(context):
    """A banner on the admin index while any message has not reached ICARE in time."""
    if not context["request"].user.has_perm("contact.view_message"):
        return {"count": 0}
    return {"count": Message.objects.overdue().count()}
