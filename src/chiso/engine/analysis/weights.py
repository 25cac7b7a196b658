"""Effective weights (COINr get_eff_weights) and optimised weights (COINr get_opt_weights)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from ..framework import AggregationTree
from .correlation import corr_matrix


def effective_weights(tree: AggregationTree, weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Each node's weight in the index: its weight normalised within its parent, times the
    effective weight of the parent (the top node has 1).

    COINr: `get_eff_weights(coin)` (column `EffWeight`). `weights` replaces framework weights
    ({code: w}, as the aggregate step's `weights`). Within each level the effective weights sum
    to 1 (to the number of top nodes when there are several).
    """
    weights = weights or {}
    eff: dict[str, float] = {}
    parent_of: dict[str, str] = {}
    raw: dict[str, float] = {}
    for plan in tree.levels:
        for i, c in enumerate(plan.children):
            parent_of[c] = plan.parents[int(np.argmax(plan.membership[i]))]
            raw[c] = float(weights.get(c, plan.child_weights[i]))
    sums: dict[str, float] = {}
    for c, p in parent_of.items():
        sums[p] = sums.get(p, 0.0) + raw[c]
    for code in reversed(tree.codes):  # parents come after their children in tree.codes
        p = parent_of.get(code)
        if p is None:
            eff[code] = 1.0
        else:
            eff[code] = eff[p] * (raw[code] / sums[p] if sums[p] else np.nan)
    return {c: eff[c] for c in tree.codes}


def _amean(X: np.ndarray, w: np.ndarray) -> np.ndarray:
    m = ~np.isnan(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.where(m, X, 0.0) @ w) / (m @ w)


@dataclass(frozen=True)
class OptWeights:
    """Optimised weights (summing to 1), the correlations they give and how the search ended."""

    weights: np.ndarray
    correlations: np.ndarray
    objective: float
    converged: bool
    n_evaluations: int


def opt_weights(X: np.ndarray, optype: str = "balance", itarg: Sequence[float] | None = None,
                w0: Sequence[float] | None = None, method: str = "pearson",
                combine: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
                toler: float | None = None, maxiter: int | None = None) -> OptWeights:
    """Weights of the columns of X that balance (or maximise) their correlations with the aggregate.

    COINr: `get_opt_weights(coin, itarg, dset, Level, cortype, optype = "balance" | "infomax")`.
    The aggregate is `combine(X, w)` (default the weighted arithmetic mean, missing values
    skipped, i.e. the parent of these children). `balance` minimises
    sum((c/sum(c) - itarg)^2), c the correlations of each column with the aggregate and itarg the
    target shares (default equal); `infomax` maximises sum(c). Like COINr (stats::optim,
    Nelder-Mead) the search is Nelder-Mead; it runs on log-weights so weights stay positive.
    """
    from scipy.optimize import minimize  # lazy: SciPy, a heavy import, only when optimising

    if optype not in ("balance", "infomax"):
        raise ValueError("optype must be 'balance' or 'infomax'")
    X = np.asarray(X, dtype=float)
    k = X.shape[1]
    combine = combine or _amean
    tgt = np.full(k, 1.0 / k) if itarg is None else np.asarray(itarg, float) / np.sum(itarg)
    start = np.full(k, 1.0 / k) if w0 is None else np.asarray(w0, float) / np.sum(w0)
    n_eval = 0

    def corrs(w):
        return corr_matrix(X, combine(X, w)[:, None], method)[:, 0]

    def objective(v):
        nonlocal n_eval
        n_eval += 1
        w = np.exp(v)
        w = w / w.sum()
        c = corrs(w)
        if np.isnan(c).any():
            return 1e6
        if optype == "balance":
            return float(np.sum((c / c.sum() - tgt) ** 2))
        return float(-c.sum())

    res = minimize(objective, np.log(start), method="Nelder-Mead",
                   options={"maxiter": maxiter or 200 * k, "xatol": 1e-8, "fatol": toler or 1e-12})
    w = np.exp(res.x)
    w = w / w.sum()
    return OptWeights(weights=w, correlations=corrs(w), objective=float(res.fun), converged=bool(res.success),
                      n_evaluations=n_eval)
