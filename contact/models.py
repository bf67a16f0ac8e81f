import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.content import ChangesContent
from core.fields import HTMLField


def new_message_id():
    # Stable per message: a retried or repeated delivery carries the same Message-ID.
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "icare.dk"
    return f"<contact-{uuid.uuid4().hex}@{domain}>"


class OutgoingMail(models.Model):
    """A mail in the outbox: stored first, claimed atomically (pending -> sending), mailed once,
    retried with backoff (contact.services.deliver). The mail to ICARE is the message itself;
    the acknowledgement to the visitor has its own row."""

    class Delivery(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        NOT_SENT = "not_sent", _("Not sent (spam)")

    delivery = models.CharField(
        _("delivery"),
        max_length=10,
        choices=Delivery.choices,
        default=Delivery.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sending_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    last_error = models.TextField(_("last delivery error"), blank=True)
    # The last attempt failed because the mail server could not be reached (refused, hung, timed
    # out), not because it rejected this message: the next successful delivery makes it due.
    server_was_down = models.BooleanField(_("mail server was unreachable"), default=False)
    message_id = models.CharField(
        _("Message-ID"), max_length=200, unique=True, default=new_message_id, editable=False
    )

    class Meta:
        abstract = True


class MessageQuerySet(models.QuerySet):
    def mail_overdue(self):
        """Messages a person should worry about: not delivered after CONTACT_OVERDUE_MINUTES."""
        limit = timezone.now() - timedelta(minutes=settings.CONTACT_OVERDUE_MINUTES)
        undelivered = [Message.Delivery.PENDING, Message.Delivery.SENDING, Message.Delivery.FAILED]
        return self.filter(delivery__in=undelivered, created_at__lt=limit)

    def leads(self):
        return self.exclude(status=Message.Status.SPAM)

    def waiting_for_answer(self):
        """Leads nobody has answered yet (new or in progress)."""
        return self.filter(status__in=Message.WAITING, answered_at__isnull=True)

    def answer_overdue(self, now=None):
        """Waiting for an answer past their due time (CONTACT_ANSWER_WORKING_DAYS)."""
        return self.waiting_for_answer().filter(answer_due_at__lt=now or timezone.now())

    def owned_by(self, user):
        return self.filter(owner=user)

    def unassigned(self):
        """Waiting for an answer with nobody on it."""
        return self.waiting_for_answer().filter(owner__isnull=True)

    def of_address(self, address):
        return self.filter(email__iexact=address.strip())


class Message(OutgoingMail):
    """A prospect's message from the contact form, and the lead it opens for ICARE's staff.
    Stored before any mail is attempted; the row is also the outbox entry of the mail to ICARE."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        IN_PROGRESS = "in_progress", _("In progress")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        SPAM = "spam", _("Spam")

    # Waiting for an answer from ICARE.
    WAITING = [Status.NEW, Status.IN_PROGRESS]

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    message = models.TextField(_("message"), max_length=5000)
    language = models.CharField(_("page language"), max_length=8, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        limit_choices_to={"is_staff": True, "is_active": True},
    )
    answered_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    # Received + CONTACT_ANSWER_WORKING_DAYS working days (Monday-Friday, Copenhagen time); set
    # when the message is stored, so "overdue" is one indexed comparison.
    answer_due_at = models.DateTimeField(_("answer due"), null=True, blank=True, db_index=True)
    # The form's one-time token combined with what was submitted (contact.services.message_create):
    # a double click or a resubmitted form stores one message, a different one is always stored.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["delivery", "next_attempt_at"], name="message_due")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(delivery="sent") | Q(sent_at__isnull=False),
                name="sent_message_has_sent_time",
            ),
        ]
        verbose_name = _("contact message")
        verbose_name_plural = _("contact messages")

    def __str__(self):
        # No address: this text is kept in the admin's log (django_admin_log).
        received = timezone.localtime(self.created_at).strftime("%d.%m.%Y %H:%M")
        return f"{self.name} ({received})"

    @property
    def is_answer_overdue(self):
        return (
            self.status in self.WAITING
            and self.answered_at is None
            and self.answer_due_at is not None
            and self.answer_due_at < timezone.now()
        )


class Acknowledgement(OutgoingMail):
    """The short receipt mailed to the visitor, in the language of the page they wrote from.

    Its text is fixed when the message is stored (from AcknowledgementText and the site details)
    and never repeats what the visitor typed, the name aside
    (contact.acknowledgements.acknowledgement_for)."""

    # Not "message": OutgoingMail.message_id is the mail's Message-ID header.
    lead = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="acknowledgement", verbose_name=_("message")
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))

    class Meta:
        indexes = [
            models.Index(fields=["delivery", "next_attempt_at"], name="acknowledgement_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(delivery="sent") | Q(sent_at__isnull=False),
                name="sent_acknowledgement_has_sent_time",
            ),
        ]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")

    def __str__(self):
        return self.subject


class AcknowledgementText(models.Model):
    """What the acknowledgement says, written by staff in both languages: one row.

    {name}, {company_phone} and {company_email} are filled in when a message is stored."""

    PLACEHOLDERS = ("name", "company_phone", "company_email")

    subject = models.CharField(_("subject"), max_length=150)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Plain text. {name} is the visitor's name (or nothing when it does not look like a "
            "name), {company_phone} and {company_email} come from the site details. Nothing "
            "else the visitor typed is ever repeated."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="acknowledgement_text_single_row")
        ]
        verbose_name = _("acknowledgement text")
        verbose_name_plural = _("acknowledgement text")

    def __str__(self):
        return str(self._meta.verbose_name).capitalize()

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        for field in ("subject", "body"):
            for language, _name in settings.LANGUAGES:
                name = f"{field}_{language}"
                text = getattr(self, name, "") or ""
                unknown = sorted(set(re.findall(r"\{(\w*)\}", text)) - set(self.PLACEHOLDERS))
                if unknown:
                    errors[name] = ValidationError(
                        _("Unknown placeholder %(unknown)s; you can use %(known)s."),
                        params={
                            "unknown": ", ".join(f"{{{word}}}" for word in unknown),
                            "known": ", ".join(f"{{{word}}}" for word in self.PLACEHOLDERS),
                        },
                    )
        if errors:
            raise ValidationError(errors)


class Note(models.Model):
    """An internal note on a lead: kept with the message, never mailed."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self):
        return f"{self.author or '-'} {timezone.localtime(self.created_at):%d.%m.%Y %H:%M}"


class LeadChange(models.Model):
    """One change of a lead's status or owner: who, when, from what to what."""

    class Field(models.TextChoices):
        STATUS = "status", _("status")
        OWNER = "owner", _("owner")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="changes")
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    field = models.CharField(_("field"), max_length=10, choices=Field.choices)
    old_value = models.CharField(_("from"), max_length=150, blank=True)
    new_value = models.CharField(_("to"), max_length=150, blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("lead change")
        verbose_name_plural = _("lead changes")

    def __str__(self):
        return f"{self.field}: {self.old_value} -> {self.new_value}"


class DataRequest(models.Model):
    """The audit entry of a data subject's request (GDPR Art. 15 export, Art. 17 erasure): when,
    by whom and how many records. Never the person's address or anything else about them."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Access (export)")
        ERASURE = "erasure", _("Erasure")

    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    handled_at = models.DateTimeField(_("handled"), default=timezone.now)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The staff member's username as it was (kept if the user is deleted), or the command line.
    handled_by_name = models.CharField(_("handled by (name)"), max_length=150)
    records = models.JSONField(_("records"), default=dict)
    total = models.PositiveIntegerField(_("records in total"), default=0)

    class Meta:
        ordering = ["-handled_at"]
        verbose_name = _("data request")
        verbose_name_plural = _("data requests")

    def __str__(self):
        return f"{self.get_kind_display()} {timezone.localtime(self.handled_at):%d.%m.%Y %H:%M}"


class MailWorker(models.Model):
    """A running mail worker (send_pending_mail --loop), so /healthz can tell when none has
    completed a round lately: the worker is the only thing that retries."""

    name = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_round_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name


class RateLimitHit(models.Model):
    """One POST to a rate-limited form, for the database rate limiter (used without Redis).

    A row per hit, counted over a sliding window: concurrent processes never under-count, because
    each inserts (and commits) its own row before counting."""

    key = models.CharField(max_length=100)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["key", "at"], name="ratelimit_key_at")]

    def __str__(self):
        return f"{self.key} {self.at:%Y-%m-%d %H:%M:%S}"


class PrivacyNotice(ChangesContent, models.Model):
    """The privacy notice page: one row, written by staff in both languages."""

    title = models.CharField(_("title"), max_length=200)
    body = HTMLField(_("text"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="privacy_notice_single_row")]
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notice")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)
