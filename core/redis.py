"""One redis-py client per process for the hot paths that read Redis directly (the content
version of the page cache, the rate limit); Django's cache API serves everything else."""

from functools import cache

import redis
from django.conf import settings


@cache
def client_for(url):
    return redis.Redis.from_url(url)


def redis_client():
    return client_for(settings.REDIS_URL)
