"""The index framework: a validated tree of indicators and aggregates (COINr's iMeta) plus unit data."""

from __future__ import annotations

import math
from collections import namedtuple
from dataclasses import dataclass, field, fields
from functools import cached_property
from operator import attrgetter, itemgetter
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .errors import FrameworkError, Message, at, where_row

NODE_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
_TYPE_BY_LOWER = {t.lower(): t for t in NODE_TYPES}
# Columns of iData that are never indicators (COINr's reserved unit columns).
UNIT_COLUMNS = ("uCode", "uName", "Time")
MISSING_TEXT = ("", "NA")

# File column (lower-cased) -> Node attribute. COINr's names first, then ours.
_COLUMN_ATTRS = {
    "icode": "code",
    "iname": "name",
    "level": "level",
    "parent": "parent",
    "direction": "direction",
    "weight": "weight",
    "type": "type",
    "unit": "unit",
    "target": "target",
    "denominator": "denominator",
    "name_vi": "name_vi",
    "name_en": "name_en",
    "max_points": "max_points",
    "goalpost_lower": "lower",
    "goalpost_upper": "upper",
    "bands": "bands",
}
# Attribute -> column name written back to files (COINr's spelling where COINr has one).
_ATTR_COLUMNS = {
    "level": "Level",
    "code": "iCode",
    "name": "iName",
    "direction": "Direction",
    "weight": "Weight",
    "unit": "Unit",
    "target": "Target",
    "denominator": "Denominator",
    "parent": "Parent",
    "type": "Type",
    "name_vi": "name_vi",
    "name_en": "name_en",
    "max_points": "max_points",
    "lower": "goalpost_lower",
    "upper": "goalpost_upper",
    "bands": "Bands",
}
_COINR_ATTRS = ("level", "code", "name", "direction", "weight", "unit", "target",
                "denominator", "parent", "type")
_OWN_ATTRS = ("name_vi", "name_en", "max_points", "lower", "upper", "bands")


@dataclass(frozen=True)
class Band:
    """A score band: units scoring at least `lower` (None = anything) get `label`."""

    label: str
    lower: float | None = None


@dataclass(frozen=True)
class Node:
    """One row of the framework: an indicator, an aggregate, or a unit-metadata column."""

    code: str
    type: str = "Indicator"
    level: int | None = None
    parent: str | None = None
    name: str = ""
    name_vi: str = ""
    name_en: str = ""
    direction: int = 1
    weight: float = 1.0
    unit: str = ""
    target: float | None = None
    denominator: str | None = None
    max_points: float | None = None
    lower: float | None = None
    upper: float | None = None
    bands: tuple[Band, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    row: int | None = None

    @property
    def label(self) -> str:
        return self.name or self.name_en or self.name_vi or self.code


@dataclass(frozen=True)
class LevelPlan:
    """How one level of aggregates is computed from its children, as one weight matrix. The
    children are the nodes whose parent is one of `parents`: each row of `membership` has one 1."""

    level: int
    parents: tuple[str, ...]
    parent_index: np.ndarray  # positions of the parents in AggregationTree.codes
    children: tuple[str, ...]
    child_index: np.ndarray  # positions of the children in AggregationTree.codes
    membership: np.ndarray  # (n_children, n_parents) 0/1
    child_weights: np.ndarray  # (n_children,) framework weights

    @cached_property
    def weight_matrix(self) -> np.ndarray:
        return self.membership * self.child_weights[:, None]

    @cached_property
    def n_children(self) -> np.ndarray:
        return self.membership.sum(axis=0)

    @cached_property
    def child_slice(self) -> slice | None:
        """The children as a slice when they are consecutive columns (so no copy is needed)."""
        idx = self.child_index.tolist()  # a few dozen positions: Python compares them faster than NumPy
        if idx and idx == list(range(idx[0], idx[0] + len(idx))):
            return slice(idx[0], idx[0] + len(idx))
        return None


@dataclass(frozen=True)
class AggregationTree:
    """All nodes in computation order (indicators, then aggregates level by level) and the level plans."""

    codes: tuple[str, ...]
    n_indicators: int
    levels: tuple[LevelPlan, ...]

    @cached_property
    def position(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.codes)}

    @property
    def indicators(self) -> tuple[str, ...]:
        return self.codes[: self.n_indicators]

    @property
    def aggregates(self) -> tuple[str, ...]:
        return self.codes[self.n_indicators:]


def parse_bands(value: Any) -> tuple[Band, ...]:
    """Read bands from 'A>=90; B>=80; C' or a list of {label, min} / [label, min]."""
    if value is None or (isinstance(value, str) and value.strip() in MISSING_TEXT):
        return ()
    items: list[Band] = []
    if isinstance(value, str):
        for part in value.replace("|", ";").split(";"):
            part = part.strip()
            if not part:
                continue
            if ">=" in part:
                label, bound = part.split(">=", 1)
                items.append(Band(label.strip(), float(bound)))
            elif ":" in part:
                label, bound = part.split(":", 1)
                items.append(Band(label.strip(), float(bound) if bound.strip() else None))
            else:
                items.append(Band(part, None))
    else:
        for item in value:
            if isinstance(item, Mapping):
                bound = item.get("min", item.get("lower"))
                items.append(Band(str(item["label"]), None if bound is None else float(bound)))
            else:
                label, bound = (item[0], item[1] if len(item) > 1 else None)
                items.append(Band(str(label), None if bound is None else float(bound)))
    # Highest lower bound first; the open-ended band (None) last.
    items.sort(key=lambda b: -math.inf if b.lower is None else b.lower, reverse=True)
    return tuple(items)


def format_bands(bands: Sequence[Band]) -> str:
    return "; ".join(b.label if b.lower is None else f"{b.label}>={_num_text(b.lower)}" for b in bands)


def _num_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


class _Absent:
    """The value of a column a row does not have (rows with different keys, as YAML's)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


def _is_missing(value: Any) -> bool:
    if type(value) is str:
        return value.strip() in MISSING_TEXT
    if value is None or value is _ABSENT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() in MISSING_TEXT


def _text(value: Any) -> str | None:
    if type(value) is str:
        t = value.strip()
        return None if t in MISSING_TEXT else t
    if _is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value: Any) -> float | None:
    """A number, None when missing; raises ValueError when present but not a number."""
    t = type(value)
    if t is float:  # a data frame's number column: NaN is missing
        return None if value != value else value
    if t is int:
        return float(value)
    if t is str:
        t = value.strip()
        return None if t in MISSING_TEXT else float(t)
    if _is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, float)):
        return float(value)
    return float(str(value).strip())


class Framework:
    """A validated framework. Build with Framework(nodes) or Framework.from_rows(rows).

    Validation and the computation plans read the nodes' fields as columns (`_columns`); a
    framework read from rows or columns builds its Node objects only when they are asked for."""

    def __init__(self, nodes: Iterable[Node], source: str | None = None, validate: bool = True):
        self.nodes: tuple[Node, ...] = tuple(nodes)
        self.source = source
        if validate:
            problems = self.problems()
            if problems:
                raise FrameworkError(problems, source)

    @classmethod
    def _from_node_columns(cls, columns: _NodeColumns, source: str | None) -> "Framework":
        """The framework of these node columns, not validated; its nodes are built on first use."""
        fw = cls.__new__(cls)
        fw._columns = columns
        fw.source = source
        return fw

    @cached_property
    def nodes(self) -> tuple[Node, ...]:  # a framework given its nodes has them from the start
        return tuple(self._columns.nodes())

    @cached_property
    def _columns(self) -> _NodeColumns:  # a framework read from rows or columns has them from the start
        return _NodeColumns.of(self.nodes)

    @cached_property
    def _by_code(self) -> dict[str, Node]:
        return {n.code: n for n in self.nodes}

    @cached_property
    def node_types(self) -> Mapping[str, str]:
        """Each code's node Type (read-only; the last node's when a code repeats), without building
        the Node objects."""
        return MappingProxyType(dict(zip(self._columns.code, self._columns.type)))

    # ------------------------------------------------------------------ building
    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], source: str | None = None,
                  first_row: int = 2) -> "Framework":
        """Build from iMeta-style rows (dicts); `first_row` numbers the rows in messages."""
        rows = rows if isinstance(rows, list) else list(rows)
        # The rows of a file or a data frame share their keys: each set of keys is mapped to node
        # attributes once, not once per row or per cell.
        first = tuple(rows[0]) if rows else ()
        if all(map(first.__eq__, map(tuple, rows))):
            keys_of = [first] * len(rows)
            layouts = {first: _RowLayout(first)}
        else:
            keys_of = [tuple(r) for r in rows]
            layouts = {keys: _RowLayout(keys) for keys in set(keys_of)}
        if any(layout.extras for layout in layouts.values()):
            extras = [{str(k): v for k in layouts[keys].extras if not _is_missing(v := r[k])}
                      for r, keys in zip(rows, keys_of)]
        else:
            extras = None
        return cls._from_attribute_columns(
            _attribute_columns(rows, keys_of, layouts), len(rows), extras,
            lambda i: all(_is_missing(v) for v in rows[i].values()), source, first_row)

    @classmethod
    def from_columns(cls, columns: Mapping[str, Any], source: str | None = None,
                     first_row: int = 2) -> "Framework":
        """Build from iMeta as a data frame holds it: column name -> column (a list, a NumPy array,
        a pandas Series; a pandas DataFrame is such a mapping). The same rules, problems and
        messages as from_rows on its rows; NaN and None are missing."""
        names = list(columns)
        cells = [column_cells(columns[c]) for c in names]
        lengths = {len(col) for col in cells}
        if len(lengths) > 1:
            raise ValueError("columns of different lengths: "
                             + ", ".join(f"{c} {len(col)}" for c, col in zip(names, cells)))
        n = lengths.pop() if lengths else 0
        layout = _RowLayout(names)
        position = {c: j for j, c in enumerate(names)}
        cols = {a: cells[position[k]] for k, a in layout.pairs}  # a later column for an attribute wins
        extras = None
        if layout.extras:
            other = [(str(k), cells[position[k]]) for k in layout.extras]
            extras = [{k: v for k, col in other if not _is_missing(v := col[i])} for i in range(n)]
        return cls._from_attribute_columns(cols, n, extras, lambda i: all(_is_missing(col[i]) for col in cells),
                                           source, first_row)

    @classmethod
    def _from_attribute_columns(cls, cols: Mapping[str, Sequence[Any]], n: int,
                                extras: Sequence[dict[str, Any]] | None, blank: Callable[[int], bool],
                                source: str | None, first_row: int) -> "Framework":
        """The framework of iMeta given by node attribute (column sequences of n values), or every
        problem: the fields' first, then the structural checks on what could be read."""
        if n and "code" not in cols:
            raise FrameworkError(Message("framework.no_icode_column"), source)
        columns, problems = _node_columns(cols, n, extras, blank, "type" in cols, first_row)
        fw = cls._from_node_columns(columns, source)
        problems += fw.problems()
        if problems:
            raise FrameworkError(problems, source)
        return fw

    def to_rows(self) -> list[dict[str, Any]]:
        """iMeta rows (dicts) with COINr's columns, then ours and any extra columns, for writing."""
        used_own = [a for a in _OWN_ATTRS if any(_attr_value(n, a) not in (None, "") for n in self.nodes)]
        extras: list[str] = []
        for n in self.nodes:
            extras.extend(k for k in n.extra if k not in extras)
        rows = []
        for n in self.nodes:
            row: dict[str, Any] = {}
            for a in (*_COINR_ATTRS, *used_own):
                row[_ATTR_COLUMNS[a]] = _attr_value(n, a)
            for k in extras:
                row[k] = n.extra.get(k)
            rows.append(row)
        return rows

    # ------------------------------------------------------------------ validation
    def problems(self) -> list[str]:
        """Every structural problem: duplicates, unknown parents, orphans, cycles, levels."""
        out: list[str] = []
        f = self._columns
        codes, types, levels, parents, where = f.code, f.type, f.level, f.parent, f.where
        seen = dict(zip(codes, range(len(codes))))  # each code's position (its first one, below, when a code repeats)
        if len(seen) < len(codes):
            seen = {}
            for i, c in enumerate(codes):
                if c in seen:
                    out.append(at(where(i), "framework.duplicate_code", code=c, first=where(seen[c])))
                else:
                    seen[c] = i
        tree = [i for i, t in enumerate(types) if t in ("Indicator", "Aggregate")]
        if "Indicator" not in types:
            out.append(Message("framework.no_indicators"))
        has_children = {parents[i] for i in tree if parents[i]}
        tree_levels = [levels[i] for i in tree if levels[i] is not None]
        top = max(tree_levels) if tree_levels else None
        for i in tree:
            code, type_, level, parent = codes[i], types[i], levels[i], parents[i]
            if level is None:
                out.append(at(where(i), "framework.no_level", code=code))
            elif type_ == "Indicator" and level != 1:
                out.append(at(where(i), "framework.indicator_level", code=code, level=level))
            elif type_ == "Aggregate" and level < 2:
                out.append(at(where(i), "framework.aggregate_level", code=code, level=level))
            if parent is None:
                if level is not None and top is not None and level < top:
                    out.append(at(where(i), "framework.orphan", code=code, level=level))
            else:
                p = seen.get(parent)
                if p is None:
                    out.append(at(where(i), "framework.unknown_parent", parent=parent, code=code))
                elif types[p] != "Aggregate":
                    out.append(at(where(i), "framework.parent_not_aggregate", parent=parent, code=code,
                                  type=types[p]))
                elif level is not None and levels[p] is not None and levels[p] <= level:
                    out.append(at(where(i), "framework.parent_level", parent=codes[p], parent_level=levels[p],
                                  code=code, level=level))
            if type_ == "Aggregate" and code not in has_children:
                out.append(at(where(i), "framework.no_children", code=code))
        others: list[str] = []
        for i, (code, type_, parent, denominator) in enumerate(zip(codes, types, parents, f.denominator)):
            if type_ != "Indicator" and parent is not None and type_ not in ("Aggregate",):
                others.append(at(where(i), "framework.row_cannot_have_parent", type=type_, code=code))
            if denominator is not None:
                d = seen.get(denominator)
                if d is None or types[d] != "Denominator":
                    others.append(at(where(i), "framework.not_a_denominator", denominator=denominator, code=code))
        # A cycle needs a link reported above (a duplicate code, a parent that is no aggregate or not
        # at a higher level, a missing level, a parent of a row outside the tree): without one,
        # levels rise strictly along every path.
        if out or others:
            out.extend(_cycles(tree, seen, f))
        out.extend(others)
        return out

    def data_problems(self, columns: Sequence[str]) -> list[str]:
        """Mismatches between data columns and the framework, with column numbers."""
        needed, allowed = self._data_columns
        # Nearly always none: two set comparisons say so before any column is looked at for messages.
        if "uCode" in columns and needed.issubset(columns) and allowed.issuperset(columns):
            return []
        out: list[str] = []
        position = {c: i + 1 for i, c in enumerate(columns)}
        f = self._columns
        for code, type_, row in zip(f.code, f.type, f.row):
            if type_ in _DATA_TYPES and code not in position:
                where = Message("data.imeta_row", row=row) if row is not None else ""
                if type_ == "Indicator":
                    out.append(Message("data.indicator_no_column", code=code, row=where))
                else:
                    out.append(Message("data.other_no_column", type=type_.lower(), code=code, row=where))
        node_types = self.node_types
        for c, i in position.items():
            if c in UNIT_COLUMNS:
                continue
            type_ = node_types.get(c)
            if type_ is None:
                out.append(Message("data.unknown_column", position=i, column=c))
            elif type_ == "Aggregate":
                out.append(Message("data.aggregate_column", position=i, column=c))
        if "uCode" not in position:
            out.append(Message("data.no_ucode_column"))
        return out

    @cached_property
    def _data_columns(self) -> tuple[frozenset[str], frozenset[str]]:
        """The codes data_problems wants a data column for (indicators, groups, denominators, other
        unit columns) and the names a data column may have (any node's but an aggregate's, and
        COINr's unit columns)."""
        f = self._columns
        needed = frozenset(c for c, t in zip(f.code, f.type) if t in _DATA_TYPES)
        allowed = frozenset(c for c, t in self.node_types.items() if t != "Aggregate").union(UNIT_COLUMNS)
        return needed, allowed

    # ------------------------------------------------------------------ queries
    def __getitem__(self, code: str) -> Node:
        return self._by_code[code]

    def __contains__(self, code: str) -> bool:
        return code in self.node_types

    def get(self, code: str, default: Node | None = None) -> Node | None:
        return self._by_code.get(code, default)

    def codes(self, type_: str) -> tuple[str, ...]:
        f = self._columns
        return tuple(c for c, t in zip(f.code, f.type) if t == type_)

    @cached_property
    def indicators(self) -> tuple[str, ...]:
        return self.codes("Indicator")

    @cached_property
    def aggregates(self) -> tuple[str, ...]:
        return self.tree.aggregates

    @cached_property
    def max_level(self) -> int:
        f = self._columns
        return max(lev for lev, t in zip(f.level, f.type) if t in ("Indicator", "Aggregate"))

    @cached_property
    def top(self) -> tuple[str, ...]:
        """Codes of the nodes at the highest level (normally the one index)."""
        f, top = self._columns, self.max_level
        return tuple(c for c, lev, t in zip(f.code, f.level, f.type) if lev == top and t in ("Indicator", "Aggregate"))

    @cached_property
    def directions(self) -> np.ndarray:
        f = self._columns
        return np.array([d for d, t in zip(f.direction, f.type) if t == "Indicator"], dtype=float)

    def children(self, code: str) -> tuple[str, ...]:
        f = self._columns
        return tuple(c for c, p in zip(f.code, f.parent) if p == code)

    @cached_property
    def tree(self) -> AggregationTree:
        """Computation plan: indicators, then each level's aggregates in framework order."""
        f = self._columns
        indicators: list[int] = []
        by_level: dict[int, list[int]] = {}  # level -> positions of its aggregates
        for i, (t, lev) in enumerate(zip(f.type, f.level)):
            if t == "Indicator":
                indicators.append(i)
            elif t == "Aggregate":
                by_level.setdefault(lev, []).append(i)
        agg_levels = sorted(by_level)
        ordered = indicators + [i for lev in agg_levels for i in by_level[lev]]  # positions in computation order
        codes = tuple([f.code[i] for i in ordered])
        # One pass over the nodes in computation order: each child joins its parent's level, with
        # its parent's column within that level.
        place = {f.code[i]: (lev, j) for lev in agg_levels for j, i in enumerate(by_level[lev])}
        kids: dict[int, list[int]] = {lev: [] for lev in agg_levels}
        kid_columns: dict[int, list[int]] = {lev: [] for lev in agg_levels}
        parents = f.parent
        for k, i in enumerate(ordered):
            where = place.get(parents[i])
            if where is not None:
                kids[where[0]].append(k)
                kid_columns[where[0]].append(where[1])
        # The children of every level in one sequence, each level's a slice of it: their positions,
        # parents' columns and weights are converted to arrays once, not once per level.
        children = [k for lev in agg_levels for k in kids[lev]]
        child_index = np.array(children, dtype=np.intp)
        child_column = np.array([j for lev in agg_levels for j in kid_columns[lev]], dtype=np.intp)
        child_weights = np.array([f.weight[ordered[k]] for k in children], dtype=float)
        plans = []
        first, start = len(indicators), 0  # each level's aggregates are consecutive in `codes`
        for lev in agg_levels:
            n_parents, stop = len(by_level[lev]), start + len(kids[lev])
            plans.append(LevelPlan(
                level=lev,
                parents=codes[first:first + n_parents],
                parent_index=np.arange(first, first + n_parents, dtype=np.intp),
                children=tuple([codes[k] for k in kids[lev]]),
                child_index=child_index[start:stop],
                membership=(child_column[start:stop, None] == np.arange(n_parents)).astype(float),
                child_weights=child_weights[start:stop],
            ))
            first, start = first + n_parents, stop
        return AggregationTree(codes, len(indicators), tuple(plans))


# ---------------------------------------------------------------------- helpers
class _RowLayout:
    """How the keys of a row map to node attributes: (key, attribute) pairs in the row's order (a
    later key for the same attribute wins), and the keys of other columns, kept as `extra`."""

    __slots__ = ("pairs", "extras")

    def __init__(self, keys: Sequence[Any]):
        attr_of = {k: _COLUMN_ATTRS.get(str(k).strip().lower()) for k in keys if k is not None}
        self.pairs = tuple((k, a) for k, a in attr_of.items() if a is not None)
        self.extras = tuple(k for k, a in attr_of.items() if a is None)


def _attr_value(n: Node, attr: str) -> Any:
    v = getattr(n, attr)
    if attr == "bands":
        return format_bands(v) if v else None
    if attr == "type":
        return v
    if attr in ("direction", "weight") and n.type not in ("Indicator", "Aggregate"):
        return None
    if attr in ("name_vi", "name_en", "unit", "name") and v == "":
        return None
    return v


_PLAIN_NUMBERS = {float, int, np.float64, np.float32, np.int64, np.int32}
_FLOAT = {float}
_MISSING = frozenset(MISSING_TEXT)  # looked up by hash: faster than the tuple's comparisons
_DIRECTION = {1.0: 1, -1.0: -1}  # a direction read as a number -> the Node's
_TYPE_EXACT = {t: t for t in NODE_TYPES}
_IN_TREE = {"Indicator", "Aggregate"}
_DATA_TYPES = ("Indicator", "Group", "Denominator", "Other")  # the nodes that have a data column
# Node's fields, in the order of _NodeColumns.
_FIELDS = ("code", "type", "level", "parent", "name", "name_vi", "name_en", "direction", "weight", "unit",
           "target", "denominator", "max_points", "lower", "upper", "bands", "extra", "row")
assert set(_FIELDS) == {f.name for f in fields(Node)}
_new_node = object.__new__


class _NodeColumns(namedtuple("_NodeColumns", _FIELDS)):
    """A framework's nodes as columns: one sequence per Node field, in node order (`extra`: None
    when no node has any). Validation and the plans read these; Node objects are built by nodes()."""

    __slots__ = ()

    @classmethod
    def of(cls, nodes: Sequence[Node]) -> "_NodeColumns":
        return cls._make(zip(*map(attrgetter(*_FIELDS), nodes)) if nodes else [()] * len(_FIELDS))

    def nodes(self) -> list[Node]:
        extras = self.extra if self.extra is not None else ({} for _ in self.code)
        nodes: list[Node] = []
        # As Node(...) without the frozen dataclass's one object.__setattr__ call per field: a
        # framework of a few hundred rows is built in a fraction of the time (the fields are the same).
        for vals in zip(*self._replace(extra=extras)):
            node = _new_node(Node)
            node.__dict__.update(zip(_FIELDS, vals))
            nodes.append(node)
        return nodes

    def where(self, i: int) -> Message:
        """Where node i is, for messages: its row, or its code when it has none."""
        row = self.row[i]
        return where_row(row) if row is not None else Message("where.code", code=self.code[i])


def column_cells(column: Any) -> list[Any]:
    """The cells of a data frame's column (a list, a NumPy array, a pandas Series) as Python
    objects; pandas' missing value (pd.NA) as None."""
    if type(column) is list:
        return column
    if hasattr(column, "to_numpy") and not isinstance(column, np.ndarray):  # a pandas Series
        try:
            return column.to_numpy(dtype=object, na_value=None).tolist()
        except (TypeError, ValueError):
            pass
    cells = column.tolist() if hasattr(column, "tolist") else list(column)
    if cells and type(cells[0]) is list:  # a 2-D array
        raise ValueError("a column must be one-dimensional")
    return cells


def _attribute_columns(rows: Sequence[Mapping[Any, Any]], keys_of: Sequence[tuple],
                       layouts: Mapping[tuple, _RowLayout]) -> dict[str, Sequence[Any]]:
    """The rows' values by node attribute, one sequence in row order per attribute; _ABSENT where a
    row has no column for it. Rows that share their keys (a file, a data frame) are transposed in C."""
    if len(layouts) == 1:
        key_of = {a: k for k, a in next(iter(layouts.values())).pairs}  # a later key for an attribute wins
        if not rows or not key_of:
            return {a: () for a in key_of}
        get = itemgetter(*key_of.values())
        table = map(get, rows) if len(key_of) > 1 else ((get(r),) for r in rows)
        return dict(zip(key_of, zip(*table)))
    per_row = [{a: r[k] for k, a in layouts[keys].pairs} for r, keys in zip(rows, keys_of)]
    attrs = dict.fromkeys(a for layout in layouts.values() for _, a in layout.pairs)
    return {a: [v.get(a, _ABSENT) for v in per_row] for a in attrs}


def all_texts(cells: Sequence[Any], missing: Any = None) -> list[Any] | None:
    """The cells stripped, `missing` for the blank and "NA" ones, when every cell is text (a CSV's
    column, a data frame's text column without gaps); else None. map and a set do in C what a
    comprehension calling each cell's strip does, in half its time."""
    try:
        stripped = list(map(str.strip, cells))
    except TypeError:  # None, NaN, a number
        return None
    if _MISSING.isdisjoint(stripped):
        return stripped
    return [missing if t in _MISSING else t for t in stripped]


def _text_column(col: Sequence[Any], missing: str | None = None) -> list[str | None]:
    """Each cell as _text reads it, `missing` where it is missing or absent."""
    texts = all_texts(col, missing)
    if texts is not None:
        return texts
    try:  # text, None where a data frame's text column is missing
        return [missing if v is None or (t := v.strip()) in _MISSING else t for v in col]
    except AttributeError:  # not all text: NaN, numbers
        return [missing if (t := _text(v)) is None else t for v in col]


def _number_column(col: Sequence[Any]) -> tuple[list[float | None], set[int]]:
    """Each cell as _number reads it (None when missing or absent), and the positions of the cells
    that are not numbers."""
    types = set(map(type, col))
    if types <= _PLAIN_NUMBERS:  # a data frame's number column: NaN is missing
        if types == _FLOAT:  # already Python floats: no conversion
            return [None if v != v else v for v in col], set()
        return [None if v != v else float(v) for v in col], set()
    try:  # text from a file
        return [None if (t := v.strip()) in _MISSING else float(t) for v in col], set()
    except (AttributeError, ValueError):
        pass
    out: list[float | None] = []
    bad: set[int] = set()
    for i, v in enumerate(col):
        try:
            out.append(None if v is _ABSENT else _number(v))
        except ValueError:
            out.append(None)
            bad.add(i)
    return out, bad


def _node_columns(cols: Mapping[str, Sequence[Any]], n: int, extras: Sequence[dict[str, Any]] | None,
                  blank: Callable[[int], bool], has_type: bool, first_row: int) -> tuple[_NodeColumns, list[str]]:
    """The nodes of n iMeta rows given by attribute (`cols`: attribute -> its n values, _ABSENT
    where a row has no column for it), as columns, and the problems of their fields, row by row.

    Each attribute is read down its column (a data frame's columns of numbers or text by one
    comprehension each); the rules are those of one row: a row without an iCode is blank (skipped)
    or a problem, the type is inferred from the level when there is no Type column, weights and
    directions are read for indicators and aggregates only. `extras`: each row's other columns
    (None: no row has any); `blank(i)`: whether every cell of row i is missing.
    """
    found: list[tuple[int, int, str]] = []  # (row position, order within the row, problem)

    def row(i: int) -> Message:
        return where_row(first_row + i)

    none = [None] * n
    codes = _text_column(cols["code"]) if "code" in cols else none
    raw_level = cols.get("level")
    levels: list[int | None] = none
    if raw_level is not None:
        numbers, bad = _number_column(raw_level)
        levels = [None if v is None or not v.is_integer() else int(v) for v in numbers]
        if levels.count(None) > numbers.count(None):  # a level that is not a whole number
            bad.update(i for i, v in enumerate(numbers) if v is not None and not v.is_integer())
        for i in bad:
            found.append((i, 0, at(row(i), "framework.level_not_whole", code=codes[i], value=raw_level[i])))

    type_texts = _text_column(cols["type"]) if "type" in cols else none
    types = list(map(_TYPE_EXACT.get, type_texts))
    if None in types:  # missing, or not spelt as NODE_TYPES
        for i, t in enumerate(type_texts):
            if types[i] is not None:
                continue
            if t is None:
                if has_type:
                    found.append((i, 1, at(row(i), "framework.missing_type", code=codes[i])))
                    t = "Indicator"
                else:
                    t = "Aggregate" if (levels[i] or 1) > 1 else "Indicator"
            match = _TYPE_BY_LOWER.get(t.lower())
            if match is None:
                found.append((i, 2, at(row(i), "framework.unknown_type", type=t, code=codes[i],
                                       types=list(NODE_TYPES))))
                match = "Other"
            types[i] = match
    in_tree = [t in _IN_TREE for t in types]

    def texts(attr: str, default: str | None) -> list[str | None]:
        col = cols.get(attr)
        return [default] * n if col is None else _text_column(col, default)

    # Weights and directions are read for indicators and aggregates only.
    weights = [1.0] * n
    if "weight" in cols:
        col = cols["weight"]
        numbers, bad = _number_column(col)
        weights = [w if tree else 1.0 for w, tree in zip(numbers, in_tree)]
        # Row by row only when a weight read is no number (a sum of finite numbers is finite unless
        # it overflows, and then the row by row check decides).
        if bad or None in weights or not math.isfinite(sum(weights)):
            weights = []
            for i, w in enumerate(numbers):
                if in_tree[i] and col[i] is not _ABSENT:
                    if i in bad or (w is not None and not math.isfinite(w)):
                        found.append((i, 3, at(row(i), "framework.weight_not_number", code=codes[i], value=col[i])))
                        w = None
                    elif w is None:
                        found.append((i, 3, at(row(i), "framework.weight_missing", code=codes[i])))
                    weights.append(1.0 if w is None else w)
                else:
                    weights.append(1.0)
    directions = [1] * n
    if "direction" in cols:
        col = cols["direction"]
        numbers, bad = _number_column(col)
        directions = [1 if d is None or not tree else _DIRECTION.get(d) for d, tree in zip(numbers, in_tree)]
        if bad or None in directions:  # a direction that is not 1 or -1: row by row, to say which
            directions = []
            for i, d in enumerate(numbers):
                if not in_tree[i] or (d is None and i not in bad):  # missing: the default
                    directions.append(1)
                elif i in bad or d not in (1.0, -1.0):
                    found.append((i, 4, at(row(i), "framework.direction_invalid", code=codes[i], value=col[i])))
                    directions.append(1)
                else:
                    directions.append(int(d))

    def values(attr: str, label: str, order: int) -> Sequence[float | None]:
        col = cols.get(attr)
        if col is None:
            return none
        numbers, bad = _number_column(col)
        for i in bad:
            found.append((i, order, at(row(i), "framework.value_not_number", label=label, code=codes[i],
                                       value=col[i])))
        return numbers

    targets = values("target", "Target", 5)
    max_points = values("max_points", "max_points", 6)
    lowers = values("lower", "goalpost_lower", 7)
    uppers = values("upper", "goalpost_upper", 8)
    bands: list[tuple[Band, ...]] = [()] * n
    if "bands" in cols:
        bands = []
        for i, v in enumerate(cols["bands"]):
            try:
                bands.append(() if v is _ABSENT else parse_bands(v))
            except (ValueError, KeyError, TypeError, IndexError):
                found.append((i, 9, at(row(i), "framework.bands_unreadable", code=codes[i], value=v)))
                bands.append(())

    columns = _NodeColumns(codes, types, levels, texts("parent", None), texts("name", ""), texts("name_vi", ""),
                           texts("name_en", ""), directions, weights, texts("unit", ""), targets,
                           texts("denominator", None), max_points, lowers, uppers, bands, extras,
                           range(first_row, first_row + n))
    # A row without an iCode is a blank line (skipped) or a problem, and only that.
    if None in codes:
        without_code = [i for i, c in enumerate(codes) if c is None]
        skip = set(without_code)
        found = [f for f in found if f[0] not in skip]
        found += [(i, 0, at(row(i), "framework.missing_icode")) for i in without_code
                  if not blank(i)]
        keep = [i for i in range(n) if i not in skip]
        columns = _NodeColumns._make(None if col is None else [col[i] for i in keep] for col in columns)
    found.sort(key=lambda f: (f[0], f[1]))
    return columns, [m for _, _, m in found]


def _cycles(tree: Sequence[int], first: Mapping[str, int], f: _NodeColumns) -> list[str]:
    """Cycles through the parents of the nodes at positions `tree` (`first`: a code's first position)."""
    out = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in tree:
        path: list[str] = []
        code: str | None = f.code[start]
        while code is not None and code in first and state.get(code) != 2:
            if state.get(code) == 1:
                cycle = path[path.index(code):] + [code]
                out.append(at(f.where(first[code]), "framework.cycle", cycle=" -> ".join(cycle)))
                break
            state[code] = 1
            path.append(code)
            code = f.parent[first[code]]
        for c in path:
            state[c] = 2
    return out
