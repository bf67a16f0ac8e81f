"""Uploaded images for `make run` and single-server set-ups. WhiteNoise serves only static files;
in production the web server or object storage serves media (see README)."""

import mimetypes

from django.conf import settings
from django.http import Http404
from django.views.static import serve

# Only what the site uploads. Anything else (an .html or .svg someone managed to store) is never
# served, so an upload can't become a page on our origin.
SERVABLE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def serve_media(request, path):
    content_type, _encoding = mimetypes.guess_type(path)
    if content_type not in SERVABLE_TYPES:
        raise Http404("Not a servable media file.")
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "public, max-age=86400"
    return response
