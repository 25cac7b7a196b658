"""Targets of every kind: the actual value is read from the data, and the state follows from it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from chiso.followup.services import statistic_create, statistic_value_set, target_create
from chiso.followup.targets import target_evaluate
from chiso.indices.models import ExternalResult
from chiso.services_stats.models import ServiceStat, StatImport
from chiso.units.models import Province, UnitSuccession

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def province(db):
    return Province.objects.create(code="CB", name_vi="Tỉnh Cao Bằng", name_en="Cao Bằng Province")


def national(index, year, score, rank, components=None, province="Cao Bằng"):
    ExternalResult.objects.create(index_code=index, year=year, province=province, score=score, rank=rank,
                                  components=components or {}, source=f"{index} {year}")


def target(**fields):
    fields.setdefault("title", "Chỉ tiêu thử")
    fields.setdefault("baseline_year", 2015)
    fields.setdefault("target_year", 2016)
    fields.setdefault("by", None)
    return target_create(**fields)


def test_pci_score_up_read_from_the_imported_national_results():
    national("PCI", 2015, 54.44, 58)
    national("PCI", 2016, 52.99, 63)
    national("PCI", 2016, 70.0, 1, province="Đà Nẵng")
    up = target(source="national", index_code="PCI", measure="score", rule="increase")
    result = target_evaluate(up)
    assert (result.baseline.value, result.actual.value) == (54.44, 52.99)
    assert result.state == "missed" and result.change == pytest.approx(-1.45)
    assert result.actual.source == "PCI 2016"


def test_papi_up_two_ranks_counts_ranks_gained():
    national("PAPI", 2015, 33.9, 53)
    national("PAPI", 2016, 34.3, 51)
    result = target_evaluate(target(source="national", index_code="PAPI", measure="rank", rule="change_by", amount=2))
    assert result.state == "met" and result.change == 2 and result.required == 51
    with translation.override("vi"):
        assert "2" in result.rule_text and "51" in result.rule_text


def test_better_on_every_dimension():
    dims_2015 = {"participation": 5.1, "transparency": 5.4, "accountability": 4.4}
    national("PAPI", 2015, 33.9, 53, dims_2015)
    national("PAPI", 2016, 34.3, 51, {"participation": 5.2, "transparency": 5.5, "accountability": 4.3})
    result = target_evaluate(target(source="national", index_code="PAPI", rule="all_components_up"))
    assert result.state == "missed" and result.components_up == 2 and len(result.components) == 3
    dimension = target_evaluate(target(source="national", index_code="PAPI", measure="component", component="transparency", rule="increase"))
    assert dimension.state == "met" and dimension.actual.value == 5.5


def test_a_typed_value_stands_in_until_the_publication_is_imported():
    series = statistic_create(code="papi-thu-hang", name_vi="Thứ hạng PAPI", index_code="PAPI", measure="rank", higher_is_better=False, by=None)
    statistic_value_set(statistic=series, year=2022, value=38, source="Báo cáo PAPI 2022", by=None)
    statistic_value_set(statistic=series, year=2023, value=37, source="Báo cáo PAPI 2023 (số liệu nhanh)", provisional=True, by=None)
    goal = target(source="national", index_code="PAPI", measure="rank", rule="change_by", amount=2, baseline_year=2022, target_year=2023)
    result = target_evaluate(goal)
    assert result.state == "at_risk" and result.actual.provisional  # provisional: not yet missed
    national("PAPI", 2023, 42.9, 35)  # the publication arrives and wins over the typed value
    result = target_evaluate(goal)
    assert result.state == "met" and result.actual.value == 35 and result.actual.source == "PAPI 2023"


def test_a_statistic_at_least_and_at_most():
    revoked = statistic_create(code="du-an-thu-hoi", name_vi="Dự án bị thu hồi chủ trương đầu tư", unit_of_measure="dự án", by=None)
    statistic_value_set(statistic=revoked, year=2022, value=62, source="Thông báo 511/TB-UBND", by=None)
    at_least = target(source="statistic", statistic=revoked, rule="at_least", amount=49, baseline_year=None, target_year=2022)
    result = target_evaluate(at_least)
    assert result.state == "met" and result.required == 49
    late = statistic_create(code="ho-so-tre-han", name_vi="Tỷ lệ hồ sơ trễ hạn", unit_of_measure="%", higher_is_better=False, by=None)
    statistic_value_set(statistic=late, year=2023, value=2.5, source="Hệ thống một cửa", provisional=True, by=None)
    at_most = target(source="statistic", statistic=late, rule="at_most", amount=2, baseline_year=None, target_year=2023)
    assert target_evaluate(at_most).state == "at_risk"
    statistic_value_set(statistic=late, year=2023, value=1.8, source="Hệ thống một cửa", provisional=True, by=None)
    assert target_evaluate(at_most).state == "on_track"
    statistic_value_set(statistic=late, year=2023, value=1.8, source="Báo cáo năm", by=None)
    assert target_evaluate(at_most).state == "met"


def test_an_interim_year_shows_on_track_before_the_target_year():
    online = statistic_create(code="ho-so-truc-tuyen", name_vi="Tỷ lệ hồ sơ trực tuyến", unit_of_measure="%", by=None)
    statistic_value_set(statistic=online, year=2023, value=40, source="Sở TT&TT", by=None)
    statistic_value_set(statistic=online, year=2024, value=70, source="Sở TT&TT", by=None)
    goal = target(source="statistic", statistic=online, rule="change_by", amount=20, baseline_year=2023, target_year=2025)
    assert target_evaluate(goal).state == "on_track"


def test_a_target_on_a_run_reads_the_published_runs(ddci_runs, units):
    run_2022, run_2023 = ddci_runs
    framework = run_2022.version.framework
    goal = target(source="run", framework=framework, unit=units["S-XD"], node_code="DDCI", measure="score", rule="increase",
                  baseline_year=2022, target_year=2023)
    result = target_evaluate(goal)
    assert result.baseline.source == run_2022.title and result.state == "met"
    ranked = target(source="run", framework=framework, unit=units["S-XD"], node_code="i1", measure="rank", rule="change_by",
                    amount=1, baseline_year=2022, target_year=2023)
    assert target_evaluate(ranked).state == "met"  # i1: last of four in 2022, better in 2023


def test_nothing_measured_yet_and_a_typed_baseline():
    goal = target(source="national", index_code="SIPAS", rule="increase", baseline_value=80.5, baseline_year=2022, target_year=2023)
    result = target_evaluate(goal)
    assert result.state == "no_data" and result.baseline.value == 80.5


@pytest.mark.parametrize("fields, field", [
    ({"source": "national", "index_code": "XYZ", "rule": "increase"}, "index_code"),
    ({"source": "national", "index_code": "PAPI", "rule": "change_by"}, "amount"),
    ({"source": "national", "index_code": "PAPI", "rule": "increase", "baseline_year": None}, "baseline_year"),
    ({"source": "statistic", "rule": "at_least", "amount": 1}, "statistic"),
    ({"source": "run", "rule": "increase"}, "framework"),
    ({"source": "national", "index_code": "PCI", "rule": "increase", "baseline_year": 2016}, "target_year"),
])
def test_a_target_that_cannot_be_measured_is_refused(fields, field):
    with pytest.raises(ValidationError) as error:
        target(**fields)
    assert field in error.value.message_dict


def test_the_margin_over_a_threshold_is_computed(db):
    revoked = statistic_create(code="thu-hoi", name_vi="Dự án bị thu hồi", by=None)
    statistic_value_set(statistic=revoked, year=2022, value=62, source="Thông báo 511/TB-UBND", by=None)
    result = target_evaluate(target(source="statistic", statistic=revoked, rule="at_least", amount=49, baseline_year=None, target_year=2022))
    assert result.margin == 13  # "tăng thêm 13 dự án so với yêu cầu đề ra (49 dự án)", computed


def test_a_one_stop_shop_rate_for_the_province(period_2022, period, units):
    """"Online dossiers ≥ 50 %": the rate is computed by chiso.services_stats from imported counts."""
    for p, online, in_person in ((period_2022, 30, 70), (period, 55, 45)):
        source = StatImport.objects.create(period=p, file_name="mot-cua.xlsx", sha256="0" * 64)
        ServiceStat.objects.create(unit=units["S-XD"], period=p, source=source, received_online_full=online, received_in_person=in_person)
    goal = target(source="services", rate="online_rate", rule="at_least", amount=50, baseline_year=2022, target_year=2023)
    result = target_evaluate(goal)
    assert (result.baseline.value, result.actual.value, result.state) == (30, 55, "met")
    one_unit = target(source="services", rate="online_rate", unit=units["S-XD"], rule="change_by", amount=30,
                      baseline_year=2022, target_year=2023)
    assert target_evaluate(one_unit).state == "missed"
    with pytest.raises(ValidationError) as error:
        target(source="services", rate="nonsense", rule="increase")
    assert "rate" in error.value.message_dict


def test_a_one_stop_shop_rate_of_a_new_ward_reads_its_predecessors_before_it_existed(period_2022, period, make_unit):
    """A ward formed after the baseline year: its baseline is the rate of its communes' summed
    counts (chiso.services_stats.queries.unit_trend follows the lineage), and says so."""
    formed = datetime.date(2023, 1, 1)
    a = make_unit("X-A", block="commune_pre2025", valid_to=formed - datetime.timedelta(days=1))
    b = make_unit("X-B", block="commune_pre2025", valid_to=formed - datetime.timedelta(days=1))
    ward = make_unit("P-AB", block="commune", valid_from=formed)
    for old in (a, b):
        UnitSuccession.objects.create(predecessor=old, successor=ward, date=formed)
    for unit, p, online, in_person in ((a, period_2022, 10, 90), (b, period_2022, 50, 50), (ward, period, 70, 30)):
        source = StatImport.objects.create(period=p, file_name="mot-cua.xlsx", sha256="0" * 64)
        ServiceStat.objects.create(unit=unit, period=p, source=source, received_online_full=online, received_in_person=in_person)
    goal = target(source="services", rate="online_rate", unit=ward, rule="at_least", amount=50, baseline_year=2022, target_year=2023)
    with translation.override("vi"):
        result = target_evaluate(goal)
        assert result.baseline.value == pytest.approx(30.0)  # (10 + 50) ÷ 200, not the ward's missing 2022
        assert result.baseline.source == "Thống kê hồ sơ thủ tục hành chính của các đơn vị tiền thân"
        assert (result.actual.value, result.actual.source) == (70.0, "Thống kê hồ sơ thủ tục hành chính")
