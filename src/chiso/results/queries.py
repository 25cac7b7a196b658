"""Reads for the results pages, reports, the portal and the API: rankings with their change
since the last period, unit scorecards, and which runs a person may see.

Results are read only through chiso.indices (IndexRun, RunScore and its queries). A ranking
is computed once and kept in this process's memory and in Django's cache, keyed by the run's
checksum, its latest uncertainty analysis and the checksum of the run it is compared with, so
a republication or a new analysis is never hidden behind an old entry.
"""

from __future__ import annotations

import statistics
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.cache import cache

from chiso.accounts.permissions import MANAGING_ROLES, PROVINCIAL_ROLES
from chiso.formats.collation import vietnamese_key
from chiso.frameworks.models import Framework, Node
from chiso.indices.models import IndexRun, RunScore
from chiso.indices.queries import (
    HistoryPoint, run_previous_published, run_table, unit_score_trend, unit_scores_in,
)
from chiso.indices.uncertainty import interval_text, run_rank_intervals, run_uncertainty_shown
from chiso.units.models import Unit

CACHE_SECONDS = 15 * 60
HEAT_CLASSES = 5  # heat-0 (lowest in the column) … heat-4 (highest)


def framework_family(code: str) -> str:
    """The index a framework belongs to: DDCI-SO and DDCI-XA are the DDCI for two kinds of
    units, PAR-SO and PAR-XA the PAR Index. The province report groups runs by it."""
    return code.split("-", 1)[0]


# --- who sees which runs -----------------------------------------------------------------------

def runs_visible_to(user):
    """Published runs for everyone; superseded ones for the provincial roles; drafts (the
    secretariat's working copies) for the managing roles only."""
    runs = IndexRun.objects.defer("inputs").select_related("version__framework", "period", "block").order_by(
        "-period__start_date", "version__framework__code", "block__order"
    )
    if user.is_superuser or user.role in MANAGING_ROLES:
        return runs
    if user.role in PROVINCIAL_ROLES:
        return runs.exclude(status=IndexRun.Status.DRAFT)
    return runs.filter(status=IndexRun.Status.PUBLISHED)


def run_siblings(run: IndexRun, runs) -> list[IndexRun]:
    """The published runs of the same index and period (the block filter: usually one per
    block); a draft or superseded run is listed with them, in its block's place."""
    family = framework_family(run.version.framework.code)
    chosen = [r for r in runs.filter(period=run.period, status=IndexRun.Status.PUBLISHED)
              if framework_family(r.version.framework.code) == family and r.pk != run.pk]
    siblings = sorted([run, *chosen], key=lambda r: (r.block.order, r.block.code, r.version.framework.code))
    blocks = [r.block_id for r in siblings]
    for r in siblings:
        # Two frameworks of one index for the same block (the PAR Index and its survey part): say which.
        r.tab_label = r.block.name if blocks.count(r.block_id) == 1 else f"{r.block.name} — {r.version.framework.name}"
    return siblings


def family_runs(runs, period, family: str) -> list[IndexRun]:
    """The published runs of one index in one period, in block order."""
    chosen = runs.filter(period=period, status=IndexRun.Status.PUBLISHED).order_by("block__order", "version__framework__code")
    return [r for r in chosen if framework_family(r.version.framework.code) == family]


# --- rankings ---------------------------------------------------------------------------------

@dataclass
class Change:
    """Since the last period: the score's difference and ranks gained (positive is better)."""

    score: float | None
    rank: int | None

    @property
    def direction(self) -> str:
        basis = self.rank if self.rank is not None else self.score
        if basis is None:
            return "none"
        if abs(basis) < 1e-9:
            return "same"
        return "up" if basis > 0 else "down"


@dataclass
class Cell:
    code: str
    value: float | None
    rank: int | None
    heat: int | None = None
    previous: float | None = None

    @property
    def change(self) -> float | None:
        return None if self.value is None or self.previous is None else self.value - self.previous


@dataclass
class RankingRow:
    unit: Unit
    score: float | None
    rank: int | None
    band: str
    cells: list[Cell]
    previous_score: float | None = None
    previous_rank: int | None = None
    rank_interval: tuple[int, int] | None = None  # 5–95 % of ranks in the uncertainty analysis
    score_interval: tuple[float, float] | None = None  # 5–95 % of the score in the bootstrap over respondents

    @property
    def rank_interval_text(self) -> str:
        return interval_text(self.rank_interval)

    @property
    def change(self) -> Change | None:
        if self.score is None or self.previous_score is None:
            return None
        rank = self.previous_rank - self.rank if self.previous_rank is not None and self.rank is not None else None
        return Change(score=self.score - self.previous_score, rank=rank)


@dataclass
class Ranking:
    top: Node
    pillars: list[Node]
    rows: list[RankingRow]
    baseline: IndexRun | None
    baseline_same_block: bool
    has_intervals: bool = False
    interval_kind: str = ""  # "sampling" (bootstrap over respondents) or "method" (uncertainty analysis)

    @property
    def has_bands(self) -> bool:
        return any(r.band for r in self.rows)

    @property
    def units_count(self) -> int:
        return sum(1 for r in self.rows if r.rank is not None)

    def row_of(self, unit: Unit) -> RankingRow | None:
        return next((r for r in self.rows if r.unit.pk == unit.pk), None)

    def column_stats(self, j: int) -> tuple[float | None, float | None]:
        """(median, best) of pillar j among the units."""
        values = [r.cells[j].value for r in self.rows if r.cells[j].value is not None]
        return (statistics.median(values), max(values)) if values else (None, None)


def rank_intervals(run: IndexRun) -> dict[str, tuple[int, int]]:
    """Rank intervals (5th–95th percentile of the rank) from the run's uncertainty analysis.

    The latest analysis stored beside the run (chiso.indices.uncertainty); failing that, an
    interval list in run.details["rank_intervals"] ({unit_code: [q5, q95]}). Without either,
    rankings and scorecards show ranks alone.
    """
    raw = run_rank_intervals(run) or (run.details or {}).get("rank_intervals") or {}
    out = {}
    for code, pair in raw.items():
        try:
            low, high = (int(round(float(x))) for x in pair)
        except (TypeError, ValueError):
            continue
        out[str(code)] = (min(low, high), max(low, high))
    return out


def score_intervals(run: IndexRun) -> tuple[str, dict[str, tuple[float, float]]]:
    """The kind of the analysis shown ("" when none) and, for a bootstrap over respondents, each
    unit's 90 % score interval."""
    shown = run_uncertainty_shown(run)
    if shown is None:
        return ("method" if (run.details or {}).get("rank_intervals") else ""), {}
    return shown.kind, {code: (s["score_low"], s["score_high"]) for code, s in shown.ranks.items()
                        if s.get("score_low") is not None and s.get("score_high") is not None}


def intervals_version(run: IndexRun) -> int:
    """The latest uncertainty analysis of the run (0: none); a new one changes cached pages."""
    return run.uncertainties.order_by("-created_at").values_list("pk", flat=True).first() or 0


def _heat(values: list[float | None]) -> list[int | None]:
    present = [v for v in values if v is not None]
    if not present:
        return [None] * len(values)
    low, high = min(present), max(present)
    if high - low < 1e-12:
        return [None if v is None else HEAT_CLASSES // 2 for v in values]
    return [None if v is None else min(HEAT_CLASSES - 1, int((v - low) / (high - low) * HEAT_CLASSES)) for v in values]


def _ranking_build(run: IndexRun) -> Ranking:
    columns, table = run_table(run)
    top, pillars = columns[0], columns[1:]
    baseline, same_block = run_previous_published(run)
    previous = {}
    if baseline is not None:
        previous = unit_scores_in(baseline, [r.unit for r in table], [top.code, *[p.code for p in pillars]])
    intervals = rank_intervals(run)
    interval_kind, scores = score_intervals(run)
    rows = []
    for r in table:
        before = previous.get(r.unit.pk, {})
        cells = [
            Cell(code=node.code, value=c.value if c else None, rank=c.rank if c else None,
                 previous=before.get(node.code, (None, None))[0])
            for node, c in zip(pillars, r.cells)
        ]
        prev_value, prev_rank = before.get(top.code, (None, None))
        rows.append(RankingRow(
            unit=r.unit, score=r.top.value if r.top else None, rank=r.top.rank if r.top else None,
            band=r.top.band if r.top else "", cells=cells, previous_score=prev_value,
            previous_rank=prev_rank if same_block else None, rank_interval=intervals.get(r.unit.code),
            score_interval=scores.get(r.unit.code),
        ))
    for j in range(len(pillars)):
        for row, heat in zip(rows, _heat([row.cells[j].value for row in rows])):
            row.cells[j].heat = heat
    return Ranking(top=top, pillars=pillars, rows=rows, baseline=baseline, baseline_same_block=same_block,
                   has_intervals=bool(intervals), interval_kind=interval_kind if intervals else "")


_recent: OrderedDict[str, Ranking] = OrderedDict()  # this process's last rankings, not unpickled again
_recent_lock = threading.Lock()
RECENT_SIZE = 32


def ranking_get(run: IndexRun) -> Ranking:
    """The run's ranking: from this process's memory, else Django's cache, else built."""
    baseline, _same = run_previous_published(run)
    key = (f"results:ranking:{run.pk}:{run.result_checksum}:{intervals_version(run)}:"
           f"{getattr(baseline, 'pk', 0)}:{getattr(baseline, 'result_checksum', '')}")
    with _recent_lock:
        ranking = _recent.get(key)
        if ranking is not None:
            _recent.move_to_end(key)
            return ranking
    ranking = cache.get(key)
    if ranking is None:
        ranking = _ranking_build(run)
        cache.set(key, ranking, CACHE_SECONDS)
    with _recent_lock:
        _recent[key] = ranking
        while len(_recent) > RECENT_SIZE:
            _recent.popitem(last=False)
    return ranking


def rankings_forget() -> None:
    """Empty this process's memory of rankings (tests; Django's cache is cleared on its own)."""
    with _recent_lock:
        _recent.clear()


SORTS = ("rank", "name", "change")


def ranking_rows_sorted(ranking: Ranking, sort: str) -> list[RankingRow]:
    """Rows by rank (default), by name, by the change since the last period (most improved
    first), or by one pillar (`p:<code>`, best first). Units without a value go last."""
    rows = list(ranking.rows)
    last = float("inf")
    if sort == "name":
        rows.sort(key=lambda r: vietnamese_key(r.unit.name_vi))
    elif sort == "change":
        rows.sort(key=lambda r: -r.change.score if r.change and r.change.score is not None else last)
    elif sort.startswith("p:"):
        codes = [p.code for p in ranking.pillars]
        if sort[2:] in codes:
            j = codes.index(sort[2:])
            rows.sort(key=lambda r: r.cells[j].rank if r.cells[j].rank is not None else last)
    return rows


# --- scorecards -------------------------------------------------------------------------------

@dataclass
class PillarLine:
    node: Node
    value: float | None
    rank: int | None
    median: float | None
    best: float | None
    change: float | None
    percent: float | None = None  # points frameworks: % of the maximum, for the unit,
    median_percent: float | None = None  # the median
    best_percent: float | None = None  # and the best unit


@dataclass
class IndicatorLine:
    node: Node
    value: float | None
    rank: int | None
    percent: float | None = None


@dataclass
class Scorecard:
    """Phiếu kết quả — one unit's result in one run, on one page."""

    run: IndexRun
    unit: Unit
    top: Node
    row: RankingRow
    units_count: int
    pillars: list[PillarLine]
    strongest: list[IndicatorLine]
    weakest: list[IndicatorLine]
    trend: list[HistoryPoint] = field(default_factory=list)
    baseline: IndexRun | None = None
    baseline_same_block: bool = True
    is_points: bool = False

    @property
    def worse(self) -> list[PillarLine]:
        """Pillars that lost ground since the last period, the largest fall first."""
        return sorted((p for p in self.pillars if p.change is not None and p.change < 0), key=lambda p: p.change)


def _points_output_is_percent(run: IndexRun) -> bool:
    for name, params in run.steps_log or []:
        if name == "points":
            return (params or {}).get("output", "percent") != "points"
    return True


def version_nodes(run: IndexRun) -> dict[str, Node]:
    key = f"results:nodes:{run.version_id}:{run.version.content_hash}"
    nodes = cache.get(key)
    if nodes is None:
        nodes = {n.code: n for n in run.version.nodes.all()}
        cache.set(key, nodes, CACHE_SECONDS)
    return nodes


def _percent(node: Node, value: float | None, already_percent: bool) -> float | None:
    if value is None:
        return None
    if already_percent:
        return value
    return 100 * value / node.max_points if node.max_points else None


def _indicator_lines(pairs, nodes, scores, is_points) -> list[IndicatorLine]:
    lines = []
    for code, _rank in pairs:
        node, score = nodes.get(code), scores.get(code)
        if node is None or score is None:
            continue
        lines.append(IndicatorLine(node=node, value=score.value, rank=score.rank,
                                   percent=_percent(node, score.value, False) if is_points else None))
    return lines


def scorecard_get(run: IndexRun, unit: Unit, *, with_trend: bool = True) -> Scorecard:
    """The unit's scorecard; LookupError when the unit has no result in the run."""
    ranking = ranking_get(run)
    row = ranking.row_of(unit)
    if row is None:
        raise LookupError(unit.code)
    nodes = version_nodes(run)
    scores = {s.code: s for s in RunScore.objects.filter(run=run, unit=unit)}
    is_points = run.version.framework.method == Framework.Method.POINTS
    as_percent = _points_output_is_percent(run)
    pillars = []
    for j, node in enumerate(ranking.pillars):
        median, best = ranking.column_stats(j)
        cell = row.cells[j]
        pillars.append(PillarLine(
            node=node, value=cell.value, rank=cell.rank, median=median, best=best, change=cell.change,
        ))
        if is_points:
            line = pillars[-1]
            line.percent, line.median_percent, line.best_percent = (_percent(node, v, as_percent) for v in (cell.value, median, best))
    # By the unit's rank among units on each indicator (direction applied), computed here for
    # every unit: COINr's strengths and weaknesses in run.details drop the indicators where a
    # unit is last, which would leave the last unit, the one that most needs them, with none.
    ranked = sorted(
        ((s.code, s.rank) for s in scores.values()
         if s.rank is not None and s.code in nodes and nodes[s.code].type == Node.Type.INDICATOR),
        key=lambda x: (x[1], nodes[x[0]].order),
    )
    n_strong = min(5, (len(ranked) + 1) // 2)
    strengths, weaknesses = ranked[:n_strong], ranked[n_strong:][::-1][:5]
    return Scorecard(
        run=run, unit=unit, top=ranking.top, row=row, units_count=ranking.units_count, pillars=pillars,
        strongest=_indicator_lines(strengths, nodes, scores, is_points),
        weakest=_indicator_lines(weaknesses, nodes, scores, is_points),
        trend=unit_score_trend(unit, run.version.framework) if with_trend else [],
        baseline=ranking.baseline, baseline_same_block=ranking.baseline_same_block, is_points=is_points,
    )


# --- the method note ----------------------------------------------------------------------------

def method_nodes(run: IndexRun) -> list[tuple[Node, int]]:
    """The top node and the level below it, with weights or maximum points, for the note."""
    nodes = list(version_nodes(run).values())
    top_code = (run.details or {}).get("top")
    top = next((n for n in nodes if n.code == top_code), None)
    if top is None:
        return []
    children = [n for n in nodes if n.parent_code == top.code and n.type in (Node.Type.AGGREGATE, Node.Type.INDICATOR)]
    children.sort(key=lambda n: n.order)
    return [(top, 0), *[(n, 1) for n in children]]
