"""Small builders with sensible defaults; a test overrides only what it is about."""

import datetime
import itertools
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article
from cycle.models import CycleStep
from priorities.models import Objective, PolicyCycle, Priority

_counter = itertools.count(1)


def make_cycle(slug="2022-2025", **fields):
    """A published cycle (new cycles are drafts: pass is_published=False for one)."""
    start, end = (int(year) for year in slug.split("-"))
    fields = {"start_year": start, "end_year": end, "is_published": True, **fields}
    return PolicyCycle.objects.create(slug=slug, **fields)


def make_priority(cycle=None, name_da=None, **fields):
    n = next(_counter)
    name_da = name_da or f"Prioritet {n}"
    fields.setdefault("slug_da", f"prioritet-{n}")
    return Priority.objects.create(
        cycle=cycle or make_cycle(slug=f"{3000 + n}-{3003 + n}"), name_da=name_da, **fields
    )


def make_objective(priority, text_da="At bekæmpe kriminelle netværk.", **fields):
    return Objective.objects.create(priority=priority, text_da=text_da, **fields)


def make_step(number=1, title_da="Trin", **fields):
    fields.setdefault("summary_da", title_da)
    return CycleStep.objects.create(number=number, title_da=title_da, **fields)


def make_article(title_da="En artikel", **fields):
    n = next(_counter)
    fields.setdefault("slug_da", f"artikel-{n}")
    fields.setdefault("status", Article.Status.PUBLISHED)
    if fields["status"] == Article.Status.PUBLISHED:
        fields.setdefault("published_at", timezone.now() - datetime.timedelta(days=1))
    return Article.objects.create(title_da=title_da, **fields)


def make_image_file(name="foto.png", size=(2000, 1000), image_format="PNG"):
    buffer = BytesIO()
    Image.new("RGB", size, (11, 34, 64)).save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")
