"""The WSGI application that gunicorn serves. Every request is served by core/page_cache.py
(page cache hits, misses, compression) in front of Django, under the database deadline of
core/db_deadline.py. The site has no ASGI entry point: nothing in it is asynchronous, and a
second serving path would need its own cache and checks."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empact_site.settings")

django_application = get_wsgi_application()

from core.db_deadline import DeadlineApplication  # noqa: E402 - needs Django set up
from core.page_cache import CachedPagesApplication  # noqa: E402

application = DeadlineApplication(CachedPagesApplication(django_application))
