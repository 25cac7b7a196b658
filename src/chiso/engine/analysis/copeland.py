"""Copeland aggregation from the weighted outranking matrix (COINr's a_copeland and outrankMatrix)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Outranking:
    """COINr `outrankMatrix`: matrix[i, j] = weight share of indicators where unit i beats unit j
    (ties count half); n_dominant: pairs where one unit is at least as good on every indicator."""

    matrix: np.ndarray
    n_dominant: int
    frac_dominant: float


def outrank_matrix(X: np.ndarray, w: np.ndarray | None = None, block: int = 256) -> Outranking:
    """COINr `outrankMatrix(X, w)`: sum of the (sum-to-1) weights of the indicators on which unit i
    is above unit j plus half those on which they are equal. An indicator missing for either
    unit adds nothing (R's `sum(..., na.rm = TRUE)`). The diagonal is 0. Computed in blocks
    of units, so memory stays units x units."""
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    w = np.ones(k) if w is None else np.asarray(w, dtype=float)
    w = w / w.sum()
    M = np.zeros((n, n))
    for a in range(0, n, block):
        xa = X[a:a + block, None, :]
        gt = (xa > X[None, :, :]) @ w
        eq = (xa == X[None, :, :]) @ w
        M[a:a + block] = gt + 0.5 * eq
    np.fill_diagonal(M, 0.0)
    # COINr counts a pair as dominant when one unit wins on all the weight (ties excluded).
    dom = int(np.triu((M >= 1 - 1e-12) | (M.T >= 1 - 1e-12), 1).sum())
    return Outranking(matrix=M, n_dominant=dom, frac_dominant=dom / (n * (n - 1) / 2) if n > 1 else 0.0)


def a_copeland(X: np.ndarray, w: np.ndarray | None = None, directions: np.ndarray | None = None) -> np.ndarray:
    """Copeland scores (COINr `a_copeland(X, w, directions)`): for each unit, the number of other
    units it outranks (outranking share > 0.5) minus the number that outrank it (< 0.5).

    A non-compensatory aggregation: only the order of values on each indicator matters, so any
    increasing transformation of an indicator leaves the scores unchanged. The unit itself is
    not counted (COINr's matrix has a zero diagonal, which only shifts every score by -1).
    """
    X = np.asarray(X, dtype=float)
    if directions is not None:
        X = X * np.asarray(directions, dtype=float)
    M = outrank_matrix(X, w).matrix
    off = ~np.eye(len(X), dtype=bool)
    return ((M > 0.5) & off).sum(axis=1) - ((M < 0.5) & off).sum(axis=1).astype(float)
