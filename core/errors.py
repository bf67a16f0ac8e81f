"""Styled error pages in the visitor's language, with the site's navigation. They must render
even when the database is what failed, so they never need it."""

from django.conf import settings
from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader


def render_error(request, status):
    try:
        # The site context processor gives the company's details, or their defaults when the
        # database is down.
        body = loader.render_to_string(f"{status}.html", request=request)
    except Exception:  # noqa: BLE001 - the error page itself must never fail
        body = "<!doctype html><title>Error</title><h1>Error</h1>"
    response = HttpResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


def bad_request(request, exception=None):
    return render_error(request, 400)


def permission_denied(request, exception=None):
    return render_error(request, 403)


def page_not_found(request, exception=None):
    return render_error(request, 404)


def server_error(request):
    return render_error(request, 500)


def login_locked_out(request, credentials=None, *args, **kwargs):
    """django-axes' lockout: the admin's look, in the admin's language, saying for how long."""
    context = {
        **admin.site.each_context(request),
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "admin/locked_out.html", context, status=429)
