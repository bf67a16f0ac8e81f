import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empact_site.settings")

django_application = get_wsgi_application()

from empact_site.page_cache import CachedPagesApplication  # noqa: E402 - needs Django set up

# Cached public pages are answered before Django runs (see empact_site/page_cache.py).
application = CachedPagesApplication(django_application)
