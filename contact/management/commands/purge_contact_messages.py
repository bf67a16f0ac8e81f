from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from contact.models import Message


class Command(BaseCommand):
    help = (
        "Delete contact messages older than the retention period stated in the privacy notice "
        "(CONTACT_RETENTION_DAYS, default 365). Schedule it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override the retention days")

    def handle(self, *args, days=None, **options):
        days = settings.CONTACT_RETENTION_DAYS if days is None else days
        cutoff = timezone.now() - timedelta(days=days)
        deleted, _details = Message.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} contact message(s) older than {days} days.")
