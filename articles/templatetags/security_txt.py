from django import template

from articles.models import SiteDetails
from articles.security_txt import WARNING_DAYS, days_left, is_published

register = template.Library()


@register.inclusion_tag("admin/_security_txt.html", takes_context=True)
def security_txt_warning(context):
    """A banner on the admin index, for those who can change the site details, while
    security.txt expires within WARNING_DAYS or has expired, or is half filled in."""
    if not context["request"].user.has_perm("articles.change_sitedetails"):
        return {}
    details = SiteDetails.load()
    left = days_left(details)
    return {
        "days_left": left,
        "expires_on": details.security_txt_expires_on,
        "is_expiring": left is not None and left < WARNING_DAYS,
        "is_incomplete": not is_published(details)
        and bool(details.security_contact or details.security_txt_expires_on),
        "change_url": "admin:articles_sitedetails_change",
    }
