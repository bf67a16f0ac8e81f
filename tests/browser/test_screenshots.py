"""The README's screenshots: the home page, a priority page and the contact form on a phone and a
desktop. `make screenshots` writes them to docs/screenshots/ (SCREENSHOT_DIR); in the normal run
they go to a temporary folder, which still proves every one of them renders."""

import os
from pathlib import Path

import pytest
from django.utils import translation
from PIL import Image

from priorities.models import Priority

from .conftest import DESKTOP, PHONE, visit

pytestmark = pytest.mark.django_db(transaction=True)


def test_screenshots_of_the_home_page_a_priority_and_the_contact_form(new_page, content, tmp_path):
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    with translation.override("en"):
        priority = Priority.objects.get(cycle__slug="2022-2025", slug_da="narkotikahandel")
        pages = {"home": "/en/", "priority": priority.get_absolute_url(), "contact": "/en/contact/"}

    for device, viewport in {"phone": PHONE, "desktop": DESKTOP}.items():
        page = new_page(viewport=viewport, reduced_motion="reduce")
        for name, path in pages.items():
            visit(page, path)
            target = folder / f"{name}-{device}.png"
            page.screenshot(path=target, animations="disabled", caret="hide")
            with Image.open(target) as image:
                assert image.size == (viewport["width"], viewport["height"])
