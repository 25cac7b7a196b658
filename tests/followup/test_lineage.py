"""A unit that ended hands its open tasks to its successor through the lineage (2025: seven
departments merged); the hand-over is in the audit trail and the new unit is told."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from chiso.accounts.models import Role
from chiso.audit.queries import history
from chiso.followup.notifications import notices_digest
from chiso.followup.services import tasks_hand_over, unit_successors_on
from chiso.notices.models import Notice
from chiso.units.models import UnitSuccession

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def merger(units, make_unit, make_user):
    """Sở Xây dựng and Sở Tư pháp end on 28/02/2025; Sở Xây dựng goes into a new department."""
    new = make_unit("S-XD-GT", name_vi="Sở Xây dựng (hợp nhất)", valid_from=D(2025, 3, 1))
    officer = make_user("canbo.sxdgt", Role.UNIT_OFFICER, unit=new, email="sxdgt@example.vn")
    for code in ("S-XD", "S-TP"):
        units[code].valid_to = D(2025, 2, 28)
        units[code].save()
    UnitSuccession.objects.create(predecessor=units["S-XD"], successor=new, date=D(2025, 3, 1))
    UnitSuccession.objects.create(predecessor=units["S-TP"], successor=units["S-NV"], date=D(2025, 3, 1), share=0.5)
    UnitSuccession.objects.create(predecessor=units["S-TP"], successor=units["S-TC"], date=D(2025, 3, 1), share=0.5)
    return new, officer


def test_open_tasks_pass_to_the_successor_with_the_record(make_task, units, merger, officers):
    new, officer = merger
    task = make_task(lead="S-XD", cooperating=["S-TP"], deadline="31/12/2025")
    done = make_task(lead="S-XD", deadline="31/12/2023")
    done.status = "done"
    done.save()
    assert tasks_hand_over(today=D(2025, 2, 28), by=None) == []  # still in office on its last day
    moved = tasks_hand_over(today=D(2025, 3, 1), by=None)
    assert [t.pk for t in moved] == [task.pk]
    task.refresh_from_db()
    done.refresh_from_db()
    assert task.lead_unit == new and done.lead_unit == units["S-XD"]
    assert sorted(u.code for u in task.cooperating_units.all()) == ["S-NV", "S-TC"]
    records = [r for r in history(task) if r.event == "task.reassigned"]
    assert [(r.field, r.old_value, r.new_value) for r in records] == [
        ("lead_unit", "S-XD", "S-XD-GT"), ("cooperating_units", "S-TP", "S-NV, S-TC")]
    assert "Sở Xây dựng" in records[0].reason
    told = set(Notice.objects.filter(kind="task.reassigned").values_list("user__username", flat=True))
    assert told == {"canbo.sxdgt", "canbo.s-nv", "canbo.s-tc"}
    assert tasks_hand_over(today=D(2025, 3, 2), by=None) == []  # nothing left to pass on


def test_the_daily_digest_hands_over(make_task, merger):
    new, _officer = merger
    task = make_task(lead="S-XD", deadline="Hằng quý")
    summary = notices_digest(today=D(2025, 3, 3), days=7)
    task.refresh_from_db()
    assert summary.handed_over == 1 and task.lead_unit == new


def test_a_chain_of_successors_is_followed(units, make_unit):
    later = make_unit("S-LATER", name_vi="Sở sau", valid_from=D(2026, 1, 1))
    middle = make_unit("S-MID", name_vi="Sở giữa", valid_from=D(2025, 3, 1), valid_to=D(2025, 12, 31))
    units["S-XD"].valid_to = D(2025, 2, 28)
    units["S-XD"].save()
    UnitSuccession.objects.create(predecessor=units["S-XD"], successor=middle, date=D(2025, 3, 1))
    UnitSuccession.objects.create(predecessor=middle, successor=later, date=D(2026, 1, 1))
    assert unit_successors_on(units["S-XD"], D(2025, 6, 1)) == [middle]
    assert unit_successors_on(units["S-XD"], D(2026, 2, 1)) == [later]


def test_a_unit_without_a_successor_keeps_its_task(make_task, units):
    task = make_task(lead="S-XD", deadline="31/12/2025")
    units["S-XD"].valid_to = D(2025, 2, 28)
    units["S-XD"].save()
    assert tasks_hand_over(today=D(2025, 3, 1), by=None) == []
    task.refresh_from_db()
    assert task.lead_unit == units["S-XD"]


def test_only_the_secretariat_hands_over_by_hand(officers):
    with pytest.raises(PermissionDenied):
        tasks_hand_over(today=D(2025, 3, 1), by=officers["S-XD"])
