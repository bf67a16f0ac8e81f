"""What /healthz says of contact mail (registered with core.health)."""

from django.db.models import Count, Min
from django.utils import timezone

from core.health import health_check

from .models import Message
from .services import mail_is_configured
from .worker import worker_status


@health_check("mail")
def mail_health():
    undelivered = Message.objects.filter(
        delivery__in=[Message.Delivery.PENDING, Message.Delivery.SENDING]
    ).aggregate(count=Count("pk"), oldest=Min("created_at"))
    oldest = undelivered["oldest"]
    return {
        "configured": mail_is_configured(),
        "pending": undelivered["count"],
        "oldest_pending_at": oldest,
        "oldest_pending_minutes": (
            round((timezone.now() - oldest).total_seconds() / 60, 1) if oldest else None
        ),
        "overdue": Message.objects.mail_overdue().count(),
        # "stale" when no mail worker has completed a round for CONTACT_WORKER_STALE_SECONDS:
        # nothing retries then, so monitoring should alert on it.
        "worker": worker_status(),
    }
