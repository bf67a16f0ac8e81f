"""The acknowledgement mailed to a visitor who wrote: its text (staff's, with defaults), filled
in with the company's details and the visitor's name, and nothing else the visitor typed."""

import re

from django.conf import settings
from django.core.mail import EmailMessage

from articles.models import SiteDetails

from .models import AcknowledgementText


def one_line(value):
    """Header values never carry line breaks or other control characters."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


DEFAULT_ACKNOWLEDGEMENT = {
    "da": (
        "Tak for din henvendelse til ICARE SECURITY A/S",
        "Hej {name}\n\n"
        "Tak for din henvendelse. Vi har modtaget den, og en af vores rådgivere vender tilbage "
        "til dig.\n\n"
        "Haster det, er du velkommen til at ringe på {company_phone} eller skrive til "
        "{company_email}.\n\n"
        "Venlig hilsen\nICARE SECURITY A/S\n\n"
        "Du får denne mail, fordi din e-mailadresse blev skrevet i kontaktformularen på vores "
        "side om EMPACT. Har du ikke selv skrevet til os, kan du se bort fra den.",
    ),
    "en": (
        "Thank you for contacting ICARE SECURITY A/S",
        "Hello {name},\n\n"
        "Thank you for your message. We have received it, and one of our advisers will get back "
        "to you.\n\n"
        "If it is urgent, please call us on {company_phone} or write to {company_email}.\n\n"
        "Kind regards\nICARE SECURITY A/S\n\n"
        "You receive this email because your address was entered in the contact form on our "
        "page about EMPACT. If you did not write to us yourself, please ignore it.",
    ),
}


def acknowledgement_text():
    """The text staff wrote (admin: Acknowledgement text), or the defaults until they save it."""
    if text := AcknowledgementText.objects.filter(pk=1).first():
        return text
    return default_acknowledgement_text()


def default_acknowledgement_text():
    fields = {}
    for language, (subject, body) in DEFAULT_ACKNOWLEDGEMENT.items():
        fields[f"subject_{language}"] = subject
        fields[f"body_{language}"] = body
    return AcknowledgementText(pk=1, **fields)


# A name is letters, with spaces, hyphens and apostrophes between them, and full stops that end
# a word: "Søren Ø. Hansen", "Anne-Marie O'Neil". Anything else (a link, an address, digits, a
# sales pitch) is left out of the acknowledgement, so the form cannot mail a stranger someone
# else's words.
NAME = re.compile(r"[^\W\d_]+(?:(?:[ '’-]+|\. +)[^\W\d_]+)*\.?")
NAME_MAX_LENGTH = 60
PLACEHOLDER = re.compile(r"([ \t]*)\{(" + "|".join(AcknowledgementText.PLACEHOLDERS) + r")\}")


def greeting_name(name):
    name = one_line(name)
    if len(name) <= NAME_MAX_LENGTH and NAME.fullmatch(name):
        return name
    return ""


def fill_in(template, values):
    """Replace the known placeholders, nothing else (str.format would let staff text reach
    attributes). An empty value takes the space before it along: "Hello {name}," -> "Hello,"."""

    def replace(match):
        space, value = match.group(1), values[match.group(2)]
        return space + value if value else ""

    return PLACEHOLDER.sub(replace, template)


def acknowledgement_for(message):
    """Subject and body of the acknowledgement, in the message's language: the staff's text with
    the company's details and the visitor's name, if it looks like one. Nothing else the visitor
    typed."""
    text = acknowledgement_text()
    details = SiteDetails.load()
    values = {
        "name": greeting_name(message.name),
        "company_phone": details.phone,
        "company_email": details.email,
    }
    language = message.language
    subject = getattr(text, f"subject_{language}") or text.subject_da
    body = getattr(text, f"body_{language}") or text.body_da
    return {
        "language": language,
        "subject": one_line(fill_in(subject, values)),
        "body": fill_in(body, values),
    }


def build_acknowledgement_email(acknowledgement):
    return EmailMessage(
        subject=acknowledgement.subject,
        body=acknowledgement.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[one_line(acknowledgement.lead.email)],
        reply_to=[settings.CONTACT_RECIPIENT],
        headers={
            "Message-ID": acknowledgement.message_id,
            # An automatic reply (RFC 3834): out-of-office robots do not answer it.
            "Auto-Submitted": "auto-replied",
        },
    )
