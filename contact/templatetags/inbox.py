from django import template

from contact.models import Message

register = template.Library()


@register.inclusion_tag("admin/_overdue_mail.html", takes_context=True)
def overdue_mail_warning(context):
    """A banner on the admin index while any message has not reached ICARE in time."""
    if not context["request"].user.has_perm("contact.view_message"):
        return {"count": 0}
    return {"count": Message.objects.mail_overdue().count()}


@register.inclusion_tag("admin/_overdue_leads.html", takes_context=True)
def lead_counts(context):
    """What waits for ICARE's staff: on the admin index of everybody who works leads."""
    user = context["request"].user
    if not user.has_perm("contact.change_message"):
        return {"leads": None}
    waiting = Message.objects.waiting_for_answer()
    return {
        "leads": {
            "waiting": waiting.count(),
            "overdue": waiting.answer_overdue().count(),
            "mine": waiting.owned_by(user).count(),
            "unassigned": waiting.unassigned().count(),
        }
    }
