"""Outlier treatment as COINr's Treat: skew/kurtosis check, winsorisation up to winmax, then log_CT.

All indicator columns are processed together: each round of the winsorisation loop works on
every column still failing, so the only Python loop is over rounds (at most winmax).
Definitions follow COINr 1.1 (R/treat.R) exactly:

- skew: e1071 type 2; kurt: e1071 type 2 (excess kurtosis), NaN ignored (na.rm = TRUE);
- check_SkewKurt passes when |skew| < skew_thresh OR kurt < kurt_thresh;
- winsorise: while failing and fewer than winmax points treated, if skew >= 0 set every
  maximum to the next highest value, else every minimum to the next lowest; the count is
  the number of points currently at the treated top plus at the treated bottom;
- if winsorisation still fails, log_CT = log(x - min + 0.01 (max - min)) is applied to the
  ORIGINAL column (COINr's combine_treat = FALSE), and kept whatever the final check says;
- whenever the check cannot be computed (NA in R, e.g. a constant column), COINr returns the
  column untreated, and so does this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from .errors import Message, StepError
from .normalise import col_mean

F1 = ("winsorise", "none")
F2 = ("log_CT", "log_CT_plus", "log_GII", "none")
DEFAULTS: dict[str, Any] = {"f1": "winsorise", "winmax": 5, "skew_thresh": 2.0, "kurt_thresh": 3.5,
                            "force_win": False, "f2": "log_CT", "combine_treat": False}


def skew(X: np.ndarray) -> Any:
    """COINr skew (e1071 type 2) of each column, NaN ignored; NaN with fewer than 3 values.
    A 1-D input gives a float."""
    if np.ndim(X) == 1:
        return float(skew(_as2d(X))[0])
    X = np.asarray(X, dtype=float)
    mask = np.isnan(X)
    n = (~mask).sum(axis=0).astype(float)
    d = np.where(mask, 0.0, X - col_mean(X))
    # R evaluates x^2 as x*x but x^3, x^4 and s^1.5 with pow(); numpy's ** does the same.
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = (d * d).sum(axis=0)
        y = np.sqrt(n) * (d ** 3).sum(axis=0) / s2 ** 1.5
        y = y * np.sqrt(n * (n - 1)) / (n - 2)
    return np.where(n < 3, np.nan, y)


def kurt(X: np.ndarray) -> Any:
    """COINr kurt (e1071 type 2, excess kurtosis) of each column; NaN with fewer than 4 values.
    A 1-D input gives a float."""
    if np.ndim(X) == 1:
        return float(kurt(_as2d(X))[0])
    X = np.asarray(X, dtype=float)
    mask = np.isnan(X)
    n = (~mask).sum(axis=0).astype(float)
    d = np.where(mask, 0.0, X - col_mean(X))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n * (d ** 4).sum(axis=0) / (d * d).sum(axis=0) ** 2
        y = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return np.where(n < 4, np.nan, y)


def check_skew_kurt(X: np.ndarray, skew_thresh: Any = 2.0, kurt_thresh: Any = 3.5) -> np.ndarray:
    """COINr check_SkewKurt per column with R's three-valued logic: 1 pass, 0 fail, NaN unknown."""
    X = _as2d(X)
    sk, kt = skew(X), kurt(X)
    with np.errstate(invalid="ignore"):
        a = np.abs(sk) < skew_thresh
        b = kt < kurt_thresh
    a_na, b_na = np.isnan(sk), np.isnan(kt)
    passed = (a & ~a_na) | (b & ~b_na)
    out = np.where(passed, 1.0, np.where(a_na | b_na, np.nan, 0.0))
    return out


def log_ct(X: np.ndarray) -> np.ndarray:
    """COINr log_CT: log(x - min(x) + 0.01*(max(x) - min(x))), NaN ignored."""
    mn, mx = np.fmin.reduce(X, axis=0), np.fmax.reduce(X, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log(X - mn + 0.01 * (mx - mn))


def log_ct_plus(X: np.ndarray) -> np.ndarray:
    """COINr log_CT_plus: log_CT for positive skew, -log(max + a - x) for negative skew."""
    mn, mx = np.fmin.reduce(X, axis=0), np.fmax.reduce(X, axis=0)
    a = 0.01 * (mx - mn)
    pos = skew(X) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pos, np.log(X - mn + a), -np.log(mx + a - X))


@dataclass(frozen=True)
class TreatReport:
    """What happened to each column: 'passed', 'winsorised', 'log_CT' (or f2 name), 'untreated'
    (check not computable), 'none' (excluded); nwin points winsorised; flags per cell."""

    codes: tuple[str, ...]
    status: tuple[str, ...]
    nwin: np.ndarray
    skew_before: np.ndarray
    kurt_before: np.ndarray
    skew_after: np.ndarray
    kurt_after: np.ndarray
    winsorised_high: np.ndarray  # bool, units x columns
    winsorised_low: np.ndarray

    def as_rows(self) -> list[dict[str, Any]]:
        return [{"iCode": c, "status": s, "nwin": int(w), "skew_before": sb, "kurt_before": kb,
                 "skew_after": sa, "kurt_after": ka}
                for c, s, w, sb, kb, sa, ka in zip(self.codes, self.status, self.nwin, self.skew_before,
                                                   self.kurt_before, self.skew_after, self.kurt_after)]


def winsorise(X: np.ndarray, winmax: Any = 5, skew_thresh: Any = 2.0, kurt_thresh: Any = 3.5,
              force_win: Any = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """COINr winsorise on every column of X at once (parameters scalar or one per column).

    Returns (X treated, nwin, error, high mask, low mask). `error` marks columns where R would
    stop (the skew or the check became NA inside the loop); Treat returns those untreated.
    """
    X = np.array(X, dtype=float, copy=True)
    k = X.shape[1]
    winmax = np.broadcast_to(np.asarray(np.inf if winmax is None else winmax, dtype=float), (k,))
    st = np.broadcast_to(np.asarray(skew_thresh, dtype=float), (k,))
    kt = np.broadcast_to(np.asarray(kurt_thresh, dtype=float), (k,))
    force = np.broadcast_to(np.asarray(force_win, dtype=bool), (k,))
    passing = check_skew_kurt(X, st, kt)
    nhi = np.zeros(k)
    nlo = np.zeros(k)
    hi_mask = np.zeros(X.shape, dtype=bool)
    lo_mask = np.zeros(X.shape, dtype=bool)
    error = np.zeros(k, dtype=bool)
    below = 0 < winmax
    # Columns enter the loop when failing (or forced): R's `if(!passing | force_win)`,
    # which stops with an error when the check is NA.
    error |= np.isnan(passing) & ~force
    active = ((passing == 0) | force) & below
    active &= ~error
    while active.any():
        cols = np.flatnonzero(active)
        Xa = X[:, cols]
        sk = skew(Xa)
        err = np.isnan(sk)
        high = sk >= 0
        # Each round treats every point tied at the current extreme (R: which(x == max(x))).
        mx = np.fmax.reduce(Xa, axis=0)
        mn = np.fmin.reduce(Xa, axis=0)
        at_max = Xa == mx
        at_min = Xa == mn
        with np.errstate(invalid="ignore"):
            next_hi = np.fmax.reduce(np.where(at_max, np.nan, Xa), axis=0)
            next_lo = np.fmin.reduce(np.where(at_min, np.nan, Xa), axis=0)
        # R's max() of an empty vector is -Inf (and min() +Inf).
        next_hi = np.where(np.isnan(next_hi), -np.inf, next_hi)
        next_lo = np.where(np.isnan(next_lo), np.inf, next_lo)
        do_hi = high & ~err
        do_lo = ~high & ~err
        Xa = np.where(at_max & do_hi, next_hi, Xa)
        Xa = np.where(at_min & do_lo, next_lo, Xa)
        X[:, cols] = Xa
        # R keeps only the latest imax / imin; they include all earlier treated points (now tied).
        hi_mask[:, cols[do_hi]] = at_max[:, do_hi]
        lo_mask[:, cols[do_lo]] = at_min[:, do_lo]
        nhi[cols[do_hi]] = at_max[:, do_hi].sum(axis=0)
        nlo[cols[do_lo]] = at_min[:, do_lo].sum(axis=0)
        error[cols[err]] = True
        nwin = nhi + nlo
        below = nwin < winmax
        p = check_skew_kurt(Xa, st[cols], kt[cols])
        passing[cols] = p
        go = ((p == 0) | force[cols]) & below[cols]
        stop_err = np.isnan(p) & ~force[cols] & below[cols]
        error[cols[stop_err]] = True
        active[:] = False
        active[cols] = go & ~stop_err & ~err
    return X, nhi + nlo, error, hi_mask, lo_mask


def treat(X: np.ndarray, codes: Sequence[str] | None = None,
          overrides: Mapping[str, Any] | None = None, **params: Any) -> tuple[np.ndarray, TreatReport]:
    """COINr Treat on every column of X (units x indicators).

    params: f1 ('winsorise' | 'none'), winmax, skew_thresh, kurt_thresh, force_win,
    f2 ('log_CT' | 'log_CT_plus' | 'none'), combine_treat. `overrides` maps an indicator code
    to 'none' (leave untreated) or to a dict of parameters replacing the global ones for it.
    """
    X = np.asarray(X, dtype=float)
    k = X.shape[1]
    codes = tuple(codes) if codes is not None else tuple(f"x{j + 1}" for j in range(k))
    unknown = [c for c in params if c not in DEFAULTS]
    if unknown:
        raise StepError(Message("treat.unknown_parameters", unknown=unknown))
    glob = {**DEFAULTS, **params}
    overrides = dict(overrides or {})
    bad = [c for c in overrides if c not in codes]
    if bad:
        raise StepError(Message("treat.unknown_indicators", codes=bad))
    spec = []
    for c in codes:
        o = overrides.get(c)
        if isinstance(o, str):
            if o != "none":
                raise StepError(Message("treat.override_not_mapping", code=c))
            spec.append(None)
        else:
            o = dict(o or {})
            unknown = [key for key in o if key not in DEFAULTS]
            if unknown:
                raise StepError(Message("treat.unknown_parameters_for", code=c, unknown=unknown))
            spec.append({**glob, **o})
    for s in spec:
        if s is not None and (s["f1"] not in F1 or s["f2"] not in F2):
            raise StepError(Message("treat.f1_f2", f1=str(F1), f2=str(F2)))

    def arr(key: str, dtype: Any = float) -> np.ndarray:
        """One value per column (the default for excluded columns); winmax None = no limit."""
        vals = []
        for s in spec:
            v = DEFAULTS[key] if s is None else s[key]
            vals.append(np.inf if v is None else v)
        return np.array(vals, dtype=dtype)

    excluded = np.array([s is None for s in spec], dtype=bool)
    st, kt = arr("skew_thresh"), arr("kurt_thresh")
    f1_win = np.array([s is not None and s["f1"] == "winsorise" for s in spec])
    f2 = np.array([s["f2"] if s is not None else "none" for s in spec], dtype=object)
    combine = np.array([s is not None and bool(s["combine_treat"]) for s in spec])

    skew0, kurt0 = skew(X), kurt(X)
    p0 = check_skew_kurt(X, st, kt)
    out = X.copy()
    status = np.array(["passed"] * k, dtype=object)
    status[excluded] = "none"
    status[np.isnan(p0) & ~excluded] = "untreated"
    nwin = np.zeros(k)
    hi = np.zeros(X.shape, dtype=bool)
    lo = np.zeros(X.shape, dtype=bool)

    fail = (p0 == 0) & ~excluded
    # Stage 1: winsorise the failing columns.
    x1 = X.copy()
    p1 = p0.copy()
    w_cols = np.flatnonzero(fail & f1_win)
    if w_cols.size:
        # force_win only matters here: COINr calls f1 only for columns failing the first check.
        xw, nw, err, h, l = winsorise(X[:, w_cols], arr("winmax")[w_cols], st[w_cols], kt[w_cols],
                                      arr("force_win", bool)[w_cols])
        x1[:, w_cols] = xw
        p1[w_cols] = check_skew_kurt(xw, st[w_cols], kt[w_cols])
        p1[w_cols[err]] = np.nan
        nwin[w_cols] = nw
        hi[:, w_cols] = h
        lo[:, w_cols] = l
    lost = fail & np.isnan(p1)
    status[lost] = "untreated"
    won = fail & (p1 == 1)
    out[:, won] = x1[:, won]
    status[won] = "winsorised"
    still = fail & (p1 == 0)
    no_f2 = still & (f2 == "none")
    out[:, no_f2] = x1[:, no_f2]
    status[no_f2 & (nwin > 0)] = "winsorised"
    status[no_f2 & (nwin == 0)] = "failed"
    for name, fn in (("log_CT", log_ct), ("log_CT_plus", log_ct_plus), ("log_GII", log_gii)):
        cols = np.flatnonzero(still & (f2 == name))
        if not cols.size:
            continue
        base = np.where(combine[cols], x1[:, cols], X[:, cols])
        x2 = fn(base)
        p2 = check_skew_kurt(x2, st[cols], kt[cols])
        ok = ~np.isnan(p2)
        out[:, cols[ok]] = x2[:, ok]
        status[cols[ok]] = name
        status[cols[~ok]] = "untreated"
        # The winsorised points are not kept when the log is taken of the original column.
        reset = cols[ok & ~combine[cols]]
        hi[:, reset] = False
        lo[:, reset] = False
        nwin[reset] = 0
    untreated = status == "untreated"
    out[:, untreated] = X[:, untreated]
    nwin[untreated] = 0
    hi[:, untreated] = False
    lo[:, untreated] = False
    report = TreatReport(codes=codes, status=tuple(status), nwin=nwin, skew_before=skew0, kurt_before=kurt0,
                         skew_after=skew(out), kurt_after=kurt(out), winsorised_high=hi, winsorised_low=lo)
    return out, report


def _as2d(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    return X[:, None] if X.ndim == 1 else X


def log_gii(X: np.ndarray) -> np.ndarray:
    """COINr log_GII (the Global Innovation Index's log): log((max - 1)(x - min)/(max - min) + 1)
    per column, NaN ignored: the range [min, max] goes to [0, log(max)]. Needs max > 1 (else
    NaN, as R gives for a log of a negative number)."""
    X = np.asarray(X, dtype=float)
    mn, mx = np.fmin.reduce(X, axis=0), np.fmax.reduce(X, axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log((mx - 1) * (X - mn) / (mx - mn) + 1)


def boxcox(X: np.ndarray, lmbda: float, makepos: bool = True) -> np.ndarray:
    """COINr boxcox(x, lambda, makepos = TRUE): (x^lambda - 1)/lambda, log(x) for lambda = 0, per
    column; with makepos each column is first shifted to start at 1 (x - min(x) + 1), NaN ignored."""
    X = np.asarray(X, dtype=float)
    if makepos:
        X = X - np.fmin.reduce(X, axis=0) + 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.log(X) if lmbda == 0 else (X ** lmbda - 1) / lmbda


def boxcox_lambda(x: np.ndarray, makepos: bool = True) -> float:
    """The Box-Cox lambda maximising the log-likelihood (scipy.stats.boxcox_normmax, method 'mle')
    of one column, shifted as `boxcox` shifts it; missing values ignored. COINr takes lambda
    as given; this finds one."""
    from scipy.stats import boxcox_normmax  # lazy: SciPy's stats take a quarter of a second to import

    x = np.asarray(x, dtype=float)
    x = x[~np.isnan(x)]
    if makepos:
        x = x - x.min() + 1
    return float(boxcox_normmax(x, method="mle"))
