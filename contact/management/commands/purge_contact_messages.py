from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from contact.models import Message, RateLimitHit


class Command(BaseCommand):
    help = (
        "Delete contact messages older than the retention period stated in the privacy notice "
        "(CONTACT_RETENTION_DAYS, default 365), with their internal notes, acknowledgements, "
        "status history and admin log entries, and rate-limit records older than a day. "
        "Schedule it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override the retention days")

    def handle(self, *args, days=None, **options):
        days = settings.CONTACT_RETENTION_DAYS if days is None else days
        now = timezone.now()
        old = Message.objects.filter(created_at__lt=now - timedelta(days=days))
        with transaction.atomic():
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Message),
                object_id__in=[str(pk) for pk in old.values_list("pk", flat=True)],
            ).delete()
            # Notes, acknowledgements and status history go with their message (CASCADE).
            deleted, details = old.delete()
            RateLimitHit.objects.filter(at__lt=now - timedelta(days=1)).delete()
        messages = details.get("contact.Message", 0)
        self.stdout.write(
            f"Deleted {messages} contact message(s) older than {days} days "
            f"({deleted} records with their notes, acknowledgements and history)."
        )
