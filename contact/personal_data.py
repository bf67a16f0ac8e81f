"""A data subject's requests (GDPR): everything the site stores about one email address, as a JSON
export (Art. 15) and erased (Art. 17). Both leave an audit entry (DataRequest) with when, by whom
and how many records: never the address.

What "everything" is: the person's contact messages with their internal notes, acknowledgements
(text and delivery records), status and owner history and the admin's log entries of them; other
messages and notes that mention the address (erasure replaces the address there with
"[erased]"); and, when the client addresses they wrote from are given, the rate-limit counters of
those addresses (the form never stores a client address with a message)."""

import json
import re

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.redis import redis_client

from .models import Acknowledgement, DataRequest, LeadChange, Message, Note, RateLimitHit
from .ratelimit import ip_address

ERASED = "[erased]"


class PersonalData:
    """What the site holds about `address` (and, optionally, the client addresses given)."""

    def __init__(self, address, *, client_addresses=()):
        self.address = address.strip()
        self.client_addresses = sorted(
            {ip for value in client_addresses if (ip := ip_address(value))}
        )
        self.messages = Message.objects.of_address(self.address).order_by("created_at")
        message_type = ContentType.objects.get_for_model(Message)
        self.log_entries = LogEntry.objects.filter(
            content_type=message_type,
            object_id__in=[str(pk) for pk in self.messages.values_list("pk", flat=True)],
        )
        others = ~Q(pk__in=self.messages.values("pk"))
        self.mentioning_messages = Message.objects.filter(others).filter(
            Q(message__icontains=self.address) | Q(organisation__icontains=self.address)
        )
        self.mentioning_notes = Note.objects.filter(text__icontains=self.address).exclude(
            message__in=self.messages
        )
        self.rate_limit_keys = [f"contact:{ip}" for ip in self.client_addresses]
        self.rate_limit_rows = RateLimitHit.objects.filter(key__in=self.rate_limit_keys)

    def counts(self):
        return {
            "messages": self.messages.count(),
            "notes": Note.objects.filter(message__in=self.messages).count(),
            "acknowledgements": Acknowledgement.objects.filter(lead__in=self.messages).count(),
            "status_and_owner_changes": LeadChange.objects.filter(
                message__in=self.messages
            ).count(),
            "admin_log_entries": self.log_entries.count(),
            "mentions_in_other_messages": self.mentioning_messages.count(),
            "mentions_in_notes": self.mentioning_notes.count(),
            "rate_limit_records": self.rate_limit_rows.count() + len(self.redis_keys()),
        }

    def redis_keys(self):
        if not settings.REDIS_URL or not self.rate_limit_keys:
            return []
        names = [f"empact:ratelimit:{key}" for key in self.rate_limit_keys]
        client = redis_client()
        return [name for name in names if client.exists(name)]

    def export(self):
        """Everything, as a dict ready for JSON (DjangoJSONEncoder)."""
        messages = []
        for message in self.messages.prefetch_related("notes__author", "changes__changed_by"):
            entry = {
                "received": message.created_at,
                "name": message.name,
                "email": message.email,
                "phone": message.phone,
                "organisation": message.organisation,
                "message": message.message,
                "page_language": message.language,
                "status": message.status,
                "owner": message.owner.get_username() if message.owner else None,
                "first_answered": message.answered_at,
                "mail_to_icare": delivery_record(message),
                "notes": [
                    {
                        "written": note.created_at,
                        "author": str(note.author or ""),
                        "text": note.text,
                    }
                    for note in message.notes.all()
                ],
                "status_and_owner_changes": [
                    {
                        "changed": change.changed_at,
                        "by": str(change.changed_by or ""),
                        "field": change.field,
                        "from": change.old_value,
                        "to": change.new_value,
                    }
                    for change in message.changes.all()
                ],
                "acknowledgement": None,
            }
            if acknowledgement := Acknowledgement.objects.filter(lead=message).first():
                entry["acknowledgement"] = {
                    "language": acknowledgement.language,
                    "subject": acknowledgement.subject,
                    "text": acknowledgement.body,
                    **delivery_record(acknowledgement),
                }
            messages.append(entry)
        return {
            "subject_address": self.address,
            "exported_at": timezone.now(),
            "controller": "ICARE SECURITY A/S",
            "messages": messages,
            "admin_log_entries": [
                {
                    "at": entry.action_time,
                    "by": str(entry.user),
                    "change": entry.get_change_message(),
                }
                for entry in self.log_entries.select_related("user")
            ],
            "mentions_in_other_messages": [
                {"received": other.created_at, "text": mention(other.message, self.address)}
                for other in self.mentioning_messages
            ],
            "mentions_in_notes": [
                {"written": note.created_at, "text": mention(note.text, self.address)}
                for note in self.mentioning_notes
            ],
            "rate_limit_records": [
                {"client_address": row.key.removeprefix("contact:"), "at": row.at}
                for row in self.rate_limit_rows
            ],
        }

    def erase(self):
        """Delete the person's messages with everything attached, the log entries of them and
        the rate-limit records; replace the address where others mention it. Returns the counts."""
        counts = self.counts()
        with transaction.atomic():
            self.log_entries.delete()
            self.messages.delete()  # notes, acknowledgements, history: CASCADE
            pattern = re.compile(re.escape(self.address), re.IGNORECASE)
            for other in self.mentioning_messages:
                other.message = pattern.sub(ERASED, other.message)
                other.organisation = pattern.sub(ERASED, other.organisation)
                other.save(update_fields=["message", "organisation"])
            for note in self.mentioning_notes:
                note.text = pattern.sub(ERASED, note.text)
                note.save(update_fields=["text"])
            self.rate_limit_rows.delete()
        if keys := self.redis_keys():
            redis_client().delete(*keys)
        return counts


def delivery_record(mail):
    return {
        "delivery": mail.delivery,
        "attempts": mail.attempts,
        "sent": mail.sent_at,
        "last_error": mail.last_error,
        "message_id": mail.message_id,
    }


def mention(text, address):
    """The sentence or so around the address: what the person is entitled to see, without
    handing over the whole of someone else's message."""
    index = text.lower().find(address.lower())
    if index < 0:
        return ""
    return text[max(0, index - 80) : index + len(address) + 80]


def audit(kind, *, counts, user=None, name=""):
    return DataRequest.objects.create(
        kind=kind,
        handled_by=user,
        handled_by_name=name or (user.get_username() if user else ""),
        records=counts,
        total=sum(counts.values()),
    )


def export_request(address, *, client_addresses=(), user=None, name=""):
    """The export as JSON text, with its audit entry."""
    data = PersonalData(address, client_addresses=client_addresses)
    exported = data.export()
    audit(DataRequest.Kind.EXPORT, counts=data.counts(), user=user, name=name)
    return json.dumps(exported, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def erase_request(address, *, client_addresses=(), user=None, name=""):
    data = PersonalData(address, client_addresses=client_addresses)
    counts = data.erase()
    return audit(DataRequest.Kind.ERASURE, counts=counts, user=user, name=name)
