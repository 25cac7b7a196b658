"""Batched steps: many replications of an index at once, the replication as the first array dimension.

Uncertainty analysis and the bootstrap recompute an index hundreds or thousands of times with
something changed: the weights (one weight vector per replication) or the indicator values (one
data set per replication). Rebuilding IndexBuild objects in a Python loop would cost a
millisecond or more per replication; here the replications are the leading dimension of
arrays of shape (R, units, columns):

- `aggregate_batched`: aggregation level by level with data (R or 1, units, indicators) and
  node weights (R or 1, nodes); each level is one matrix product over all replications.
- `run_batched`: replays the steps of a build's log on a batch of data sets shaped like the
  data the build started from. The column-wise steps (denominate, impute, treat, normalise)
  run on the batch laid side by side as one wide matrix (units x R*columns) through the very
  same functions the steps use, with per-column parameters tiled; screening keeps the units
  the nominal build kept; aggregation is `aggregate_batched`.

Memory is bounded by the callers, which pass the replications in chunks.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from .aggregate import METHODS as AGG_METHODS
from .aggregate import _resolve
from .build import STEPS, IndexBuild, _indicator_codes, normalise_inputs
from .dataset import Dataset
from .errors import Message, StepError
from .framework import AggregationTree, Framework
from .impute import impute as _impute
from .normalise import normalise as _normalise
from .treat import treat as _treat


# ---------------------------------------------------------------------- weights
def node_weights(tree: AggregationTree, weights: Mapping[str, float] | None = None) -> np.ndarray:
    """The weight of every node within its parent, in `tree.codes` order: the framework's weights
    with `weights` ({code: weight}, the aggregate step's parameter) laid over them. A node
    without a parent (the index) has weight 1; it is never used."""
    w = np.ones(len(tree.codes))
    for plan in tree.levels:
        w[plan.child_index] = plan.child_weights
    if weights:
        unknown = [c for c in weights if c not in tree.position]
        if unknown:
            raise StepError(Message("aggregate.unknown_weights", codes=unknown))
        for c, v in weights.items():
            w[tree.position[c]] = float(v)
    return w


def node_levels(framework: Framework, tree: AggregationTree) -> np.ndarray:
    """The framework Level of every node in `tree.codes` order (1 for indicators)."""
    return np.array([framework[c].level for c in tree.codes], dtype=int)


# ---------------------------------------------------------------------- aggregation
def _bmm(A: np.ndarray, M: np.ndarray) -> np.ndarray:
    """(..., c) @ (c, p) as one matrix product over every leading index."""
    lead = A.shape[:-1]
    return (A.reshape(-1, A.shape[-1]) @ M).reshape(*lead, M.shape[1])


def aggregate_batched(values: np.ndarray, tree: AggregationTree, method: str = "amean",
                      weights: Mapping[str, float] | None = None,
                      dat_thresh: float | Mapping[Any, float] | None = None, p: float | None = None,
                      scale: float = 1.0, methods: Mapping[Any, str] | None = None,
                      node_weights_: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """COINr's aggregation (as `aggregate()`) for many replications at once.

    values: (R, units, indicators) in `tree.indicators` order, or (units, indicators) shared by
    every replication. node_weights_: (R, nodes) or (nodes,), one weight per node of
    `tree.codes` (see `node_weights`); default: the framework's weights with `weights` laid over.
    Replications come from values or weights, whichever has more (the other has 1 or the same R).

    Returns (aggregates, failed): aggregates (R, units, len(tree.aggregates)) and failed (R,),
    True where a geometric (harmonic) mean met a value <= 0 (== 0): COINr stops there; a batch
    marks the replication as failed and leaves its aggregates missing.
    """
    X_in = np.asarray(values, dtype=float)
    if X_in.ndim == 2:
        X_in = X_in[None]
    if X_in.shape[2] != tree.n_indicators:
        raise StepError(Message("aggregate.columns", expected=tree.n_indicators, got=X_in.shape[2]))
    for m in [method, *(methods or {}).values()]:
        if m not in AGG_METHODS:
            raise StepError(Message("aggregate.unknown_method", method=m, methods=list(AGG_METHODS)))
    nw = node_weights(tree, weights) if node_weights_ is None else np.asarray(node_weights_, dtype=float)
    if nw.ndim == 1:
        nw = nw[None]
    Rv, n, k = X_in.shape
    Rw = nw.shape[0]
    if Rv != Rw and 1 not in (Rv, Rw):
        raise StepError(Message("aggregate.weight_sets", datasets=Rv, weights=Rw))
    R = max(Rv, Rw)
    agg = np.empty((R, n, len(tree.codes) - k))
    failed = np.zeros(R, dtype=bool)

    def children(idx: np.ndarray) -> np.ndarray:
        if idx.size and idx.max() < k:
            return X_in[:, :, idx]                      # (Rv, n, c): shared data stays shared
        if idx.size and idx.min() >= k:
            return agg[:, :, idx - k]                   # (R, n, c)
        return np.concatenate([np.broadcast_to(X_in, (R, n, k)), agg], axis=2)[:, :, idx]

    for plan in tree.levels:
        X = children(plan.child_index)
        cw_all = nw[:, plan.child_index]                # (Rw, c)
        per_parent = [_resolve(methods, plan.level, par, method) for par in plan.parents]
        result = np.empty((R, n, len(plan.parents)))
        missing_all = np.isnan(X)
        any_missing = bool(missing_all.any())
        for m in dict.fromkeys(per_parent):
            cols = np.array([j for j, mm in enumerate(per_parent) if mm == m], dtype=np.intp)
            M = plan.membership[:, cols]
            used = M.any(axis=1)
            if not used.all():
                Xm, M, cw_m, miss = X[:, :, used], M[used], cw_all[:, used], missing_all[:, :, used]
            else:
                Xm, cw_m, miss = X, cw_all, missing_all
            cw = cw_m[:, None, :]                       # (Rw, 1, c)
            if not any_missing:
                miss = None
            X0 = Xm if miss is None else np.where(miss, 0.0, Xm)
            bad = None
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                wsum = (cw_m @ M)[:, None, :] if miss is None else _bmm((~miss) * cw, M)
                if m == "amean":
                    r = _bmm(X0 * cw, M) / wsum
                elif m == "gmean":
                    bad = Xm <= 0
                    L = np.log(X0 if miss is None else np.where(miss, 1.0, X0))
                    r = np.exp(_bmm(L * cw, M) / wsum)
                elif m == "hmean":
                    bad = Xm == 0
                    inv = 1.0 / X0
                    if miss is not None:
                        inv = np.where(miss, 0.0, inv)
                    r = wsum / _bmm(inv * cw, M)
                elif m == "genmean":
                    if p is None or p == 0:
                        raise StepError(Message("aggregate.genmean_p"))
                    bad = Xm <= 0 if p < 0 else None
                    P = X0 ** float(p)
                    if miss is not None:
                        P = np.where(miss, 0.0, P)
                    r = (_bmm(P * cw, M) / wsum) ** (1.0 / float(p))
                else:  # sum: weights as given; a parent with any missing child is missing
                    r = _bmm(X0 * cw, M) * float(scale)
                    if miss is not None:
                        short = _bmm(miss.astype(float), (M != 0).astype(float)) > 0
                        r = np.where(short, np.nan, r)
            if bad is not None:
                failed |= bad.any(axis=(1, 2))          # (Rv,) or (R,), broadcast onto (R,)
            result[:, :, cols] = r
        thresh = [_resolve(dat_thresh, plan.level, par, None) for par in plan.parents]
        if any(t is not None for t in thresh):
            t = np.array([-1.0 if v is None else float(v) for v in thresh])
            avail_n = _bmm((~missing_all).astype(float), plan.membership)
            result = np.where(avail_n / plan.n_children < t, np.nan, result)
        agg[:, :, plan.parent_index - k] = result
    if failed.any():
        agg[failed] = np.nan
    return agg, failed


# ---------------------------------------------------------------------- replaying a log on a batch
def _wide(X3: np.ndarray) -> np.ndarray:
    """(R, n, k) -> (n, R*k): replication r's columns at r*k ... r*k + k - 1."""
    R, n, k = X3.shape
    return np.ascontiguousarray(X3.transpose(1, 0, 2)).reshape(n, R * k)


def _narrow(W: np.ndarray, R: int) -> np.ndarray:
    n = W.shape[0]
    return W.reshape(n, R, -1).transpose(1, 0, 2)


def _tile(v: Any, R: int) -> Any:
    return np.tile(np.asarray(v), R) if v is not None else None


def run_batched(build: IndexBuild, X: np.ndarray, start: int = 0, stop: int | None = None
                ) -> tuple[np.ndarray, Dataset, np.ndarray]:
    """Replay `build.log[start:stop]` on R data sets at once.

    X: (R, units, columns) shaped like the data set the build held before log entry `start`
    (its units, in order, and its value columns). Returns (values, template, failed):
    values (R, units', columns') after the last step, `template` the build's own data set
    after that step (units, codes and metadata of `values`), failed (R,) for replications a
    step could not compute (a geometric mean of zero): their values are missing.

    Screening keeps the units the build kept (a unit screened in or out stays so in every
    replication); every other step recomputes from each replication's own data.
    """
    log = build.log[start:stop]
    X = np.array(X, dtype=float)
    R = X.shape[0]
    failed = np.zeros(R, dtype=bool)
    fw = build.framework
    data = build.dataset(start - 1) if start > 0 else build.raw
    if X.shape[1:] != data.values.shape:
        raise StepError(Message("batch.shape", shape=str(X.shape[1:]), expected=str(data.values.shape)))
    for i, (name, params) in enumerate(log, start):
        after = build.datasets[i]
        if name == "screen":
            X = X[:, build.details[i].keep]
        elif name == "denominate":
            mapping = build.details[i]
            if mapping:
                cols = [data.codes.index(c) for c in mapping]
                D = np.column_stack([np.asarray(data.meta[d], dtype=float) for d in mapping.values()])
                sf = np.array([float((params.get("scale_factors") or {}).get(c, 1.0)) for c in mapping])
                with np.errstate(invalid="ignore", divide="ignore"):
                    X[:, :, cols] = X[:, :, cols] / (D / sf)
        elif name == "impute":
            method, group = params["method"], params.get("group")
            groups = data.meta[group] if method in ("mean_group", "median_group") else None
            W = _impute(_wide(X), method, groups=groups, units=data.units, time=data.time,
                        max_time=params.get("max_time"), codes=list(data.codes) * R)
            X = _narrow(W, R)
        elif name == "treat":
            codes = _indicator_codes(fw, data)
            idx = [data.codes.index(c) for c in codes]
            p = {k: v for k, v in params.items() if k != "overrides"}
            W, _ = _treat(_wide(X[:, :, idx]), list(codes) * R, params.get("overrides"), **p)
            X[:, :, idx] = _narrow(W, R)
        elif name == "normalise":
            codes, kw = normalise_inputs(fw, data, **params)
            idx = [data.codes.index(c) for c in codes]
            kw["directions"] = _tile(kw["directions"], R)
            kw["codes"] = list(codes) * R
            kw["column_params"] = {k: _tile(v, R) for k, v in kw["column_params"].items()}
            W = _normalise(_wide(X[:, :, idx]), **kw)
            X[:, :, idx] = _narrow(W, R)
        elif name == "aggregate":
            tree = fw.tree
            missing = [c for c in tree.indicators if c not in data.codes]
            if missing:
                raise StepError(Message("aggregate.not_in_data", codes=missing))
            idx = [data.codes.index(c) for c in tree.indicators]
            agg, bad = aggregate_batched(X[:, :, idx], tree, method=params["method"], weights=params["weights"],
                                         dat_thresh=params["dat_thresh"], p=params["p"],
                                         scale=float(params["scale"]), methods=params["methods"])
            X = np.concatenate([X[:, :, idx], agg], axis=2)
            failed |= bad
        else:  # points, or a step without a batched form: one replication at a time
            out = []
            for r in range(R):
                d, _ = STEPS[name](fw, data.with_values(X[r]), **params)
                out.append(d.values)
            X = np.stack(out)
        if X.shape[1:] != after.values.shape:  # pragma: no cover - a step changed shape unexpectedly
            raise StepError(Message("batch.step_shape", step=name, shape=str(X.shape[1:]),
                                    expected=str(after.values.shape)))
        data = after
    return X, data, failed

