import signal

from django.core.management.base import BaseCommand

from contact import worker
from contact.services import deliver_due, mail_is_configured


class Command(BaseCommand):
    help = (
        "Mail the pending contact messages now, even those waiting for their next retry (with "
        "--due-only: only those whose retry time has come). With --loop it is the mail worker: "
        "it sends what is due, woken at once by new messages, and retries by itself. Any number "
        "of workers may run: each message is claimed atomically and sent once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep running (the mail worker)")
        parser.add_argument(
            "--due-only",
            action="store_true",
            help="send only messages whose retry time has come (the worker always does)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="with --loop: seconds between rounds when nothing wakes the worker "
            "(default 5 on PostgreSQL, which wakes it at once; 1 elsewhere)",
        )

    def handle(self, *args, loop=False, due_only=False, interval=None, **options):
        if not mail_is_configured():
            self.stderr.write("Mail is not configured (EMAIL_HOST): messages stay pending.")
        if not loop:
            sent = deliver_due(due_only=due_only)
            self.stdout.write(f"{sent} message(s) sent.")
            return
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_args: stopping.append(True))
        signal.signal(signal.SIGINT, lambda *_args: stopping.append(True))
        worker.run(stopping=lambda: bool(stopping), interval=interval, report=self.stdout.write)
        self.stdout.write("Mail worker stopped.")
