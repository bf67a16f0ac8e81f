import pytest
from django.db import IntegrityError, transaction

from priorities.models import PolicyCycle, Priority
from tests.factories import make_cycle, make_priority

pytestmark = pytest.mark.django_db


def test_a_slug_is_unique_within_its_cycle_per_language():
    cycle = make_cycle()
    make_priority(cycle=cycle, slug_da="miljoe", slug_en="environment")

    with pytest.raises(IntegrityError), transaction.atomic():
        make_priority(cycle=cycle, slug_da="miljoe")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_priority(cycle=cycle, slug_da="andet", slug_en="environment")
    make_priority(cycle=make_cycle(slug="2026-2029"), slug_da="miljoe", slug_en="environment")


def test_empty_english_slugs_are_stored_as_null_so_several_can_be_missing():
    cycle = make_cycle()
    first = make_priority(cycle=cycle, slug_en="")
    second = make_priority(cycle=cycle, slug_en="")

    assert Priority.objects.filter(pk__in=[first.pk, second.pk], slug_en__isnull=True).count() == 2


def test_only_one_cycle_can_be_current():
    make_cycle(slug="2022-2025", is_current=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_cycle(slug="2026-2029", is_current=True)


def test_a_cycle_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyCycle.objects.create(slug="2029-2026", start_year=2029, end_year=2026)


def test_a_cycle_in_use_cannot_be_deleted_with_its_priorities():
    from django.db.models import ProtectedError

    priority = make_priority()

    with pytest.raises(ProtectedError):
        priority.cycle.delete()
