"""Smaller copies of an article's image, so phones download what they can show (srcset)."""

import contextlib
from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

WIDTHS = (480, 960, 1600)
# What the site accepts (README), by the format Pillow decodes, with the suffixes it is stored
# under (the first when the uploaded name has another): media are served by their suffix.
FORMATS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",), "WEBP": (".webp",)}


def rendition_name(name, width):
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}-{width}w.webp"))


def rendition_widths(image_width):
    return [width for width in WIDTHS if image_width and width < image_width]


def delete_with_renditions(name):
    """Remove a stored image and every copy make_renditions() may have written of it."""
    for path in (name, *(rendition_name(name, width) for width in WIDTHS)):
        with contextlib.suppress(OSError):
            default_storage.delete(path)


def make_renditions(image_field):
    """Write a WebP copy of the image at every width in WIDTHS below its own width."""
    if not image_field:
        return
    with image_field.open("rb") as f, Image.open(f) as original:
        original = original.convert("RGB")
        for width in rendition_widths(original.width):
            height = round(original.height * width / original.width)
            buffer = BytesIO()
            original.resize((width, height), Image.Resampling.LANCZOS).save(
                buffer, "WEBP", quality=82
            )
            name = rendition_name(image_field.name, width)
            default_storage.delete(name)
            default_storage.save(name, ContentFile(buffer.getvalue()))
