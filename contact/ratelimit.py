"""A rate limit shared by every server process: Redis when REDIS_URL is set, otherwise the
database. Never per-process memory, which each gunicorn worker would count on its own."""

import ipaddress
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.redis import redis_client


def ip_address(value):
    """The address in its one spelling, or "" for anything that is not a plain IPv4 or IPv6
    address (a port, brackets, a zone like %eth0, a made-up name): no database column or
    counter key is ever handed junk."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return ""
    return "" if getattr(address, "scope_id", None) else str(address)


def client_address(request):
    """The visitor's address. Behind our proxy (DJANGO_BEHIND_PROXY=1) it is the last entry of
    X-Forwarded-For, the one our proxy added; anything before it is the client's to invent.
    Junk there falls back to the proxy's own address, so it is counted (rate limit, django-axes
    lockout) rather than a server error (issue 12)."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if address := ip_address(forwarded.rpartition(",")[2]):
            return address
    return ip_address(request.META.get("REMOTE_ADDR", ""))


def hit(key, *, window=None):
    """Record one hit for key; return the number of hits in the window, this one included."""
    window = window or settings.CONTACT_RATE_WINDOW_SECONDS
    if settings.REDIS_URL:
        return _redis_hit(key, window)
    return _database_hit(key, window)


def is_limited(request):
    limit = settings.CONTACT_RATE_LIMIT
    if not limit:
        return False
    return hit(f"contact:{client_address(request)}") > limit


def _redis_hit(key, window):
    # A sorted set of hit times per key: sliding window, updated atomically in one MULTI.
    now = time.time()
    name = f"empact:ratelimit:{key}"
    pipe = redis_client().pipeline(transaction=True)
    pipe.zremrangebyscore(name, 0, now - window)
    pipe.zadd(name, {uuid.uuid4().hex: now})
    pipe.zcard(name)
    pipe.expire(name, window)
    return pipe.execute()[2]


def _database_hit(key, window):
    from .models import RateLimitHit

    now = timezone.now()
    RateLimitHit.objects.create(key=key, at=now)
    count = RateLimitHit.objects.filter(key=key, at__gt=now - timedelta(seconds=window)).count()
    if count == 1:
        # Now and then, forget hits older than any window.
        RateLimitHit.objects.filter(at__lt=now - timedelta(days=1)).delete()
    return count
