import re

from django import forms
from django.core.validators import RegexValidator
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


class ContactForm(forms.Form):
    name = forms.CharField(
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
    organisation = forms.CharField(
        label=_("Organisation (optional)"),
        max_length=200,
        required=False,
        validators=[no_line_breaks],
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    message = forms.CharField(
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

    @property
    def is_spam(self):
        return bool(self.cleaned_data.get("website"))

    def visible_fields(self):
        return [field for field in super().visible_fields() if field.name != "website"]
