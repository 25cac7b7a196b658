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


def test_counts_take_the_part_of_each_predecessor_that_became_the_unit(make_unit, periods):
    """additive=True: for counts, which add up. Not normalised: two communes merged whole into a
    ward count in full, whatever shares were chosen for the ward's score baseline."""
    a = make_unit("X-A", block="commune_pre2025", valid_to=day("2025-06-30"))
    b = make_unit("X-B", block="commune_pre2025", valid_to=day("2025-06-30"))
    ward = make_unit("P-AB", block="commune", valid_from=day("2025-07-01"))
    UnitSuccession.objects.create(predecessor=a, successor=ward, date=day("2025-07-01"), share="0.5")
    UnitSuccession.objects.create(predecessor=b, successor=ward, date=day("2025-07-01"), share="0.5")
    assert unit_predecessor_weights(ward, periods[2023], additive=True) == {a: 1.0, b: 1.0}
    assert unit_predecessor_weights(ward, periods[2023]) == {a: 0.5, b: 0.5}  # a score: the mean
    assert unit_predecessor_weights(ward, periods[2026], additive=True) == {ward: 1.0}


def test_a_split_predecessor_is_shared_among_its_successors(make_unit, periods):
    district = make_unit("H-A", block="district", valid_to=day("2025-06-30"))
    west = make_unit("X-W", block="commune", valid_from=day("2025-07-01"))
    east = make_unit("X-E", block="commune", valid_from=day("2025-07-01"))
    UnitSuccession.objects.create(predecessor=district, successor=west, date=day("2025-07-01"), kind="split", share="0.6")
    UnitSuccession.objects.create(predecessor=district, successor=east, date=day("2025-07-01"), kind="split", share="0.4")
    assert unit_predecessor_weights(west, periods[2023], additive=True) == {district: pytest.approx(0.6)}
    assert unit_predecessor_weights(east, periods[2023], additive=True) == {district: pytest.approx(0.4)}
    assert unit_predecessor_weights(west, periods[2023]) == {district: 1.0}
    # Handed whole to three communes (share 1 each, as the lineage lists record a district's
    # communes): each gets a third of its counts, so the district is counted once.
    other = make_unit("H-B", block="district", valid_to=day("2025-06-30"))
    heirs = [make_unit(f"X-{n}", block="commune", valid_from=day("2025-07-01")) for n in range(3)]
    for heir in heirs:
        UnitSuccession.objects.create(predecessor=other, successor=heir, date=day("2025-07-01"))
    assert [unit_predecessor_weights(h, periods[2023], additive=True) for h in heirs] == [{other: pytest.approx(1 / 3)}] * 3


def test_parts_multiply_along_the_lineage(make_unit, periods):
    old = make_unit("S-OLD", valid_to=day("2024-12-31"))
    middle = make_unit("S-MID", valid_from=day("2024-01-01"), valid_to=day("2024-12-31"))
    new = make_unit("S-NEW", valid_from=day("2026-01-01"))
    sibling = make_unit("S-SIB", valid_from=day("2026-01-01"))
    UnitSuccession.objects.create(predecessor=old, successor=middle, date=day("2024-01-01"), share="0.5")
    UnitSuccession.objects.create(predecessor=middle, successor=new, date=day("2026-01-01"), share="0.75")
    UnitSuccession.objects.create(predecessor=middle, successor=sibling, date=day("2026-01-01"), share="0.25")
    # old went wholly to middle (its only successor); three quarters of middle became new
    assert unit_predecessor_weights(new, periods[2023], additive=True) == {old: pytest.approx(0.75)}
