from django.core.management.base import BaseCommand, CommandError

from contact.digest import send_digest
from contact.services import mail_is_configured


class Command(BaseCommand):
    help = (
        "Mail CONTACT_RECIPIENT a list of the leads waiting for an answer (overdue ones first), "
        "with links to the admin. Sends nothing when nothing waits. Schedule it daily."
    )

    def handle(self, *args, **options):
        if not mail_is_configured():
            raise CommandError("Mail is not configured (EMAIL_HOST): no digest sent.")
        try:
            count = send_digest()
        except OSError as error:  # the mail server: the timer shows the run as failed
            raise CommandError(f"The digest was not sent: {error}") from error
        if count:
            self.stdout.write(f"Digest sent: {count} lead(s) waiting for an answer.")
        else:
            self.stdout.write("No lead waits for an answer: no digest sent.")
