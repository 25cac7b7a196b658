"""Correlations between indicators and aggregates, with COINr's flags (get_corr, get_corr_flags).

All functions take plain arrays (units x columns, NaN = missing) and use pairwise-complete
observations, as R's `cor(..., use = "pairwise.complete.obs")` does in COINr.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

METHODS = ("pearson", "spearman", "kendall")


def _check_method(method: str) -> str:
    m = str(method).lower()
    if m not in METHODS:
        raise ValueError(f"correlation method must be one of {', '.join(METHODS)}, not {method!r}")
    return m


def _pearson_pairwise(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pearson r of every column of X with every column of Y on pairwise-complete rows, and n.

    Four matrix products: sums, sums of squares and cross-products restricted to the rows
    where both columns are present. Columns are centred first, which keeps the one-pass
    formula accurate.
    """
    mx, my = ~np.isnan(X), ~np.isnan(Y)
    with np.errstate(invalid="ignore"):
        X = X - np.nanmean(np.where(mx.any(axis=0), X, 0.0), axis=0)
        Y = Y - np.nanmean(np.where(my.any(axis=0), Y, 0.0), axis=0)
    X0, Y0 = np.where(mx, X, 0.0), np.where(my, Y, 0.0)
    Mx, My = mx.astype(float), my.astype(float)
    n = Mx.T @ My
    sx, sy = X0.T @ My, Mx.T @ Y0
    sxx, syy = (X0 * X0).T @ My, Mx.T @ (Y0 * Y0)
    sxy = X0.T @ Y0
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = sxy - sx * sy / n
        vx = sxx - sx * sx / n
        vy = syy - sy * sy / n
        r = cov / np.sqrt(vx * vy)
        # A column constant on the common rows has no correlation (R gives NA with a warning).
        tiny = 1e-12
        r = np.where((vx <= tiny * np.maximum(sxx, tiny)) | (vy <= tiny * np.maximum(syy, tiny)), np.nan, r)
    r = np.where(n < 3, np.nan, np.clip(r, -1.0, 1.0))
    return r, n


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """R's rank(x) (ties get the average rank) of each column; NaN stays NaN."""
    from scipy.stats import rankdata  # lazy: scipy.stats takes a quarter of a second to import

    return rankdata(x, axis=0, nan_policy="omit") if np.isnan(x).any() else rankdata(x, axis=0)


def corr_matrix(X: np.ndarray, Y: np.ndarray | None = None, method: str = "pearson") -> np.ndarray:
    """Correlation of every column of X with every column of Y (default Y = X), pairwise-complete.

    COINr: `get_corr(..., cortype = "pearson" | "spearman" | "kendall")`, i.e. R's
    `cor(x, y, use = "pairwise.complete.obs", method = cortype)`. Spearman ranks each pair's
    complete rows (as R does); Kendall is tau-b (R's and SciPy's). Fewer than 3 common
    rows, or a constant column, give NaN.
    """
    method = _check_method(method)
    X = np.asarray(X, dtype=float)
    Y = X if Y is None else np.asarray(Y, dtype=float)
    same = Y is X
    if X.ndim == 1:
        X = X[:, None]
    if Y.ndim == 1:
        Y = Y[:, None]
    if method == "pearson":
        return _pearson_pairwise(X, Y)[0]
    if method == "spearman":
        mx, my = np.isnan(X), np.isnan(Y)
        if not mx.any() and not my.any():
            return _pearson_pairwise(_average_ranks(X), _average_ranks(Y))[0]
        out = np.full((X.shape[1], Y.shape[1]), np.nan)
        for i in range(X.shape[1]):
            for j in range(Y.shape[1]):
                if same and j < i:
                    out[i, j] = out[j, i]
                    continue
                ok = ~mx[:, i] & ~my[:, j]
                if ok.sum() >= 3:
                    out[i, j] = _pearson_pairwise(_average_ranks(X[ok, i][:, None]),
                                                  _average_ranks(Y[ok, j][:, None]))[0][0, 0]
        return out
    from scipy.stats import kendalltau  # lazy: scipy.stats takes a quarter of a second to import

    out = np.full((X.shape[1], Y.shape[1]), np.nan)
    for i in range(X.shape[1]):
        for j in range(Y.shape[1]):
            if same and j < i:
                out[i, j] = out[j, i]
                continue
            ok = ~np.isnan(X[:, i]) & ~np.isnan(Y[:, j])
            if ok.sum() >= 3:
                out[i, j] = kendalltau(X[ok, i], Y[ok, j]).statistic
    return out


def corr_pvalues(r: np.ndarray, n: np.ndarray | int, method: str = "pearson") -> np.ndarray:
    """Two-sided p-values of correlations r on n observations (COINr's `get_pvals`, R's `cor.test`).

    Pearson and Spearman: t = r sqrt((n - 2)/(1 - r^2)) on n - 2 degrees of freedom (R's
    asymptotic test; R's exact Spearman test for n < 1290 without ties is not reproduced).
    Kendall: the normal approximation z = 3 tau sqrt(n (n - 1)) / sqrt(2 (2n + 5)).
    """
    from scipy.stats import norm, t  # lazy: scipy.stats takes a quarter of a second to import

    method = _check_method(method)
    r = np.asarray(r, dtype=float)
    n = np.broadcast_to(np.asarray(n, dtype=float), r.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "kendall":
            z = 3 * r * np.sqrt(n * (n - 1)) / np.sqrt(2 * (2 * n + 5))
            p = 2 * norm.sf(np.abs(z))
        else:
            df = n - 2
            tt = r * np.sqrt(df / np.maximum(1 - r * r, 0.0))
            p = 2 * t.sf(np.abs(tt), df)
    return np.where(np.isnan(r) | (n < 3), np.nan, np.where(np.abs(r) >= 1, 0.0, p))


def pair_counts(X: np.ndarray, Y: np.ndarray | None = None) -> np.ndarray:
    """Number of rows where both columns are present, for every pair."""
    X = np.asarray(X, dtype=float)
    Y = X if Y is None else np.asarray(Y, dtype=float)
    return (~np.isnan(X)).astype(float).T @ (~np.isnan(Y)).astype(float)


@dataclass(frozen=True)
class CorrFlag:
    """A pair of indicators flagged by `corr_flags` (COINr's get_corr_flags row)."""

    group: str
    var1: str
    var2: str
    correlation: float


def corr_flags(X: np.ndarray, codes: Sequence[str], groups: Sequence[str] | None = None,
               cor_thresh: float = 0.9, thresh_type: str = "high", method: str = "pearson") -> list[CorrFlag]:
    """Pairs of columns whose correlation is above (`high`) or below (`low`) `cor_thresh`.

    COINr: `get_corr_flags(coin, dset, cor_thresh = 0.9, thresh_type = "high", grouplev = 2)`:
    only pairs in the same group (by default the same parent at level 2) are checked; `groups`
    gives each column's group (None = all columns in one group). Each pair is listed once.
    """
    if thresh_type not in ("high", "low"):
        raise ValueError("thresh_type must be 'high' or 'low'")
    codes = list(codes)
    groups = list(groups) if groups is not None else [""] * len(codes)
    R = corr_matrix(X, method=method)
    out = []
    for i in range(len(codes)):
        for j in range(i + 1, len(codes)):
            if groups[i] != groups[j] or np.isnan(R[i, j]):
                continue
            if (R[i, j] > cor_thresh) if thresh_type == "high" else (R[i, j] < cor_thresh):
                out.append(CorrFlag(str(groups[i]), codes[i], codes[j], float(R[i, j])))
    return out
