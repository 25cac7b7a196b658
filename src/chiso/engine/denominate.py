"""Denomination: indicators divided by a denominator column (GDP, population...), as COINr's Denominate."""

from __future__ import annotations

import numpy as np


def denominate(X: np.ndarray, D: np.ndarray, scale_factor: np.ndarray | float = 1.0) -> np.ndarray:
    """COINr Denominate with f_denom = `/`: x / (denominator / ScaleFactor), column by column.

    X and D are (units x columns) aligned: D[:, j] is the denominator of X[:, j].
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        return X / (D / np.asarray(scale_factor, dtype=float))
