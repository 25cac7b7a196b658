"""Unit data (COINr's iData): a values matrix with unit codes, names and unit metadata columns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .errors import FrameworkError
from .framework import MISSING_TEXT, Framework

NOT_APPLICABLE_TEXT = ("N/A",)


@dataclass(frozen=True, eq=False)
class Dataset:
    """One data set: `values[i, j]` is unit `units[i]` on column `codes[j]`.

    Steps return new Datasets and share any array they did not change, so keeping every
    step's Dataset costs no copies. `meta` holds unit columns: groups, denominators, Time.
    """

    units: np.ndarray
    names: np.ndarray
    codes: tuple[str, ...]
    values: np.ndarray
    meta: Mapping[str, np.ndarray] = field(default_factory=dict)
    # True where a cell was marked "N/A" (not applicable), for points frameworks.
    not_applicable: np.ndarray | None = None

    @property
    def n_units(self) -> int:
        return self.values.shape[0]

    def column(self, code: str) -> np.ndarray:
        return self.values[:, self.codes.index(code)]

    def columns(self, codes: Sequence[str]) -> np.ndarray:
        if tuple(codes) == self.codes:
            return self.values
        idx = [self.codes.index(c) for c in codes]
        return self.values[:, idx]

    def with_values(self, values: np.ndarray, codes: Sequence[str] | None = None) -> "Dataset":
        na = self.not_applicable if codes is None else None
        return replace(self, values=values, codes=self.codes if codes is None else tuple(codes),
                       not_applicable=na)

    def take_units(self, keep: np.ndarray) -> "Dataset":
        """Rows where `keep` is True (boolean mask) or at the given positions."""
        return Dataset(
            units=self.units[keep],
            names=self.names[keep],
            codes=self.codes,
            values=self.values[keep],
            meta={k: v[keep] for k, v in self.meta.items()},
            not_applicable=None if self.not_applicable is None else self.not_applicable[keep],
        )

    @property
    def time(self) -> np.ndarray | None:
        return self.meta.get("Time")

    @classmethod
    def from_rows(cls, columns: Sequence[str], rows: Iterable[Sequence[Any]], framework: Framework,
                  source: str = "iData", first_row: int = 2) -> "Dataset":
        """Read iData rows (lists aligned with `columns`), checked against the framework.

        Empty and "NA" cells are missing; "N/A" marks a not-applicable item (points frameworks).
        """
        columns = [str(c).strip() for c in columns]
        problems = framework.data_problems(columns)
        rows = [list(r) for r in rows]
        # Blank lines at the end of a sheet are not units.
        rows = [r for r in rows if any(not _blank(v) for v in r)]
        n = len(rows)
        pos = {c: i for i, c in enumerate(columns)}

        def col(name):
            i = pos[name]
            return [r[i] if i < len(r) else None for r in rows]

        if "uCode" in pos:
            units = np.array([_cell_text(v) for v in col("uCode")], dtype=object)
        else:
            units = np.array([f"U{i + 1}" for i in range(n)], dtype=object)
        names = np.array([_cell_text(v) or "" for v in col("uName")], dtype=object) if "uName" in pos \
            else np.array([""] * n, dtype=object)

        def numbers(name: str, allow_na_marker: bool = False):
            out = np.empty(n)
            na = np.zeros(n, dtype=bool)
            for i, v in enumerate(col(name)):
                if _blank(v):
                    out[i] = np.nan
                elif allow_na_marker and isinstance(v, str) and v.strip().upper() in NOT_APPLICABLE_TEXT:
                    out[i] = np.nan
                    na[i] = True
                else:
                    try:
                        out[i] = float(v) if not isinstance(v, str) else float(v.strip())
                    except (TypeError, ValueError):
                        problems.append(f"row {first_row + i}, column '{name}': {v!r} is not a number")
                        out[i] = np.nan
            return out, na

        codes = tuple(c for c in framework.indicators if c in pos)
        values = np.empty((n, len(codes)))
        not_applicable = np.zeros((n, len(codes)), dtype=bool)
        for j, c in enumerate(codes):
            values[:, j], not_applicable[:, j] = numbers(c, allow_na_marker=True)

        meta: dict[str, np.ndarray] = {}
        for c in columns:
            node = framework[c] if c in framework else None
            if c == "Time" or (node is not None and node.type == "Denominator"):
                meta[c] = numbers(c)[0]
            elif node is not None and node.type in ("Group", "Other"):
                meta[c] = np.array([_cell_text(v) for v in col(c)], dtype=object)

        for i, u in enumerate(units):
            if u is None:
                problems.append(f"row {first_row + i}: missing uCode")
        keys = list(zip(units, meta["Time"])) if "Time" in meta else list(units)
        seen: dict[Any, int] = {}
        for i, k in enumerate(keys):
            if k in seen:
                what = f"unit '{k[0]}' at Time {_fmt_time(k[1])}" if isinstance(k, tuple) else f"uCode '{k}'"
                problems.append(f"row {first_row + i}: duplicate {what} "
                                f"(first at row {first_row + seen[k]})")
            else:
                seen[k] = i
        if problems:
            raise FrameworkError(problems, source)
        return cls(units=units, names=names, codes=codes, values=values, meta=meta,
                   not_applicable=not_applicable if not_applicable.any() else None)

    @classmethod
    def from_arrays(cls, units: Sequence[str], values: np.ndarray, codes: Sequence[str],
                    names: Sequence[str] | None = None, meta: Mapping[str, Any] | None = None) -> "Dataset":
        units = np.asarray(units, dtype=object)
        return cls(units=units,
                   names=np.asarray(names if names is not None else [""] * len(units), dtype=object),
                   codes=tuple(codes),
                   values=np.asarray(values, dtype=float),
                   meta={k: np.asarray(v) for k, v in (meta or {}).items()})

    def to_rows(self, framework: Framework | None = None) -> tuple[list[str], list[list[Any]]]:
        """iData columns and rows: uName, uCode, unit metadata, then the value columns."""
        meta_cols = list(self.meta)
        header = ["uName", "uCode", *meta_cols, *self.codes]
        rows = []
        for i in range(self.n_units):
            row: list[Any] = [self.names[i], self.units[i]]
            row.extend(self.meta[c][i] for c in meta_cols)
            vals = self.values[i]
            for j in range(len(self.codes)):
                if self.not_applicable is not None and self.not_applicable[i, j]:
                    row.append("N/A")
                else:
                    row.append(vals[j])
            rows.append(row)
        return header, rows


def _blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip() in MISSING_TEXT


def _cell_text(v: Any) -> str | None:
    if _blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def _fmt_time(t: float) -> str:
    return str(int(t)) if float(t).is_integer() else str(t)
