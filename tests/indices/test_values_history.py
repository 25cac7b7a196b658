"""Indicator values are never overwritten: a new entry supersedes the old one, a run records the
rows it read, and every entry, publication and discard is on the audit trail."""

import pytest
from django.core.exceptions import PermissionDenied

from chiso.accounts.models import Role
from chiso.audit.queries import history
from chiso.indices.models import IndexRun, IndicatorValue
from chiso.indices.services import (
    ValueEntry, indicator_value_remove, indicator_value_set, indicator_values_set, run_create, run_discard, run_publish,
)

from .test_runs import ddci, filled  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_a_new_value_supersedes_the_old_one_which_stays_with_its_trail(ddci, filled, period, make_user):
    secretariat = make_user("thuky", Role.SECRETARIAT)
    unit = filled["S-A"]
    first = IndicatorValue.objects.get(framework=ddci.framework, period=period, unit=unit, code="i1")
    second = indicator_value_set(framework=ddci.framework, period=period, unit=unit, code="i1", value=9.5,
                                 source="Khảo sát DDCI 2023 (sửa)", by=secretariat)

    first.refresh_from_db()
    assert first.value == 8 and first.superseded_at is not None
    assert IndicatorValue.objects.get(framework=ddci.framework, period=period, unit=unit, code="i1") == second
    assert IndicatorValue.all_entries.filter(unit=unit, code="i1").count() == 2
    record = history(second).get()
    assert (record.event, record.old_value, record.new_value, record.by) == ("value.set", "8.0", "9.5", secretariat)

    # The same entry again changes nothing and records nothing.
    again = indicator_value_set(framework=ddci.framework, period=period, unit=unit, code="i1", value=9.5,
                                source="Khảo sát DDCI 2023 (sửa)", by=secretariat)
    assert again == second and history(unit).filter(event="value.set", field="i1").count() == 2

    assert indicator_value_remove(framework=ddci.framework, period=period, unit=unit, code="i1", by=secretariat,
                                  reason="Nguồn rút lại")
    assert not IndicatorValue.objects.filter(unit=unit, code="i1").exists()
    assert IndicatorValue.all_entries.filter(unit=unit, code="i1").count() == 2


def test_a_run_records_the_rows_it_read_and_its_publication_and_discard(ddci, filled, period, blocks, make_user):
    secretariat, leader = make_user("thuky", Role.SECRETARIAT), make_user("lanhdao", Role.LEADER)
    with pytest.raises(PermissionDenied):
        run_create(version=ddci, period=period, block=blocks["department"], by=leader)
    run = run_create(version=ddci, period=period, block=blocks["department"], by=secretariat)
    read = set(IndicatorValue.objects.filter(framework=ddci.framework, period=period).values_list("pk", flat=True))
    assert set(run.value_rows) == read and len(read) == 9

    # A later entry does not change what the run says it read.
    indicator_value_set(framework=ddci.framework, period=period, unit=filled["S-B"], code="i2", value=1,
                        source="Sửa", by=secretariat)
    run.refresh_from_db()
    assert set(run.value_rows) == read

    run_publish(run=run, by=secretariat)
    again = run_create(version=ddci, period=period, block=blocks["department"], by=secretariat)
    run_publish(run=again, by=secretariat, reason="Sửa giá trị i2 của S-B")
    draft = run_create(version=ddci, period=period, block=blocks["department"], by=secretariat)
    draft_pk = draft.pk
    run_discard(run=draft, by=secretariat)
    draft.pk = draft_pk  # the trail outlives the deleted run

    assert [r.event for r in history(run)] == ["run.computed", "run.published", "run.superseded"]
    assert history(run).get(event="run.superseded").reason == "Sửa giá trị i2 của S-B"
    assert [r.event for r in history(draft)] == ["run.computed", "run.discarded"]
    assert not IndexRun.objects.filter(pk=draft_pk).exists()


def test_many_values_at_once_follow_the_same_rules(ddci, filled, period, make_user):
    secretariat = make_user("thuky", Role.SECRETARIAT)
    entries = [ValueEntry(unit=filled["S-A"], code="i1", value=8, source="Khảo sát DDCI 2023"),  # as stored: no change
               ValueEntry(unit=filled["S-B"], code="i1", value=7, source="Khảo sát DDCI 2023 (sửa)"),
               ValueEntry(unit=filled["S-C"], code="i3", value=None, not_applicable=True, source="Không áp dụng")]
    assert indicator_values_set(framework=ddci.framework, period=period, entries=entries, by=secretariat) == 2
    assert indicator_values_set(framework=ddci.framework, period=period, entries=entries, by=secretariat) == 0
    b = IndicatorValue.objects.get(unit=filled["S-B"], code="i1")
    assert b.value == 7 and IndicatorValue.all_entries.filter(unit=filled["S-B"], code="i1").count() == 2
    assert IndicatorValue.objects.get(unit=filled["S-C"], code="i3").not_applicable
    assert [(r.old_value, r.new_value) for r in history(b)] == [("6.0", "7.0")]
    with pytest.raises(PermissionDenied):
        indicator_values_set(framework=ddci.framework, period=period, entries=entries, by=make_user("lanhdao", Role.LEADER))
