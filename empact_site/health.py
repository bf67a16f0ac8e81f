"""/healthz for load balancers and monitoring: cheap enough to poll every second."""

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from contact.models import Message
from contact.services import mail_is_configured
from contact.worker import worker_status
from empact_site.db_deadline import database_deadline

HEALTH_DATABASE_SECONDS = 1


@never_cache
def healthz(request):
    try:
        # A load balancer waits a few seconds at most: a database that does not answer within
        # a second is reported as unavailable (empact_site/db_deadline.py).
        with database_deadline(HEALTH_DATABASE_SECONDS):
            undelivered = Message.objects.filter(
                delivery__in=[Message.Delivery.PENDING, Message.Delivery.SENDING]
            ).aggregate(count=Count("pk"), oldest=Min("created_at"))
            overdue = Message.objects.overdue().count()
            worker = worker_status()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    payload = {
        "status": "ok",
        "database": "ok",
        "mail": {
            "configured": mail_is_configured(),
            "pending": undelivered["count"],
            "oldest_pending_at": undelivered["oldest"],
            "oldest_pending_minutes": (
                round((timezone.now() - undelivered["oldest"]).total_seconds() / 60, 1)
                if undelivered["oldest"]
                else None
            ),
            "overdue": overdue,
            # "stale" when no mail worker has completed a round for CONTACT_WORKER_STALE_SECONDS:
            # nothing retries then, so monitoring should alert on it.
            "worker": worker,
        },
    }
    if settings.REDIS_URL:
        try:
            cache.set("healthz", "ok", timeout=10)
            payload["cache"] = "ok" if cache.get("healthz") == "ok" else "unavailable"
        except Exception:  # noqa: BLE001 - any cache failure is "unavailable"
            payload["cache"] = "unavailable"
        if payload["cache"] != "ok":
            payload["status"] = "unavailable"
            return JsonResponse(payload, status=503)
    return JsonResponse(payload)
