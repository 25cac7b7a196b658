"""Uncertainty of a run's ranks: the engine's analysis on the run's own stored inputs.

The default assumptions are the ones an index team debates most: every weight ±25 % (as
COINr's get_noisy_weights) and, for composite indices, min-max against z-score normalisation.
"""

from __future__ import annotations

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.engine import Dataset, IndexBuild, StepError, uncertainty
from chiso.engine.bootstrap import overlap_groups
from chiso.engine.uncertainty import parse_assumptions
from chiso.frameworks.engine_messages import engine_error_message
from chiso.frameworks.models import Framework
from chiso.frameworks.queries import version_engine_framework, version_steps

from .models import IndexRun, RunUncertainty

DEFAULT_REPLICATIONS = 1000
DEFAULT_SEED = 2023


def default_assumptions(run: IndexRun) -> list[dict]:
    assumptions = [{"name": "Trọng số ±25 %", "noise": 0.25}]
    steps = [name for name, _params in version_steps(run.version)]
    if run.version.framework.method == Framework.Method.COMPOSITE and "normalise" in steps:
        current = dict(version_steps(run.version))["normalise"]
        assumptions.append({
            "name": "Chuẩn hóa", "path": ["normalise"],
            "alternatives": [current, {"method": "zscore", "m_sd": [10, 2]}],
        })
    return assumptions


def run_build(run: IndexRun) -> IndexBuild:
    """The engine build of the run, replayed from its own stored inputs and its version's steps."""
    framework = version_engine_framework(run.version)
    inputs = run.inputs
    rows = [[u, n, *vals] for u, n, vals in zip(inputs["units"], inputs["names"], inputs["values"])]
    data = Dataset.from_rows(["uCode", "uName", *inputs["codes"]], rows, framework, source="inputs")
    return IndexBuild.from_steps(framework, data, version_steps(run.version))


def run_uncertainty_compute(*, run: IndexRun, assumptions: list[dict] | None = None, n: int = DEFAULT_REPLICATIONS,
                            seed: int = DEFAULT_SEED, by=None) -> RunUncertainty:
    """Methodological uncertainty of the run's ranks; raises ValueError with a readable message."""
    spec = assumptions or default_assumptions(run)
    try:
        result = uncertainty(run_build(run), parse_assumptions(spec), n=n, seed=seed)
    except StepError as error:
        raise ValueError(_("The uncertainty analysis cannot run: %(error)s") % {"error": engine_error_message(error)}) from None
    header, rows = result.table()
    ranks = {row[0]: dict(zip([h.lower() for h in header[1:]], row[1:])) for row in rows}
    with transaction.atomic():
        return RunUncertainty.objects.create(
            run=run, kind=RunUncertainty.Kind.METHOD, spec=spec, replications=n, seed=seed, ranks=ranks,
            groups=rank_groups(ranks), created_by=by if getattr(by, "pk", None) else None,
        )


def rank_groups(ranks: dict[str, dict]) -> list[list[str]]:
    """Units that cannot be told apart, by the engine's one rule (`overlap_groups`) on the
    analysis's nominal ranks and Q5–Q95 intervals; units without them are left out."""
    units = [u for u, r in ranks.items() if None not in (r.get("nominal"), r.get("q5"), r.get("q95"))]
    nominal, low, high = (np.array([float(ranks[u][key]) for u in units]) for key in ("nominal", "q5", "q95"))
    return [list(group) for group in overlap_groups(units, nominal, low, high)]


def run_uncertainty_shown(run: IndexRun) -> RunUncertainty | None:
    """The analysis the ranking and scorecards show: the latest bootstrap over respondents when
    the run has one (for a survey index the sampling error is what decides whether two ranks
    differ), otherwise the latest methodological analysis."""
    analyses = list(run.uncertainties.order_by("-created_at"))
    return next((a for a in analyses if a.kind == RunUncertainty.Kind.SAMPLING), None) or (analyses[0] if analyses else None)


def run_uncertainties_latest(run: IndexRun) -> dict[str, RunUncertainty]:
    """The latest analysis of each kind: {"method": …, "sampling": …}."""
    latest: dict[str, RunUncertainty] = {}
    for analysis in run.uncertainties.order_by("-created_at"):
        latest.setdefault(analysis.kind, analysis)
    return latest


def run_rank_intervals(run: IndexRun, analysis: RunUncertainty | None = None) -> dict[str, tuple[float, float]]:
    """{unit code: (Q5, Q95)} from the analysis shown (or the one given), {} when there is none."""
    analysis = analysis or run_uncertainty_shown(run)
    if analysis is None:
        return {}
    return {u: (s["q5"], s["q95"]) for u, s in analysis.ranks.items() if s.get("q5") is not None}


def interval_text(interval) -> str:
    """A rank interval as people read it: "2–5", or "1" for a unit that takes one rank in every
    replication; "" without one."""
    if not interval:
        return ""
    low, high = (int(round(float(x))) for x in interval)
    return str(low) if low == high else f"{low}–{high}"
