from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.content import ChangesContent, changes_by_date
from core.fields import HTMLField, TranslatedSlugField
from core.i18n import filter_by_translated_slug, language_urls_for
from editorial.redirects import KeepsOldUrls
from priorities.models import PolicyCycle


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: published, with a publication time that has come (or none
        given: the date is unknown) and an end of publication that has not."""
        now = timezone.now()
        return self.filter(
            Q(published_at__isnull=True) | Q(published_at__lte=now),
            Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now),
            status=Article.Status.PUBLISHED,
        )

    def by_slug(self, slug):
        return filter_by_translated_slug(self, slug)


class Article(ChangesContent, KeepsOldUrls, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = TranslatedSlugField(_("slug"), max_length=200)
    keywords = models.CharField(
        _("topics"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated, shown under the title."),
    )
    lead = models.TextField(_("lead"), blank=True, help_text=_("The introduction, in plain text."))
    call_to_action = HTMLField(
        _("call to action"), blank=True, help_text=_("Shown in a box after the lead.")
    )
    body = HTMLField(_("body"), blank=True)

    # The article's own framing of the data the site keeps in structured form.
    cycle = models.ForeignKey(
        PolicyCycle,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="articles",
        verbose_name=_("policy cycle"),
        help_text=_("The cycle the article is about; its priorities are shown after the body."),
    )
    priorities_heading = models.CharField(
        _("heading of the priorities"), max_length=200, blank=True
    )
    shows_cycle_steps = models.BooleanField(_("show the four steps of the cycle"), default=False)
    steps_heading = models.CharField(_("heading of the steps"), max_length=200, blank=True)
    steps_intro = HTMLField(_("text before the steps"), blank=True)
    steps_outro = HTMLField(_("text after the steps"), blank=True)
    conclusion = HTMLField(_("conclusion"), blank=True, help_text=_("Shown at the end."))

    source_credit = models.CharField(_("source"), max_length=300, blank=True)
    photo_credit = models.CharField(
        _("photo credit"),
        max_length=200,
        blank=True,
        help_text=_("Shown with the article's image, and only when it has one."),
    )
    image = models.ImageField(
        _("image"),
        upload_to="articles/%Y/",
        blank=True,
        width_field="image_width",
        height_field="image_height",
        help_text=_("JPEG, PNG or WebP, at most 5 MB. Smaller copies for phones are made on save."),
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        _("image description (alt text)"),
        max_length=250,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it. Required with an image."),
    )

    seo_title = models.CharField(
        _("title for search engines"),
        max_length=70,
        blank=True,
        help_text=_("Up to 60 characters. Empty: the title is used."),
    )
    seo_description = models.CharField(
        _("description for search engines"),
        max_length=170,
        blank=True,
        help_text=_("About 150 characters. Empty: the lead is used."),
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_(
            "Shown on the page as the publication date. A time in the future schedules the "
            "article. Empty: published at once, with no date shown."
        ),
    )
    unpublish_at = models.DateTimeField(
        _("end of publication"),
        null=True,
        blank=True,
        help_text=_(
            "Optional: from this time the article is no longer public. It leaves the lists, the "
            "sitemap, the feeds and the search, and its address answers 404."
        ),
    )
    is_home = models.BooleanField(
        _("home page article"), default=False, help_text=_("Shown in full on the home page.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        # Articles without a date (the date is unknown) after the dated ones.
        # Newest first; an article without a publication date counts from when it was created
        # (not last: one published from the admin without a date is new, not old).
        ordering = [Coalesce("published_at", "created_at").desc(), "-pk"]
        constraints = [
            # Per language, on the translation columns (see Priority).
            *(
                models.UniqueConstraint(fields=[f"slug_{code}"], name=f"article_slug_{code}_unique")
                for code in ("da", "en")
            ),
            models.UniqueConstraint(
                fields=["is_home"], condition=Q(is_home=True), name="only_one_home_article"
            ),
            models.CheckConstraint(
                condition=Q(unpublish_at__isnull=True)
                | Q(published_at__isnull=True)
                | Q(unpublish_at__gt=F("published_at")),
                name="article_unpublished_after_published",
            ),
            models.CheckConstraint(
                condition=Q(image="") | (Q(image_alt_da__isnull=False) & ~Q(image_alt_da="")),
                name="article_image_has_alt_text",
            ),
        ]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        # A draft home article has its own address (404 until public; staff preview it in the
        # admin, ArticleAdmin.view_on_site).
        if self.is_home and self.is_public:
            return reverse("home")
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def public_urls(self):
        # A draft's address was never public: nothing to keep.
        return {("article", self.pk): language_urls_for(self)} if self.is_public else {}

    @property
    def is_public(self):
        return self.publication_state == "public"

    @property
    def publication_state(self):
        """ "draft", "scheduled" (its publication time is to come), "public", or "ended" (its end
        of publication has passed), as published() sees it."""
        now = timezone.now()
        if self.status != self.Status.PUBLISHED:
            return "draft"
        if self.unpublish_at is not None and self.unpublish_at <= now:
            return "ended"
        if self.published_at is not None and self.published_at > now:
            return "scheduled"
        return "public"

    @property
    def image_srcset(self):
        """ "url 480w, url 960w, …, original": the sizes make_renditions() wrote."""
        from .images import rendition_name, rendition_widths

        if not self.image:
            return ""
        candidates = [
            f"{default_storage.url(rendition_name(self.image.name, width))} {width}w"
            for width in rendition_widths(self.image_width)
        ]
        return ", ".join([*candidates, f"{self.image.url} {self.image_width}w"])

    @property
    def page_title(self):
        return self.seo_title or self.title

    @property
    def page_description(self):
        return self.seo_description or self.lead

    @property
    def keyword_list(self):
        return [word.strip() for word in self.keywords.split(",") if word.strip()]


class RelatedLink(ChangesContent, models.Model):
    """An entry in an article's "related" list: another article of ours, an address, or for now
    just a title that an editor will point somewhere later."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="related_links", verbose_name=_("article")
    )
    title = models.CharField(_("title"), max_length=200)
    target_article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("links to article"),
    )
    url = models.URLField(_("or links to address"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0, db_index=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("related article")
        verbose_name_plural = _("related articles")

    def __str__(self):
        return self.title

    @property
    def href(self):
        """Where the entry links to; empty while it points nowhere the public may go."""
        if self.target_article is not None:
            return self.target_article.get_absolute_url() if self.target_article.is_public else ""
        return self.url


class SiteDetails(ChangesContent, models.Model):
    """The company's details in the footer: one row, edited by staff."""

    company_name = models.CharField(_("company name"), max_length=200, default="ICARE SECURITY A/S")
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.TextField(_("address"), blank=True)
    cvr_number = models.CharField(
        _("CVR number"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", _("A CVR number has 8 digits."))],
    )
    # Empty until ICARE decides what it promises; the contact and thanks pages say it only then.
    answer_promise = models.CharField(
        _("answer promise"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional: how soon you answer a message, shown on the contact page and the thanks "
            "page, e.g. “We usually answer within one working day.” Left empty, no promise is "
            "made."
        ),
    )
    # /.well-known/security.txt (RFC 9116, articles/security_txt.py): published only while a
    # contact and an expiry date are set.
    security_contact = models.CharField(
        _("security contact"),
        max_length=300,
        blank=True,
        validators=[
            RegexValidator(
                r"^(mailto:[^@\s]+@[^@\s]+\.[^@\s]+|https://\S+)$",
                _("Give a mailto: address (mailto:security@icare.dk) or an https:// address."),
            )
        ],
        help_text=_(
            "Where to report a vulnerability, published in /.well-known/security.txt: "
            "mailto:security@icare.dk or an https:// page."
        ),
    )
    security_policy_url = models.URLField(
        _("security policy"),
        blank=True,
        validators=[RegexValidator(r"^https://", _("The address must begin with https://."))],
        help_text=_("Optional: an https:// page on how vulnerability reports are handled."),
    )
    security_txt_expires_on = models.DateField(
        _("security.txt expires on"),
        null=True,
        blank=True,
        help_text=_(
            "The last day the security contact is vouched for: at most a year ahead, renewed "
            "before then. The admin warns 30 days before."
        ),
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="site_details_single_row")]
        verbose_name = _("site details")
        verbose_name_plural = _("site details")

    def __str__(self):
        return str(self._meta.verbose_name).capitalize()

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls):
        """The single row, or its defaults until staff save it (a page view never writes). Pages
        take it from the fragments of the content version (articles/context_processors.py),
        which every save replaces."""
        return cls.objects.filter(pk=1).first() or cls()

    @property
    def phone_href(self):
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")

    @property
    def address_lines(self):
        return [line.strip() for line in self.address.splitlines() if line.strip()]


class SeedRecord(models.Model):
    """What load_empact_content put into one record: a hash per field, so that a re-run can tell
    its own values (safe to update) from an editor's changes (left alone), and a deleted record
    (never recreated) from one that was never loaded."""

    key = models.CharField(max_length=200, unique=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content_object = GenericForeignKey("content_type", "object_id")
    field_hashes = models.JSONField(default=dict)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("loaded content record")
        verbose_name_plural = _("loaded content records")

    def __str__(self):
        return self.key


@changes_by_date
def next_scheduled_publication():
    """Pages change by themselves when a scheduled article is published."""
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )


@changes_by_date
def next_scheduled_unpublication():
    """... and when a published article reaches its end of publication."""
    return (
        Article.objects.filter(status=Article.Status.PUBLISHED, unpublish_at__gt=timezone.now())
        .order_by("unpublish_at")
        .values_list("unpublish_at", flat=True)
        .first()
    )
