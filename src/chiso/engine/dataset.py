"""Unit data (COINr's iData): a values matrix with unit codes, names and unit metadata columns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .errors import FrameworkError, Message, at, where_row
from .framework import MISSING_TEXT, Framework, all_texts, column_cells
from .ingest import _block_numbers, read_header, read_table

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
        # Built directly rather than by dataclasses.replace, which looks the fields up on every call.
        return Dataset(units=self.units, names=self.names, codes=self.codes if codes is None else tuple(codes),
                       values=values, meta=self.meta, not_applicable=self.not_applicable if codes is None else None)

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
        The cells are converted column-wise: Python looks only at cells that are not plain numbers.
        """
        columns = [str(c).strip() for c in columns]
        plan = ColumnPlan(framework, columns)
        cells = _cell_matrix(rows, len(columns))
        pos = plan.position
        n = cells.shape[0]

        numbers, na, bad = _numbers(cells[:, [pos[c] for c in plan.number_columns]],
                                    plan.number_columns, plan.na_columns)
        k = len(plan.codes)
        return plan.dataset(n, {c: _texts(cells[:, pos[c]].tolist()) for c in plan.text_columns},
                            np.ascontiguousarray(numbers[:, :k]), numbers[:, k:],
                            None if na is None else na[:, :k], bad, source, first_row)

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any], framework: Framework, source: str = "iData",
                     first_row: int = 2) -> "Dataset":
        """iData as a data frame holds it: column name -> column (a NumPy array, a list, a pandas
        Series; a pandas DataFrame is such a mapping), checked against the framework by the rules of
        from_rows, with the same problems, codes and messages. `first_row` numbers the units in
        them as in a file whose first line is the header.

        A column of numbers (a numeric NumPy dtype: what a data frame's number column gives) goes
        into the values matrix as it is, NaN missing; any other number column (text, None, "NA",
        "N/A", objects) is read cell by cell as from_rows reads it. Text columns are read as
        from_rows reads them (None and NaN missing). A row whose every cell is missing is dropped,
        as a blank line of a file is.
        """
        names = list(columns)
        plan = ColumnPlan(framework, names)
        raw = {c: columns[key] for c, key in zip(plan.columns, names)}  # the last of a name, as from_rows
        arrays = list(map(raw.__getitem__, plan.number_columns))
        plain = _number_vectors(arrays)  # as a data frame's number columns are: taken as they are
        numbers = dict(zip(plan.number_columns, arrays if plain else map(_number_array, arrays)))
        texts = {c: _texts(column_cells(raw[c])) for c in plan.text_columns}
        # Columns the plan does not read (a valid frame has none): looked at for blank rows only.
        unread = {c: _number_array(col) for c, col in raw.items() if c not in numbers and c not in texts}
        parts = (numbers, texts, unread)
        lengths = {len(col) for part in parts for col in part.values()}
        if len(lengths) > 1:
            raise ValueError("columns of different lengths: "
                             + ", ".join(f"{c} {len(col)}" for part in parts for c, col in part.items()))
        n = lengths.pop() if lengths else 0
        # A row whose every cell is blank is no unit (from_rows drops it too): only a row without a
        # uCode can be one.
        candidates = [i for i, t in enumerate(texts["uCode"]) if t is None] if "uCode" in texts else range(n)
        if candidates:
            blank = np.asarray(candidates, dtype=np.intp)
            for c, col in texts.items():
                blank = blank[np.fromiter((col[i] is None for i in blank.tolist()), dtype=bool, count=blank.size)]
            for a in (*numbers.values(), *unread.values()):
                cells = a[blank]
                kind = cells.dtype.kind
                blank = blank[np.isnan(cells) if kind == "f" else np.zeros(cells.shape, dtype=bool) if kind in "iub"
                              else np.fromiter(map(_blank, cells.tolist()), dtype=bool, count=cells.shape[0])]
            if blank.size:
                kept = np.ones(n, dtype=bool)
                kept[blank] = False
                numbers = {c: a[kept] for c, a in numbers.items()}
                texts = {c: [t for t, keep in zip(col, kept.tolist()) if keep] for c, col in texts.items()}
                n = int(kept.sum())
        k = len(plan.codes)
        numbers = list(numbers.values())
        others = [] if plain else [j for j, a in enumerate(numbers) if a.dtype.kind not in "fiub"]
        # Number columns stacked by one NumPy call (a row of `block` per column), then transposed.
        block = _stacked([np.empty(n) if j in others else a for j, a in enumerate(numbers)] if others else numbers, n)
        na: np.ndarray | None = None
        bad: list[tuple[int, str, str]] = []
        if others:
            # Text, None or other objects among the numbers: the cells as from_rows reads them.
            object_columns = [plan.number_columns[j] for j in others]
            cells = np.empty((n, len(others)), dtype=object)
            for i, j in enumerate(others):
                cells[:, i] = numbers[j]
            values, marks, bad = _numbers(cells, object_columns, plan.na_columns)
            block[others] = values.T
            if marks is not None:
                na = np.zeros((n, k), dtype=bool)
                for i, j in enumerate(others):
                    if j < k:
                        na[:, j] = marks[:, i]
        return plan.dataset(n, texts, np.ascontiguousarray(block[:k].T), block[k:].T, na, bad, source, first_row)

    @classmethod
    def read_csv(cls, path: str | Path, framework: Framework, source: str | None = None,
                 first_row: int = 2, spare_columns: int = 0, processes: int = 1) -> "Dataset":
        """An iData CSV file read column-wise by chiso.engine.ingest (the same rules as from_rows).

        `spare_columns` > 0: the values matrix is allocated that much wider and `values` is a view
        of its indicator columns (see ingest.read_table), for IndexBuild(in_place=True).
        `processes` > 1: a large file is read by two processes (forked: for a single-threaded
        caller only, see ingest.read_table).
        """
        source = str(path) if source is None else source
        plan = ColumnPlan(framework, read_header(path))
        table = read_table(path, plan.number_columns, plan.na_columns, plan.text_columns, n_main=len(plan.codes),
                           spare=spare_columns, processes=processes)
        return plan.dataset(table.n_rows, table.text, table.numbers, table.extra, table.not_applicable,
                            table.bad, source, first_row)

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


class ColumnPlan:
    """Which iData columns are read how: indicators (framework order) and numeric unit columns
    (Time, denominators) as numbers, uCode, uName, groups and other unit columns as text."""

    def __init__(self, framework: Framework, columns: Sequence[str]):
        self.framework = framework
        self.columns = [str(c).strip() for c in columns]
        self.position = {c: i for i, c in enumerate(self.columns)}
        self.problems = framework.data_problems(self.columns)
        indicators = framework.indicators
        # Every indicator has its column, as it must (checked in C): the framework's own tuple.
        self.codes = indicators if all(map(self.position.__contains__, indicators)) \
            else tuple(c for c in indicators if c in self.position)
        self.meta_numbers: list[str] = []
        self.meta_texts: list[str] = []
        self.meta_order: list[str] = []
        for c, type_ in zip(self.columns, map(framework.node_types.get, self.columns)):
            if type_ == "Indicator":
                continue
            if c == "Time" or type_ == "Denominator":
                self.meta_numbers.append(c)
                self.meta_order.append(c)
            elif type_ in ("Group", "Other"):
                self.meta_texts.append(c)
                self.meta_order.append(c)
        self.meta_numbers = list(dict.fromkeys(self.meta_numbers))
        self.meta_texts = list(dict.fromkeys(self.meta_texts))
        self.meta_order = list(dict.fromkeys(self.meta_order))
        self.number_columns = (*self.codes, *self.meta_numbers)
        self.na_columns = self.codes
        self.text_columns = tuple(dict.fromkeys(
            [c for c in ("uCode", "uName") if c in self.position] + self.meta_texts))

    def dataset(self, n: int, texts: Mapping[str, list], values: np.ndarray, extra: np.ndarray,
                not_applicable: np.ndarray | None, bad: Sequence[tuple[int, str, str]], source: str,
                first_row: int) -> "Dataset":
        """The Dataset, or every problem found (the framework's, the cells', missing and duplicate units)."""
        problems = list(self.problems)
        order = {c: i for i, c in enumerate(self.number_columns)} if bad else {}
        for i, c, v in sorted(bad, key=lambda b: (order[b[1]], b[0])):
            problems.append(Message("at", where=Message("where.row_column", row=first_row + i, column=c),
                                    problem=Message("data.not_a_number", value=v)))
        if "uCode" in texts:
            units = np.array(texts["uCode"], dtype=object) if n else np.empty(0, dtype=object)
        else:
            units = np.array([f"U{i + 1}" for i in range(n)], dtype=object)
        names = np.array([t or "" for t in texts["uName"]], dtype=object) if "uName" in texts \
            else np.array([""] * n, dtype=object)
        meta: dict[str, np.ndarray] = {}
        k = len(self.meta_numbers)
        number_column = {c: j for j, c in enumerate(self.meta_numbers)}
        for c in self.meta_order:
            if c in number_column:
                meta[c] = np.ascontiguousarray(extra[:, number_column[c]]) if k else np.empty(n)
            else:
                meta[c] = np.array(texts[c], dtype=object) if n else np.empty(0, dtype=object)
        if "uCode" in texts and None in texts["uCode"]:  # (the units U1, U2... made up otherwise are never None)
            for i in np.flatnonzero(units == None).tolist():  # noqa: E711 - elementwise
                problems.append(at(where_row(first_row + i), "data.missing_ucode"))
        # The (unit, Time) pairs are made only when a unit repeats (panel data): unique units make unique pairs.
        keys = units.tolist()
        if "Time" in meta and len(set(keys)) < len(keys):
            keys = list(zip(keys, meta["Time"].tolist()))
        if len(set(keys)) < len(keys):
            seen: dict[Any, int] = {}
            for i, key in enumerate(keys):
                if key in seen:
                    first = first_row + seen[key]
                    problems.append(at(where_row(first_row + i), "data.duplicate_unit_time", unit=key[0],
                                       time=_fmt_time(key[1]), first=first) if isinstance(key, tuple)
                                    else at(where_row(first_row + i), "data.duplicate_unit", unit=key, first=first))
                else:
                    seen[key] = i
        if problems:
            raise FrameworkError(problems, source)
        na = not_applicable if not_applicable is not None and not_applicable.any() else None
        return Dataset(units=units, names=names, codes=self.codes, values=values, meta=meta, not_applicable=na)


def _cell_matrix(rows: Iterable[Sequence[Any]], width: int) -> np.ndarray:
    """The cells as an object matrix (rows x at least `width`), ragged rows padded with None,
    rows whose every cell is blank dropped (blank lines at the end of a sheet are not units)."""
    rows = rows if isinstance(rows, list) else list(rows)
    # A row's cells are looked at until one holds a value: nearly always its first (uCode or
    # uName), so this is one check a row, not one a cell.
    keep = [_has_value(r) for r in rows]
    if not all(keep):
        rows = [r for r, k in zip(rows, keep) if k]
    if not rows:
        return np.empty((0, width), dtype=object)
    widths = set(map(len, rows))
    w = max(max(widths), width)
    cells = None
    if len(widths) == 1 and w == next(iter(widths)):
        try:
            cells = np.array(rows, dtype=object)
        except ValueError:
            cells = None
        if cells is not None and cells.shape != (len(rows), w):
            cells = None
    if cells is None:
        cells = np.full((len(rows), w), None, dtype=object)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                cells[i, j] = v
    return cells


def _stacked(columns: list[np.ndarray], n: int) -> np.ndarray:
    """Columns of n numbers each as the rows of one float matrix (np.concatenate takes about half
    the time of np.array on a list of arrays)."""
    if not columns:
        return np.empty((0, n))
    return np.concatenate(columns, dtype=float, casting="unsafe").reshape(len(columns), n)


def _number_vectors(columns: list[Any]) -> bool:
    """Whether every column is a 1-D NumPy array of numbers, which _number_array returns as it is:
    three passes in C rather than a call for each column."""
    return (set(map(type, columns)) == _NDARRAY and set(map(_ndim, columns)) == _ONE
            and all(dtype.kind in "fiub" for dtype in set(map(_dtype, columns))))


_NDARRAY, _ONE = {np.ndarray}, {1}
_ndim, _dtype = attrgetter("ndim"), attrgetter("dtype")


def _number_array(column: Any) -> np.ndarray:
    """A number column as a 1-D array: a numeric one as it is (a data frame's number column),
    anything else as an array of the Python objects it holds (read as from_rows reads cells)."""
    a = column if type(column) is np.ndarray else np.asarray(column)
    if a.dtype.kind not in "fiub":
        a = np.array(column_cells(column), dtype=object)
    if a.ndim != 1:
        raise ValueError(f"a column must be one-dimensional, not of shape {a.shape}")
    return a


def _texts(cells: list[Any]) -> list[str | None]:
    """Text cells as from_rows reads them: stripped, None when blank or "NA"."""
    texts = all_texts(cells)
    if texts is not None:
        return texts
    try:
        return [None if (t := v.strip()) in MISSING_TEXT else t for v in cells]
    except AttributeError:  # not all text (XLSX, YAML, data frames): numbers, None, NaN
        return [_cell_text(v) for v in cells]


def _has_value(row: Sequence[Any]) -> bool:
    for v in row:
        if not _blank(v):
            return True
    return False


def _numbers(cells: np.ndarray, names: Sequence[str], na_columns: Sequence[str]):
    """Numbers from an object matrix of cells: (values, not-applicable marks or None, bad cells).

    Cells that are all text go through the byte parser of chiso.engine.ingest (the CSV reader's
    own rules); other cells (numbers from XLSX or YAML) through NumPy's conversion, column by
    column, and Python only for the cells it refuses.
    """
    n, m = cells.shape
    na_set = set(na_columns)
    allow_na = np.array([c in na_set for c in names], dtype=bool)
    if n == 0 or m == 0:
        return np.empty((n, m)), None, []
    joined = None
    if n * m >= 20000:
        flat = cells.ravel().tolist()
        try:
            joined = ",".join(flat)
        except TypeError:
            pass
    # Small tables: NumPy's own conversion (float() on each cell, in C) costs less than the
    # byte parser's fixed number of passes.
    if joined is not None and n * m >= 20000 and joined.isascii() and '"' not in joined and "\n" not in joined:
        block = (joined + "\n").encode("ascii")
        u = np.frombuffer(block, dtype=np.uint8)
        lengths = np.fromiter(map(len, flat), dtype=np.intp, count=n * m)
        starts = np.empty(n * m, dtype=np.intp)
        starts[0] = 0
        np.cumsum(lengths[:-1] + 1, out=starts[1:])
        ends = starts + lengths
        values, na, _, bad = _block_numbers(block, u, starts.reshape(n, m), ends.reshape(n, m), allow_na, names)
        return values, (na if na.any() else None), bad
    blank = (cells == "") | (cells == "NA") | (cells == None)  # noqa: E711 - elementwise
    filled = np.where(blank, np.nan, cells)
    try:
        return filled.astype(float), None, []
    except (TypeError, ValueError):
        pass
    values = np.empty((n, m))
    na = np.zeros((n, m), dtype=bool)
    bad = []
    for j in range(m):
        col = cells[:, j]
        try:
            values[:, j] = filled[:, j].astype(float)
            continue
        except (TypeError, ValueError):
            pass
        for i, v in enumerate(col.tolist()):
            if _blank(v):
                values[i, j] = np.nan
            elif allow_na[j] and isinstance(v, str) and v.strip().upper() in NOT_APPLICABLE_TEXT:
                values[i, j] = np.nan
                na[i, j] = True
            else:
                try:
                    values[i, j] = float(v) if not isinstance(v, str) else float(v.strip())
                except (TypeError, ValueError):
                    bad.append((i, names[j], v))
                    values[i, j] = np.nan
    return values, (na if na.any() else None), bad


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
