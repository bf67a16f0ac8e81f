from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw, ImageFont

NAVY, RED, WHITE, MUTED = (11, 34, 64), (180, 35, 24), (255, 255, 255), (201, 212, 228)


class Command(BaseCommand):
    help = (
        "Draw the default social-media share image (static/img/share.png, 1200x630) with "
        "Pillow. Run once after a design change and commit the result; no external service."
    )

    def handle(self, *args, **options):
        image = Image.new("RGB", (1200, 630), NAVY)
        draw = ImageDraw.Draw(image)
        draw.rectangle([0, 600, 1200, 630], fill=RED)
        # Pillow's own font, so the picture is the same on every machine.
        big, medium, small = (ImageFont.load_default(size) for size in (112, 46, 34))
        draw.text((80, 90), "ICARE SECURITY A/S", font=medium, fill=MUTED)
        draw.text((80, 190), "EMPACT", font=big, fill=WHITE)
        draw.text(
            (80, 340),
            "European Multidisciplinary Platform\nAgainst Criminal Threats",
            font=medium,
            fill=WHITE,
            spacing=14,
        )
        draw.text((80, 500), "+45 31971111  ·  info@icare.dk", font=small, fill=MUTED)
        path = Path(settings.BASE_DIR) / "static" / "img" / "share.png"
        image.save(path, optimize=True)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}"))
