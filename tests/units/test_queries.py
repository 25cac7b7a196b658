import datetime

import pytest

from chiso.units.models import Period, Unit, UnitSuccession
from chiso.units.queries import period_current, unit_predecessor_weights


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def periods(db):
    return {
        year: Period.objects.create(
            code=str(year), year=year, name_vi=f"Năm {year}", start_date=day(f"{year}-01-01"), end_date=day(f"{year}-12-31")
        )
        for year in (2023, 2025, 2026)
    }


def test_active_in_a_period(make_unit, periods):
    district = make_unit("H-A", block="district", valid_to=day("2025-06-30"))
    commune = make_unit("X-A", block="commune", valid_from=day("2025-07-01"))
    department = make_unit("S-A")
    assert set(Unit.objects.active_in(periods[2023])) == {district, department}
    assert set(Unit.objects.active_in(periods[2025])) == {district, commune, department}
    assert set(Unit.objects.active_in(periods[2026])) == {commune, department}


def test_a_commune_stands_for_its_former_districts_in_earlier_years(make_unit, periods):
    a = make_unit("H-A", block="district", valid_to=day("2025-06-30"))
    b = make_unit("H-B", block="district", valid_to=day("2025-06-30"))
    commune = make_unit("X-AB", block="commune", valid_from=day("2025-07-01"))
    UnitSuccession.objects.create(predecessor=a, successor=commune, date=day("2025-07-01"), share="0.75")
    UnitSuccession.objects.create(predecessor=b, successor=commune, date=day("2025-07-01"), share="0.25")
    assert unit_predecessor_weights(commune, periods[2023]) == {a: 0.75, b: 0.25}
    assert unit_predecessor_weights(commune, periods[2026]) == {commune: 1.0}


def test_lineage_is_followed_through_several_steps(make_unit, periods):
    old = make_unit("S-OLD", valid_to=day("2024-12-31"))
    middle = make_unit("S-MID", valid_from=day("2024-01-01"), valid_to=day("2024-12-31"))
    new = make_unit("S-NEW", valid_from=day("2026-01-01"))
    UnitSuccession.objects.create(predecessor=old, successor=middle, date=day("2024-01-01"))
    UnitSuccession.objects.create(predecessor=middle, successor=new, date=day("2026-01-01"))
    assert unit_predecessor_weights(new, periods[2023]) == {old: 1.0}
    assert unit_predecessor_weights(new, periods[2025]) == {}


def test_current_period_is_the_latest_started(periods):
    assert period_current(day("2025-08-01")) == periods[2025]
    assert period_current(day("2020-01-01")) == periods[2023]
