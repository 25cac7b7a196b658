"""The rates of Decision 766 against hand-computed examples; totals, targets, indicator values."""

import pytest
from django.core.exceptions import PermissionDenied

from chiso.indices.models import IndicatorValue
from chiso.services_stats.importing import service_stats_import
from chiso.services_stats.models import RateTarget
from chiso.services_stats.queries import ServiceRates, shortfalls, targets_for, total_rates, unit_rates
from chiso.services_stats.services import service_stats_indicators_publish

from .conftest import TC, csv_bytes


@pytest.fixture
def imported(defaults, units, period, good_csv):
    return service_stats_import(period=period, source_format=defaults, file_name="mot-cua.csv", content=good_csv, by=None)


def test_rates_of_one_unit_by_hand(imported, units, period):
    r = unit_rates(units["tc"], period)
    assert (r.received, r.settled) == (100, 90)
    assert r.on_time_rate == pytest.approx(100 * 88 / 90)  # (30 + 58) ÷ 90 = 97,78 %
    assert r.online_rate == pytest.approx(60.0)  # (40 + 20) ÷ 100
    assert r.online_full_rate == pytest.approx(40.0)
    assert r.digitisation_rate == pytest.approx(75.0)
    assert r.electronic_result_rate == pytest.approx(50.0)  # 45 ÷ 90
    assert r.online_payment_rate == pytest.approx(40.0)  # 20 ÷ 50
    assert r.sync_rate == pytest.approx(95.0)
    assert r.as_dict()["on_time_rate"] == r.on_time_rate


def test_a_rate_without_a_denominator_is_none(imported, units, period):
    r = unit_rates(units["xd"], period)
    assert r.on_time_rate == pytest.approx(95.0) and r.online_payment_rate is None  # no fee-bearing dossiers
    empty = ServiceRates(period=period, unit=None)
    assert all(value is None for value in empty.rates().values())
    assert unit_rates(units["h"], period) is None  # nothing imported for it


def test_the_province_rate_is_the_rate_of_the_sums_not_the_mean_of_rates(imported, period):
    total = total_rates(period)
    assert (total.received, total.settled) == (300, 290)
    assert total.on_time_rate == pytest.approx(100 * (88 + 190) / 290)  # 95,86 %, not (97,78 + 95) ÷ 2
    assert total.online_payment_rate == pytest.approx(40.0)  # 20 ÷ 50


def test_targets_and_shortfalls(imported, units, period, blocks):
    targets = targets_for(period, units["tc"].block)
    assert targets["on_time_rate"].minimum == 98 and targets["on_time_rate"].strict
    assert shortfalls(unit_rates(units["tc"], period), targets) == {"on_time_rate"}  # 97,78 % is not > 98 %
    RateTarget.objects.create(measure="on_time_rate", minimum=95, block=blocks["department"], source="thử")
    RateTarget.objects.create(measure="sync_rate", minimum=96)
    targets = targets_for(period, units["tc"].block)
    assert targets["on_time_rate"].minimum == 95  # the block's own target wins
    assert shortfalls(unit_rates(units["tc"], period), targets) == {"sync_rate"}
    assert RateTarget(measure="on_time_rate", minimum=98, strict=True).met_by(98.0) is False
    assert RateTarget(measure="on_time_rate", minimum=98).met_by(98.0) is True


def test_the_import_writes_decision_766_points_with_its_source(defaults, units, period, good_csv, qd766):
    service_stats_import(period=period, source_format=defaults, file_name="mot-cua.csv", content=good_csv, by=None)
    values = {(v.unit.code, v.code): v for v in IndicatorValue.objects.filter(framework__code="QD766", period=period)}
    assert values[("S-TC", "G2.1")].value == pytest.approx(round(88 / 90 * 16, 2))  # 15,64 of 16
    assert values[("S-TC", "G1.4")].value == pytest.approx(0.95 * 6)
    assert values[("S-TC", "G3.1")].value == pytest.approx(0.75 * 8)
    assert values[("S-TC", "G3.2")].value == pytest.approx(0.5 * 8)
    assert values[("S-TC", "G4.2")].value == pytest.approx(0.6 * 10)
    assert values[("S-TC", "G4.3")].value == pytest.approx(0.4 * 6)
    assert values[("S-XD", "G4.3")].not_applicable  # no fee-bearing dossiers: the item allows N/A
    assert values[("S-TC", "G2.1")].source.startswith("Thống kê TTHC một cửa: mot-cua.csv")
    # a partial re-import leaves Sở Xây dựng's values as they were
    before = IndicatorValue.objects.get(framework__code="QD766", period=period, unit=units["xd"], code="G2.1").pk
    changed = list(TC)
    changed[6] = 57  # one dossier on time fewer: Sở Tài chính's values change, with the new file as source
    changed[7] = 3
    service_stats_import(period=period, source_format=defaults, file_name="mot-cua-2.csv", content=csv_bytes([changed]), by=None)
    assert IndicatorValue.objects.get(framework__code="QD766", period=period, unit=units["xd"], code="G2.1").pk == before
    assert IndicatorValue.objects.get(framework__code="QD766", period=period, unit=units["tc"], code="G2.1").source.startswith(
        "Thống kê TTHC một cửa: mot-cua-2.csv")
    # replacing the whole period without Sở Xây dựng removes its values: a run must not read a withdrawn figure
    service_stats_import(period=period, source_format=defaults, file_name="mot-cua-3.csv", content=csv_bytes([TC]), replace_period=True, by=None)
    assert not IndicatorValue.objects.filter(framework__code="QD766", period=period, unit=units["xd"]).exists()
    assert IndicatorValue.objects.get(framework__code="QD766", period=period, unit=units["tc"], code="G2.1").source.startswith(
        "Thống kê TTHC một cửa: mot-cua-3.csv")


def test_only_the_secretariat_imports_and_writes_the_rates(defaults, units, period, good_csv, qd766, staff):
    """accounts.permissions.may_manage_service_stats: a unit officer or a leader is refused, nothing written."""
    for person in (staff["officer"], staff["leader"]):
        with pytest.raises(PermissionDenied):
            service_stats_import(period=period, source_format=defaults, file_name="mot-cua.csv", content=good_csv, by=person)
        with pytest.raises(PermissionDenied):
            service_stats_indicators_publish(period=period, by=person)
    assert not IndicatorValue.objects.filter(framework__code="QD766").exists()
    service_stats_import(period=period, source_format=defaults, file_name="mot-cua.csv", content=good_csv, by=staff["secretariat"])
    assert IndicatorValue.objects.filter(framework__code="QD766", source_kind="service_statistics").exists()
