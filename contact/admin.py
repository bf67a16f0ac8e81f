import csv
import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from editorial.admin import EditorialAdmin

from .acknowledgements import default_acknowledgement_text
from .leads import reply_link, start_reply, update_lead
from .models import (
    Acknowledgement,
    AcknowledgementText,
    DataRequest,
    LeadChange,
    Message,
    Note,
    PrivacyNotice,
)
from .personal_data import PersonalData, erase_request, export_request
from .services import resend

COUNT_LABELS = {
    "messages": _("contact messages"),
    "notes": _("internal notes on them"),
    "acknowledgements": _("acknowledgements mailed to the person"),
    "status_and_owner_changes": _("changes of status and owner"),
    "admin_log_entries": _("entries in the admin's log"),
    "mentions_in_other_messages": _("other messages that mention the address"),
    "mentions_in_notes": _("notes on other messages that mention the address"),
    "rate_limit_records": _("rate-limit records of the client addresses given"),
}


class PersonalDataForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person"))
    client_addresses = forms.CharField(
        label=_("Client IP addresses (optional)"),
        required=False,
        help_text=_(
            "If the person gives the IP addresses they wrote from, their rate-limit records are "
            "included (kept at most a day). Separate them with spaces or commas."
        ),
    )
    confirmation = forms.CharField(label=_("Type the address again to confirm"), required=False)

    def clean_client_addresses(self):
        return [
            value for value in re.split(r"[\s,]+", self.cleaned_data["client_addresses"]) if value
        ]


def short_time(moment):
    """ "27.11. 11:27" (Copenhagen time): short enough for a column."""
    return timezone.localtime(moment).strftime("%d.%m. %H:%M")


class MailtoRedirect(HttpResponseRedirect):
    allowed_schemes = ["mailto"]


CSV_COLUMNS = [
    ("created_at", _("received")),
    ("name", _("name")),
    ("email", _("email")),
    ("phone", _("phone")),
    ("organisation", _("organisation")),
    ("message", _("message")),
    ("language", _("page language")),
    ("status", _("status")),
    ("owner", _("owner")),
    ("answered_at", _("first answered")),
    ("delivery", _("delivery")),
]
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class LeadFilter(admin.SimpleListFilter):
    """The views a sales team works from. Spam stays apart: it shows only when asked for."""

    title = _("leads")
    parameter_name = "leads"

    def lookups(self, request, model_admin):
        return [
            ("mine", _("Mine")),
            ("unassigned", _("Unassigned")),
            ("waiting", _("Waiting for an answer")),
            ("overdue", _("Overdue")),
            ("spam", _("Spam")),
            ("all", _("Everything, spam too")),
        ]

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        choices[0]["display"] = _("All leads (no spam)")
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        if value == "spam":
            return queryset.filter(status=Message.Status.SPAM)
        queryset = queryset.leads()
        if value == "mine":
            return queryset.owned_by(request.user)
        if value == "unassigned":
            return queryset.unassigned()
        if value == "waiting":
            return queryset.waiting_for_answer()
        if value == "overdue":
            return queryset.answer_overdue()
        return queryset


class NoteInline(admin.TabularInline):
    """Internal notes: written here, kept with the message, never mailed. A note stays as it was
    written; only Administrators delete one."""

    model = Note
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 1

    def has_change_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["widgets"] = {"text": forms.Textarea(attrs={"rows": 3, "cols": 80})}
        return super().get_formset(request, obj, **kwargs)


class LeadChangeInline(admin.TabularInline):
    model = LeadChange
    verbose_name_plural = _("history of status and owner")
    fields = ["changed_at", "changed_by", "field", "old_value", "new_value"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "name", "organisation", "status", "owner", "answer", "delivery"]
    list_filter = [LeadFilter, "status", "owner", "delivery", "language", "created_at"]
    list_select_related = ["owner"]
    search_fields = ["name", "email", "organisation", "phone", "message"]
    date_hierarchy = "created_at"
    actions = [
        "assign_to_me", "mark_in_progress", "mark_answered", "mark_closed", "mark_spam",
        "resend_mail", "resend_acknowledgement", "export_csv",
    ]  # fmt: skip
    inlines = [NoteInline, LeadChangeInline]
    fieldsets = [
        (None, {"fields": ["status", "owner", "answer", "answered_at"]}),
        (
            _("Message"),
            {
                "fields": [
                    "created_at",
                    "name",
                    "email",
                    "phone",
                    "organisation",
                    "language",
                    "message",
                ]
            },
        ),
        (
            _("Delivery to ICARE"),
            {
                "fields": [
                    "delivery",
                    "attempts",
                    "next_attempt_at",
                    "sent_at",
                    "last_error",
                    "message_id",
                ]  # fmt: skip
            },
        ),
        (
            _("Acknowledgement to the visitor"),
            {"fields": ["acknowledgement_state", "acknowledgement_text"]},
        ),
    ]
    readonly_fields = [
        "created_at", "name", "email", "phone", "organisation", "language", "message", "delivery",
        "attempts", "next_attempt_at", "sent_at", "last_error", "message_id", "answer",
        "answered_at", "acknowledgement_state", "acknowledgement_text",
    ]  # fmt: skip
    change_form_template = "admin/contact/message/change_form.html"

    class Media:
        css = {"all": ["css/admin-inbox.css"]}

    def has_add_permission(self, request):
        return False  # messages come from the website only

    def get_urls(self):
        return [
            path(
                "<int:pk>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="contact_message_reply",
            ),
            path(
                "personal-data/",
                self.admin_site.admin_view(self.personal_data_view),
                name="contact_personal_data",
            ),
            *super().get_urls(),
        ]

    def save_model(self, request, obj, form, change):
        # Only status and owner are editable here; they go through the pipeline, which records
        # every change.
        stored = Message.objects.get(pk=obj.pk)
        update_lead(stored, by=request.user, status=obj.status, owner=obj.owner)

    def save_formset(self, request, form, formset, change):
        notes = formset.save(commit=False)
        for note in notes:
            note.author = request.user
            note.save()
        for note in formset.deleted_objects:
            note.delete()

    @admin.display(description=_("answer"))
    def answer(self, obj):
        if obj.answered_at:
            return format_html("{} {}", _("answered"), short_time(obj.answered_at))
        if obj.status not in Message.WAITING or obj.answer_due_at is None:
            return "-"
        due = short_time(obj.answer_due_at)
        if obj.is_answer_overdue:
            return format_html(
                '<strong class="lead-overdue">{} {}</strong>', _("overdue since"), due
            )
        return format_html("{} {}", _("due"), due)

    @admin.display(description=_("acknowledgement"))
    def acknowledgement_state(self, obj):
        acknowledgement = getattr(obj, "acknowledgement", None)
        if acknowledgement is None:
            if obj.status == Message.Status.SPAM:
                return _("none (spam)")
            return _("none (switched off)")
        state = acknowledgement.get_delivery_display()
        if acknowledgement.sent_at:
            sent = date_format(timezone.localtime(acknowledgement.sent_at), "SHORT_DATETIME_FORMAT")
            return format_html("{} {}", state, sent)
        if acknowledgement.last_error:
            return format_html(
                "{} ({} {}): {}",
                state,
                _("attempts"),
                acknowledgement.attempts,
                acknowledgement.last_error,
            )
        return state

    @admin.display(description=_("acknowledgement text"))
    def acknowledgement_text(self, obj):
        acknowledgement = getattr(obj, "acknowledgement", None)
        if acknowledgement is None:
            return "-"
        return format_html(
            '<div class="lead-acknowledgement"><strong>{}</strong>\n\n{}</div>',
            acknowledgement.subject,
            acknowledgement.body,
        )

    def reply_view(self, request, pk):
        """POST from the "Reply" button: the lead is in progress (and the replier's, if nobody
        owned it), then the staff member's mail program opens with the visitor's address."""
        message = get_object_or_404(Message, pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, message):
            raise PermissionDenied
        start_reply(message, by=request.user)
        return MailtoRedirect(reply_link(message))

    def personal_data_view(self, request):
        """A data subject's request: find what the site holds about an address, download it as
        JSON, or erase it after a confirmation. Administrators only (delete permission). The
        address travels in POST bodies only, never in a URL or a log line."""
        if not self.has_delete_permission(request):
            raise PermissionDenied
        form = PersonalDataForm(request.POST or None)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Personal data of one person"),
            "form": form,
        }
        if request.method != "POST" or not form.is_valid():
            return TemplateResponse(request, "admin/contact/personal_data.html", context)
        address = form.cleaned_data["email"]
        client_addresses = form.cleaned_data["client_addresses"]
        action = request.POST.get("action")
        if action == "export":
            text = export_request(address, client_addresses=client_addresses, user=request.user)
            stamp = timezone.localtime().strftime("%Y-%m-%d")
            response = HttpResponse(text, content_type="application/json; charset=utf-8")
            response["Content-Disposition"] = (
                f'attachment; filename="personoplysninger-{stamp}.json"'
            )
            return response
        if (
            action == "erase"
            and form.cleaned_data["confirmation"].strip().lower() == address.lower()
        ):
            entry = erase_request(address, client_addresses=client_addresses, user=request.user)
            self.message_user(
                request,
                ngettext(
                    "Erased: %(total)d record. The audit entry keeps when, by whom and how many.",
                    "Erased: %(total)d records. The audit entry keeps when, by whom and how many.",
                    entry.total,
                )
                % {"total": entry.total},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:contact_datarequest_changelist"))
        data = PersonalData(address, client_addresses=client_addresses)
        context.update(
            found=data,
            counts=[(COUNT_LABELS[key], count) for key, count in data.counts().items()],
            confirming=action in ("confirm", "erase"),
            confirmation_wrong=action == "erase",
        )
        return TemplateResponse(request, "admin/contact/personal_data.html", context)

    def update_each(self, request, queryset, **changes):
        count = 0
        for message in queryset.select_related("owner"):
            if update_lead(message, by=request.user, **changes):
                count += 1
        return count

    @admin.action(description=_("Assign to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = self.update_each(request, queryset, owner=request.user)
        self.message_user(
            request,
            ngettext("%d message assigned to you.", "%d messages assigned to you.", count) % count,
        )

    @admin.action(description=_("Mark as in progress"), permissions=["change"])
    def mark_in_progress(self, request, queryset):
        self.mark(request, queryset, Message.Status.IN_PROGRESS)

    @admin.action(description=_("Mark as answered"), permissions=["change"])
    def mark_answered(self, request, queryset):
        self.mark(request, queryset, Message.Status.ANSWERED)

    @admin.action(description=_("Mark as closed"), permissions=["change"])
    def mark_closed(self, request, queryset):
        self.mark(request, queryset, Message.Status.CLOSED)

    @admin.action(description=_("Mark as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        self.mark(request, queryset, Message.Status.SPAM)

    def mark(self, request, queryset, status):
        count = self.update_each(request, queryset, status=status)
        self.message_user(
            request,
            ngettext(
                "%(count)d message marked “%(status)s”.",
                "%(count)d messages marked “%(status)s”.",
                count,
            )
            % {"count": count, "status": status.label},
        )

    @admin.action(description=_("Send the mail to ICARE again"), permissions=["change"])
    def resend_mail(self, request, queryset):
        count = resend(queryset.exclude(status=Message.Status.SPAM))
        self.message_user(
            request,
            ngettext(
                "%d message handed to the mail worker, which sends it within seconds.",
                "%d messages handed to the mail worker, which sends them within seconds.",
                count,
            )
            % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Send the acknowledgement again"), permissions=["change"])
    def resend_acknowledgement(self, request, queryset):
        count = resend(Acknowledgement.objects.filter(lead__in=queryset))
        self.message_user(
            request,
            ngettext(
                "%d acknowledgement handed to the mail worker.",
                "%d acknowledgements handed to the mail worker.",
                count,
            )
            % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Export selected as CSV (Excel)"), permissions=["view"])
    def export_csv(self, request, queryset):
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="henvendelser-{stamp}.csv"'
        # A byte order mark and ";" make Danish Excel open it with the right letters and columns.
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        writer.writerow([str(label) for _field, label in CSV_COLUMNS])
        for message in queryset.order_by("created_at"):
            row = []
            for field, _label in CSV_COLUMNS:
                value = getattr(message, field)
                if field in ("created_at", "answered_at"):
                    value = timezone.localtime(value).strftime("%d-%m-%Y %H:%M") if value else ""
                elif field == "owner":
                    value = value.get_username() if value else ""
                elif field in ("status", "delivery", "language"):
                    value = getattr(message, f"get_{field}_display")()
                row.append(spreadsheet_safe(value))
            writer.writerow(row)
        return response


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(EditorialAdmin):
    list_display = ["title", "updated_at"]

    def has_add_permission(self, request):
        return not PrivacyNotice.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AcknowledgementText)
class AcknowledgementTextAdmin(EditorialAdmin):
    """One text in two languages. The list has nothing to choose from: it opens the text."""

    def changelist_view(self, request, extra_context=None):
        text = AcknowledgementText.objects.filter(pk=1).first()
        if text is None and self.has_change_permission(request):
            text = default_acknowledgement_text()
            text.save()
        if text is None:
            return super().changelist_view(request, extra_context)
        return HttpResponseRedirect(reverse("admin:contact_acknowledgementtext_change", args=[1]))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataRequest)
class DataRequestAdmin(admin.ModelAdmin):
    """The audit of data subjects' requests: when, by whom, how many records. Read-only."""

    list_display = ["handled_at", "kind", "handled_by_name", "total"]
    list_filter = ["kind"]
    fields = ["handled_at", "kind", "handled_by_name", "records", "total"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
