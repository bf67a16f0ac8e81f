"""Storing and delivering contact messages. A message is stored before any mail is attempted;
delivery is claimed atomically, so the request and any number of workers never send it twice.

Two kinds of mail leave through the same outbox (OutgoingMail rows): the message to ICARE and
the acknowledgement to the visitor."""

import json
import logging
import smtplib
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from .acknowledgements import acknowledgement_for, build_acknowledgement_email, one_line
from .leads import answer_due
from .models import Acknowledgement, Message

logger = logging.getLogger(__name__)

# The PostgreSQL channel on which a new message wakes the mail workers.
MAIL_CHANNEL = "contact_mail"


def mail_is_configured():
    return "default" in mailers


def message_create(*, data, language, is_spam=False, token=None):
    """Store a message from the contact form and wake the mail worker once it is committed.

    A form submitted twice (the same token, the same content) stores one message and returns it;
    a different message sent with a used token (back, edit, send again) is stored like any other."""
    fields = {key: data.get(key, "") for key in ("name", "email", "phone", "organisation")}
    if token:
        # The stored token is derived from the form's token and everything submitted, so that
        # it merges identical submissions only (issue 12).
        content = json.dumps([language, *fields.values(), data.get("message", "")])
        token = uuid.uuid5(uuid.UUID(str(token)), content)
        if existing := Message.objects.filter(submission_token=token).first():
            return existing
    try:
        with transaction.atomic():
            received = timezone.now()
            message = Message.objects.create(
                **fields,
                message=data.get("message", ""),
                language=language,
                created_at=received,
                submission_token=token,
                status=Message.Status.SPAM if is_spam else Message.Status.NEW,
                delivery=Message.Delivery.NOT_SENT if is_spam else Message.Delivery.PENDING,
                answer_due_at=None if is_spam else answer_due(received),
            )
            if not is_spam:
                if settings.CONTACT_ACKNOWLEDGEMENT:
                    Acknowledgement.objects.create(lead=message, **acknowledgement_for(message))
                wake_mail_worker()
    except IntegrityError:
        if not token:
            raise
        # The same form, submitted at the same moment by a double click: the other one won.
        return Message.objects.get(submission_token=token)
    return message


def wake_mail_worker():
    """Tell the mail workers there is mail, so it leaves within moments, not at the next round.

    On PostgreSQL a NOTIFY, delivered when the surrounding transaction commits (never for a
    rolled-back message); elsewhere the workers poll every second."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {MAIL_CHANNEL}")


def deliver(pk, *, kind=Message, due_only=True):
    """Claim the mail (a Message or an Acknowledgement), send it, and record the outcome. True if
    it was sent.

    The claim (pending -> sending in one UPDATE) is what keeps any number of workers from
    sending a mail twice. due_only=False claims a pending mail whose retry time has not come yet
    (an operator sending what is pending now)."""
    if not mail_is_configured():
        return False
    now = timezone.now()
    pending = kind.objects.filter(pk=pk, delivery=kind.Delivery.PENDING)
    if due_only:
        pending = pending.filter(next_attempt_at__lte=now)
    claimed = pending.update(
        delivery=kind.Delivery.SENDING, sending_started_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    mail = kind.objects.get(pk=pk)
    try:
        BUILDERS[kind](mail).send(using="default")
    except Exception as error:  # noqa: BLE001 - any failure leaves the mail pending, never lost
        record_failure(mail, error)
        return False
    kind.objects.filter(pk=pk).update(
        delivery=kind.Delivery.SENT, sent_at=timezone.now(), last_error="", server_was_down=False
    )
    logger.info("%s %s delivered (attempt %s).", kind.__name__, pk, mail.attempts)
    # The server answers again: what waited for it because it was down need not wait any longer.
    for outbox in OUTBOXES:
        outbox.objects.filter(
            delivery__in=[outbox.Delivery.PENDING, outbox.Delivery.FAILED], server_was_down=True
        ).update(delivery=outbox.Delivery.PENDING, next_attempt_at=timezone.now())
    return True


# Refusals of one message (its sender, its recipients, its content). Every other smtplib error,
# and every socket error or timeout, means the server itself is unreachable or unwell.
MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


def is_server_down(error):
    return isinstance(error, OSError) and not isinstance(error, MESSAGE_ERRORS)


def record_failure(mail, error):
    give_up = mail.attempts >= settings.CONTACT_MAX_ATTEMPTS
    wait = settings.CONTACT_RETRY_BASE_SECONDS * 2 ** min(mail.attempts - 1, 10)
    type(mail).objects.filter(pk=mail.pk).update(
        delivery=mail.Delivery.FAILED if give_up else mail.Delivery.PENDING,
        next_attempt_at=timezone.now() + timedelta(seconds=wait),
        last_error=f"{type(error).__name__}: {error}"[:1000],
        server_was_down=is_server_down(error),
    )
    # No personal data in logs: the id, never the name or address.
    logger.warning(
        "%s %s not delivered (attempt %s): %s", type(mail).__name__, mail.pk, mail.attempts, error
    )


def release_stuck():
    """Mail left "sending" by a worker that died goes back to pending."""
    limit = timezone.now() - timedelta(seconds=settings.CONTACT_STUCK_AFTER_SECONDS)
    return sum(
        outbox.objects.filter(
            delivery=outbox.Delivery.SENDING, sending_started_at__lt=limit
        ).update(delivery=outbox.Delivery.PENDING)
        for outbox in OUTBOXES
    )


def deliver_due(*, batch=100, due_only=True):
    """Deliver what is due (with due_only=False: everything pending); returns how many were sent.

    Mail to ICARE goes before acknowledgements. Safe to run in any number of workers. A round
    ends at the first sign that the mail server is down, so one round never waits longer than the
    mail timeout on a dead server; the rest keep their place and go in the next round."""
    release_stuck()
    sent = 0
    for kind in OUTBOXES:
        pending = kind.objects.filter(delivery=kind.Delivery.PENDING)
        if due_only:
            pending = pending.filter(next_attempt_at__lte=timezone.now())
        for pk in pending.order_by("next_attempt_at").values_list("pk", flat=True)[:batch]:
            if deliver(pk, kind=kind, due_only=due_only):
                sent += 1
            elif kind.objects.filter(pk=pk, server_was_down=True).exists():
                return sent  # trying the next mail now would only wait as long again
    return sent


def resend(queryset):
    """Staff asked for another try (of the mail to ICARE, or of acknowledgements): due now, with
    the attempts counted afresh, and the worker woken to send it. Spam is never sent."""
    kind = queryset.model
    count = queryset.filter(delivery__in=[kind.Delivery.PENDING, kind.Delivery.FAILED]).update(
        delivery=kind.Delivery.PENDING, next_attempt_at=timezone.now(), attempts=0
    )
    wake_mail_worker()
    return count


def build_email(message):
    """The mail to ICARE, in Danish and plain text; the visitor's address as Reply-To."""
    received = timezone.localtime(message.created_at).strftime("%d.%m.%Y %H:%M")
    with translation.override("da"):
        language = str(dict(settings.LANGUAGES)[message.language])
        body = "\n".join(
            [
                "Ny henvendelse fra kontaktformularen på EMPACT-siden.",
                "",
                f"Navn: {message.name}",
                f"E-mail: {message.email}",
                f"Telefon: {message.phone or '-'}",
                f"Organisation: {message.organisation or '-'}",
                f"Sidens sprog: {language}",
                f"Modtaget: {received} (dansk tid)",
                "",
                "Besked:",
                message.message,
                "",
                "--",
                "Svar direkte på denne mail for at svare afsenderen.",
            ]
        )
    return EmailMessage(
        subject=f"Henvendelse fra {one_line(message.name)} via EMPACT-siden",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[settings.CONTACT_RECIPIENT],
        reply_to=[one_line(message.email)],
        headers={"Message-ID": message.message_id},
    )


BUILDERS = {Message: build_email, Acknowledgement: build_acknowledgement_email}
# In the order a round sends them: ICARE first.
OUTBOXES = list(BUILDERS)
