"""Load the EMPACT content from the project's data file without ever undoing an editor's work.

For every record it loads, the loader keeps a SeedRecord: the object's id and, per field, a hash of
the value in the data file and of the value as stored. On the next run a field is updated only when
the data file changed it AND the stored value is still the one the loader wrote; a field an editor
changed is left alone, and a record an editor deleted is not recreated (nor are its children).
"""

import datetime
import hashlib
import json
import tomllib
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from articles.models import Article, RelatedLink, SeedRecord, SiteDetails
from contact.models import PrivacyNotice
from cycle.models import CycleStep
from editorial.translation_status import english_written_against, tracked_fields
from priorities.models import Objective, PolicyCycle, Priority

DATA_FILE = Path(__file__).resolve().parent / "content" / "empact.toml"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
# How close to the record's creation a publication date must be to be the one the loader made up.
INVENTED_DATE_MARGIN = datetime.timedelta(seconds=5)


def digest(value):
    return hashlib.sha256(json.dumps(value, default=str).encode()).hexdigest()[:20]


def translated(values):
    """{"name": {"da": "…", "en": "…"}} -> {"name_da": "…", "name_en": "…"}."""
    flat = {}
    for field, value in values.items():
        if isinstance(value, dict):
            for code in LANGUAGES:
                flat[f"{field}_{code}"] = value.get(code, "")
        else:
            flat[field] = value
    return flat


class ContentLoader:
    def __init__(self):
        self.stats = Counter()

    def load(self, data):
        with transaction.atomic():
            self.load_site(data.get("site", {}))
            # The cycles in the data file are public (new cycles an editor adds start as
            # drafts); once created, publication is the editors' business.
            cycles = {
                item["key"]: self.upsert(
                    item["key"],
                    PolicyCycle,
                    translated(without(item, "key")),
                    on_create={"is_published": True},
                )
                for item in data.get("cycles", [])
            }
            for item in data.get("steps", []):
                self.upsert(item["key"], CycleStep, translated(without(item, "key")))
            for item in data.get("priorities", []):
                self.load_priority(item, cycles)
            for item in data.get("articles", []):
                self.load_article(item, cycles)
            if privacy := data.get("privacy"):
                self.load_privacy(privacy)
        return self.stats

    def load_privacy(self, item):
        # The single row may exist already if an editor wrote it before the first load.
        existing = PrivacyNotice.objects.filter(pk=1).first()
        self.upsert(item["key"], PrivacyNotice, translated(without(item, "key")), existing=existing)

    def load_site(self, values):
        # The row may exist already (any page view creates it empty): fill it, don't replace it.
        details, _created = SiteDetails.objects.get_or_create(pk=1)
        self.upsert("site", SiteDetails, values, existing=details)

    def load_priority(self, item, cycles):
        cycle = cycles.get(item["cycle"])
        if cycle is None:
            self.stats["skipped: parent deleted"] += 1
            return
        values = translated(without(item, "key", "cycle", "objectives"))
        values["slug_en"] = values["slug_en"] or None
        priority = self.upsert(item["key"], Priority, {**values, "cycle_id": cycle.pk})
        for objective in item.get("objectives", []):
            if priority is None:
                self.stats["skipped: parent deleted"] += 1
                continue
            values = translated(without(objective, "key"))
            self.upsert(objective["key"], Objective, {**values, "priority_id": priority.pk})

    def load_article(self, item, cycles):
        values = translated(
            without(item, "key", "cycle", "related", "home", "status", "published_at")
        )
        values["slug_en"] = values["slug_en"] or None
        if item.get("cycle"):
            cycle = cycles.get(item["cycle"])
            values["cycle_id"] = cycle.pk if cycle else None
        # The publication date comes from the data file or from staff, never from the clock:
        # published without one, the article shows no date.
        if "published_at" in item:
            values["published_at"] = aware(item["published_at"])
        self.forget_invented_date(item["key"])
        # Publication is the editors' business once the article exists: set only when created.
        on_create = {"status": item.get("status", Article.Status.DRAFT)}
        if item.get("home") and not Article.objects.filter(is_home=True).exists():
            on_create["is_home"] = True
        article = self.upsert(item["key"], Article, values, on_create=on_create)
        for link in item.get("related", []):
            if article is None:
                self.stats["skipped: parent deleted"] += 1
                continue
            values = translated(without(link, "key"))
            self.upsert(link["key"], RelatedLink, {**values, "article_id": article.pk})

    def forget_invented_date(self, key):
        """Earlier versions of the loader published the article with the moment of the first load
        as its date (created_at, to within the save). Clear that date unless staff changed it;
        a date from the data file then fills the empty field like any new field."""
        record = SeedRecord.objects.filter(key=key).first()
        if record is None or "published_at" in record.field_hashes:
            return
        article = Article.objects.filter(pk=record.object_id).first()
        if article is None or article.published_at is None:
            return
        if abs(article.published_at - article.created_at) < INVENTED_DATE_MARGIN:
            article.published_at = None
            article.save()
            self.stats["publication date cleared: invented by an earlier load"] += 1

    def upsert(self, key, model, values, *, on_create=None, existing=None):
        """Create or update one record; returns it, or None when an editor deleted it."""
        record = SeedRecord.objects.filter(key=key).first()
        if record is None:
            obj = existing or model()
            fields = list(values) if existing is None else blank_fields(obj, values)
            for field in fields:
                setattr(obj, field, values[field])
            for field, value in (on_create or {}).items():
                setattr(obj, field, value)
            english_from_data_file(obj, values, fields)
            obj.full_clean(validate_unique=False, validate_constraints=False)
            obj.save()
            SeedRecord.objects.create(
                key=key,
                content_type=ContentType.objects.get_for_model(model),
                object_id=obj.pk,
                field_hashes={field: self.hashes(obj, field, values[field]) for field in fields},
            )
            self.stats["created"] += 1
            return obj

        obj = model.objects.filter(pk=record.object_id).first()
        if obj is None:
            self.stats["skipped: deleted by an editor"] += 1
            return None
        changed = []
        for field, value in values.items():
            known = record.field_hashes.get(field)
            stored = digest(getattr(obj, field))
            if known is None:
                # A field new to the data file: fill it if nobody has.
                if getattr(obj, field) in ("", None):
                    changed.append(field)
            elif stored != known["stored"]:
                self.stats["fields kept: edited by an editor"] += 1
            elif digest(value) != known["data"]:
                changed.append(field)
        if changed:
            for field in changed:
                setattr(obj, field, values[field])
            english_from_data_file(obj, values, changed)
            obj.save()
            for field in changed:
                record.field_hashes[field] = self.hashes(obj, field, values[field])
            record.save(update_fields=["field_hashes", "loaded_at"])
            self.stats["updated"] += 1
        else:
            self.stats["unchanged"] += 1
        return obj

    @staticmethod
    def hashes(obj, field, data_value):
        # The stored value can differ from the data (HTML is sanitised on save): keep both.
        return {"data": digest(data_value), "stored": digest(getattr(obj, field))}


def aware(value):
    """A TOML date or local date-time as a time in Copenhagen; an offset date-time as given."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def english_from_data_file(obj, values, written):
    """The data file's English translates the data file's Danish: an English text loaded now
    was written against that Danish, even where an editor's Danish is kept beside it (then it
    shows as out of date). A Danish text loaded under an English that stays makes that English
    out of date (editorial/translation_status.py)."""
    english_written_against(
        obj,
        **{
            field: values[f"{field}_da"]
            for field in tracked_fields(type(obj))
            if f"{field}_en" in written and f"{field}_da" in values
        },
    )


def without(mapping, *keys):
    return {k: v for k, v in mapping.items() if k not in keys}


def blank_fields(obj, values):
    return [field for field in values if getattr(obj, field) in ("", None)]


def load_content(path=DATA_FILE):
    with open(path, "rb") as f:
        data = tomllib.load(f)
    return ContentLoader().load(data)
