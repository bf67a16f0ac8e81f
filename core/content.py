"""The content version: one value that changes whenever what a public page shows may change.

Cache keys of whole pages (core/page_cache.py) and fragments (core/fragments.py) carry it. Every
write to public content replaces it after its transaction commits (saves and deletes, bulk
deletes included, of `ChangesContent` models; bulk updates such as drag-and-drop reordering and
a restore call `content_changed()`/`forget_state()` themselves), so nothing rendered before the
change is served again. It also expires by itself at the next moment a page changes without
anybody writing: whatever the apps register with `@changes_by_date` (a scheduled article's
publication), or New Year, when a policy cycle ends or begins.

The state lives in Redis when REDIS_URL is set (shared by every server), otherwise in Django's
cache (the file cache under var/, shared by the processes of one machine). Each process keeps a
copy and reads it again at most once a second (LOCAL_SECONDS), so a change made through another
server is served everywhere within a second, and through this process at once.
"""

import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete
from django.utils import timezone

from core.redis import redis_client

STATE_KEY = "content-state"
# With Redis the state is a plain string read with redis-py ("version:valid-until timestamp"),
# about half the cost of a round trip through Django's cache API with its pickling.
REDIS_STATE_KEY = "empact:content-state"
LOCAL_SECONDS = 1.0

_date_changes = []


def changes_by_date(func):
    """Register func() -> the next datetime at which pages change by themselves (or None).
    Called when the version is made; a DatabaseError means "ask again soon"."""
    _date_changes.append(func)
    return func


def next_change_by_date():
    now = timezone.localtime()
    candidates = [timezone.make_aware(datetime(now.year + 1, 1, 1))]
    try:
        candidates += [func() for func in _date_changes]
    except DatabaseError:
        # The database is down: pages can't render anyway (they answer 503); ask again soon.
        return now + timedelta(seconds=10)
    return min(filter(None, candidates))


def read_state():
    if not settings.REDIS_URL:
        return cache.get(STATE_KEY)
    raw = redis_client().get(REDIS_STATE_KEY)
    if raw is None:
        return None
    version, valid_until = raw.decode().split(":")
    return {"version": version, "valid_until": datetime.fromtimestamp(float(valid_until), UTC)}


def write_state(state):
    if settings.REDIS_URL:
        redis_client().set(
            REDIS_STATE_KEY, f"{state['version']}:{state['valid_until'].timestamp()}"
        )
    else:
        cache.set(STATE_KEY, state, timeout=None)


def content_state():
    """The current content version and until when it holds, made anew when there is none."""
    state = read_state()
    if state is None or state["valid_until"] <= timezone.now():
        state = {"version": uuid.uuid4().hex, "valid_until": next_change_by_date()}
        write_state(state)
    return state


class LocalState:
    """This process's copy of the content state, read again at most once a second."""

    def __init__(self):
        self.state = None
        self.read_at = 0.0
        self.generation = 0
        self.lock = threading.Lock()

    def current(self):
        state, now = self.state, time.monotonic()
        if (
            state is not None
            and now - self.read_at < LOCAL_SECONDS
            and state["valid_until"] > timezone.now()
        ):
            return state
        generation = self.generation
        state = content_state()
        with self.lock:
            if generation == self.generation:  # no change in this process while reading
                self.state, self.read_at = state, now
        return state

    def forget(self):
        with self.lock:
            self.generation += 1
            self.state = None


local_state = LocalState()


def current_state():
    return local_state.current()


def forget_state():
    """Make every page render again: a new version from the next request on, in every process
    within a second, in this one at once."""
    local_state.forget()
    if settings.REDIS_URL:
        redis_client().delete(REDIS_STATE_KEY)
    else:
        cache.delete(STATE_KEY)


def content_changed():
    """Call after public content was written (after the commit, so that no request can cache
    the old content under the new version)."""
    transaction.on_commit(forget_state)


class ChangesContent:
    """Model mixin: saving or deleting a row of public content makes every page render again.

    Deletes are caught by the post_delete signal, so that bulk deletes (the admin's "delete
    selected" action, cascades) count too; it is connected for these models only, so other
    models keep Django's fast bulk delete."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        post_delete.connect(content_deleted, sender=cls, weak=False)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        content_changed()


def content_deleted(sender, **kwargs):
    content_changed()
