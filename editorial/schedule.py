"""What is scheduled to go public or to leave the site next, for the admin index
(templates/admin/_schedule.html, the `schedule` template tag).

Each content app registers a function that yields its own coming changes. Articles do it in
articles/admin.py; a schedulable model joins with a few lines in its app's admin.py, e.g. policy
cycles with a publication time:

    @scheduled_changes
    def cycle_schedule(now, limit):
        cycles = PolicyCycle.objects.filter(is_published=True, published_at__gt=now)
        for cycle in cycles.order_by("published_at")[:limit]:
            yield ScheduledChange(cycle.published_at, ScheduledChange.PUBLISH, cycle)

The pages themselves change at those moments because the apps also register the times with
core.content.changes_by_date (the content version expires then); this list is what editors see.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

_sources = []


@dataclass(frozen=True)
class ScheduledChange:
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"

    at: datetime
    action: str  # PUBLISH or UNPUBLISH
    obj: models.Model

    @property
    def kind(self):
        return self.obj._meta.verbose_name

    def admin_url(self):
        opts = self.obj._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.obj.pk])
        except NoReverseMatch:
            return ""


def scheduled_changes(func):
    """Register func(now, limit) -> iterable of ScheduledChange after now (at most limit of each
    kind it knows, the soonest first)."""
    _sources.append(func)
    return func


def upcoming_changes(user, *, limit=10):
    """The next changes the user may see (view permission on the model), soonest first."""
    now = timezone.now()
    changes = []
    for source in _sources:
        for change in source(now, limit):
            opts = change.obj._meta
            if user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
                changes.append(change)
    return sorted(changes, key=lambda change: change.at)[:limit]
