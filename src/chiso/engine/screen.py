"""Screening of units by data availability and zeros, as COINr's Screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from .errors import Message, StepError

# COINr 1.x names, and the older/short names also accepted.
UNIT_SCREEN = {"byNA": "byNA", "byzeros": "byzeros", "byNZ": "byzeros",
               "byNAandzeros": "byNAandzeros", "byBoth": "byNAandzeros", "none": "none"}


@dataclass(frozen=True)
class ScreenResult:
    keep: np.ndarray  # bool per unit
    dat_avail: np.ndarray  # share of indicators with data
    non_zero: np.ndarray  # share of available values that are not zero
    low_data: np.ndarray
    low_nonzero: np.ndarray


def screen(X: np.ndarray, dat_thresh: float = 2 / 3, nonzero_thresh: float = 0.05,
           unit_screen: str = "byNA", force: Mapping[str, bool] | None = None,
           units: Sequence[str] | None = None) -> ScreenResult:
    """Which units to keep (COINr Screen): a unit is dropped when its data availability is below
    `dat_thresh` (byNA), its share of non-zero values below `nonzero_thresh` (byzeros), or
    either (byNAandzeros). `force` = {uCode: True/False} includes or excludes regardless."""
    if unit_screen not in UNIT_SCREEN:
        raise StepError(Message("screen.unknown_unit_screen", value=unit_screen, allowed=list(UNIT_SCREEN)))
    if not (0 <= dat_thresh <= 1 and 0 <= nonzero_thresh <= 1):
        raise StepError(Message("screen.thresholds"))
    mode = UNIT_SCREEN[unit_screen]
    k = X.shape[1]
    n_missing = np.isnan(X).sum(axis=1)
    n_zero = (X == 0).sum(axis=1)
    # Same arithmetic as COINr's get_data_avail, so threshold ties fall the same way.
    dat_avail = 1 - n_missing / k
    with np.errstate(invalid="ignore", divide="ignore"):
        non_zero = 1 - n_zero / (k - n_missing)
    low_data = dat_avail < dat_thresh
    low_nonzero = non_zero < nonzero_thresh
    if mode == "byNA":
        keep = ~low_data
    elif mode == "byzeros":
        keep = ~low_nonzero
    elif mode == "byNAandzeros":
        keep = ~(low_data | low_nonzero)
    else:
        keep = np.ones(X.shape[0], dtype=bool)
    if force:
        if units is None:
            raise StepError(Message("screen.force_needs_units"))
        where = {u: i for i, u in enumerate(units)}
        unknown = [u for u in force if u not in where]
        if unknown:
            raise StepError(Message("screen.forced_not_in_data", units=unknown))
        for u, include in force.items():
            keep[where[u]] = bool(include)
    return ScreenResult(keep=keep, dat_avail=dat_avail, non_zero=non_zero,
                        low_data=low_data, low_nonzero=low_nonzero)
