from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TranslationBasis(models.Model):
    """One field's English text of one object, and a Danish text it is right for: the Danish
    it was written against (saved together, or loaded together from the data file), or one an
    editor confirmed it still fits. An English field is out of date while such a row exists for
    its English text but none for the Danish text it stands beside now (see
    editorial/translation_status.py).

    Rows are kept for earlier English texts too, so that reverting to an earlier revision brings
    back the state that revision's English had. Deleting the object deletes its rows."""

    class Kind(models.TextChoices):
        WRITTEN = "written", _("written")
        CONFIRMED = "confirmed", _("confirmed")
        LOADED = "loaded", _("loaded")
        # The English as it was before tracking began (or before the Danish first changed)
        # counts as written against the Danish as it was then.
        ASSUMED = "assumed", _("assumed")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    field = models.CharField(max_length=100)
    english = models.TextField()
    danish = models.TextField()
    # The texts can be long: uniqueness goes through their digests (sha256, hex).
    english_digest = models.CharField(max_length=64)
    danish_digest = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "english_digest", "danish_digest"],
                name="translation_basis_unique_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="translation_basis_object"),
        ]
        verbose_name = _("translation basis")
        verbose_name_plural = _("translation bases")

    def __str__(self):
        return f"{self.content_type.model} {self.object_id} {self.field}"
