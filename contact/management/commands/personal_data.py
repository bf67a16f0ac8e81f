import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from contact.personal_data import PersonalData, erase_request, export_request


class Command(BaseCommand):
    help = (
        "A data subject's request (GDPR): `export ADDRESS` writes everything the site stores "
        "about an email address as JSON (Art. 15); `erase ADDRESS` deletes it after a "
        "confirmation (Art. 17). Both leave an audit entry (when, by whom, how many records)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("address", help="the person's email address")
        parser.add_argument(
            "--client-address",
            action="append",
            default=[],
            help="an IP address the person wrote from (their rate-limit records); repeatable",
        )
        parser.add_argument("--output", help="export: write to this file instead of stdout")
        parser.add_argument(
            "--yes", action="store_true", help="erase: do not ask for the address again"
        )

    def handle(self, *args, action, address, client_address, output=None, yes=False, **options):
        name = f"manage.py personal_data ({getpass.getuser()})"
        if action == "export":
            text = export_request(address, client_addresses=client_address, name=name)
            if output:
                with open(output, "w", encoding="utf-8") as file:
                    file.write(text)
                self.stderr.write(f"Written to {output}.")
            else:
                self.stdout.write(text)
            return
        counts = PersonalData(address, client_addresses=client_address).counts()
        for key, count in counts.items():
            self.stdout.write(f"{key.replace('_', ' ')}: {count}")
        if not yes:
            if not sys.stdin.isatty():
                raise CommandError("Not erased: confirm with --yes when not run interactively.")
            if input("Type the address again to erase all of the above: ").strip().lower() != (
                address.strip().lower()
            ):
                raise CommandError("Not erased: the address typed again does not match.")
        entry = erase_request(address, client_addresses=client_address, name=name)
        self.stdout.write(f"Erased {entry.total} record(s); audit entry {entry.pk}.")
