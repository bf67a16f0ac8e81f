"""Which records lack English text, and which English texts are out of date: written against a
Danish text that has changed since.

Every save of a translated model goes through `remember_before_save` and `track_after_save`
(connected to each model registered with modeltranslation in EditorialConfig.ready, so the
admin, a revert in the history, the loader and the shell are all covered), which record in
`TranslationBasis` which Danish text each English text was written against:

- an object created with English: its English was written against its Danish;
- an English text that changes: the new one was written against the Danish beside it (unless
  it is an English text seen before, as when a revision is reverted: its rows still say what
  it was written against);
- a Danish text that changes while the English stays: the English was written against the
  Danish as it was (recorded then, if nothing was known about it yet).

An English field is out of date when rows exist for its English text but none for the Danish
text beside it now. Until a Danish text changes, nothing is recorded for English written before
this tracking existed: it counts as written against the Danish as it is (no data migration).
An editor clears the state by saving a new English text or by confirming the English is still
right (`confirm_english`), which records that pair too.

Addresses (slugs) are not tracked: an English slug does not translate the Danish one.
"""

import copy
import hashlib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q, SlugField, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone
from modeltranslation.translator import NotRegistered, translator

from .models import TranslationBasis


def translated_fields(model):
    try:
        return translator.get_options_for_model(model).get_field_names()
    except NotRegistered:
        return ()


def tracked_fields(model):
    """The translated fields whose English translates the Danish (every one but slugs)."""
    return [
        field
        for field in translated_fields(model)
        if not isinstance(model._meta.get_field(field), SlugField)
    ]


def missing_english_q(model):
    """Rows where some field has Danish text but no English text."""
    q = Q()
    for field in translated_fields(model):
        danish, english = f"{field}_da", f"{field}_en"
        has_danish = Q(**{f"{danish}__isnull": False}) & ~Q(**{danish: ""})
        lacks_english = Q(**{f"{english}__isnull": True}) | Q(**{english: ""})
        q |= has_danish & lacks_english
    return q


def missing_english_fields(obj):
    """Verbose names of the fields of obj that have Danish text and no English text."""
    return [
        str(obj._meta.get_field(field).verbose_name)
        for field in translated_fields(type(obj))
        if getattr(obj, f"{field}_da", None) and not getattr(obj, f"{field}_en", None)
    ]


def out_of_date_q(model):
    """Rows where some English text is out of date (see the module's docstring)."""
    content_type = ContentType.objects.get_for_model(model)
    q = Q()
    for field in tracked_fields(model):
        bases = TranslationBasis.objects.filter(
            content_type=content_type,
            object_id=OuterRef("pk"),
            field=field,
            english=Coalesce(OuterRef(f"{field}_en"), Value("")),
        )
        right_now = bases.filter(danish=Coalesce(OuterRef(f"{field}_da"), Value("")))
        # No row has an empty English text: an empty English field is "missing", not this.
        q |= Exists(bases) & ~Exists(right_now)
    return q


@dataclass
class OutOfDate:
    """An English field written against a Danish text that has changed since."""

    field: str
    label: str
    danish_then: str
    danish_now: str
    basis: TranslationBasis


def text(value):
    return value or ""


def digest(value):
    return hashlib.sha256(value.encode()).hexdigest()


def bases_of(objects):
    """{pk: [TranslationBasis, ...]} for objects of one model, in one query."""
    objects = [obj for obj in objects if obj.pk is not None]
    grouped = {obj.pk: [] for obj in objects}
    if not objects:
        return grouped
    content_type = ContentType.objects.get_for_model(type(objects[0]))
    for basis in TranslationBasis.objects.filter(
        content_type=content_type, object_id__in=list(grouped)
    ).order_by("recorded_at", "pk"):
        grouped[basis.object_id].append(basis)
    return grouped


def out_of_date_fields(obj, bases=None):
    """The English fields of obj that are out of date, as OutOfDate. `bases`: obj's rows, when
    the caller fetched them for many objects at once (bases_of)."""
    if obj.pk is None:
        return []
    if bases is None:
        bases = bases_of([obj])[obj.pk]
    stale = []
    for field in tracked_fields(type(obj)):
        english, danish = text(getattr(obj, f"{field}_en")), text(getattr(obj, f"{field}_da"))
        if not english:
            continue
        for_english = [b for b in bases if b.field == field and b.english == english]
        if for_english and not any(b.danish == danish for b in for_english):
            latest = for_english[-1]
            label = str(obj._meta.get_field(field).verbose_name)
            stale.append(OutOfDate(field, label, latest.danish, danish, latest))
    return stale


def record_basis(obj, field, *, english, danish, kind):
    """Record that obj's English text `english` of `field` is right for the Danish `danish`."""
    TranslationBasis.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        field=field,
        english_digest=digest(english),
        danish_digest=digest(danish),
        defaults={
            "english": english,
            "danish": danish,
            "kind": kind,
            "recorded_at": timezone.now(),
        },
    )


def confirm_english(obj, field):
    """An editor says the English of `field` is still right for the Danish as it is now."""
    english, danish = text(getattr(obj, f"{field}_en")), text(getattr(obj, f"{field}_da"))
    if english:
        record_basis(
            obj, field, english=english, danish=danish, kind=TranslationBasis.Kind.CONFIRMED
        )


def english_written_against(obj, **danish_by_field):
    """Before obj.save(): the English texts of these fields being saved were written against
    these Danish texts, not against the Danish beside them (the loader: the data file's English
    translates the data file's Danish, even where an editor's Danish is kept)."""
    obj.__dict__.setdefault("_english_written_against", {}).update(danish_by_field)


def stored_form(obj, attname, value):
    """value as obj's field would store it (rich text is sanitised on save)."""
    clone = copy.copy(obj)
    setattr(clone, attname, value)
    return text(obj._meta.get_field(attname).pre_save(clone, False))


def saved_fields(model, update_fields):
    fields = tracked_fields(model)
    if update_fields is None:
        return fields
    return [f for f in fields if {f"{f}_da", f"{f}_en"} & set(update_fields)]


def remember_before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    before = None
    fields = saved_fields(sender, update_fields)
    if fields and not instance._state.adding and instance.pk is not None:
        columns = [f"{field}_{code}" for field in fields for code in ("da", "en")]
        before = sender._base_manager.filter(pk=instance.pk).values(*columns).first()
    instance.__dict__["_translation_before"] = before


def track_after_save(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_translation_before", None)
    written_against = instance.__dict__.pop("_english_written_against", {})
    known = None
    for field in saved_fields(sender, update_fields):
        english = text(getattr(instance, f"{field}_en"))
        danish = text(getattr(instance, f"{field}_da"))
        if not english:
            continue
        old_english = text(before[f"{field}_en"]) if before else None
        old_danish = text(before[f"{field}_da"]) if before else None
        if field in written_against and english != old_english:
            danish_then = stored_form(instance, f"{field}_da", written_against[field])
            record_basis(
                instance,
                field,
                english=english,
                danish=danish_then,
                kind=TranslationBasis.Kind.LOADED,
            )
            continue
        if before is None:
            record_basis(
                instance, field, english=english, danish=danish, kind=TranslationBasis.Kind.WRITTEN
            )
            continue
        if english == old_english and danish == old_danish:
            continue
        if known is None:
            known = {(b.field, b.english) for b in bases_of([instance])[instance.pk]}
        if (field, english) in known:
            # An English text seen before (a revert, or the Danish changing under it): its rows
            # already say what it is right for.
            continue
        if english != old_english:
            record_basis(
                instance, field, english=english, danish=danish, kind=TranslationBasis.Kind.WRITTEN
            )
        else:
            # The Danish changed under an English nothing was known about: that English was
            # written against the Danish as it was until now.
            record_basis(
                instance,
                field,
                english=english,
                danish=old_danish,
                kind=TranslationBasis.Kind.ASSUMED,
            )


def forget_deleted(sender, instance, **kwargs):
    TranslationBasis.objects.filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk
    ).delete()


def connect_signals():
    for model in translator.get_registered_models():
        if model._meta.abstract or model._meta.proxy:
            continue
        uid = f"editorial.translation_status.{model._meta.label}"
        pre_save.connect(remember_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(track_after_save, sender=model, dispatch_uid=uid)
        post_delete.connect(forget_deleted, sender=model, dispatch_uid=uid)
