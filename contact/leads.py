"""The lead pipeline: a message's status (new -> in progress -> answered -> closed; spam apart),
its owner, when it was first answered and when an answer is due. Every change of status or owner
is recorded (LeadChange) with who made it and when."""

import datetime
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from .acknowledgements import acknowledgement_text
from .models import LeadChange, Message


def answer_due(received, working_days=None):
    """When a message received at `received` should have been answered: that many working days
    (Monday-Friday, Copenhagen time) later, at the same time of day. A message received at a
    weekend counts from the start of the Monday: Friday 15:00 -> Monday 15:00, Saturday 10:00 ->
    Tuesday 00:00 (the end of Monday)."""
    days = settings.CONTACT_ANSWER_WORKING_DAYS if working_days is None else working_days
    zone = timezone.get_default_timezone()
    local = timezone.localtime(received, zone)
    day, time_of_day = local.date(), local.time().replace(tzinfo=None)
    if day.weekday() >= 5:
        day, time_of_day = next_working_day(day), datetime.time(0)
    for _day in range(days):
        day = next_working_day(day)
    return datetime.datetime.combine(day, time_of_day, tzinfo=zone)


def next_working_day(day):
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def recorded_value(field, value):
    if field == LeadChange.Field.OWNER:
        return value.get_username() if value else ""
    return value


def update_lead(message, *, by, **changes):
    """Change a lead's status and/or owner, recording each change. Answered for the first time:
    the time is kept (answered_at), whatever happens to the status later."""
    changed = []
    with transaction.atomic():
        for field, value in changes.items():
            old = getattr(message, field)
            if old == value:
                continue
            setattr(message, field, value)
            LeadChange.objects.create(
                message=message,
                changed_by=by,
                field=field,
                old_value=recorded_value(field, old),
                new_value=recorded_value(field, value),
            )
            changed.append(field)
        if message.status == Message.Status.ANSWERED and message.answered_at is None:
            message.answered_at = timezone.now()
            changed.append("answered_at")
        if changed:
            message.save(update_fields=changed)
    return changed


def start_reply(message, *, by):
    """A staff member opens a reply: a new lead is now in progress, and an unowned one theirs."""
    changes = {}
    if message.status == Message.Status.NEW:
        changes["status"] = Message.Status.IN_PROGRESS
    if message.owner_id is None:
        changes["owner"] = by
    return update_lead(message, by=by, **changes)


def reply_link(message):
    """A mailto: link to the visitor with "Re: <the acknowledgement's subject>" in their
    language, so the answer reads as the follow-up of the receipt they got."""
    subject = None
    if hasattr(message, "acknowledgement"):
        subject = message.acknowledgement.subject
    if not subject:
        subject = getattr(acknowledgement_text(), f"subject_{message.language}")
    with translation.override(message.language):
        greeting = translation.gettext("Hello %(name)s,") % {"name": message.name}
    query = f"subject={quote('Re: ' + subject)}&body={quote(greeting + chr(10) + chr(10))}"
    return f"mailto:{quote(message.email, safe='@')}?{query}"
