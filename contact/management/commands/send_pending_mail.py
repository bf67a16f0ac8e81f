import signal
import time

from django.core.management.base import BaseCommand

from contact.services import deliver_due, mail_is_configured


class Command(BaseCommand):
    help = (
        "Mail the contact messages that are due (pending, retried with backoff). Once, or with "
        "--loop as the mail worker. Any number of workers may run: each message is claimed "
        "atomically and sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running (the mail worker)")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="seconds between rounds with --loop"
        )

    def handle(self, *args, loop=False, interval=5.0, **options):
        if not mail_is_configured():
            self.stderr.write("Mail is not configured (EMAIL_HOST): messages stay pending.")
        if not loop:
            sent = deliver_due()
            self.stdout.write(f"{sent} message(s) sent.")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_args: stopping.append(True))
        self.stdout.write(f"Mail worker running (every {interval:g} s).")
        while not stopping:
            try:
                sent = deliver_due()
            except Exception as error:  # noqa: BLE001 - a database hiccup must not kill the worker
                self.stderr.write(f"Mail worker round failed: {error}")
                sent = 0
            if sent:
                self.stdout.write(f"{sent} message(s) sent.")
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(0.2)
        self.stdout.write("Mail worker stopped.")
