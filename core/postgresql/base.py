"""Django's PostgreSQL backend, failing at once while a web request's database is known to be
unreachable (core/db_deadline.py: the outage), instead of waiting for connect_timeout
on every request."""

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def connect(self):
        from core.db_deadline import is_guarded, outage

        if not is_guarded(self):
            super().connect()
            outage.succeeded()  # it answers again, whoever asked
            return None
        admitted = outage.admit()
        if admitted is None:
            raise self.Database.OperationalError(
                "the database did not answer a moment ago (retried once a second)"
            )
        try:
            super().connect()
        except BaseException:
            outage.failed(admitted)
            raise
        outage.succeeded()
        return None
