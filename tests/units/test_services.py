"""Periods and units changed in the app: each change through a service, refused to the wrong person,
recorded in the audit trail."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chiso.accounts.models import Role
from chiso.audit.queries import history
from chiso.units import services
from chiso.units.models import Period, UnitSuccession
from chiso.units.queries import unit_predecessor_weights

D = datetime.date


@pytest.fixture
def secretary(make_user):
    return make_user("thuky", Role.SECRETARIAT)


@pytest.mark.django_db
def test_a_period_is_created_edited_closed_and_reopened_with_every_change_recorded(secretary, blocks):
    period = services.period_create(code="2026", year=2026, name_vi="Năm 2026", start_date=D(2026, 1, 1),
                                    end_date=D(2026, 12, 31), blocks=[blocks["commune"]], by=secretary)
    services.period_update(period=period, year=2026, name_vi="Năm 2026 (điều chỉnh)", name_en="Year 2026",
                           start_date=D(2026, 1, 1), end_date=D(2026, 11, 30),
                           blocks=[blocks["commune"], blocks["department"]], frameworks=[], by=secretary,
                           reason="Quyết định 12/QĐ-UBND")
    services.period_close(period=period, by=secretary)
    with pytest.raises(ValidationError):
        services.period_update(period=period, year=2026, name_vi="x", name_en="", start_date=D(2026, 1, 1),
                               end_date=D(2026, 12, 31), blocks=[], frameworks=[], by=secretary)
    with pytest.raises(ValidationError):
        services.period_reopen(period=period, by=secretary, reason=" ")
    services.period_reopen(period=period, by=secretary, reason="Bổ sung khối sở")
    period.refresh_from_db()
    assert not period.is_closed and period.end_date == D(2026, 11, 30)
    assert {b.code for b in period.blocks.all()} == {"commune", "department"}
    records = list(history(period))
    assert [r.event for r in records] == ["period.created", "period.updated", "period.updated", "period.updated",
                                         "period.updated", "period.closed", "period.reopened"]
    fields = {r.field: (r.old_value, r.new_value) for r in records if r.event == "period.updated"}
    assert fields["end_date"] == ("2026-12-31", "2026-11-30")
    assert fields["blocks"] == ("commune", "commune, department")
    assert all(r.by == secretary for r in records)
    assert records[1].reason == "Quyết định 12/QĐ-UBND"


@pytest.mark.django_db
def test_period_checks_and_permission(secretary, make_user):
    with pytest.raises(ValidationError) as error:
        services.period_create(code="2026", year=2026, name_vi="", start_date=D(2026, 12, 31),
                               end_date=D(2026, 1, 1), by=secretary)
    assert {"name_vi", "end_date"} <= set(error.value.error_dict)
    for role in (Role.LEADER, Role.ANALYST, Role.APPRAISER):
        with pytest.raises(PermissionDenied):
            services.period_create(code="2027", year=2027, name_vi="Năm 2027", start_date=D(2027, 1, 1),
                                   end_date=D(2027, 12, 31), by=make_user(f"u-{role}", role))
    assert not Period.objects.exists()


@pytest.mark.django_db
def test_a_unit_is_edited_and_ended_with_its_successors(secretary, make_unit):
    district = make_unit("H-A", block="district", official_code="040")
    commune = make_unit("X-A", block="commune", valid_from=D(2025, 7, 1), official_code="01273")
    other = make_unit("X-B", block="commune", valid_from=D(2025, 7, 1))
    services.unit_update(unit=district, name_vi="Huyện A mới", name_en="A District", official_code="040", parent=None,
                         valid_from=None, valid_to=None, by=secretary, reason="Đổi tên")
    services.unit_end(unit=district, valid_to=D(2025, 6, 30), successors=[(commune, Decimal("0.6")), (other, Decimal(1))],
                      by=secretary, reason="Nghị quyết 1657/NQ-UBTVQH15")
    district.refresh_from_db()
    assert district.name_vi == "Huyện A mới" and district.valid_to == D(2025, 6, 30)
    rows = {s.successor.code: s for s in UnitSuccession.objects.filter(predecessor=district)}
    assert rows["X-A"].share == Decimal("0.6") and rows["X-A"].date == D(2025, 7, 1)
    events = [(r.event, r.field) for r in history(district)]
    assert ("unit.updated", "name_vi") in events and ("unit.updated", "name_en") in events
    assert ("unit.ended", "valid_to") in events
    assert [r.event for r in history(commune)] == ["succession.created"]
    period = Period.objects.create(code="2024", year=2024, name_vi="Năm 2024", start_date=D(2024, 1, 1),
                                   end_date=D(2024, 12, 31))
    assert unit_predecessor_weights(commune, period) == {district: 1.0}


@pytest.mark.django_db
def test_unit_edits_are_checked(secretary, make_unit, make_user):
    a = make_unit("A", official_code="01273", valid_to=D(2025, 6, 30))
    b = make_unit("B", valid_from=D(2025, 7, 1))
    child = make_unit("C", parent=b)
    with pytest.raises(ValidationError) as error:  # the same official code over the same days
        services.unit_update(unit=b, name_vi=b.name_vi, name_en="", official_code="01273", parent=None,
                             valid_from=D(2025, 6, 1), valid_to=None, by=secretary)
    assert "official_code" in error.value.error_dict
    # one after the other is how the reform hands a code on
    services.unit_update(unit=b, name_vi=b.name_vi, name_en="", official_code="01273", parent=None,
                         valid_from=D(2025, 7, 1), valid_to=None, by=secretary)
    with pytest.raises(ValidationError) as error:
        services.unit_update(unit=b, name_vi=b.name_vi, name_en="", official_code="01273", parent=child,
                             valid_from=D(2025, 7, 1), valid_to=None, by=secretary)
    assert "parent" in error.value.error_dict
    with pytest.raises(ValidationError) as error:  # the successor did not exist the next day
        services.unit_end(unit=a, valid_to=D(2025, 5, 31), successors=[(b, Decimal(1))], by=secretary)
    assert "successors" in error.value.error_dict
    with pytest.raises(PermissionDenied):
        services.unit_update(unit=a, name_vi="x", name_en="", official_code="", parent=None, valid_from=None,
                             valid_to=None, by=make_user("lanhdao", Role.LEADER))
    a.refresh_from_db()
    assert a.valid_to == D(2025, 6, 30) and a.name_vi != "x"
