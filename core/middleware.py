import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError

request_logger = logging.getLogger("empact.request")


def log_request(method, path, status, started):
    """One line per request Django handles (page cache hits are counted instead, see
    core/page_cache.py HitCount): method, path, status, duration. No query string, cookies or
    form data, so no visitor's personal data reaches the log."""
    duration_ms = round((time.perf_counter() - started) * 1000, 1)
    request_logger.info(
        "%s %s %s %sms",
        method,
        path,
        status,
        duration_ms,
        extra={"method": method, "path": path, "status": status, "duration_ms": duration_ms},
    )


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        log_request(request.method, request.path, response.status_code, started)
        return response


class SecurityHeadersMiddleware:
    """Headers Django has no setting for (Permissions-Policy), and the admin's own CSP: the
    equivalent of csp_override(settings.ADMIN_CSP) on every view under /admin/."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path.startswith("/admin/"):
            response._csp_config = settings.ADMIN_CSP
        return response


class RejectNullCharactersMiddleware:
    """A NUL character in the address or a query parameter is never valid input, and PostgreSQL
    cannot store or even compare text that holds one (the query fails with DataError): such a
    request answers the styled 400 before any view or admin filter turns it into a query.
    (Forms reject NUL in posted fields by themselves.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            from core.errors import render_error

            return render_error(request, 400)
        return self.get_response(request)


class DatabaseOutageMiddleware:
    """A view that cannot reach the database answers with the styled 503 page in the visitor's
    language. Django closes the broken connection at the end of the request, and the next
    request connects afresh (CONN_HEALTH_CHECKS), so the site recovers by itself.

    Only a failed connection is an outage (OperationalError: refused, lost, timed out, no
    answer; InterfaceError: already closed). Other database errors (DataError,
    IntegrityError, ...) are bugs or bad input and stay errors, with their traceback logged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from core.errors import render_error

        if isinstance(exception, OperationalError | InterfaceError):
            logging.getLogger("empact.errors").error(
                "Database unavailable: %s", exception, extra={"path": request.path}
            )
            return render_error(request, 503)
        return None
