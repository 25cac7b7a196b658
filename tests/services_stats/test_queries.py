"""A unit's one-stop-shop trend across periods: before the unit existed its predecessors stand
for it, as in its index score trend, their counts taken by the part of each that became it."""

import datetime

import pytest
from django.test import Client

from chiso.accounts.models import Role
from chiso.services_stats.models import ServiceStat, StatImport
from chiso.services_stats.queries import unit_trend
from chiso.units.models import Period, UnitSuccession

pytestmark = pytest.mark.django_db

REFORM = datetime.date(2025, 7, 1)
BEFORE = datetime.date(2025, 6, 30)


@pytest.fixture
def periods(db):
    return {
        year: Period.objects.create(code=str(year), year=year, name_vi=f"Năm {year}",
                                    start_date=datetime.date(year, 1, 1), end_date=datetime.date(year, 12, 31))
        for year in (2024, 2026)
    }


def counts(unit, period, *, online, in_person, early, on_time, late, fees=None, paid=0):
    source = StatImport.objects.create(period=period, file_name=f"mot-cua-{period.code}.csv", sha256="0" * 64)
    return ServiceStat.objects.create(
        unit=unit, period=period, source=source, received_online_full=online, received_in_person=in_person,
        processed_early=early, processed_on_time=on_time, processed_late=late, fee_bearing=fees, paid_online=paid,
    )


@pytest.fixture
def ward(make_unit, periods):
    """Phường Thục Phán, formed on 1/7/2025 from two communes (shares 1, the default)."""
    a = make_unit("X-A", block="commune_pre2025", name_vi="Xã Hợp Giang", valid_to=BEFORE)
    b = make_unit("X-B", block="commune_pre2025", name_vi="Xã Sông Hiến", valid_to=BEFORE)
    ward = make_unit("P-TP", block="commune", name_vi="Phường Thục Phán", valid_from=REFORM)
    for old in (a, b):
        UnitSuccession.objects.create(predecessor=old, successor=ward, date=REFORM)
    counts(a, periods[2024], online=30, in_person=70, early=10, on_time=80, late=10, fees=40, paid=10)
    counts(b, periods[2024], online=90, in_person=110, early=0, on_time=100, late=100, fees=60, paid=50)
    counts(ward, periods[2026], online=250, in_person=150, early=100, on_time=280, late=20, fees=100, paid=80)
    return ward, a, b


def test_a_ward_merged_from_two_communes_has_their_summed_counts_before_and_its_own_after(ward, periods):
    unit, a, b = ward
    before, after = unit_trend(unit)
    assert (before.period, after.period) == (periods[2024], periods[2026])
    assert before.via == {a: 1.0, b: 1.0} and after.via == {}
    assert (before.received, before.settled) == (100 + 200, 100 + 200)
    assert before.received_online_full == 30 + 90
    # the rates of the sums, not the mean of the two communes' rates (30 % and 45 %)
    assert before.online_rate == pytest.approx(100 * 120 / 300)
    assert before.on_time_rate == pytest.approx(100 * 190 / 300)
    assert before.online_payment_rate == pytest.approx(100 * 60 / 100)
    assert (after.received, after.online_rate) == (400, pytest.approx(62.5))


def test_without_every_predecessors_dossiers_with_fees_the_payment_rate_is_unknown(ward, periods):
    unit, a, _b = ward
    ServiceStat.objects.filter(unit=a).update(fee_bearing=None)
    before = unit_trend(unit)[0]
    assert before.fee_bearing is None and before.online_payment_rate is None
    assert before.online_rate == pytest.approx(40.0)  # the other rates are still the sums'


def test_a_split_district_apportions_its_counts_by_share(make_unit, periods):
    district = make_unit("H-HA", block="district", name_vi="Huyện Hòa An", valid_to=BEFORE)
    west = make_unit("X-W", block="commune", valid_from=REFORM)
    east = make_unit("X-E", block="commune", valid_from=REFORM)
    UnitSuccession.objects.create(predecessor=district, successor=west, date=REFORM, kind="split", share="0.6")
    UnitSuccession.objects.create(predecessor=district, successor=east, date=REFORM, kind="split", share="0.4")
    counts(district, periods[2024], online=400, in_person=600, early=100, on_time=800, late=100, fees=500, paid=200)
    [w] = unit_trend(west)
    [e] = unit_trend(east)
    assert w.via == {district: pytest.approx(0.6)} and e.via == {district: pytest.approx(0.4)}
    assert (w.received, e.received) == (pytest.approx(600), pytest.approx(400))
    assert w.received + e.received == pytest.approx(1000)  # the district counted once over its successors
    assert w.online_rate == pytest.approx(40.0) and e.on_time_rate == pytest.approx(90.0)  # the district's rates


def test_a_unit_that_existed_has_only_its_own_figures(make_unit, periods):
    """A department that absorbed another keeps its own series: the absorbed one does not add to it."""
    finance = make_unit("S-TC", name_vi="Sở Tài chính")
    planning = make_unit("S-KHDT", name_vi="Sở Kế hoạch và Đầu tư", valid_to=datetime.date(2025, 2, 28))
    UnitSuccession.objects.create(predecessor=planning, successor=finance, date=datetime.date(2025, 3, 1))
    counts(finance, periods[2024], online=10, in_person=90, early=0, on_time=100, late=0)
    counts(planning, periods[2024], online=90, in_person=10, early=0, on_time=100, late=0)
    [point] = unit_trend(finance)
    assert point.via == {} and point.received_online_full == 10


def test_the_unit_page_says_which_figures_are_the_predecessors(ward, make_user):
    unit, _a, _b = ward
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    html = client.get(f"/service-stats/unit/{unit.code}/").content.decode()
    assert 'id="from-predecessors"' in html
    assert "Số liệu của các đơn vị tiền thân" in html
    assert "Xã Hợp Giang (1)" in html and "Xã Sông Hiến (1)" in html
    assert html.count('href="#from-predecessors"') == 2  # the 2024 column of both tables, not 2026
