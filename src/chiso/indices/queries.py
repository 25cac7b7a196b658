"""Reads about runs: result tables per level, what a person may do with a run, and a unit's results
across periods and reforms."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext as _

from chiso.accounts.permissions import may_analyse_run, may_manage_runs
from chiso.audit.models import ref
from chiso.formats.collation import vietnamese_key
from chiso.frameworks.models import Framework, Node
from chiso.units.models import Unit, UnitSuccession
from chiso.units.queries import unit_predecessor_weights

from .models import IndexRun, RunScore, RunUncertainty
from .uncertainty import interval_text, run_rank_intervals, run_uncertainties_latest


def run_levels(run: IndexRun) -> list[int]:
    levels = run.version.nodes.filter(type__in=[Node.Type.AGGREGATE, Node.Type.INDICATOR]).values_list("level", flat=True)
    return sorted({lv for lv in levels if lv is not None}, reverse=True)


@dataclass
class ResultRow:
    unit: Unit
    cells: list[RunScore | None]
    top: RunScore | None
    interval: str = ""  # rank interval (Q5–Q95) of the latest methodological analysis, as people read it
    sampling: dict | None = None  # the unit's line of the latest bootstrap over respondents
    sampling_interval: str = ""  # its rank interval


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
class RunPage:
    """A run's results as its page shows them at one level: sorted as asked (by rank, by name, or
    by a column's rank), each unit with its intervals from the latest analysis of each kind, and
    the units that cannot be told apart by the analysis shown."""

    columns: list[Node]
    rows: list[ResultRow]
    levels: list[int]
    level: int
    sort: str
    method: RunUncertainty | None
    sampling: RunUncertainty | None
    groups: list[list[str]]  # unit names
    groups_kind: str


def run_page(run: IndexRun, *, level: int | None = None, sort: str = "") -> RunPage:
    levels = run_levels(run)
    if level not in levels:
        level = levels[1] if len(levels) > 1 else levels[0]
    columns, rows = run_table(run, level)
    if sort.startswith("c") and sort[1:].isdigit() and int(sort[1:]) < len(columns) - 1:
        j = int(sort[1:])
        rows.sort(key=lambda r: (r.cells[j] is None or r.cells[j].rank is None, r.cells[j].rank if r.cells[j] and r.cells[j].rank else 0))
    elif sort == "name":
        rows.sort(key=lambda r: vietnamese_key(r.unit.name_vi))
    latest = run_uncertainties_latest(run)
    method, sampling = latest.get(RunUncertainty.Kind.METHOD), latest.get(RunUncertainty.Kind.SAMPLING)
    method_intervals = run_rank_intervals(run, method) if method else {}
    sampling_intervals = run_rank_intervals(run, sampling) if sampling else {}
    for row in rows:
        row.interval = interval_text(method_intervals.get(row.unit.code))
        row.sampling = sampling.ranks.get(row.unit.code) if sampling else None
        row.sampling_interval = interval_text(sampling_intervals.get(row.unit.code))
    shown = sampling or method
    names = {row.unit.code: row.unit.name for row in rows}
    groups = [[names.get(code, code) for code in g] for g in (shown.groups if shown else []) if len(g) > 1]
    return RunPage(columns=columns, rows=rows, levels=levels, level=level, sort=sort, method=method, sampling=sampling,
                   groups=groups, groups_kind=shown.kind if shown else "")


RUN_ACTIONS = ("view", "publish", "discard", "analyse", "sample")


def run_action_refusal(user, run: IndexRun, action: str, *, owner=None) -> str | None:
    """Why `user` may not take `action` on the run now, or None. `owner` is the object that holds
    the run (a PAR cycle) when the change comes through that object's own door; a run with an
    owner is published and discarded only that way. `user` None is the system."""
    manages = may_manage_runs(user)
    if action == "view":
        return None if run.status != IndexRun.Status.DRAFT or manages else _("A draft run is the secretariat's working copy.")
    if action == "analyse":
        return None if user is not None and may_analyse_run(user, run) else _("Only the analyst and the secretariat analyse runs.")
    if not manages:
        return _("Only the secretariat publishes, discards and resamples runs.")
    if action == "sample":  # a bootstrap over the respondents of the surveys that fed the run, if any did
        return None
    if action not in ("publish", "discard"):
        raise ValueError(action)
    owned_elsewhere = run.owner and (owner is None or ref(owner) != run.owner)
    if action == "discard":
        if run.status != IndexRun.Status.DRAFT:
            return _("A published run is kept for good.")
        if owned_elsewhere:
            return _("This run holds the results of an assessment cycle: it is replaced from the cycle's page.")
        return None
    if owned_elsewhere:
        return _("This run holds the results of an assessment cycle: publish it from the cycle's page, "
                 "which checks the council's decisions first.")
    if run.status != IndexRun.Status.DRAFT:
        return _("Only a draft can be published.")
    return None


def run_actions_allowed(user, run: IndexRun) -> frozenset[str]:
    """Every action `user` may take on the run from its page: the page shows these buttons only."""
    return frozenset(a for a in RUN_ACTIONS if run_action_refusal(user, run, a) is None)


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
    # The block the run's units came from: communes' predecessors are districts.
    origins = UnitSuccession.objects.filter(successor__block_id=run.block_id).values_list("predecessor__block_id", flat=True)
    return earlier.filter(block_id__in=origins).exclude(block_id=run.block_id).first(), False


def unit_scores_in(baseline: IndexRun, units: list[Unit], codes: list[str]) -> dict[int, dict[str, tuple[float | None, int | None]]]:
    """Each unit's (value, rank) on `codes` in an earlier run.

    A unit scored in that run has its own values and ranks; any other unit has its
    predecessors' values weighted by their lineage shares, as `unit_score_trend` does, and no
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


def unit_score_trend(unit: Unit, framework: Framework) -> list[HistoryPoint]:
    """The unit's top score in every published run of the framework, oldest first.

    Before a merger or the 2025 reform the unit's predecessors stand for it, weighted by
    their shares in its lineage (a commune's score in 2023 is its former district's). The runs
    are read without their large JSON fields (inputs, details), the scores of all runs in one query.
    """
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
