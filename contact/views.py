import logging
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from .forms import ContactForm
from .models import PrivacyNotice
from .ratelimit import is_limited
from .services import message_create

logger = logging.getLogger(__name__)

SPAM_FIELDS = {"name": 200, "email": 254, "phone": 40, "organisation": 200, "message": 5000}


def see_thanks():
    # 303 See Other: the thanks page is fetched with GET. People and bots get the same answer.
    return HttpResponseRedirect(reverse("contact:thanks"), status=303)


@require_http_methods(["GET", "HEAD", "POST"])
def contact(request):
    if request.method != "POST":
        form = ContactForm(initial={"token": uuid.uuid4()})
        return render(request, "contact/contact.html", {"form": form})
    try:
        return contact_post(request)
    except (OperationalError, InterfaceError):
        # The database is unreachable: the message cannot be stored, so it is not lost silently
        # either. The visitor gets the form back with everything typed, and a way to reach us.
        logger.error("Contact message not stored: the database is unavailable")
        form = ContactForm(request.POST)
        form.is_valid()
        form.add_error(None, outage_error())
        return render(request, "contact/contact.html", {"form": form}, status=503)


def outage_error():
    return _(
        "Your message could not be stored just now, and nothing has been sent. Please send it "
        "again in a minute or two, or write to us at %(email)s."
    ) % {"email": settings.CONTACT_RECIPIENT}


def contact_post(request):
    """A contact form submission: stored (and the worker woken), or the form with errors."""
    if is_limited(request):
        return render(request, "contact/rate_limited.html", status=429)
    form = ContactForm(request.POST)
    if request.POST.get("website"):
        # A bot: it sees success, nothing is mailed, the attempt is kept as spam.
        # Kept as sent (trimmed, without NUL characters, which no database stores).
        data = {
            key: request.POST.get(key, "").replace("\x00", "")[:size]
            for key, size in SPAM_FIELDS.items()
        }
        message_create(data=data, language=get_language(), is_spam=True)
        return see_thanks()
    if form.is_valid():
        message_create(
            data=form.cleaned_data,
            language=get_language(),
            token=form.cleaned_data["token"],
        )
        return see_thanks()
    return render(request, "contact/contact.html", {"form": form})


@require_safe
def thanks(request):
    return render(request, "contact/thanks.html")


@require_safe
def privacy(request):
    notice = PrivacyNotice.objects.filter(pk=1).first()
    days = settings.CONTACT_RETENTION_DAYS
    retention = ngettext(
        "Messages from the contact form are deleted automatically, with our notes on them, "
        "%(days)s day after they were received.",
        "Messages from the contact form are deleted automatically, with our notes on them, "
        "%(days)s days after they were received.",
        days,
    ) % {"days": days}
    return render(request, "contact/privacy.html", {"notice": notice, "retention": retention})


def csrf_failure(request, reason=""):
    """A missing or stale form token: a friendly page in the visitor's language, not Django's
    debug text. The reason is for the log, never for the page."""
    return render(request, "contact/csrf_failure.html", status=403)
