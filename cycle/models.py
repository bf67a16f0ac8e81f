from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.content import ChangesContent
from core.fields import HTMLField


class CycleStep(ChangesContent, models.Model):
    """One of the four steps of every EMPACT cycle (EU SOCTA, priorities, OAPs, evaluation)."""

    # The step's place in the cycle. Not unique: drag-and-drop reordering rewrites it row by row.
    number = models.PositiveSmallIntegerField(_("step number"), default=1, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(
        _("short label"), max_length=80, help_text=_("A few words, shown in the cycle diagram.")
    )
    body = HTMLField(_("text"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["number", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="step_number_positive"),
        ]
        verbose_name = _("cycle step")
        verbose_name_plural = _("cycle steps")

    def __str__(self):
        return f"{self.number}. {self.title}"
