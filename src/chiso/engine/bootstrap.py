"""Sampling uncertainty: bootstrap over respondents within each rated unit (and stratum).

A survey-based index (PCI, DDCI, PAPI, SIPAS) rates each unit by the answers of a sample of
respondents; a department rated by 35 businesses has a score known only to within the
sampling error of those 35 answers. The bootstrap redraws, R times, each unit's respondents
with replacement (within each stratum where the survey was stratified), recomputes the
indicators from the redrawn answers and the whole index with the build's own recipe, and
reports per unit the score's interval and the rank interval (5th to 95th percentile rank).
Units whose rank intervals overlap cannot be told apart.

Vectorised: a chunk of replications is one array (R, respondents, items); indicators are
computed for all of them at once and the build's steps replayed on (R, units, indicators)
by `batched.run_batched`.

    table = RespondentTable.from_arrays(unit=codes, values=answers, items=("q1", "q2", ...))
    res = bootstrap(build, table, n=1000, seed=1)
    res.table()          # uCode, Score, Score_low, Score_high, Rank, Rank_low, Rank_median, Rank_high, ...
    res.groups           # units that cannot be told apart
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from .batched import run_batched
from .build import IndexBuild
from .errors import FrameworkError, Message, StepError
from .rank import rank_min
from .uncertainty import _quiet

#: Replications x respondents x items held at once (8 bytes each): ~64 MB.
CHUNK_CELLS = 8_000_000


@dataclass(frozen=True, eq=False)
class RespondentTable:
    """Answers of respondents: one row per respondent, the rated unit of each row, optional stratum.

    Rows are kept sorted by unit (in order of first appearance) and stratum, so that each unit's
    respondents, and each (unit, stratum) cell's, are consecutive rows.
    """

    unit: np.ndarray            # (rows,) unit code of each respondent
    values: np.ndarray          # (rows, items), NaN = no answer
    items: tuple[str, ...]
    stratum: np.ndarray | None = None
    units: tuple[str, ...] = ()           # distinct units, in row order
    unit_start: np.ndarray = field(default=None, repr=False)   # first row of each unit
    unit_size: np.ndarray = field(default=None, repr=False)
    cell_start: np.ndarray = field(default=None, repr=False)   # per row: first row of its cell
    cell_size: np.ndarray = field(default=None, repr=False)    # per row: rows in its cell

    @classmethod
    def from_arrays(cls, unit: Sequence[Any], values: Any, items: Sequence[str],
                    stratum: Sequence[Any] | None = None) -> "RespondentTable":
        unit = np.asarray([str(u) for u in unit], dtype=object)
        values = np.asarray(values, dtype=float)
        if values.ndim != 2 or values.shape != (len(unit), len(items)):
            raise StepError(Message("respondents.shape", rows=len(unit), items=len(items), shape=str(values.shape)))
        if len(set(items)) != len(items):
            raise StepError(Message("respondents.duplicate_items"))
        if not len(unit):
            raise StepError(Message("respondents.no_rows"))
        first: dict[str, int] = {}
        for u in unit:
            first.setdefault(u, len(first))
        u_idx = np.array([first[u] for u in unit])
        if stratum is not None:
            s = np.asarray([str(v) for v in stratum], dtype=object)
            if len(s) != len(unit):
                raise StepError(Message("respondents.one_stratum_per_row"))
            s_codes, s_idx = np.unique(s.astype(str), return_inverse=True)
        else:
            s, s_idx = None, np.zeros(len(unit), dtype=np.intp)
        order = np.lexsort((s_idx, u_idx))
        u_idx, s_idx = u_idx[order], s_idx[order]
        n = len(unit)
        new_unit = np.ones(n, dtype=bool)
        new_unit[1:] = u_idx[1:] != u_idx[:-1]
        unit_start = np.flatnonzero(new_unit)
        unit_size = np.diff(np.append(unit_start, n))
        new_cell = new_unit.copy()
        new_cell[1:] |= s_idx[1:] != s_idx[:-1]
        starts = np.flatnonzero(new_cell)
        sizes = np.diff(np.append(starts, n))
        cell_of_row = np.cumsum(new_cell) - 1
        return cls(unit=unit[order], values=np.ascontiguousarray(values[order]), items=tuple(items),
                   stratum=None if s is None else s[order], units=tuple(first),
                   unit_start=unit_start, unit_size=unit_size,
                   cell_start=starts[cell_of_row], cell_size=sizes[cell_of_row])

    @classmethod
    def read_csv(cls, path: str | Path, unit_column: str = "uCode", stratum_column: str | None = None,
                 items: Sequence[str] | None = None) -> "RespondentTable":
        """A CSV with one row per respondent: the unit column, optionally a stratum column, and
        one column per item (default: every other column). Empty or NA cells are no answer."""
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        if not rows:
            raise FrameworkError(Message("file.empty_file"), str(path))
        header = [h.strip() for h in rows[0]]
        body = [r for r in rows[1:] if any(c.strip() for c in r)]
        for col in (unit_column, stratum_column):
            if col is not None and col not in header:
                raise FrameworkError(Message("file.no_column", column=col), str(path))
        items = list(items) if items is not None else [h for h in header if h not in (unit_column, stratum_column)]
        missing = [c for c in items if c not in header]
        if missing:
            raise FrameworkError(Message("file.no_columns", columns=missing), str(path))
        pos = {h: i for i, h in enumerate(header)}
        values = np.empty((len(body), len(items)))
        problems = []
        for i, r in enumerate(body):
            for j, c in enumerate(items):
                v = r[pos[c]].strip() if pos[c] < len(r) else ""
                if v in ("", "NA"):
                    values[i, j] = np.nan
                else:
                    try:
                        values[i, j] = float(v)
                    except ValueError:
                        problems.append(Message("at", where=Message("where.row_column", row=i + 2, column=c),
                                                problem=Message("data.not_a_number", value=v)))
                        values[i, j] = np.nan
        if problems:
            raise FrameworkError(problems, str(path))
        unit = [r[pos[unit_column]].strip() for r in body]
        stratum = [r[pos[stratum_column]].strip() for r in body] if stratum_column else None
        return cls.from_arrays(unit, values, items, stratum)

    @property
    def n_rows(self) -> int:
        return self.values.shape[0]

    def unit_mean(self, V: np.ndarray) -> np.ndarray:
        """Mean per unit of each column of V (R, rows, columns) in this table's row order, missing
        answers ignored: (R, units, columns). A unit with no answer to an item gets NaN."""
        V = np.asarray(V, dtype=float)
        miss = np.isnan(V)
        with np.errstate(invalid="ignore", divide="ignore"):
            if not miss.any():
                return np.add.reduceat(V, self.unit_start, axis=1) / self.unit_size[:, None]
            sums = np.add.reduceat(np.where(miss, 0.0, V), self.unit_start, axis=1)
            counts = np.add.reduceat((~miss).astype(np.float64), self.unit_start, axis=1)
            return sums / counts

    def resample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Row indices (n, rows): every row replaced by a random row of its own cell (unit and
        stratum), drawn with replacement, so each cell keeps its size."""
        u = rng.random((n, self.n_rows))
        return self.cell_start + (u * self.cell_size).astype(np.intp)


def unit_means(values: np.ndarray, table: RespondentTable) -> np.ndarray:
    """The default indicators: the mean answer per unit and item (values (R, rows, items))."""
    return table.unit_mean(values)


@dataclass(eq=False)
class BootstrapResult:
    """Per unit (the build's units after screening, in data order): the nominal score and rank, the
    score's interval and the rank interval over the bootstrap replications, and the respondents."""

    units: np.ndarray
    target: str
    level: float
    score: np.ndarray
    rank: np.ndarray
    score_low: np.ndarray
    score_high: np.ndarray
    rank_low: np.ndarray
    rank_median: np.ndarray
    rank_high: np.ndarray
    respondents: np.ndarray
    scores: np.ndarray          # units x R
    ranks: np.ndarray           # units x R
    failed: np.ndarray          # (R,)
    groups: tuple[tuple[str, ...], ...] = ()

    @property
    def n(self) -> int:
        return self.ranks.shape[1]

    def overlaps(self, unit: str) -> tuple[str, ...]:
        """The other units whose rank intervals overlap this unit's: not distinguishable from it."""
        i = list(self.units).index(unit)
        lo, hi = self.rank_low, self.rank_high
        hit = (lo <= hi[i]) & (lo[i] <= hi)
        hit[i] = False
        order = np.argsort(self.rank, kind="stable")
        return tuple(self.units[j] for j in order if hit[j])

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """One row per unit: uCode, Score, Score_low, Score_high, Rank, Rank_low, Rank_median,
        Rank_high, Respondents, Group (the number of its not-distinguishable group, 1 = best)."""
        group_of = {u: g for g, members in enumerate(self.groups, 1) for u in members}
        rows = []
        for i, u in enumerate(self.units):
            rows.append([u, _f(self.score[i]), _f(self.score_low[i]), _f(self.score_high[i]),
                         None if np.isnan(self.rank[i]) else int(self.rank[i]), _f(self.rank_low[i]),
                         _f(self.rank_median[i]), _f(self.rank_high[i]), int(self.respondents[i]),
                         group_of.get(u)])
        return (["uCode", "Score", "Score_low", "Score_high", "Rank", "Rank_low", "Rank_median", "Rank_high",
                 "Respondents", "Group"], rows)


def _f(v: float) -> float | None:
    return None if np.isnan(v) else float(v)


def overlap_groups(units: Sequence[str], rank: np.ndarray, low: np.ndarray, high: np.ndarray
                   ) -> tuple[tuple[str, ...], ...]:
    """Consecutive groups of units, in nominal rank order, that cannot be told apart: the best
    unit not yet grouped leads a group, and the units after it join while their rank interval
    [low, high] overlaps the leader's (so every member is not distinguishable from the leader).
    Units without a rank or an interval are left out. For all pairs, see
    `BootstrapResult.overlaps`."""
    ok = ~(np.isnan(low) | np.isnan(high) | np.isnan(rank))
    idx = np.flatnonzero(ok)
    idx = idx[np.lexsort((low[idx], rank[idx]))]
    groups: list[tuple[str, ...]] = []
    i = 0
    while i < len(idx):
        lead = idx[i]
        j = i + 1
        while j < len(idx) and low[idx[j]] <= high[lead] and low[lead] <= high[idx[j]]:
            j += 1
        groups.append(tuple(units[m] for m in idx[i:j]))
        i = j
    return tuple(groups)


def bootstrap(build: IndexBuild, table: RespondentTable, n: int = 1000, seed: int | None = None,
              indicators: Callable[[np.ndarray, RespondentTable], np.ndarray] | None = None,
              codes: Sequence[str] | None = None, target: str | None = None, level: float = 0.90,
              chunk: int | None = None) -> BootstrapResult:
    """Bootstrap the build over respondents.

    table: the respondents' answers. indicators(values, table): the indicators of every unit
    from a batch of (re)sampled answers (R, rows, items) -> (R, table.units, len(codes)); the
    default is the mean answer per unit and item, with `codes` = the items. `codes` must be
    indicators of the build's framework; the build's other indicators, and the units without
    respondents, keep their values in the build's raw data.

    The nominal result is the build's recipe on the indicators of the table as it is; each of
    the n replications redraws every unit's respondents with replacement (within unit and
    stratum) and replays every step of the build (screening keeps the nominal units). Per unit:
    the score interval and rank interval at `level` (default 90 %: the 5th and 95th
    percentiles), the median rank, and groups of units whose rank intervals overlap.
    """
    if not 0 < level < 1:
        raise StepError(Message("bootstrap.level"))
    if int(n) < 1:
        raise StepError(Message("bootstrap.n"))
    n = int(n)
    fw = build.framework
    raw = build.raw
    time = raw.time
    if time is not None and np.unique(time[~np.isnan(time)]).size > 1:
        raise StepError(Message("bootstrap.panel"))
    fn = indicators or unit_means
    codes = tuple(codes) if codes is not None else (table.items if indicators is None else None)
    if codes is None:
        raise StepError(Message("bootstrap.codes"))
    bad = [c for c in codes if c not in raw.codes]
    if bad:
        raise StepError(Message("bootstrap.not_indicators", codes=bad))
    where = {u: i for i, u in enumerate(raw.units)}
    unknown = [u for u in table.units if u not in where]
    if unknown:
        raise StepError(Message("bootstrap.unknown_units", units=unknown[:10],
                                more=Message("bootstrap.more", count=len(unknown) - 10) if len(unknown) > 10 else ""))
    rows_in_raw = np.array([where[u] for u in table.units], dtype=np.intp)
    cols_in_raw = np.array([raw.codes.index(c) for c in codes], dtype=np.intp)

    def indicators_of(V: np.ndarray) -> np.ndarray:
        Y = np.asarray(fn(V, table), dtype=float)
        if Y.shape != (V.shape[0], len(table.units), len(codes)):
            raise StepError(Message("bootstrap.returned_shape", shape=str(Y.shape),
                                    expected=str((V.shape[0], len(table.units), len(codes)))))
        return Y

    base = raw.values.copy()
    base[np.ix_(rows_in_raw, cols_in_raw)] = indicators_of(table.values[None])[0]
    nominal = IndexBuild.from_steps(fw, raw.with_values(base), build.log)
    res = nominal.results()
    target = target or res.rank_code
    if target not in res.codes:
        raise StepError(Message("bootstrap.target", target=target))
    col = nominal.data.codes.index(target)
    score = nominal.data.values[:, col]
    rank = res.rank if target == res.rank_code else rank_min(score)

    rng = np.random.default_rng(seed)
    per = max(table.n_rows * len(table.items), base.size)
    chunk = int(chunk) if chunk else max(1, CHUNK_CELLS // per)
    scores = np.empty((n, len(score)))
    failed = np.zeros(n, dtype=bool)
    for s in range(0, n, chunk):
        r = min(chunk, n - s)
        V = table.values[table.resample(rng, r)]               # (r, rows, items)
        X = np.repeat(base[None], r, axis=0)
        X[:, rows_in_raw[:, None], cols_in_raw[None, :]] = indicators_of(V)
        out, _, bad = run_batched(nominal, X)
        scores[s:s + r] = out[:, :, col]
        failed[s:s + r] = bad
    scores = scores.T                                          # units x R
    ranks = rank_min(scores, descending=True)
    a = (1 - level) / 2
    with _quiet():
        q = np.nanquantile(scores, [a, 1 - a], axis=1)
        rq = np.nanquantile(ranks, [a, 0.5, 1 - a], axis=1)
    counts = dict(zip(table.units, table.unit_size.tolist()))
    respondents = np.array([counts.get(u, 0) for u in nominal.data.units])
    units = nominal.data.units
    return BootstrapResult(units=units, target=target, level=level, score=score, rank=rank, score_low=q[0],
                           score_high=q[1], rank_low=rq[0], rank_median=rq[1], rank_high=rq[2],
                           respondents=respondents, scores=scores, ranks=ranks, failed=failed,
                           groups=overlap_groups(units, rank, rq[0], rq[2]))


__all__ = ["BootstrapResult", "RespondentTable", "bootstrap", "overlap_groups", "unit_means"]
