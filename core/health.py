"""/healthz for load balancers and monitoring: cheap enough to poll every second.

Apps add what they know with `@health_check("name")` (the contact app reports its mail): a
function returning a JSON-ready value, run under a one-second database deadline."""

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.db_deadline import database_deadline

HEALTH_DATABASE_SECONDS = 1
_checks = {}


def health_check(name):
    def register(func):
        _checks[name] = func
        return func

    return register


@never_cache
def healthz(request):
    try:
        # A load balancer waits a few seconds at most: a database that does not answer within
        # a second is reported as unavailable (core/db_deadline.py).
        with database_deadline(HEALTH_DATABASE_SECONDS):
            reports = {name: check() for name, check in _checks.items()}
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    payload = {"status": "ok", "database": "ok", **reports}
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
