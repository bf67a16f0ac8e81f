"""Smaller copies of an article's image, so phones download what they can show (srcset)."""

from io import BytesIO
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

WIDTHS = (480, 960, 1600)


def rendition_name(name, width):
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}-{width}w.webp"))


def rendition_widths(image_width):
    return [width for width in WIDTHS if image_width and width < image_width]


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
