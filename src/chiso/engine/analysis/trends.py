"""Trends over time periods: compound annual growth rate and slope (COINr's get_trends, CAGR)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np


def cagr(y: Sequence[float], x: Sequence[float]) -> float:
    """Compound annual growth rate (COINr `CAGR(y, x)`): (y_last / y_first)^(1/(x_last - x_first)) - 1,
    over the points where y is present, in order of x. Fewer than two points give NaN."""
    y, x = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
    ok = ~np.isnan(y) & ~np.isnan(x)
    y, x = y[ok], x[ok]
    if y.size < 2:
        return float("nan")
    order = np.argsort(x, kind="stable")
    y, x = y[order], x[order]
    if x[-1] == x[0]:
        return float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        return float((y[-1] / y[0]) ** (1.0 / (x[-1] - x[0])) - 1)


def slope(y: Sequence[float], x: Sequence[float]) -> float:
    """Least-squares slope of y on x over the points where both are present (NaN below 2 points)."""
    y, x = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
    ok = ~np.isnan(y) & ~np.isnan(x)
    y, x = y[ok], x[ok]
    if y.size < 2 or np.ptp(x) == 0:
        return float("nan")
    xc = x - x.mean()
    return float(np.dot(xc, y - y.mean()) / np.dot(xc, xc))


TREND_FUNCTIONS = {"CAGR": cagr, "slope": slope}


@dataclass(frozen=True)
class Trends:
    """One row per unit: its trend on each column, first and latest time used, points used."""

    units: np.ndarray
    codes: tuple[str, ...]
    trend: np.ndarray  # units x codes
    t_first: np.ndarray
    t_latest: np.ndarray
    n_points: np.ndarray

    def rows(self) -> list[dict]:
        out = []
        for i, u in enumerate(self.units):
            for j, c in enumerate(self.codes):
                out.append({"uCode": u, "iCode": c, "t_first": self.t_first[i, j], "t_latest": self.t_latest[i, j],
                            "n_points": int(self.n_points[i, j]), "trend": self.trend[i, j]})
        return out


def get_trends(values: np.ndarray, units: Sequence[str], time: Sequence[float], codes: Sequence[str],
               f_trend: str = "CAGR", use_latest: int | None = None) -> Trends:
    """Trend of every unit on every column of panel data (rows = (unit, time) pairs).

    COINr: `get_trends(purse, dset, uCodes, iCodes, use_latest = NULL, f_trend = "CAGR")`. For
    each unit and column, the points where the value is present, optionally only the latest
    `use_latest` time points of the panel, go to `f_trend` ("CAGR" or "slope").
    """
    if f_trend not in TREND_FUNCTIONS:
        raise ValueError(f"f_trend must be one of {', '.join(TREND_FUNCTIONS)}")
    fn = TREND_FUNCTIONS[f_trend]
    values = np.asarray(values, dtype=float)
    units = np.asarray(units, dtype=object)
    time = np.asarray(time, dtype=float)
    times = np.unique(time[~np.isnan(time)])
    if use_latest is not None:
        keep = np.isin(time, times[-int(use_latest):])
        values, units, time = values[keep], units[keep], time[keep]
    ulist = list(dict.fromkeys(units.tolist()))
    k = values.shape[1]
    tr = np.full((len(ulist), k), np.nan)
    t0 = np.full((len(ulist), k), np.nan)
    t1 = np.full((len(ulist), k), np.nan)
    npts = np.zeros((len(ulist), k), dtype=int)
    for i, u in enumerate(ulist):
        rows = units == u
        x = time[rows]
        for j in range(k):
            y = values[rows, j]
            ok = ~np.isnan(y) & ~np.isnan(x)
            npts[i, j] = int(ok.sum())
            if ok.any():
                t0[i, j], t1[i, j] = x[ok].min(), x[ok].max()
            tr[i, j] = fn(y, x)
    return Trends(units=np.array(ulist, dtype=object), codes=tuple(codes), trend=tr, t_first=t0, t_latest=t1,
                  n_points=npts)
