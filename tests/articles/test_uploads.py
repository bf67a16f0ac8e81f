"""An article's image, uploaded in the admin: JPEG, PNG or WebP that decodes whole, or a clear
form error; nothing is ever left behind in MEDIA_ROOT by an upload that failed (issue 12)."""

import datetime
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from articles.models import Article
from tests.editorial.helpers import admin_form_data
from tests.factories import make_article, make_image_file

pytestmark = pytest.mark.django_db


def media_files(settings):
    return sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())


def broken_png(name="foto.png"):
    """A PNG with a valid header and valid chunk checksums whose compressed pixels are garbage:
    Pillow's verify() accepts it; only decoding the pixels finds the damage."""
    data = make_image_file(name, size=(600, 400)).read()
    chunks, pos = [data[:8]], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IDAT":
            body = body[:2] + bytes(len(body) - 2)  # the zlib header, then zeros
        chunks.append(struct.pack(">I", len(body)) + kind + body)
        chunks.append(struct.pack(">I", zlib.crc32(kind + body)))
        pos += 12 + length
    return SimpleUploadedFile(name, b"".join(chunks), content_type="image/png")


@pytest.fixture
def change_page(admin_client):
    article = make_article(title_da="Med billede")
    url = f"/admin/articles/article/{article.pk}/change/"
    return url, admin_client.get(url)


def upload(client, change_page, image, **headers):
    url, page = change_page
    data = admin_form_data(page, image_alt_da="Et kort", image_alt_en="A map")
    return client.post(url, {**data, "image": image}, **headers)


@pytest.mark.parametrize("image_format", ["BMP", "TIFF", "GIF"])
@pytest.mark.parametrize("name", ["foto.png", "foto.other"])
def test_other_image_formats_are_refused_whatever_their_name(
    admin_client, change_page, settings, image_format, name
):
    image = make_image_file(
        name.replace("other", image_format.lower()), size=(600, 400), image_format=image_format
    )

    response = upload(admin_client, change_page, image)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["image"]
    assert errors == [f"Billedet er {image_format}; upload et billede i JPEG, PNG eller WebP."]
    assert not Article.objects.get().image
    assert media_files(settings) == []


def test_a_damaged_png_is_a_form_error_in_the_editors_language(admin_client, change_page, settings):
    danish = upload(admin_client, change_page, broken_png())
    english = upload(admin_client, change_page, broken_png(), HTTP_ACCEPT_LANGUAGE="en")

    assert danish.status_code == english.status_code == 200
    assert "Billedet kunne ikke læses; det er måske beskadiget." in danish.content.decode()
    assert "The image could not be read; it may be damaged." in english.content.decode()
    assert not Article.objects.get().image
    assert media_files(settings) == []


@pytest.mark.parametrize(("image_format", "suffix"), [("JPEG", ".jpg"), ("WEBP", ".webp")])
def test_jpeg_and_webp_are_stored_under_their_own_suffix(
    admin_client, change_page, settings, image_format, suffix
):
    image = make_image_file("foto.png", size=(1000, 500), image_format=image_format)

    response = upload(admin_client, change_page, image)

    assert response.status_code == 302
    stored = Article.objects.get().image.name
    assert stored.endswith(suffix)
    assert [p.name for p in media_files(settings)] == sorted(
        [f"foto{suffix}", "foto-480w.webp", "foto-960w.webp"]
    )


def test_a_failure_after_the_upload_was_written_leaves_no_file(admin_user, change_page, settings):
    # A directory where a smaller copy must go: writing the copies fails after the upload
    # itself has been stored.
    year = datetime.datetime.now().strftime("%Y")  # as upload_to="articles/%Y/" has it
    blocker = settings.MEDIA_ROOT / "articles" / year / "foto-480w.webp" / "x"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("")
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)

    response = upload(client, change_page, make_image_file("foto.png", size=(1000, 500)))

    assert response.status_code == 500
    assert not Article.objects.get().image
    assert media_files(settings) == [blocker]
