"""Aggregation level by level, each level one matrix product: as COINr's Aggregate with a_amean, a_gmean, a_hmean, a_genmean.

Children values (units x children) times a weight matrix (children x parents) gives every
parent of a level at once. Missing children are skipped and the weights of the others
renormalised within each parent (COINr's na.rm behaviour).
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from .errors import Joined, Message, StepError, where_row
from .framework import AggregationTree, LevelPlan

METHODS = ("amean", "gmean", "hmean", "genmean", "sum")
# Methods that look at all units at once (outranking, standardisation over units): the plain
# aggregate step accepts them; batched replications do not.
EXTRA_METHODS = ("copeland", "mpi", "ampi")


def _masked(X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """X with NaN set to 0, and the float mask of available cells (None when nothing is missing)."""
    missing = np.isnan(X)
    if not missing.any():
        return X, None
    return np.where(missing, 0.0, X), (~missing).astype(float)


def _available_weight(avail: np.ndarray | None, W: np.ndarray) -> np.ndarray:
    """Each unit's weight of available children per parent; when nothing is missing, one row of
    the parents' total weights, which the division broadcasts over the units."""
    if avail is None:
        return W.sum(axis=0)
    return avail @ W


def a_amean(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean of the available children: sum(w x)/sum(w) (COINr a_amean)."""
    X0, avail = _masked(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (X0 @ W) / _available_weight(avail, W)


def a_gmean(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Weighted geometric mean exp(sum(w log x)/sum(w)) (COINr a_gmean); needs x > 0."""
    X0, avail = _masked(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        L = np.log(np.where(avail == 0, 1.0, X0) if avail is not None else X0)
        return np.exp((L @ W) / _available_weight(avail, W))


def a_hmean(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Weighted harmonic mean sum(w)/sum(w/x) (COINr a_hmean); needs x != 0."""
    X0, avail = _masked(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        inv = 1.0 / X0
        if avail is not None:
            inv = np.where(avail == 0, 0.0, inv)
        return _available_weight(avail, W) / (inv @ W)


def a_genmean(X: np.ndarray, W: np.ndarray, p: float) -> np.ndarray:
    """Weighted generalised (power) mean (sum(w x^p)/sum(w))^(1/p) (COINr a_genmean)."""
    X0, avail = _masked(X)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        P = X0 ** p
        if avail is not None:
            P = np.where(avail == 0, 0.0, P)
        return ((P @ W) / _available_weight(avail, W)) ** (1.0 / p)


def a_sum(X: np.ndarray, W: np.ndarray, scale: float = 1.0) -> np.ndarray:
    """Weighted sum scale * sum(w x), weights as given (PCI: 10 x sum of w_i s_i; PAPI: plain sum).

    A parent with any missing child is missing: a partial sum would look like a low score.
    """
    X0, avail = _masked(X)
    out = (X0 @ W) * scale
    if avail is not None:
        short = ((1.0 - avail) @ (W != 0)) > 0
        out = np.where(short, np.nan, out)
    return out


def _check_domain(method: str, X: np.ndarray, member: np.ndarray, plan: LevelPlan,
                  cols: Sequence[int], units: Sequence[str] | None, p: float | None) -> None:
    """COINr stops on a geometric mean of x <= 0 (or harmonic mean of 0): say where."""
    if method == "gmean":
        bad = X <= 0
        what = "zero_negative"
    elif method == "hmean":
        bad = X == 0
        what = "zero"
    elif method == "genmean" and p is not None and p < 0:
        bad = X <= 0
        what = "zero_negative_p"
    else:
        return
    bad_children = bad.any(axis=0)
    if not bad_children.any():
        return
    hit_parents = (member[bad_children] != 0).any(axis=0)
    if not hit_parents.any():
        return
    lines = []
    hit = np.flatnonzero(hit_parents)
    for j in hit[:3]:
        children = [plan.children[i] for i in np.flatnonzero(bad_children & (member[:, j] != 0))]
        rows = np.flatnonzero(bad[:, [plan.children.index(c) for c in children]].any(axis=1))
        who = [str(units[r]) if units is not None else where_row(r + 1) for r in rows[:5]]
        more = Message("aggregate.found_more", count=len(rows) - 5) if len(rows) > 5 else ""
        lines.append(Message("aggregate.found", parent=plan.parents[cols[j]], children=children, units=who,
                             more=more))
    if len(hit) > 3:
        lines.append(Message("aggregate.found_more_aggregates", count=len(hit) - 3))
    raise StepError(Message("aggregate.cannot_take", mean=Message(f"aggregate.mean.{method}"),
                            what=Message(f"aggregate.what.{what}"), found=Joined(lines, "; ")))


def aggregate(values: np.ndarray, tree: AggregationTree, method: str = "amean",
              weights: Mapping[str, float] | None = None, dat_thresh: float | Mapping[Any, float] | None = None,
              p: float | None = None, scale: float = 1.0, methods: Mapping[Any, str] | None = None,
              units: Sequence[str] | None = None) -> np.ndarray:
    """All node values (units x tree.codes) from indicator values (units x tree.indicators).

    - method: default mean for every parent; `methods` overrides it by level number or parent code.
    - weights: {code: weight} replacing framework weights (renormalised within each parent).
    - dat_thresh: COINr's data-availability threshold: a parent is NA when the share of its
      children available for a unit is below it. A number, or {level or parent code: number}.
    - p: exponent of the generalised mean; scale: multiplier of the weighted sum.
    """
    n = values.shape[0]
    if values.shape[1] != tree.n_indicators:
        raise StepError(Message("aggregate.columns", expected=tree.n_indicators, got=values.shape[1]))
    for m in [method, *(methods or {}).values()]:
        if m not in METHODS + EXTRA_METHODS:
            raise StepError(Message("aggregate.unknown_method", method=m, methods=list(METHODS + EXTRA_METHODS)))
    if weights:
        unknown = [c for c in weights if c not in tree.position]
        if unknown:
            raise StepError(Message("aggregate.unknown_weights", codes=unknown))
    out = np.empty((n, len(tree.codes)))
    out[:, : tree.n_indicators] = values
    for plan in tree.levels:
        sl = plan.child_slice
        if sl is not None and sl.stop <= tree.n_indicators:
            X = values[:, sl]  # read the (contiguous) input, not the wider output matrix
        elif sl is not None:
            X = out[:, sl]
        else:
            X = out[:, plan.child_index]
        W = plan.weight_matrix
        if weights:
            cw = np.array([weights.get(c, w) for c, w in zip(plan.children, plan.child_weights)], dtype=float)
            W = plan.membership * cw[:, None]
        per_parent = [_resolve(methods, plan.level, par, method) for par in plan.parents] if methods else None
        if per_parent is None or len(set(per_parent)) == 1:
            # One mean for the whole level (always so without `methods`): no parents to pick out.
            result = _level_mean(per_parent[0] if per_parent else method, X, W, plan, None, units, p, scale)
        else:
            result = np.empty((n, len(plan.parents)))
            for m in dict.fromkeys(per_parent):
                cols = np.array([j for j, mm in enumerate(per_parent) if mm == m], dtype=np.intp)
                result[:, cols] = _level_mean(m, X, W, plan, cols, units, p, scale)
        if dat_thresh is not None:
            thresh = [_resolve(dat_thresh, plan.level, par, None) for par in plan.parents]
            if any(t is not None for t in thresh):
                t = np.array([-1.0 if v is None else float(v) for v in thresh])
                avail = (~np.isnan(X)).astype(float) @ plan.membership
                # COINr: sum(!is.na(x_row))/length(x_row) < dat_thresh -> NA
                result[avail / plan.n_children < t] = np.nan
        out[:, plan.parent_index] = result
    return out


def _level_mean(m: str, X: np.ndarray, W: np.ndarray, plan: LevelPlan, cols: np.ndarray | None,
                units: Sequence[str] | None, p: float | None, scale: float) -> np.ndarray:
    """The mean `m` of the level's parents at positions `cols` (None: all of them) from the
    level's children X (units x children) and weights W (children x parents), over the children
    those parents have."""
    if cols is None:  # every child has its parent among the level's (LevelPlan): all are used
        member = plan.membership
        cols = range(len(plan.parents))
    else:
        W, member = W[:, cols], plan.membership[:, cols]
        used = member.any(axis=1)
        if not used.all():
            X, W, member = X[:, used], W[used], member[used]
            plan = _sub_plan(plan, used)
    _check_domain(m, X, member, plan, cols, units, p)
    if m == "amean":
        return a_amean(X, W)
    if m == "gmean":
        return a_gmean(X, W)
    if m == "hmean":
        return a_hmean(X, W)
    if m == "genmean":
        if p is None or p == 0:
            raise StepError(Message("aggregate.genmean_p"))
        return a_genmean(X, W, float(p))
    if m in EXTRA_METHODS:
        return _a_extra(m, X, W)
    return a_sum(X, W, scale)


def _sub_plan(plan: LevelPlan, used: np.ndarray) -> LevelPlan:
    return LevelPlan(plan.level, plan.parents, plan.parent_index,
                     tuple(c for c, u in zip(plan.children, used) if u),
                     plan.child_index[used], plan.membership[used], plan.child_weights[used])


def _resolve(spec: Any, level: int, parent: str, default: Any) -> Any:
    """A per-level/per-parent setting: a plain value, or a mapping keyed by parent code or level."""
    if spec is None:
        return default
    if not isinstance(spec, Mapping):
        return spec
    if parent in spec:
        return spec[parent]
    for key in (level, str(level), f"level{level}", f"Level{level}", f"L{level}"):
        if key in spec:
            return spec[key]
    return spec.get("default", default)


def _a_extra(method: str, X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Copeland, MPI or AMPI for each parent (a column of W) from its children's columns."""
    # lazy: chiso.engine.analysis imports build, which imports this module (a cycle), and all of
    # the analysis layer would load with every compute (issue 22)
    from .analysis.copeland import a_copeland
    from .analysis.mpi import ampi, mpi

    fn = {"copeland": a_copeland, "mpi": mpi, "ampi": ampi}[method]
    out = np.empty((X.shape[0], W.shape[1]))
    for j in range(W.shape[1]):
        kids = np.flatnonzero(W[:, j] != 0)
        out[:, j] = fn(X[:, kids], W[kids, j])
    return out
