"""Imputation of missing values: column mean or median, group mean or median, latest earlier year (panel)."""

from __future__ import annotations

from typing import Sequence

import warnings

import numpy as np

from .errors import Message, StepError
from .normalise import col_mean

METHODS = ("mean", "median", "mean_group", "median_group", "panel", "none")


def _all_missing_check(X: np.ndarray, codes: Sequence[str] | None) -> None:
    # COINr's Impute.numeric stops on a column with no data at all.
    empty = np.isnan(X).all(axis=0)
    if empty.any() and X.shape[0]:
        names = [codes[j] if codes else f"column {j + 1}" for j in np.flatnonzero(empty)]
        raise StepError(Message("impute.no_data", codes=names))


def impute_mean(X: np.ndarray) -> np.ndarray:
    """COINr i_mean: NaN replaced by the column mean of the available values."""
    return np.where(np.isnan(X), col_mean(X), X)


def impute_median(X: np.ndarray) -> np.ndarray:
    """COINr i_median: NaN replaced by the column median of the available values."""
    missing = np.isnan(X)
    if not missing.any():
        return X.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.where(missing, np.nanmedian(X, axis=0), X)


def impute_group(X: np.ndarray, groups: Sequence, stat: str = "mean") -> np.ndarray:
    """COINr i_mean_grp / i_median_grp: NaN replaced by the mean (median) of the unit's group.

    Units whose group is missing are left as they are (COINr's skip_f_na = TRUE); a group with
    no data on an indicator leaves its missing values missing.
    """
    g = np.asarray(groups, dtype=object)
    has_group = np.array([v is not None and v == v for v in g], dtype=bool)
    labels, inverse = np.unique(np.where(has_group, g, "").astype(str), return_inverse=True)
    missing = np.isnan(X)
    fill = np.full(X.shape, np.nan)
    if stat == "mean":
        # Group sums as one product: one-hot (groups x units) @ data.
        onehot = np.zeros((len(labels), X.shape[0]))
        onehot[inverse, np.arange(X.shape[0])] = 1.0
        onehot[:, ~has_group] = 0.0
        X0 = np.where(missing, 0.0, X)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = (onehot @ X0) / (onehot @ (~missing).astype(float))
            # R's mean refines with a second pass; do the same per group.
            resid = np.where(missing, 0.0, X - means[inverse])
            means = means + (onehot @ resid) / (onehot @ (~missing).astype(float))
        fill = means[inverse]
    elif stat == "median":
        for k in range(len(labels)):
            rows = (inverse == k) & has_group
            if rows.any():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN group column
                    fill[rows] = np.nanmedian(X[rows], axis=0)
    else:
        raise StepError(Message("impute.unknown_statistic", statistic=stat))
    fill[~has_group] = np.nan
    return np.where(missing, fill, X)


def impute_panel(X: np.ndarray, units: Sequence, time: Sequence[float], max_time: int | None = None) -> np.ndarray:
    """COINr impute_panel: a missing value takes the unit's value from the latest earlier time
    point that has one, looking back at most `max_time` time points (of all those in the data).
    Only original values are carried; nothing is filled from a later time."""
    time = np.asarray(time, dtype=float)
    units = np.asarray(units, dtype=object)
    years = np.unique(time)
    if years.size < 2:
        raise StepError(Message("impute.panel_two_times"))
    t_idx = np.searchsorted(years, time)
    # Sort rows by unit, then time, and forward-fill the last valid row within each unit.
    unit_codes, unit_idx = np.unique(units.astype(str), return_inverse=True)
    order = np.lexsort((time, unit_idx))
    Xs = X[order]
    us = unit_idx[order]
    ts = t_idx[order]
    n = Xs.shape[0]
    first = np.ones(n, dtype=bool)
    first[1:] = us[1:] != us[:-1]
    valid = ~np.isnan(Xs)
    pos = np.arange(n)[:, None]
    src = np.where(valid | first[:, None], pos, 0)
    np.maximum.accumulate(src, axis=0, out=src)
    filled = np.take_along_axis(Xs, src, axis=0)
    ok = np.isnan(Xs) & ~np.isnan(filled) & (us[src] == us[:, None])
    if max_time is not None:
        ok &= (ts[:, None] - ts[src]) <= max_time
    Xs = np.where(ok, filled, Xs)
    out = np.empty_like(Xs)
    out[order] = Xs
    return out


def impute(X: np.ndarray, method: str = "mean", groups: Sequence | None = None,
           units: Sequence | None = None, time: Sequence[float] | None = None,
           max_time: int | None = None, codes: Sequence[str] | None = None) -> np.ndarray:
    """Impute missing values of X (units x indicators) with one of METHODS."""
    if method not in METHODS:
        raise StepError(Message("impute.unknown_method", method=method, methods=list(METHODS)))
    X = np.asarray(X, dtype=float)
    if method == "none" or not np.isnan(X).any():
        return X
    if method == "panel":
        if units is None or time is None:
            raise StepError(Message("impute.panel_needs_units_time"))
        return impute_panel(X, units, time, max_time)
    _all_missing_check(X, codes)
    if method == "mean":
        return impute_mean(X)
    if method == "median":
        return impute_median(X)
    if groups is None:
        raise StepError(Message("impute.needs_group", method=method))
    return impute_group(X, groups, "mean" if method == "mean_group" else "median")
