import email
import email.errors
import email.policy
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import RegexValidator
from django.utils.encoding import punycode
from django.utils.translation import gettext_lazy as _

no_line_breaks = RegexValidator(
    r"^[^\r\n\x00-\x08\x0b-\x1f\x7f]*$",
    _("Please write this on one line."),
    code="control_characters",
)
phone_number = RegexValidator(
    r"^\+?[0-9 ()./-]{6,30}$",
    _("Enter a phone number with digits, and + for a country code, e.g. +45 31 97 11 11."),
)

# Characters that draw nothing: format characters (zero-width space, joiners, BOM, soft hyphen),
# controls, separators and combining marks with nothing to combine with, and the few letters
# and symbols that are blank by design (Hangul fillers, the Braille blank).
INVISIBLE_CATEGORIES = {"Cc", "Cf", "Mn", "Me", "Zs", "Zl", "Zp"}
BLANK_CHARACTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def is_invisible(text):
    return all(
        ch.isspace() or ch in BLANK_CHARACTERS or unicodedata.category(ch) in INVISIBLE_CATEGORIES
        for ch in text
    )


class VisibleCharField(forms.CharField):
    """Text that must show something: a value of only whitespace and invisible characters (a
    zero-width space) counts as empty, so a required field says that it is required."""

    def to_python(self, value):
        value = super().to_python(value)
        return self.empty_value if value and is_invisible(value) else value


def reply_to_address(value):
    """The address exactly as the mail to ICARE will carry it in Reply-To, parsed back from the
    bytes sent. The mail's parser decodes encoded words (=?utf-8?q?...?=), even into line
    breaks, so an address that does not come back unchanged could never be mailed (issue 12)."""
    built = EmailMessage(reply_to=[value]).message(policy=email.policy.SMTP)
    header = email.message_from_bytes(built.as_bytes(), policy=email.policy.default)["Reply-To"]
    return [address.addr_spec for address in header.addresses] if header else []


def validate_mailable(value):
    local, _at, domain = value.rpartition("@")
    try:
        mailable = reply_to_address(value) == [f"{local}@{punycode(domain)}"]
    except (ValueError, TypeError, LookupError, email.errors.MessageError):
        mailable = False
    if not mailable:
        raise ValidationError(
            _("Enter an email address that we can reply to, e.g. name@example.dk."),
            code="not_mailable",
        )


class ContactForm(forms.Form):
    name = VisibleCharField(
        label=_("Name"),
        max_length=200,
        validators=[no_line_breaks],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=40,
        required=False,
        validators=[phone_number],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    organisation = VisibleCharField(
        label=_("Organisation (optional)"),
        max_length=200,
        required=False,
        validators=[no_line_breaks],
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    message = VisibleCharField(
        label=_("Message"),
        max_length=5000,
        help_text=_("Up to 5,000 characters."),
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    # The template adds the link to the privacy notice after this label.
    consent = forms.BooleanField(
        label=_("I agree that ICARE SECURITY A/S stores my message in order to answer it."),
        error_messages={
            "required": _("Please agree, so that we may store and answer your message.")
        },
    )
    # The honeypot: hidden from people and screen readers; bots fill in every field they find.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    # One per rendered form, so that a double click or a resubmitted form sends one message.
    token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        # The "*" of required fields comes after the label; no colon before it.
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_name(self):
        return re.sub(r"\s+", " ", self.cleaned_data["name"]).strip()

    def clean_email(self):
        address = self.cleaned_data["email"]
        validate_mailable(address)
        return address

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != "website"]
