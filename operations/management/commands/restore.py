from django.core.management.base import BaseCommand, CommandError

from operations.backups import restore


class Command(BaseCommand):
    help = "Replace the database and the uploaded media with a backup made by `backup`."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar.gz written by `manage.py backup`")
        parser.add_argument("--noinput", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, archive, noinput=False, **options):
        if not noinput:
            answer = input(f"Replace the database and media with {archive}? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        restore(archive)
        self.stdout.write(self.style.SUCCESS(f"Restored from {archive}"))
