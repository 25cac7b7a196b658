"""Ranks (ties share the best rank, as R's rank(ties.method = "min")), bands, strengths and weaknesses, change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .framework import Band


def rank_min(X: np.ndarray, descending: bool = True) -> np.ndarray:
    """Rank along axis 0; ties share the smallest rank (1, 2, 2, 4); NaN stays NaN.

    descending=True gives 1 to the highest value (COINr's rank_df, i.e. rank(-x));
    descending=False gives 1 to the lowest (COINr's n_rank). Works on 1-D or 2-D input.
    """
    X = np.asarray(X, dtype=float)
    key = -X if descending else X
    if key.ndim == 1:
        # One column (a ranking of units): a value's rank is 1 + how many values are smaller, which
        # searching the sorted values finds for all at once (NaN sorts last: it counts for none).
        r = np.searchsorted(np.sort(key), key) + 1.0
        r[np.isnan(key)] = np.nan
        return r
    order = np.argsort(key, axis=0, kind="stable")  # NaN sorts last
    s = np.take_along_axis(key, order, axis=0)
    n = s.shape[0]
    pos = np.arange(n).reshape((n,) + (1,) * (s.ndim - 1))
    new_run = np.empty(s.shape, dtype=bool)
    new_run[:1] = True
    np.not_equal(s[1:], s[:-1], out=new_run[1:])
    start = np.where(new_run, pos, 0)
    np.maximum.accumulate(start, axis=0, out=start)
    r_sorted = start + 1.0
    r_sorted[np.isnan(s)] = np.nan
    out = np.empty_like(r_sorted)
    np.put_along_axis(out, order, r_sorted, axis=0)
    return out


def rank(x: np.ndarray) -> np.ndarray:
    """Rank of each unit, 1 = best (highest score); ties 1, 2, 2, 4; NaN unranked."""
    return rank_min(x, descending=True)


def rank_within_groups(x: np.ndarray, groups: Sequence) -> np.ndarray:
    """Rank inside each group (e.g. PAR ranks per block of units); NaN group = unranked."""
    x = np.asarray(x, dtype=float)
    g = np.asarray(groups, dtype=object)
    out = np.full(x.shape, np.nan)
    for label in dict.fromkeys(v for v in g if v is not None):
        sel = g == label
        out[sel] = rank_min(x[sel], descending=True)
    return out


def bands(scores: np.ndarray, spec: Sequence[Band] | Sequence[tuple[str, float | None]]) -> np.ndarray:
    """Label each score with the first band whose lower bound it reaches (A >= 90, B 80-<90, ...).

    Bands are tried from the highest lower bound down; a band without a bound catches the rest.
    Missing scores, and scores below every bound with no catch-all band, get None.
    """
    items = [b if isinstance(b, Band) else Band(str(b[0]), None if b[1] is None else float(b[1]))
             for b in spec]
    items.sort(key=lambda b: -np.inf if b.lower is None else b.lower, reverse=True)
    scores = np.asarray(scores, dtype=float)
    out = np.full(scores.shape, None, dtype=object)
    todo = ~np.isnan(scores)
    for b in items:
        hit = todo & (True if b.lower is None else scores >= b.lower)
        out[hit] = b.label
        todo &= ~hit
    return out


def quantile_bands(scores: np.ndarray, labels: Sequence[str]) -> np.ndarray:
    """Equal-frequency bands, best first: labels[0] for the top quantile group (e.g. PAPI's four groups).

    Cut points are R's default quantiles (type 7, numpy's 'linear'); a score on a cut point
    goes to the higher group.
    """
    scores = np.asarray(scores, dtype=float)
    k = len(labels)
    valid = scores[~np.isnan(scores)]
    cuts = np.quantile(valid, np.arange(k - 1, 0, -1) / k) if valid.size else np.array([])
    spec = [Band(labels[i], float(cuts[i])) for i in range(k - 1)] + [Band(labels[-1], None)]
    return bands(scores, spec)


@dataclass(frozen=True)
class StrengthsWeaknesses:
    """For one unit: its best and worst indicators by its rank among units (1 = best)."""

    unit: str
    strengths: tuple[tuple[str, int], ...]
    weaknesses: tuple[tuple[str, int], ...]


def strengths_weaknesses(X: np.ndarray, codes: Sequence[str], units: Sequence[str],
                         top_n: int = 5, bottom_n: int = 5, directions: np.ndarray | None = None,
                         min_discard: bool = True, unq_discard: float | None = None
                         ) -> list[StrengthsWeaknesses]:
    """COINr get_str_weak for every unit at once.

    Each unit's rank among units on each indicator (1 = best; multiply by `directions` first
    when X is raw data); indicators where the unit is missing are ignored; with `min_discard`
    those where the unit has the worst rank are dropped; with `unq_discard` indicators with a
    share of unique values at or below it are dropped. Strengths are the top_n best ranks,
    weaknesses the bottom_n worst (listed best to worst, as COINr), ties kept in column order.
    """
    X = np.asarray(X, dtype=float)
    if directions is not None:
        X = X * np.asarray(directions, dtype=float)
    R = rank_min(X, descending=True)
    keep_cols = np.ones(X.shape[1], dtype=bool)
    if unq_discard is not None:
        n_unique = np.array([np.unique(X[:, j]).size for j in range(X.shape[1])])  # NaN counts once, as R unique()
        keep_cols = n_unique / X.shape[0] > unq_discard
    valid = ~np.isnan(R) & keep_cols
    if min_discard:
        worst = np.fmax.reduce(R, axis=0)
        valid &= R != worst
    key = np.where(valid, R, np.inf)
    order = np.argsort(key, axis=1, kind="stable")
    n_valid = valid.sum(axis=1)
    out = []
    codes = list(codes)
    for i, u in enumerate(units):
        o = order[i, : n_valid[i]]
        s = o[:top_n]
        w = o[max(n_valid[i] - bottom_n, 0):]
        out.append(StrengthsWeaknesses(
            unit=u,
            strengths=tuple((codes[j], int(R[i, j])) for j in s),
            weaknesses=tuple((codes[j], int(R[i, j])) for j in w),
        ))
    return out


@dataclass(frozen=True)
class Change:
    """Scores and ranks of the same units in two periods; deltas are current - previous, and
    rank_gain = previous rank - current rank (positive = moved up)."""

    units: np.ndarray
    score: np.ndarray
    previous_score: np.ndarray
    score_delta: np.ndarray
    rank: np.ndarray
    previous_rank: np.ndarray
    rank_gain: np.ndarray


def change(units: Sequence[str], scores: np.ndarray, previous_units: Sequence[str],
           previous_scores: np.ndarray) -> Change:
    """Change against an earlier period, matching units by code. Ranks are taken within each
    period's own units; a unit absent from the earlier period gets NaN deltas."""
    units = np.asarray(units, dtype=object)
    scores = np.asarray(scores, dtype=float)
    previous_scores = np.asarray(previous_scores, dtype=float)
    prev_rank_all = rank(previous_scores)
    where = {u: i for i, u in enumerate(previous_units)}
    idx = np.array([where.get(u, -1) for u in units], dtype=np.intp)
    found = idx >= 0
    prev_s = np.where(found, previous_scores[idx], np.nan)
    prev_r = np.where(found, prev_rank_all[idx], np.nan)
    cur_r = rank(scores)
    return Change(units=units, score=scores, previous_score=prev_s, score_delta=scores - prev_s,
                  rank=cur_r, previous_rank=prev_r, rank_gain=prev_r - cur_r)
