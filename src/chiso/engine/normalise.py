"""Normalisation of indicator columns onto a common scale, as COINr's n_* functions.

Every function works column-wise on a 2-D array (units x indicators), ignoring NaN the
way COINr's `na.rm = TRUE` does, and returns a new array. Directions are applied before
(`X * direction`), exactly as COINr's Normalise.numeric does.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from .errors import Message, StepError
from .rank import rank_min


def _col_min(X: np.ndarray) -> np.ndarray:
    # fmin ignores NaN without the copy (and all-NaN warning) of np.nanmin.
    return np.fmin.reduce(X, axis=0)


def _col_max(X: np.ndarray) -> np.ndarray:
    return np.fmax.reduce(X, axis=0)


def col_mean(X: np.ndarray) -> np.ndarray:
    """Column means ignoring NaN, with R's second refinement pass (mean.default)."""
    mask = np.isnan(X)
    if mask.any():
        n = (~mask).sum(axis=0)
        X0 = np.where(mask, 0.0, X)
        with np.errstate(invalid="ignore", divide="ignore"):
            m = X0.sum(axis=0) / n
            return m + np.where(mask, 0.0, X - m).sum(axis=0) / n
    n = X.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        m = X.sum(axis=0) / n
        return m + (X - m).sum(axis=0) / n


def col_sd(X: np.ndarray, mean: np.ndarray | None = None) -> np.ndarray:
    """Sample standard deviation (R's sd, denominator n - 1) ignoring NaN."""
    m = col_mean(X) if mean is None else mean
    mask = np.isnan(X)
    d = np.where(mask, 0.0, X - m)
    n = (~mask).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt((d * d).sum(axis=0) / (n - 1))


def n_minmax(X: np.ndarray, l_u: Sequence[float] = (0, 100), _inplace: bool = False) -> np.ndarray:
    """COINr n_minmax: (x - min)/(max - min) * (u - l) + l. A constant column gives NaN."""
    lo, hi = float(l_u[0]), float(l_u[1])
    mn, mx = _col_min(X), _col_max(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        # In place on one array: same operations, in the same order, as COINr's formula.
        if _inplace:
            y = X
            y -= mn
        else:
            y = X - mn
        y /= mx - mn
        y *= hi - lo
        y += lo
        return y


def n_zscore(X: np.ndarray, m_sd: Sequence[float] = (0, 1)) -> np.ndarray:
    """COINr n_zscore: (x - mean)/sd * sd_target + mean_target, sd with n - 1."""
    m_target, sd_target = float(m_sd[0]), float(m_sd[1])
    if not sd_target > 0:
        raise StepError(Message("normalise.zscore_sd"))
    m = col_mean(X)
    sd = col_sd(X, m)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (X - m) / sd * sd_target + m_target


def n_scaled(X: np.ndarray, npara: Sequence[float] = (0, 100)) -> np.ndarray:
    """COINr n_scaled: (x - l)/(u - l) * 100, a fixed linear rescaling."""
    lo, hi = float(npara[0]), float(npara[1])
    return (X - lo) / (hi - lo) * 100


def n_dist2max(X: np.ndarray) -> np.ndarray:
    """COINr n_dist2max: 1 - (max - x)/(max - min)."""
    mn, mx = _col_min(X), _col_max(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1 - (mx - X) / (mx - mn)


def n_dist2ref(X: np.ndarray, iref: int, cap_max: bool = False) -> np.ndarray:
    """COINr n_dist2ref: 1 - (x_ref - x)/(x_ref - min), x_ref the value of row `iref` (0-based)."""
    mn = _col_min(X)
    xref = X[iref]
    with np.errstate(invalid="ignore", divide="ignore"):
        y = 1 - (xref - X) / (xref - mn)
    if cap_max:
        y = np.where(y > 1, 1.0, y)
    return y


def n_dist2targ(X: np.ndarray, targ: np.ndarray, cap_max: bool = False) -> np.ndarray:
    """COINr n_dist2targ (direction 1): (x - min)/(targ - min); targets already times Direction."""
    targ = np.asarray(targ, dtype=float)
    mn = _col_min(X)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = (X - mn) / (targ - mn)
    if cap_max:
        y = np.where(y > 1, 1.0, y)
    return y


def n_fracmax(X: np.ndarray) -> np.ndarray:
    """COINr n_fracmax: x / max."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return X / _col_max(X)


def n_rank(X: np.ndarray) -> np.ndarray:
    """COINr n_rank: rank(x, ties.method = "min"), higher value = higher rank; NaN kept."""
    return rank_min(X, descending=False)


def n_borda(X: np.ndarray) -> np.ndarray:
    """COINr n_borda: rank - 1."""
    return rank_min(X, descending=False) - 1


def n_prank(X: np.ndarray) -> np.ndarray:
    """COINr n_prank: (rank - 1)/(number of non-NaN values - 1)."""
    n = (~np.isnan(X)).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (rank_min(X, descending=False) - 1) / (n - 1)


def n_goalposts(X: np.ndarray, lower: np.ndarray, upper: np.ndarray, scale: float = 100,
                trunc2posts: bool = True) -> np.ndarray:
    """COINr n_goalposts: (x - GP_low)/(GP_high - GP_low), clipped to [0, 1], times `scale`.

    `lower`/`upper` are the posts for X as it arrives (already multiplied by Direction), i.e. for
    a Direction -1 indicator pass (-upper, -lower) as COINr's get_iMeta_norm_paras does.
    """
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = (X - lower) / (upper - lower)
    if trunc2posts:
        y = np.clip(y, 0.0, 1.0)  # NaN stays NaN
    return y * scale


METHODS = ("minmax", "zscore", "scaled", "dist2max", "dist2ref", "dist2targ", "fracmax",
           "rank", "prank", "borda", "goalposts", "none")
# Parameters each method reads; others in the spec are ignored (so a replay can switch method).
METHOD_PARAMS = {
    "minmax": ("l_u",), "zscore": ("m_sd",), "scaled": ("npara",), "dist2ref": ("ref", "cap_max"),
    "dist2targ": ("targets", "cap_max"), "goalposts": ("lower", "upper", "scale", "trunc2posts"),
}
DEFAULTS: dict[str, Any] = {"l_u": (0, 100), "m_sd": (0, 1), "npara": (0, 100), "cap_max": False,
                            "scale": 100, "trunc2posts": True}


def normalise_columns(X: np.ndarray, directions: np.ndarray | None, method: str = "minmax",
                      **params: Any) -> np.ndarray:
    """Normalise every column of X with one method. Column-specific parameters (targets,
    goalposts) are arrays with one entry per column, given in the indicator's own direction;
    they are multiplied by `directions` here as COINr does."""
    if method not in METHODS:
        raise StepError(Message("normalise.unknown_method", method=method, methods=list(METHODS)))
    d = None
    owned = False  # X is a fresh array this function may overwrite
    if directions is not None:
        d = np.asarray(directions, dtype=float)
        if (d != 1).any():
            X = X * d
            owned = True
    p = {**DEFAULTS, **params}
    if method == "minmax":
        return n_minmax(X, _pair(p["l_u"], "l_u"), _inplace=owned)
    if method == "zscore":
        return n_zscore(X, _pair(p["m_sd"], "m_sd"))
    if method == "scaled":
        return n_scaled(X, _pair(p["npara"], "npara"))
    if method == "dist2max":
        return n_dist2max(X)
    if method == "dist2ref":
        if "iref" not in p:
            raise StepError(Message("normalise.dist2ref_needs_ref"))
        return n_dist2ref(X, int(p["iref"]), bool(p["cap_max"]))
    if method == "dist2targ":
        targ = _column_param(p.get("targets"), X.shape[1], "targets")
        if np.isnan(targ).any():
            raise StepError(Message("normalise.dist2targ_no_target"))
        return n_dist2targ(X, targ if d is None else targ * d, bool(p["cap_max"]))
    if method == "fracmax":
        return n_fracmax(X)
    if method == "rank":
        return n_rank(X)
    if method == "prank":
        return n_prank(X)
    if method == "borda":
        return n_borda(X)
    if method == "goalposts":
        lo = _column_param(p.get("lower"), X.shape[1], "lower")
        hi = _column_param(p.get("upper"), X.shape[1], "upper")
        if np.isnan(lo).any() or np.isnan(hi).any():
            raise StepError(Message("normalise.goalposts_missing"))
        if d is not None:
            # COINr: for Direction -1 the posts become (-upper, -lower).
            lo, hi = np.where(d < 0, -hi, lo), np.where(d < 0, -lo, hi)
        return n_goalposts(X, lo, hi, float(p["scale"]), bool(p["trunc2posts"]))
    return X if d is not None and not np.all(d == 1) else X.copy()


def normalise(X: np.ndarray, directions: np.ndarray | None = None, method: str = "minmax",
              codes: Sequence[str] | None = None,
              overrides: Mapping[str, Mapping[str, Any]] | None = None,
              column_params: Mapping[str, np.ndarray] | None = None, **params: Any) -> np.ndarray:
    """Normalise X (units x indicators) with `method` and `params`.

    `overrides` maps an indicator code to its own {method, params} which, as COINr's
    indiv_specs, replaces the global specification for that column (it is not merged).
    `column_params` holds per-column arrays (targets, lower, upper goalposts) used by any
    method that needs them.
    """
    column_params = dict(column_params or {})
    if not overrides:
        return normalise_columns(X, directions, method, **column_params, **params)
    if codes is None:
        raise StepError(Message("normalise.overrides_need_codes"))
    codes = list(codes)
    unknown = [c for c in overrides if c not in codes]
    if unknown:
        raise StepError(Message("normalise.unknown_indicators", codes=unknown))
    out = np.empty(X.shape, dtype=float)
    d = np.ones(X.shape[1]) if directions is None else np.asarray(directions, dtype=float)
    # Columns sharing one specification are normalised together.
    groups: dict[str, tuple[dict[str, Any], list[int]]] = {}
    for j, c in enumerate(codes):
        spec = dict(overrides[c]) if c in overrides else {"method": method, **params}
        key = repr(sorted(spec.items(), key=lambda kv: kv[0]))
        groups.setdefault(key, (spec, []))[1].append(j)
    for spec, cols in groups.values():
        spec = dict(spec)
        m = spec.pop("method", "minmax")
        col_p = {k: np.asarray(v)[cols] for k, v in column_params.items()}
        out[:, cols] = normalise_columns(X[:, cols], d[cols], m, **col_p, **spec)
    return out


def _column_param(v: Any, n: int, name: str) -> np.ndarray:
    if v is None:
        raise StepError(Message("normalise.parameter_required", name=name))
    a = np.asarray(v, dtype=float)
    if a.ndim == 0:
        a = np.full(n, float(a))
    if a.shape != (n,):
        raise StepError(Message("normalise.one_per_indicator", name=name))
    return a


def _pair(v: Any, name: str) -> tuple[float, float]:
    try:
        a, b = v
        return float(a), float(b)
    except (TypeError, ValueError):
        raise StepError(Message("normalise.two_numbers", name=name)) from None
