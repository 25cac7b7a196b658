"""Rankings with change since the last period, scorecards, rank intervals and who sees which runs."""

import statistics

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from chiso.accounts.models import Role
from chiso.indices.models import IndexRun, RunScore, RunUncertainty
from chiso.indices.queries import unit_score_trend
from chiso.results.charts import scorecard_charts
from chiso.results.queries import (
    family_runs, framework_family, ranking_get, ranking_rows_sorted, run_siblings, runs_visible_to, scorecard_get,
)
from chiso.units.queries import unit_predecessor_weights

pytestmark = pytest.mark.django_db


def top(run, code):
    return RunScore.objects.get(run=run, unit__code=code, code=run.details["top"])


def test_ranking_by_rank_with_change_since_the_previous_publication(sample):
    ranking = ranking_get(sample.ddci_2023)
    assert [r.unit.code for r in ranking.rows] == ["S-A", "S-B", "S-C", "S-D"]
    assert ranking.baseline == sample.ddci_2022 and ranking.baseline_same_block
    assert [p.code for p in ranking.pillars] == ["P1", "P2", "P3"]
    a = ranking.row_of(sample.units["S-A"])
    before = top(sample.ddci_2022, "S-A")
    assert a.previous_rank == before.rank == 4
    assert a.change.rank == 3 and a.change.direction == "up"
    assert a.change.score == pytest.approx(a.score - before.value)
    d = ranking.row_of(sample.units["S-D"])
    assert d.change.rank < 0 and d.change.direction == "down"
    # Pillar cells carry the previous value and a heat class: the best in a column is the darkest.
    assert a.cells[0].previous == pytest.approx(RunScore.objects.get(run=sample.ddci_2022, unit__code="S-A", code="P1").value)
    best_p1 = max(ranking.rows, key=lambda r: r.cells[0].value)
    assert best_p1.cells[0].heat == 4 and min(ranking.rows, key=lambda r: r.cells[0].value).cells[0].heat == 0


def test_the_corrected_publication_is_read_and_the_superseded_one_never(sample):
    assert sample.superseded.status == IndexRun.Status.SUPERSEDED
    c = ranking_get(sample.ddci_2023).row_of(sample.units["S-C"])
    assert c.score == pytest.approx(top(sample.ddci_2023, "S-C").value)
    assert c.score != pytest.approx(top(sample.superseded, "S-C").value)
    # A later period compares with the correction too, not with the superseded run.
    assert ranking_get(sample.ddci_2022).baseline is None


def test_communes_after_the_reform_are_compared_with_their_former_districts(sample):
    ranking = ranking_get(sample.communes)
    assert ranking.baseline == sample.districts and not ranking.baseline_same_block
    h1, h2 = top(sample.districts, "H-1").value, top(sample.districts, "H-2").value
    x1, x2 = ranking.row_of(sample.units["X-1"]), ranking.row_of(sample.units["X-2"])
    assert x1.previous_score == pytest.approx(h1)
    assert x2.previous_score == pytest.approx((h1 + h2) / 2)  # half of each district
    assert x2.previous_rank is None and x2.change.rank is None  # ranks among districts say nothing
    assert x2.change.direction in {"up", "down"}


def test_scorecard_pillars_against_median_and_best_strongest_weakest_and_trend(sample):
    card = scorecard_get(sample.ddci_2023, sample.units["S-D"])
    ranking = ranking_get(sample.ddci_2023)
    p1 = [r.cells[0].value for r in ranking.rows]
    assert card.pillars[0].median == pytest.approx(statistics.median(p1)) and card.pillars[0].best == pytest.approx(max(p1))
    assert card.row.rank == 4 and card.units_count == 4
    # Six indicators: the best three and the worst three (five each from ten indicators on).
    assert len(card.strongest) == 3 and len(card.weakest) == 3
    assert {line.node.code for line in card.strongest}.isdisjoint({line.node.code for line in card.weakest})
    ranks = [line.rank for line in card.strongest] + [line.rank for line in card.weakest][::-1]
    assert ranks == sorted(ranks) and card.weakest[0].rank == 4  # the last unit still sees where it is weakest
    assert [p.run for p in card.trend] == [sample.ddci_2022, sample.ddci_2023]
    assert card.worse  # S-D lost ground on at least one pillar since 2022
    assert all(p.change < 0 for p in card.worse)


def test_a_commune_scorecard_follows_its_lineage_back_to_2023(sample):
    card = scorecard_get(sample.communes, sample.units["X-2"])
    assert [p.run for p in card.trend] == [sample.districts, sample.communes]
    assert set(card.trend[0].via) == {sample.units["H-1"], sample.units["H-2"]}
    assert not card.baseline_same_block


def test_par_fields_as_percent_of_the_maximum(sample):
    card = scorecard_get(sample.par_2023, sample.units["S-A"])
    assert card.is_points
    f1, f2 = card.pillars
    assert f1.percent == pytest.approx(100) and f2.percent == pytest.approx(100)  # 6/6 and 4/4
    assert f1.median_percent == pytest.approx(statistics.median([100, 5 / 6 * 100, 4 / 6 * 100, 5.5 / 6 * 100]))
    assert card.row.band == "A" and card.row.change.rank == 3  # last in 2022, first in 2023
    assert card.strongest[0].percent == pytest.approx(100)


def test_a_unit_without_result_has_no_scorecard(sample):
    with pytest.raises(LookupError):
        scorecard_get(sample.par_2023, sample.units["H-1"])


def test_rank_intervals_come_from_the_uncertainty_analysis(sample):
    run = sample.ddci_2023
    assert not ranking_get(run).has_intervals and ranking_get(run).row_of(sample.units["S-A"]).rank_interval is None
    RunUncertainty.objects.create(run=run, kind=RunUncertainty.Kind.METHOD, spec={}, replications=100, seed=1, ranks={
        "S-A": {"nominal": 1, "q5": 1, "q95": 2}, "S-B": {"nominal": 2, "q5": 1.6, "q95": 3.2}, "S-C": {"nominal": 3}})
    ranking = ranking_get(run)  # a new analysis is read at once: the cache follows it
    assert ranking.has_intervals
    assert ranking.row_of(sample.units["S-A"]).rank_interval == (1, 2)
    assert ranking.row_of(sample.units["S-B"]).rank_interval == (2, 3)
    assert ranking.row_of(sample.units["S-C"]).rank_interval is None  # no interval: rank alone
    assert "khoảng thứ hạng (90%): 1–2" in _scorecard_html(run, sample.units["S-A"])


def _scorecard_html(run, unit):
    with translation.override("vi"):
        card = scorecard_get(run, unit)
        return render_to_string("results/_scorecard.html", {"run": run, "card": card, "charts": scorecard_charts(card)})


def test_sorting_by_name_change_and_pillar(sample):
    ranking = ranking_get(sample.ddci_2023)
    by_name = [r.unit.name_vi for r in ranking_rows_sorted(ranking, "name")]
    assert by_name == sorted(by_name)
    by_change = [r.change.score for r in ranking_rows_sorted(ranking, "change")]
    assert by_change == sorted(by_change, reverse=True)
    by_p2 = [r.cells[1].rank for r in ranking_rows_sorted(ranking, "p:P2")]
    assert by_p2 == sorted(by_p2)
    assert ranking_rows_sorted(ranking, "p:nonsense") == ranking.rows


def test_who_sees_which_runs(sample, make_user):
    secretariat = make_user("thuky", Role.SECRETARIAT)
    leader = make_user("lanhdao", Role.LEADER)
    officer = make_user("canbo", Role.UNIT_OFFICER, unit=sample.units["S-A"])
    assert sample.draft in runs_visible_to(secretariat)
    assert sample.draft not in runs_visible_to(leader) and sample.superseded in runs_visible_to(leader)
    assert set(runs_visible_to(officer)) == set(IndexRun.objects.filter(status=IndexRun.Status.PUBLISHED))


def test_blocks_of_one_index_and_the_family_report(sample):
    assert framework_family("DDCI-SO") == framework_family("DDCI-XA") == "DDCI"
    runs = IndexRun.objects.select_related("version__framework", "period", "block")
    assert [r.block.code for r in run_siblings(sample.ddci_2023, runs)] == ["department", "district"]
    assert [r.block.code for r in run_siblings(sample.draft, runs)] == ["department", "commune"]
    assert family_runs(runs, sample.periods["2025"], "DDCI") == [sample.communes]  # never the draft


def _history_run_by_run(unit, framework):
    """The unit's history read the plain way, run by run, as the pages' one reader must give it."""
    points = []
    for run in IndexRun.objects.filter(version__framework=framework, status=IndexRun.Status.PUBLISHED).order_by("period__start_date"):
        weights = unit_predecessor_weights(unit, run.period)
        scores = {s.unit: s for s in RunScore.objects.filter(run=run, code=run.details.get("top"), unit__in=list(weights))}
        present = {u: w for u, w in weights.items() if u in scores and scores[u].value is not None}
        if present:
            direct = list(present) == [unit]
            value = sum(scores[u].value * w for u, w in present.items()) / sum(present.values())
            points.append((run.pk, value, scores[unit].rank if direct else None, {} if direct else present))
    return points


def test_the_trend_of_a_page_equals_the_unit_score_trend(sample):
    for unit in ("S-A", "X-2", "H-1"):
        for framework in (sample.ddci.framework, sample.par.framework):
            expected = _history_run_by_run(sample.units[unit], framework)
            got = unit_score_trend(sample.units[unit], framework)
            assert [(p.run.pk, p.value, p.rank, p.via) for p in got] == expected


