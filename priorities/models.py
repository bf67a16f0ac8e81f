import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.content import ChangesContent, changes_by_date
from core.fields import TranslatedSlugField
from core.i18n import filter_by_translated_slug, language_urls_for
from editorial.redirects import KeepsOldUrls


def published_q(prefix=""):
    """The rows the public may see, as a condition on the cycle (reached through `prefix`, e.g.
    "cycle__"): published, with no publication time or one that has come."""
    return Q(**{f"{prefix}is_published": True}) & (
        Q(**{f"{prefix}published_at__isnull": True})
        | Q(**{f"{prefix}published_at__lte": timezone.now()})
    )


class PolicyCycleQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: no drafts, no cycle scheduled for later."""
        return self.filter(published_q())


class PolicyCycle(ChangesContent, KeepsOldUrls, models.Model):
    """One EU policy cycle (EMPACT 2022-2025 and its predecessors), which groups priorities.

    A new cycle is a draft, with its priorities and objectives: 404 to the public and in no list,
    previewed by staff under /admin/ ("View on site"), until an editor publishes it, at once or
    from a publication time (the Council's decision)."""

    slug = models.SlugField(
        _("slug"), max_length=20, unique=True, help_text=_("The years, e.g. 2026-2029.")
    )
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    is_current = models.BooleanField(
        _("current cycle"),
        default=False,
        help_text=_(
            "The cycle whose priorities the priorities page shows. Only one can be current, "
            "and only a published one. Until a scheduled cycle’s publication time the page shows "
            "the latest public cycle."
        ),
    )
    is_published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_(
            "A draft cycle, with its priorities, is seen only by staff, as a preview (“View on "
            "site”). Publish it when the priorities are final."
        ),
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: a time in the future schedules the published cycle, e.g. the Council’s "
            "decision. Empty: public as soon as it is published."
        ),
    )

    objects = PolicyCycleQuerySet.as_manager()

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_year__lte=F("end_year")), name="cycle_starts_before_it_ends"
            ),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="only_one_current_cycle"
            ),
            # The priorities page shows the current cycle: never a draft's priorities.
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(is_published=True),
                name="current_cycle_is_published",
            ),
        ]
        verbose_name = _("policy cycle")
        verbose_name_plural = _("policy cycles")

    def __str__(self):
        return f"EMPACT {self.years}"

    def get_absolute_url(self):
        return reverse("priorities:cycle", kwargs={"cycle": self.slug})

    def clean(self):
        if self.is_current and not self.is_published:
            raise ValidationError(
                {"is_current": _("Only a published cycle can be current. Publish it first.")}
            )

    def public_urls(self):
        # A draft's addresses were never public: nothing to keep. The cycle's slug is part of
        # every priority's address too.
        if not self.is_public:
            return {}
        urls = {("cycle", self.pk): language_urls_for(self)}
        for priority in self.priorities.all():
            urls[("priority", priority.pk)] = language_urls_for(priority)
        return urls

    @property
    def is_public(self):
        return self.is_published and (
            self.published_at is None or self.published_at <= timezone.now()
        )

    @property
    def publication_state(self):
        """ "draft", "scheduled" (published, with a publication time still to come) or
        "public"."""
        if not self.is_published:
            return "draft"
        return "public" if self.is_public else "scheduled"

    @property
    def years(self):
        return f"{self.start_year}-{self.end_year}"

    @property
    def ends_on(self):
        return datetime.date(self.end_year, 12, 31)

    @property
    def status(self):
        """ "upcoming", "running" or "ended", from today's date in Copenhagen, so a page never
        claims that a cycle is still running after it has ended."""
        today = timezone.localdate()
        if today > self.ends_on:
            return "ended"
        if today.year < self.start_year:
            return "upcoming"
        return "running"

    @property
    def has_ended(self):
        return self.status == "ended"


class PriorityQuerySet(models.QuerySet):
    def published(self):
        """The priorities of the cycles the public may see."""
        return self.filter(published_q("cycle__"))

    def of_cycle(self, cycle):
        return self.filter(cycle=cycle).select_related("cycle").prefetch_related("objectives")

    def by_slug(self, slug):
        return filter_by_translated_slug(self, slug)


class Priority(ChangesContent, KeepsOldUrls, models.Model):
    """One EU crime priority of a policy cycle, e.g. "Cyberangreb" in 2022-2025."""

    cycle = models.ForeignKey(
        PolicyCycle, on_delete=models.PROTECT, related_name="priorities", verbose_name=_("cycle")
    )
    name = models.CharField(_("name"), max_length=200)
    slug = TranslatedSlugField(_("slug"), max_length=200)
    summary = models.TextField(
        _("summary"),
        blank=True,
        help_text=_("One or two sentences for search engines and link previews."),
    )
    # A plain integer: a unique constraint would fight drag-and-drop reordering.
    order = models.PositiveSmallIntegerField(_("order"), default=0, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PriorityQuerySet.as_manager()

    class Meta:
        # The order field first: drag-and-drop sorting in the admin works on it.
        ordering = ["order", "pk"]
        # Per language, on the translation columns. (A constraint on "slug" itself would also bind
        # the untranslated column, which holds whichever language happened to be active on save.)
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", f"slug_{code}"], name=f"priority_slug_{code}_unique_in_cycle"
            )
            for code in ("da", "en")
        ]
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("priorities:priority", kwargs={"cycle": self.cycle.slug, "slug": self.slug})

    def public_urls(self):
        return {("priority", self.pk): language_urls_for(self)} if self.cycle.is_public else {}


class ObjectiveQuerySet(models.QuerySet):
    def published(self):
        """The objectives of the cycles the public may see."""
        return self.filter(published_q("priority__cycle__"))


class Objective(ChangesContent, models.Model):
    """One objective of a priority; some carry a heading of their own ("Momssvig")."""

    priority = models.ForeignKey(
        Priority, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("priority")
    )
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    order = models.PositiveSmallIntegerField(_("order"), default=0, db_index=True)

    objects = ObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")

    def __str__(self):
        return self.heading or self.text[:80]


@changes_by_date
def next_scheduled_cycle():
    """Pages change by themselves when a scheduled cycle is published."""
    return (
        PolicyCycle.objects.filter(is_published=True, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
