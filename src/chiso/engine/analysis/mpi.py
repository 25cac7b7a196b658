"""Mazziotta-Pareto Index (MPI) and Adjusted MPI (AMPI), with their penalty for unbalanced indicators.

Sources: Mazziotta, M. and Pareto, A. (2016), "On a generalized non-compensatory composite index
for measuring socio-economic phenomena", Social Indicators Research 127: 983-1003; (2018)
"Measuring well-being over time: the Adjusted Mazziotta-Pareto Index versus other
non-compensatory indices", SIR 136: 967-976. Compind: `ci_mpi`, `ci_ampi`.
"""

from __future__ import annotations

import numpy as np


def _penalised(Z: np.ndarray, w: np.ndarray | None, penalty: int) -> np.ndarray:
    """M_i + penalty * S_i * cv_i per row: M, S the (weighted) mean and population sd of the row,
    cv = S / M. Missing values are skipped."""
    m = ~np.isnan(Z)
    w = np.ones(Z.shape[1]) if w is None else np.asarray(w, dtype=float)
    W = m * w
    Z0 = np.where(m, Z, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sw = W.sum(axis=1)
        M = (Z0 * W).sum(axis=1) / sw
        S = np.sqrt((W * (Z0 - M[:, None]) ** 2).sum(axis=1) / sw)
        return M + penalty * S * (S / M)


def mpi(X: np.ndarray, w: np.ndarray | None = None, penalty: int = -1,
        directions: np.ndarray | None = None) -> np.ndarray:
    """Mazziotta-Pareto Index of each unit (row).

    z_ij = 100 + 10 (x_ij - M_j)/S_j with M_j, S_j the mean and population standard deviation of
    indicator j over units; MPI_i = M_zi + penalty * S_zi * cv_i, where M_zi, S_zi are the mean and
    population sd of unit i's z values and cv_i = S_zi / M_zi. penalty -1 (Compind's "POS": an
    index where higher is better, unbalanced profiles lose), +1 ("NEG": a "negative" index such
    as poverty, unbalanced profiles gain). With
    equal z values for a unit (S_zi = 0) the MPI is their mean. `w` weights the unit's mean and sd
    (the original index is unweighted: w = None).
    """
    if penalty not in (-1, 1):
        raise ValueError("penalty must be -1 or 1")
    X = np.asarray(X, dtype=float)
    if directions is not None:
        X = X * np.asarray(directions, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        Z = 100 + 10 * (X - np.nanmean(X, axis=0)) / np.nanstd(X, axis=0)
    return _penalised(Z, w, penalty)


def ampi(X: np.ndarray, w: np.ndarray | None = None, penalty: int = -1, ref: np.ndarray | None = None,
         goalposts: tuple[np.ndarray, np.ndarray] | None = None,
         directions: np.ndarray | None = None) -> np.ndarray:
    """Adjusted Mazziotta-Pareto Index (comparable over time).

    r_ij = (x_ij - Min_j)/(Max_j - Min_j) * 60 + 70, with goalposts Min_j = Ref_j - D_j and
    Max_j = Ref_j + D_j, D_j = (Sup_j - Inf_j)/2 (Inf, Sup: the indicator's range, over every
    unit and time period in X), Ref_j a reference value mapped to 100 (default the mean of X;
    pass a base year's mean for comparisons over time) so values lie roughly in 70-130.
    AMPI_i = M_ri + penalty * S_ri * cv_i. `goalposts` (Min, Max) replace the computed ones.
    Compind: `ci_ampi(x, indic_col, gp, time, polarity, penalty)`.
    """
    if penalty not in (-1, 1):
        raise ValueError("penalty must be -1 or 1")
    X = np.asarray(X, dtype=float)
    if directions is not None:
        X = X * np.asarray(directions, dtype=float)
    if goalposts is None:
        inf, sup = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
        r0 = np.nanmean(X, axis=0) if ref is None else np.asarray(ref, dtype=float)
        d = (sup - inf) / 2
        lo, hi = r0 - d, r0 + d
    else:
        lo, hi = (np.asarray(g, dtype=float) for g in goalposts)
    with np.errstate(invalid="ignore", divide="ignore"):
        R = (X - lo) / (hi - lo) * 60 + 70
    return _penalised(R, w, penalty)
