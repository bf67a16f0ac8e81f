import uuid
from datetime import timedelta

from django.conf import settings
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


class MessageQuerySet(models.QuerySet):
    def overdue(self):
        """Messages a person should worry about: not delivered after CONTACT_OVERDUE_MINUTES."""
        limit = timezone.now() - timedelta(minutes=settings.CONTACT_OVERDUE_MINUTES)
        undelivered = [Message.Delivery.PENDING, Message.Delivery.SENDING, Message.Delivery.FAILED]
        return self.filter(delivery__in=undelivered, created_at__lt=limit)


class Message(models.Model):
    """A prospect's message from the contact form. Stored before any mail is attempted."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        HANDLED = "handled", _("Handled")
        SPAM = "spam", _("Spam")

    class Delivery(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        NOT_SENT = "not_sent", _("Not sent (spam)")

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    message = models.TextField(_("message"), max_length=5000)
    language = models.CharField(_("page language"), max_length=8, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
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
        return f"{self.name} <{self.email}>"


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
