import csv

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from editorial.admin import EditorialAdmin

from .models import Message, PrivacyNotice
from .services import resend

CSV_COLUMNS = [
    ("created_at", _("received")),
    ("name", _("name")),
    ("email", _("email")),
    ("phone", _("phone")),
    ("organisation", _("organisation")),
    ("message", _("message")),
    ("language", _("page language")),
    ("status", _("status")),
    ("delivery", _("delivery")),
]
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "name", "email", "organisation", "status", "delivery", "attempts"]
    list_filter = ["status", "delivery", "language", "created_at"]
    search_fields = ["name", "email", "organisation", "phone", "message"]
    date_hierarchy = "created_at"
    actions = ["mark_handled", "mark_spam", "resend_mail", "export_csv"]
    fieldsets = [
        (None, {"fields": ["status"]}),
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
    ]
    readonly_fields = [
        "created_at", "name", "email", "phone", "organisation", "language", "message", "delivery",
        "attempts", "next_attempt_at", "sent_at", "last_error", "message_id",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False  # messages come from the website only

    @admin.action(description=_("Mark as handled"), permissions=["change"])
    def mark_handled(self, request, queryset):
        count = queryset.update(status=Message.Status.HANDLED)
        self.message_user(
            request,
            ngettext("%d message marked handled.", "%d messages marked handled.", count) % count,
        )

    @admin.action(description=_("Mark as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        count = queryset.update(status=Message.Status.SPAM)
        self.message_user(
            request, ngettext("%d message marked spam.", "%d messages marked spam.", count) % count
        )

    @admin.action(description=_("Send the mail again"), permissions=["change"])
    def resend_mail(self, request, queryset):
        count = resend(queryset)
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
                if field == "created_at":
                    value = timezone.localtime(value).strftime("%d-%m-%Y %H:%M")
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
