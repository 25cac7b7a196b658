"""The analyst's workbench on a run: its statistical audit, a sensitivity analysis and comparisons
with other methodological choices, all computed from the run's own frozen inputs and kept beside
it as RunAnalysis rows. The run, its scores and its checksums are never touched: a comparison is a
draft that says what other choices would give, not a result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiso.accounts.permissions import may_analyse_run
from chiso.audit.services import audit_record
from chiso.engine import IndexBuild, StepError
from chiso.engine.analysis import bod, compare_scores, get_opt_weights, node_values, weights_from_pca
from chiso.engine.audit import T_ALPHA, T_AVAIL, T_COLLINEAR, T_RATIO, audit
from chiso.engine.uncertainty import parse_assumptions, sensitivity
from chiso.frameworks.engine_messages import engine_error_message
from chiso.frameworks.models import Node
from chiso.frameworks.queries import version_steps
from chiso.units.models import Unit

from .models import IndexRun, RunAnalysis
from .uncertainty import DEFAULT_SEED, default_assumptions, run_build

SENSITIVITY_N = 200  # Saltelli base sample: n (d + 2) replications, 800 for the two default assumptions

# The choices a comparison may vary; "current" keeps the run's own. Parameters as the engine reads them.
NORMALISATIONS = {
    "current": (gettext_lazy("As in the run"), None),
    "minmax": (gettext_lazy("Min-max to 0–100"), {"method": "minmax", "l_u": [0, 100]}),
    "minmax1": (gettext_lazy("Min-max to 1–100 (for geometric means)"), {"method": "minmax", "l_u": [1, 100]}),
    "zscore": (gettext_lazy("Z-score (mean 10, standard deviation 2)"), {"method": "zscore", "m_sd": [10, 2]}),
    "rank": (gettext_lazy("Ranks"), {"method": "rank"}),
}
WEIGHTS = {
    "current": gettext_lazy("As in the run"),
    "equal": gettext_lazy("Equal within each parent"),
    "pca": gettext_lazy("Principal components (first component, indicators within each pillar)"),
    "factor": gettext_lazy("Factor analysis (OECD handbook, indicators within each pillar)"),
    "optimised": gettext_lazy("Optimised: pillars correlate equally with the index"),
    "bod": gettext_lazy("Benefit of the doubt: each unit's own best weights on the pillars"),
}
AGGREGATIONS = {
    "current": gettext_lazy("As in the run"),
    "amean": gettext_lazy("Arithmetic mean at every level"),
    "gmean": gettext_lazy("Geometric mean at every level"),
    "copeland": gettext_lazy("Copeland (counts of pairwise wins) at every level"),
    "mpi": gettext_lazy("Mazziotta–Pareto index (penalises unbalanced profiles) at every level"),
}


# ---------------------------------------------------------------------------- writes
def _check(run: IndexRun, by) -> None:
    if by is None or not may_analyse_run(by, run):
        raise PermissionDenied


@transaction.atomic
def run_analysis_record(*, run: IndexRun, kind: str, spec: dict, result: dict, by) -> RunAnalysis:
    """Keep an analysis beside the run (the one way an analysis is stored). The run is only read."""
    _check(run, by)
    analysis = RunAnalysis.objects.create(run=run, kind=kind, spec=spec, result=result,
                                          input_checksum=run.input_checksum, created_by=by)
    audit_record(event="run_analysis.created", obj=analysis, by=by, parents=(run,), field="kind", new=kind,
                 details={"spec": spec})
    return analysis


def run_audit_compute(*, run: IndexRun, by) -> RunAnalysis:
    """Đánh giá thống kê — COINr's audit of the run's build; ValueError with a readable message."""
    _check(run, by)
    try:
        build = run_build(run)
        result = audit(build)
    except StepError as error:
        raise ValueError(_("The statistical audit cannot run on this run: %(error)s") % {"error": engine_error_message(error)}) from None
    stored = {
        "tables": {name: {"header": header, "rows": _clean(rows)} for name, (header, rows) in result.tables.items()},
        "heatmaps": [{"title": h.title, "codes": list(h.codes), "matrix": _clean(h.matrix.tolist())} for h in result.heatmaps],
        "summary": _clean(result.summary),
        "parents": {c: build.framework[c].parent for c in build.framework.tree.codes},
    }
    return run_analysis_record(run=run, kind=RunAnalysis.Kind.AUDIT, spec={}, result=stored, by=by)


def run_sensitivity_compute(*, run: IndexRun, by, n: int = SENSITIVITY_N, seed: int = DEFAULT_SEED) -> RunAnalysis:
    """Which assumption moves the ranks most (COINr's get_sensitivity, SA): first-order and total
    effects on the mean absolute rank shift, for the same assumptions as the uncertainty analysis."""
    _check(run, by)
    spec = default_assumptions(run)
    if len(spec) < 2:
        raise ValueError(_("A sensitivity analysis compares at least two uncertain assumptions; this run has only "
                           "one (its weights): run the rank uncertainty analysis instead."))
    try:
        result = sensitivity(run_build(run), parse_assumptions(spec), n=n, seed=seed)
    except StepError as error:
        raise ValueError(_("The sensitivity analysis cannot run: %(error)s") % {"error": engine_error_message(error)}) from None
    header, rows = result.table()
    stored = {"header": header, "rows": _clean(rows), "replications": int(result.y.size)}
    return run_analysis_record(run=run, kind=RunAnalysis.Kind.SENSITIVITY,
                               spec={"assumptions": spec, "n": n, "seed": seed}, result=stored, by=by)


def run_comparison_compute(*, run: IndexRun, spec: dict, by) -> RunAnalysis:
    """So sánh phương án — the run's inputs computed with other choices, its ranks beside the run's."""
    _check(run, by)
    spec = comparison_spec(spec)
    try:
        result = comparison_result(run, spec)
    except StepError as error:
        raise ValueError(_("This combination of choices cannot be computed: %(error)s") % {"error": engine_error_message(error)}) from None
    return run_analysis_record(run=run, kind=RunAnalysis.Kind.COMPARISON, spec=spec, result=result, by=by)


# ---------------------------------------------------------------------------- the comparison
def comparison_spec(spec: dict) -> dict:
    """The three choices, checked; ValueError names the one that is not known."""
    out = {"normalisation": spec.get("normalisation") or "current", "weights": spec.get("weights") or "current",
           "aggregation": spec.get("aggregation") or "current"}
    for key, known in (("normalisation", NORMALISATIONS), ("weights", WEIGHTS), ("aggregation", AGGREGATIONS)):
        if out[key] not in known:
            raise ValueError(_("Unknown choice for %(what)s: %(value)s") % {"what": key, "value": out[key]})
    if out["weights"] == "bod" and out["aggregation"] != "current":
        raise ValueError(_("Benefit of the doubt is its own aggregation: leave the aggregation as in the run."))
    return out


def comparison_label(spec: dict) -> str:
    parts = []
    if spec.get("normalisation", "current") != "current":
        parts.append(str(NORMALISATIONS[spec["normalisation"]][0]))
    if spec.get("weights", "current") != "current":
        parts.append(str(WEIGHTS[spec["weights"]]))
    if spec.get("aggregation", "current") != "current":
        parts.append(str(AGGREGATIONS[spec["aggregation"]]))
    return "; ".join(parts) or _("The run's own choices")


def comparison_result(run: IndexRun, spec: dict) -> dict:
    """Scores and ranks of the run's index under the choices in `spec`, unit by unit beside the
    run's own (recomputed from the same inputs: the same numbers as the run's scores)."""
    base = run_build(run)
    steps = [(name, dict(params)) for name, params in version_steps(run.version)]
    names = [name for name, _params in steps]
    if "aggregate" not in names:
        raise ValueError(_("Comparisons need a composite index (normalised and aggregated indicators); this "
                           "run adds up points."))
    notes: list[str] = []
    if spec["normalisation"] != "current":
        if "normalise" not in names:
            raise ValueError(_("This run does not normalise its indicators: choose “As in the run”."))
        steps = [(n, dict(NORMALISATIONS[spec["normalisation"]][1]) if n == "normalise" else p) for n, p in steps]
    at = len(names) - 1 - names[::-1].index("aggregate")
    aggregate = steps[at][1]
    if spec["aggregation"] != "current":
        aggregate = {"method": spec["aggregation"], **({"weights": aggregate["weights"]} if aggregate.get("weights") else {})}
    tree = base.framework.tree
    top = base.results().rank_code
    if spec["weights"] == "equal":
        aggregate["weights"] = {c: 1.0 for c in tree.codes if c != top}
    steps[at] = ("aggregate", aggregate)
    build = IndexBuild.from_steps(base.framework, base.raw, steps)
    weights: dict[str, float] = {}
    if spec["weights"] in ("pca", "factor"):
        weights = weights_from_pca(build, level=1, method="pc1" if spec["weights"] == "pca" else "factor")
        if not weights:
            raise ValueError(_("No pillar has two indicators with complete data: there are no weights to estimate."))
        if any(w < 0 for w in weights.values()):
            notes.append(_("Some indicators load negatively on the first component and get negative weights."))
    elif spec["weights"] == "optimised":
        level = base.framework[top].level - 1
        found = get_opt_weights(build, level=level, optype="balance")
        weights = found["weights"]
        if not found["converged"]:
            notes.append(_("The search for balanced weights stopped before converging: the weights are its best so far."))
    if weights:
        aggregate["weights"] = {**(aggregate.get("weights") or {}), **weights}
        build = IndexBuild.from_steps(base.framework, base.raw, steps)
    if spec["weights"] == "bod":
        nodes = node_values(build)
        pillars = nodes.children(nodes.top)
        Y = nodes.columns(pillars)
        if np.isnan(Y).any():
            raise ValueError(_("Benefit of the doubt needs every pillar score of every unit; some are missing."))
        low, high = Y.min(axis=0), Y.max(axis=0)
        Y = (Y - low) / np.where(high > low, high - low, 1.0)  # min-max 0–1: BoD needs non-negative data
        found = bod(Y)
        alt_units, alt_scores = [str(u) for u in nodes.units], found.scores
        notes.append(_("Benefit of the doubt scores go from 0 to 1: 1 means no unit does better with the unit's own best weights."))
    else:
        results = build.results()
        alt_units, alt_scores = [str(u) for u in results.units], results.column(top)
    nominal = base.results()
    comparison = compare_scores([str(u) for u in nominal.units], nominal.column(top), alt_units, np.asarray(alt_scores, float))
    names_of = dict(zip(run.inputs["units"], run.inputs["names"]))
    rows = [[u, names_of.get(u, u), _whole(r1), _whole(r2), _float(s1), _float(s2)]
            for u, r1, r2, s1, s2 in zip(comparison.units, comparison.rank_1, comparison.rank_2,
                                         comparison.score_1, comparison.score_2)]
    moved = np.abs(comparison.rank_change)
    return {
        "target": top, "rows": rows, "weights": {c: float(w) for c, w in weights.items()}, "notes": notes,
        "mean_abs_rank_change": _float(np.nanmean(moved)) if np.isfinite(moved).any() else None,
        "max_abs_rank_change": _whole(np.nanmax(moved)) if np.isfinite(moved).any() else None,
        "units_moved": int(np.nansum(moved > 0)),
    }


# ---------------------------------------------------------------------------- reads
@dataclass
class ComparisonRow:
    code: str
    name: str
    rank: int | None
    alt_rank: int | None
    score: float | None
    alt_score: float | None

    @property
    def rank_change(self) -> int | None:
        """Places gained under the alternative (positive: up)."""
        return None if self.rank is None or self.alt_rank is None else self.rank - self.alt_rank

    @property
    def shift(self) -> "RankShift | None":
        """The change as chiso.results' rank_change tag shows it (▲ 3 / ▼ 2 / =)."""
        return None if self.rank_change is None else RankShift(self.rank_change)


@dataclass(frozen=True)
class RankShift:
    rank: int


def run_analyses_latest(run: IndexRun) -> dict[str, RunAnalysis]:
    """The latest analysis of each kind: {"audit": …, "sensitivity": …, "comparison": …}."""
    latest: dict[str, RunAnalysis] = {}
    for analysis in run.analyses.select_related("created_by").order_by("-created_at", "-pk"):
        latest.setdefault(analysis.kind, analysis)
    return latest


def run_comparisons(run: IndexRun, limit: int = 20) -> list[RunAnalysis]:
    return list(run.analyses.filter(kind=RunAnalysis.Kind.COMPARISON).select_related("created_by")
                .order_by("-created_at", "-pk")[:limit])


def comparison_rows(analysis: RunAnalysis) -> list[ComparisonRow]:
    """The comparison's units in the run's rank order."""
    rows = [ComparisonRow(*row) for row in analysis.result.get("rows", [])]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.name))


def audit_findings(analysis: RunAnalysis) -> list[str]:
    """What the audit found, in the reader's language, from its stored tables (the engine's
    thresholds: COINr's get_stats and get_corr_flags, Nunnally's 0.7 for Cronbach's alpha)."""
    tables = analysis.result["tables"]
    found: list[str] = []
    label = _labels(analysis.run)

    def rows(name):
        table = tables.get(name) or {"header": [], "rows": []}
        return [dict(zip(table["header"], row)) for row in table["rows"]]

    thin = [label(r["uCode"]) for r in rows("units.csv") if r["frac_avail"] is not None and r["frac_avail"] < T_AVAIL]
    if thin:
        found.append(_("%(count)s units have data on fewer than %(share)s of the indicators: %(list)s.") % {
            "count": len(thin), "share": _percent(T_AVAIL), "list": _listed(thin)})
    indicators = rows("indicators.csv")
    scarce = [label(r["iCode"]) for r in indicators if r["flag_avail"] == "low"]
    if scarce:
        found.append(_("Data availability is below %(share)s for %(list)s.") % {"share": _percent(T_AVAIL), "list": _listed(scarce)})
    outliers = [label(r["iCode"]) for r in indicators if r["flag_skew_kurt"] == "outliers"]
    if outliers:
        found.append(_("%(count)s indicators have outliers (skewness above 2 and kurtosis above 3.5 in absolute value): %(list)s.") % {
            "count": len(outliers), "list": _listed(outliers)})
    low_alpha = [f"{label(r['aggregate'])} ({_n(r['alpha'])})" for r in rows("cronbach.csv") if r["alpha"] is not None and r["alpha"] < T_ALPHA]
    if low_alpha:
        found.append(_("Cronbach's alpha is below %(threshold)s for %(list)s: their components do not measure one thing consistently.") % {
            "threshold": _n(T_ALPHA, 1), "list": _listed(low_alpha)})
    for heatmap in analysis.result.get("heatmaps", []):
        codes, matrix = heatmap["codes"], heatmap["matrix"]
        if not heatmap["title"].startswith("Level 1"):
            continue
        for i in range(len(codes)):
            for j in range(i + 1, len(codes)):
                if matrix[i][j] is not None and matrix[i][j] > T_COLLINEAR:
                    found.append(_("Indicators %(a)s and %(b)s are collinear (r = %(r)s): they may count one thing twice.") % {
                        "a": label(codes[i]), "b": label(codes[j]), "r": _n(matrix[i][j])})
    parent_of = analysis.result.get("parents", {})
    negative = [f"{label(r['var1'])} – {label(r['var2'])}: r = {_n(r['correlation'])}" for r in rows("correlations.csv")
                if parent_of.get(r["var1"]) == r["var2"] and r["correlation"] is not None and r["correlation"] < 0]
    if negative:
        found.append(_("Correlating negatively with their parent (check the direction): %(list)s.") % {"list": _listed(negative)})
    heavy = [f"{label(r['iCode'])} ({_n(r['effective_weight'])} / {_n(r['nominal_weight'])})" for r in rows("importance.csv")
             if r["nominal_weight"] and r["effective_weight"] / r["nominal_weight"] >= T_RATIO]
    if heavy:
        found.append(_("Effective weight at least twice the nominal weight (effective / nominal): %(list)s.") % {"list": _listed(heavy)})
    drop = {r["element"]: r["mean_abs_rank_diff"] for r in rows("drop_one.csv") if r["mean_abs_rank_diff"] is not None}
    if drop:
        high, low = max(drop, key=drop.get), min(drop, key=drop.get)
        found.append(_("Leaving out %(high)s moves units by %(high_value)s places on average, the most of any pillar; leaving out %(low)s by %(low_value)s, the least.") % {
            "high": label(high), "high_value": _n(drop[high], 1), "low": label(low), "low_value": _n(drop[low], 1)})
    return found


# ---------------------------------------------------------------------------- helpers
def _clean(value: Any) -> Any:
    """JSON for the database: NaN and infinities become None, NumPy numbers plain numbers."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _float(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def _whole(value) -> int | None:
    value = float(value)
    return int(value) if math.isfinite(value) else None


def _n(value: float, digits: int = 2) -> str:
    return number_format(round(float(value), digits), digits, use_l10n=True, force_grouping=True)


def _labels(run: IndexRun):
    """A node's or a unit's code as people read it in a finding: "Name (code)", the code alone
    when the run's version or units do not know it."""
    names = {node.code: node.name for node in Node.objects.filter(version_id=run.version_id)}
    names.update((unit.code, unit.name) for unit in Unit.objects.filter(scores__run=run).distinct())

    def label(code: str) -> str:
        name = names.get(code)
        return f"{name} ({code})" if name and name != code else str(code)

    return label


def _percent(share: float) -> str:
    return f"{_n(share * 100, 0)} %"


def _listed(items: list[str], limit: int = 5) -> str:
    more = len(items) - limit
    text = ", ".join(items[:limit])
    return text + (_(" and %(count)s more") % {"count": more} if more > 0 else "")
