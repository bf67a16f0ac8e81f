from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from operations.backups import backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded media into one .tar.gz (default: var/backups/)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="archive to write")

    def handle(self, *args, output=None, **options):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        output = output or settings.VAR_DIR / "backups" / f"empact-{stamp}.tar.gz"
        path = backup(output)
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path}"))
