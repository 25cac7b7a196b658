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
    interval: tuple[float, float] | None = None  # rank interval (Q5, Q95) when uncertainty was analysed


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


# --- Added for results, the portal and the API (issue 8) ---------------------------------------

def runs_published():
    """Published runs (never drafts, never superseded ones), newest period first; without
    their stored inputs (a large table, read again only where a page needs it)."""
    return (
        IndexRun.objects.filter(status=IndexRun.Status.PUBLISHED)
        .defer("inputs")
        .select_related("version__framework", "period", "block")
        .order_by("-period__start_date", "version__framework__code", "block__order")
    )


def run_previous_published(run: IndexRun) -> tuple[IndexRun | None, bool]:
    """The run to compare `run` with, and whether its units are the same block's.

    The latest published run of the same framework and block in an earlier period; failing
    that (a block that did not exist before, such as communes after the 2025 reform), the
    latest published run of the framework, in an earlier period, of the block the units came
    from, whose units stand for this run's units through their lineage (`same_block` is then
    False). None when there is neither.
    """
    earlier = (
        IndexRun.objects.filter(
            version__framework_id=run.version.framework_id, status=IndexRun.Status.PUBLISHED,
            period__start_date__lt=run.period.start_date,
        )
        .defer("inputs", "details", "steps_log")  # large JSON that a comparison never reads
        .select_related("period", "block", "version")
        .order_by("-period__start_date")
    )
    same = earlier.filter(block_id=run.block_id).first()
    if same is not None:
        return same, True
    from chiso.units.models import UnitSuccession  # kept here: this section only adds to the module

    # The block the run's units came from: communes' predecessors are districts.
    origins = UnitSuccession.objects.filter(successor__block_id=run.block_id).values_list("predecessor__block_id", flat=True)
    return earlier.filter(block_id__in=origins).exclude(block_id=run.block_id).first(), False


def unit_scores_in(baseline: IndexRun, units: list[Unit], codes: list[str]) -> dict[int, dict[str, tuple[float | None, int | None]]]:
    """Each unit's (value, rank) on `codes` in an earlier run.

    A unit scored in that run has its own values and ranks; any other unit has its
    predecessors' values weighted by their lineage shares, as `unit_history` does, and no
    rank (a rank among other units says nothing about it).
    """
    scores: dict[int, dict[str, RunScore]] = {}
    for s in RunScore.objects.filter(run=baseline, code__in=codes):
        scores.setdefault(s.unit_id, {})[s.code] = s
    out: dict[int, dict[str, tuple[float | None, int | None]]] = {}
    for unit in units:
        own = scores.get(unit.pk)
        if own is not None:
            out[unit.pk] = {c: (s.value, s.rank) for c, s in own.items()}
            continue
        weights = unit_predecessor_weights(unit, baseline.period)
        values: dict[str, tuple[float | None, int | None]] = {}
        for code in codes:
            present = {u: w for u, w in weights.items() if code in scores.get(u.pk, {}) and scores[u.pk][code].value is not None}
            if present:
                total = sum(present.values())
                values[code] = (sum(scores[u.pk][code].value * w for u, w in present.items()) / total, None)
        if values:
            out[unit.pk] = values
    return out


def unit_history(unit: Unit, framework: Framework) -> list[HistoryPoint]:
    """The unit's top score in every published run of the framework, oldest first.

    Before a merger or the 2025 reform the unit's predecessors stand for it, weighted by
    their shares in its lineage (a commune's score in 2023 is its former district's). The runs
    are read without their large JSON fields (inputs, details), the scores of all runs in one query.
    """
    from django.db.models.fields.json import KeyTextTransform

    runs = list(
        IndexRun.objects.filter(version__framework=framework, status=IndexRun.Status.PUBLISHED)
        .defer("inputs", "details", "steps_log").annotate(top=KeyTextTransform("top", "details"))
        .select_related("period", "block").order_by("period__start_date")
    )
    weights_in: dict[int, dict[Unit, float]] = {}
    for run in runs:
        if run.period_id in weights_in:
            continue
        existed = ((unit.valid_from is None or unit.valid_from <= run.period.end_date)
                   and (unit.valid_to is None or unit.valid_to >= run.period.start_date))
        # A unit that existed in the period stands for itself (as unit_predecessor_weights says).
        weights_in[run.period_id] = {unit: 1.0} if existed else unit_predecessor_weights(unit, run.period)
    units = {u.pk for weights in weights_in.values() for u in weights}
    tops = {run.top for run in runs}
    scores: dict[int, dict[Unit, RunScore]] = {}
    for s in RunScore.objects.filter(run__in=runs, code__in=tops, unit__in=units).select_related("unit"):
        scores.setdefault(s.run_id, {})[s.unit] = s
    points = []
    for run in runs:
        found = {u: s for u, s in scores.get(run.pk, {}).items() if s.code == run.top}
        present = {u: w for u, w in weights_in[run.period_id].items() if u in found and found[u].value is not None}
        if not present:
            continue
        total = sum(present.values())
        value = sum(found[u].value * w for u, w in present.items()) / total
        direct = list(present) == [unit]
        points.append(HistoryPoint(run=run, value=value, rank=found[unit].rank if direct else None, via={} if direct else present))
    return points
