from django.core.management.base import BaseCommand

from operations.seeding import DATA_FILE, load_content


class Command(BaseCommand):
    help = (
        "Load the EMPACT article, its priorities and the cycle steps from the project's data file. "
        "Safe to run again: it never overwrites or recreates what an editor changed or deleted."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=DATA_FILE, help="TOML data file (default: %(default)s)"
        )

    def handle(self, *args, **options):
        stats = load_content(options["file"])
        summary = ", ".join(f"{name}: {count}" for name, count in sorted(stats.items()))
        self.stdout.write(self.style.SUCCESS(f"EMPACT content loaded ({summary})."))
