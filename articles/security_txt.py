"""/.well-known/security.txt (RFC 9116): where to report a vulnerability, from the site details
staff edit. Published only while a contact and an expiry date are set: never a file with
invented values. Included by empact_site/urls.py outside the language prefixes."""

from datetime import datetime, time

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_safe

from .models import SiteDetails

PREFERRED_LANGUAGES = "da, en"
# The admin index warns this many days before the expiry date (and after it).
WARNING_DAYS = 30


def expires_at(expires_on):
    """The last second of the day staff chose, in the site's time zone."""
    return timezone.make_aware(datetime.combine(expires_on, time(23, 59, 59)))


def is_published(details):
    return bool(details.security_contact and details.security_txt_expires_on)


def security_txt_text(details):
    fields = [
        ("Contact", details.security_contact),
        # RFC 3339 (an ISO 8601 profile), with the offset: 2027-06-30T23:59:59+02:00
        ("Expires", expires_at(details.security_txt_expires_on).isoformat()),
    ]
    if details.security_policy_url:
        fields.append(("Policy", details.security_policy_url))
    fields += [
        ("Preferred-Languages", PREFERRED_LANGUAGES),
        ("Canonical", f"{settings.SITE_URL}/.well-known/security.txt"),
    ]
    return "".join(f"{name}: {value}\n" for name, value in fields)


def days_left(details, today=None):
    """Days until the file expires (negative once it has), or None when nothing is published."""
    if not is_published(details):
        return None
    return (details.security_txt_expires_on - (today or timezone.localdate())).days


@require_safe
def security_txt(request):
    details = SiteDetails.load()
    if not is_published(details):
        raise Http404("No security contact and expiry date are set.")
    return HttpResponse(security_txt_text(details), content_type="text/plain; charset=utf-8")


urlpatterns = [path("security.txt", security_txt, name="security_txt")]
