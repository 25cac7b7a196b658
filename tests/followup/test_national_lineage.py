"""Targets against national results follow the 2025 merger of provinces (63 → 34): a province
formed by the merger reads its former provinces' earlier results, as the lineage in
chiso.indices.national says — their mean score and components, and no rank."""

import pytest
from django.utils import translation

from chiso.followup.queries import province_positions
from chiso.followup.services import target_create
from chiso.followup.targets import national_results, target_evaluate
from chiso.indices.models import ExternalResult
from chiso.indices.national import province_lineage
from chiso.units.models import Province

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def national(index, year, province, score, rank, components=None):
    ExternalResult.objects.create(index_code=index, year=year, province=province, score=score, rank=rank,
                                  components=components or {}, source=f"{index} {year}")


@pytest.fixture
def results(db):
    """PCI: Bắc Giang and Bắc Ninh before the merger, the new Bắc Ninh from 2025; Cao Bằng throughout."""
    national("PCI", 2023, "Bắc Giang", 68.0, 12, {"transparency": 6.0, "time_costs": 7.0})
    national("PCI", 2023, "Bắc Ninh", 70.0, 9, {"transparency": 6.4, "time_costs": 7.4})
    national("PCI", 2024, "Bắc Giang", 70.0, 10, {"transparency": 6.2, "time_costs": 7.2})
    national("PCI", 2024, "Bắc Ninh", 72.0, 7, {"transparency": 6.6, "time_costs": 7.6})
    national("PCI", 2025, "Bắc Ninh", 73.5, 5, {"transparency": 6.8, "time_costs": 7.1})
    national("PCI", 2024, "Cao Bằng", 60.0, 60)
    national("PCI", 2025, "Cao Bằng", 61.0, 31)


def target(**fields):
    fields.setdefault("title", "PCI của tỉnh tăng so với năm 2024")
    fields.setdefault("source", "national")
    fields.setdefault("index_code", "PCI")
    fields.setdefault("baseline_year", 2024)
    fields.setdefault("target_year", 2025)
    fields.setdefault("by", None)
    return target_create(**fields)


def test_the_merged_province_reads_its_former_provinces_earlier_results(results):
    Province.objects.create(code="BN", name_vi="Tỉnh Bắc Ninh", name_en="Bắc Ninh Province")
    assert province_lineage("Bắc Ninh", 2024) == ["Bắc Giang", "Bắc Ninh"]
    years = national_results("PCI")
    assert sorted(years) == [2023, 2024, 2025]
    assert years[2024].score == pytest.approx(71.0) and years[2024].rank is None
    assert years[2024].provinces == ("Bắc Giang", "Bắc Ninh")
    assert years[2024].source == "PCI 2024: trung bình của các tỉnh cũ Bắc Giang, Bắc Ninh (sắp xếp tỉnh năm 2025)"
    assert years[2025].score == 73.5 and years[2025].rank == 5 and years[2025].source == "PCI 2025"
    # the score: baseline 2024 is the former provinces' mean, not Bắc Ninh's own 72
    up = target_evaluate(target(measure="score", rule="change_by", amount=2))
    assert up.baseline.value == pytest.approx(71.0) and up.actual.value == 73.5
    assert up.change == pytest.approx(2.5) and up.state == "met"
    assert "Bắc Giang" in up.baseline.source
    # every component against the former provinces' mean (time costs fell: 7.4 → 7.1)
    components = target_evaluate(target(measure="score", rule="all_components_up"))
    assert {key: (pytest.approx(before), after, up) for key, before, after, up in components.components} == {
        "transparency": (pytest.approx(6.4), 6.8, True), "time_costs": (pytest.approx(7.4), 7.1, False)}
    assert components.state == "missed"
    # a rank: the former provinces' ranks say nothing of the new one, so no baseline
    rank = target_evaluate(target(measure="rank", rule="change_by", amount=2))
    assert rank.baseline is None and rank.actual.value == 5 and rank.state == "no_data"
    # the dashboard's positions read the same
    positions = {p.year: (p.score, p.rank) for p in province_positions()["PCI"]}
    assert positions[2024] == (pytest.approx(71.0), None) and positions[2025] == (73.5, 5)


def test_a_province_the_merger_left_alone_reads_only_its_own(results):
    Province.objects.create(code="CB", name_vi="Tỉnh Cao Bằng", name_en="Cao Bằng Province")
    years = national_results("PCI")
    assert {y: (r.score, r.rank, r.provinces) for y, r in years.items()} == {
        2024: (60.0, 60, ("Cao Bằng",)), 2025: (61.0, 31, ("Cao Bằng",))}
    rank = target_evaluate(target(measure="rank", rule="change_by", amount=2))
    assert (rank.baseline.value, rank.actual.value, rank.state) == (60, 31, "met")


def test_a_former_province_reads_the_new_province_after_the_merger(results):
    Province.objects.create(code="BG", name_vi="Tỉnh Bắc Giang", name_en="Bắc Giang Province")
    years = national_results("PCI")
    assert (years[2024].score, years[2024].rank) == (70.0, 10)  # its own, before
    assert (years[2025].score, years[2025].provinces) == (73.5, ("Bắc Ninh",))  # the new province's, after
