import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "empact_site.settings")

django_application = get_wsgi_application()

from empact_site.db_deadline import DeadlineApplication  # noqa: E402 - needs Django set up
from empact_site.page_cache import CachedPagesApplication  # noqa: E402

# Cached public pages are answered before Django runs (see empact_site/page_cache.py); no
# request waits for a hung database longer than DATABASE_TIMEOUT (empact_site/db_deadline.py).
application = DeadlineApplication(CachedPagesApplication(django_application))
