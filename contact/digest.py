"""The daily digest to ICARE: the leads waiting for an answer, overdue ones first, with links to
the admin. Only when there is something to say."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation

from .models import Message


def digest_leads():
    waiting = Message.objects.waiting_for_answer().select_related("owner")
    now = timezone.now()
    overdue = list(waiting.answer_overdue(now).order_by("answer_due_at"))
    others = list(waiting.exclude(pk__in=[m.pk for m in overdue]).order_by("created_at"))
    return overdue, others


def lead_line(message):
    received = timezone.localtime(message.created_at).strftime("%d.%m.%Y %H:%M")
    owner = message.owner.get_username() if message.owner else "ingen ansvarlig"
    organisation = f", {message.organisation}" if message.organisation else ""
    link = settings.SITE_URL + reverse("admin:contact_message_change", args=[message.pk])
    status = message.get_status_display()
    return f"- {received}: {message.name}{organisation} ({status}, {owner})\n  {link}"


def build_digest(overdue, others):
    with translation.override("da"):
        lines = [f"{len(overdue) + len(others)} henvendelse(r) venter på svar."]
        if overdue:
            lines += ["", f"Forsinket ({len(overdue)}):", *[lead_line(m) for m in overdue]]
        if others:
            lines += ["", f"Venter ({len(others)}):", *[lead_line(m) for m in others]]
        inbox = settings.SITE_URL + reverse("admin:contact_message_changelist") + "?leads=waiting"
        lines += ["", f"Indbakken: {inbox}", "", "--", "Daglig oversigt fra EMPACT-siden."]
        subject = f"{len(overdue) + len(others)} henvendelser venter på svar"
        if overdue:
            subject += f", {len(overdue)} forsinket"
    return EmailMessage(
        subject=subject,
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.CONTACT_RECIPIENT],
        headers={"Auto-Submitted": "auto-generated"},
    )


def send_digest():
    """Send the digest if any lead waits; return how many wait. A mail server's error (an
    OSError, smtplib's included) is raised."""
    overdue, others = digest_leads()
    if not overdue and not others:
        return 0
    build_digest(overdue, others).send(using="default")
    return len(overdue) + len(others)
