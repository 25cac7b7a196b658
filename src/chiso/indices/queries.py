"""Reads about runs: result tables per level, and a unit's results across periods and reforms."""

from __future__ import annotations

from dataclasses import dataclass

from chiso.frameworks.models import Framework, Node
from chiso.units.models import Unit
from chiso.units.queries import unit_predecessor_weights

from .models import IndexRun, RunScore


def run_levels(run: IndexRun) -> list[int]:
    levels = run.version.nodes.filter(type__in=[Node.Type.AGGREGATE, Node.Type.INDICATOR]).values_list("level", flat=True)
    return sorted({lv for lv in levels if lv is not None}, reverse=True)


@dataclass
class ResultRow:
    unit: Unit
    cells: list[RunScore | None]
    top: RunScore | None


def run_table(run: IndexRun, level: int | None = None) -> tuple[list[Node], list[ResultRow]]:
    """One row per unit, ordered by rank on the top node; columns are the nodes of `level`
    (the top node first, then the level below it by default)."""
    nodes = list(run.version.nodes.filter(type__in=[Node.Type.AGGREGATE, Node.Type.INDICATOR]))
    levels = sorted({n.level for n in nodes if n.level is not None}, reverse=True)
    top_code = run.details.get("top")
    top_node = next(n for n in nodes if n.code == top_code)
    if level is None:
        level = levels[1] if len(levels) > 1 else levels[0]
    columns = [n for n in nodes if n.level == level and n.code != top_code]
    scores = RunScore.objects.filter(run=run, code__in=[top_code] + [n.code for n in columns]).select_related("unit")
    by_unit: dict[int, dict[str, RunScore]] = {}
    units: dict[int, Unit] = {}
    for s in scores:
        by_unit.setdefault(s.unit_id, {})[s.code] = s
        units[s.unit_id] = s.unit
    rows = [
        ResultRow(unit=units[uid], cells=[cells.get(n.code) for n in columns], top=cells.get(top_code))
        for uid, cells in by_unit.items()
    ]
    rows.sort(key=lambda r: (r.top is None or r.top.rank is None, r.top.rank if r.top and r.top.rank else 0, r.unit.name_vi))
    return [top_node, *columns], rows


@dataclass
class HistoryPoint:
    run: IndexRun
    value: float | None
    rank: int | None
    via: dict[Unit, float]  # the units that stand for this one in that period, with weights


def unit_history(unit: Unit, framework: Framework) -> list[HistoryPoint]:
    """The unit's top score in every published run of the framework, oldest first.

    Before a merger or the 2025 reform the unit's predecessors stand for it, weighted by
    their shares in its lineage (a commune's score in 2023 is its former district's).
    """
    points = []
    runs = (
        IndexRun.objects.filter(version__framework=framework, status=IndexRun.Status.PUBLISHED)
        .select_related("period", "block")
        .order_by("period__start_date")
    )
    for run in runs:
        weights = unit_predecessor_weights(unit, run.period)
        scores = {s.unit: s for s in RunScore.objects.filter(run=run, code=run.details.get("top"), unit__in=list(weights)).select_related("unit")}
        present = {u: w for u, w in weights.items() if u in scores and scores[u].value is not None}
        if not present:
            continue
        total = sum(present.values())
        value = sum(scores[u].value * w for u, w in present.items()) / total
        direct = list(present) == [unit]
        points.append(HistoryPoint(run=run, value=value, rank=scores[unit].rank if direct else None, via={} if direct else present))
    return points
