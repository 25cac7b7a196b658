"""The index framework: a validated tree of indicators and aggregates (COINr's iMeta) plus unit data."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from functools import cached_property
from typing import Any, Iterable, Mapping, Sequence

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
    """How one level of aggregates is computed from its children, as one weight matrix."""

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
        idx = self.child_index
        if idx.size and np.array_equal(idx, np.arange(idx[0], idx[0] + idx.size)):
            return slice(int(idx[0]), int(idx[0]) + idx.size)
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


def _is_missing(value: Any) -> bool:
    if type(value) is str:
        return value.strip() in MISSING_TEXT
    if value is None:
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
    if type(value) is str:
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
    """A validated framework. Build with Framework(nodes) or Framework.from_rows(rows)."""

    def __init__(self, nodes: Iterable[Node], source: str | None = None, validate: bool = True):
        self.nodes: tuple[Node, ...] = tuple(nodes)
        self.source = source
        self._by_code = {n.code: n for n in self.nodes}
        if validate:
            problems = self.problems()
            if problems:
                raise FrameworkError(problems, source)

    # ------------------------------------------------------------------ building
    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]], source: str | None = None,
                  first_row: int = 2) -> "Framework":
        """Build from iMeta-style rows (dicts); `first_row` numbers the rows in messages."""
        nodes: list[Node] = []
        problems: list[str] = []
        rows = list(rows)
        # Every key once (rows of one file share their keys): its attribute, looked up per cell after.
        attr_of = {k: _key_attr(k) for k in dict.fromkeys(k for r in rows for k in r) if k is not None}
        attrs = set(attr_of.values())
        if rows and "code" not in attrs:
            raise FrameworkError(Message("framework.no_icode_column"), source)
        has_type = "type" in attrs
        for i, raw in enumerate(rows):
            row_no = first_row + i
            node, row_problems = _node_from_row(raw, row_no, has_type, attr_of)
            problems.extend(row_problems)
            if node is not None:
                nodes.append(node)
        if problems:
            # Field-level errors first; structural checks on what could be read.
            fw = cls(nodes, source, validate=False)
            raise FrameworkError(problems + fw.problems(), source)
        return cls(nodes, source)

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
        seen: dict[str, Node] = {}
        for n in self.nodes:
            if n.code in seen:
                out.append(at(_where(n), "framework.duplicate_code", code=n.code, first=_where(seen[n.code])))
            else:
                seen[n.code] = n
        tree_nodes = [n for n in self.nodes if n.type in ("Indicator", "Aggregate")]
        if not any(n.type == "Indicator" for n in tree_nodes):
            out.append(Message("framework.no_indicators"))
        has_children = {n.parent for n in tree_nodes if n.parent}
        levels = [n.level for n in tree_nodes if n.level is not None]
        top = max(levels) if levels else None
        for n in tree_nodes:
            if n.level is None:
                out.append(at(_where(n), "framework.no_level", code=n.code))
            elif n.type == "Indicator" and n.level != 1:
                out.append(at(_where(n), "framework.indicator_level", code=n.code, level=n.level))
            elif n.type == "Aggregate" and n.level < 2:
                out.append(at(_where(n), "framework.aggregate_level", code=n.code, level=n.level))
            if n.parent is None:
                if n.level is not None and top is not None and n.level < top:
                    out.append(at(_where(n), "framework.orphan", code=n.code, level=n.level))
            else:
                p = seen.get(n.parent)
                if p is None:
                    out.append(at(_where(n), "framework.unknown_parent", parent=n.parent, code=n.code))
                elif p.type != "Aggregate":
                    out.append(at(_where(n), "framework.parent_not_aggregate", parent=n.parent, code=n.code,
                                  type=p.type))
                elif n.level is not None and p.level is not None and p.level <= n.level:
                    out.append(at(_where(n), "framework.parent_level", parent=p.code, parent_level=p.level,
                                  code=n.code, level=n.level))
            if n.type == "Aggregate" and n.code not in has_children:
                out.append(at(_where(n), "framework.no_children", code=n.code))
        out.extend(_cycles(tree_nodes, seen))
        for n in self.nodes:
            if n.type != "Indicator" and n.parent is not None and n.type not in ("Aggregate",):
                out.append(at(_where(n), "framework.row_cannot_have_parent", type=n.type, code=n.code))
            if n.denominator is not None:
                d = seen.get(n.denominator)
                if d is None or d.type != "Denominator":
                    out.append(at(_where(n), "framework.not_a_denominator", denominator=n.denominator, code=n.code))
        return out

    def data_problems(self, columns: Sequence[str]) -> list[str]:
        """Mismatches between data columns and the framework, with column numbers."""
        out: list[str] = []
        position = {c: i + 1 for i, c in enumerate(columns)}
        for n in self.nodes:
            if n.type in ("Indicator", "Group", "Denominator", "Other") and n.code not in position:
                where = Message("data.imeta_row", row=n.row) if n.row is not None else ""
                if n.type == "Indicator":
                    out.append(Message("data.indicator_no_column", code=n.code, row=where))
                else:
                    out.append(Message("data.other_no_column", type=n.type.lower(), code=n.code, row=where))
        for c, i in position.items():
            n = self._by_code.get(c)
            if c in UNIT_COLUMNS:
                continue
            if n is None:
                out.append(Message("data.unknown_column", position=i, column=c))
            elif n.type == "Aggregate":
                out.append(Message("data.aggregate_column", position=i, column=c))
        if "uCode" not in position:
            out.append(Message("data.no_ucode_column"))
        return out

    # ------------------------------------------------------------------ queries
    def __getitem__(self, code: str) -> Node:
        return self._by_code[code]

    def __contains__(self, code: str) -> bool:
        return code in self._by_code

    def codes(self, type_: str) -> tuple[str, ...]:
        return tuple(n.code for n in self.nodes if n.type == type_)

    @cached_property
    def indicators(self) -> tuple[str, ...]:
        return self.codes("Indicator")

    @cached_property
    def aggregates(self) -> tuple[str, ...]:
        return self.tree.aggregates

    @cached_property
    def max_level(self) -> int:
        return max(n.level for n in self.nodes if n.type in ("Indicator", "Aggregate"))

    @cached_property
    def top(self) -> tuple[str, ...]:
        """Codes of the nodes at the highest level (normally the one index)."""
        return tuple(n.code for n in self.nodes
                     if n.type in ("Indicator", "Aggregate") and n.level == self.max_level)

    @cached_property
    def directions(self) -> np.ndarray:
        return np.array([self[c].direction for c in self.indicators], dtype=float)

    def children(self, code: str) -> tuple[str, ...]:
        return tuple(n.code for n in self.nodes if n.parent == code)

    @cached_property
    def tree(self) -> AggregationTree:
        """Computation plan: indicators, then each level's aggregates in framework order."""
        by_level: dict[int, list[str]] = {}
        for n in self.nodes:
            if n.type == "Aggregate":
                by_level.setdefault(n.level, []).append(n.code)
        agg_levels = sorted(by_level)
        codes = list(self.indicators)
        for lev in agg_levels:
            codes.extend(by_level[lev])
        pos = {c: i for i, c in enumerate(codes)}
        # Each node read once: its parent and weight, in computation order.
        nodes = [self._by_code[c] for c in codes]
        parent_of = [n.parent for n in nodes]
        plans = []
        for lev in agg_levels:
            parents = by_level[lev]
            pcol = {p: j for j, p in enumerate(parents)}
            kids = [i for i, p in enumerate(parent_of) if p in pcol]
            member = np.zeros((len(kids), len(parents)))
            member[np.arange(len(kids)), [pcol[parent_of[i]] for i in kids]] = 1.0
            plans.append(LevelPlan(
                level=lev,
                parents=tuple(parents),
                parent_index=np.array([pos[p] for p in parents], dtype=np.intp),
                children=tuple(codes[i] for i in kids),
                child_index=np.array(kids, dtype=np.intp),
                membership=member,
                child_weights=np.array([nodes[i].weight for i in kids], dtype=float),
            ))
        return AggregationTree(tuple(codes), len(self.indicators), tuple(plans))


# ---------------------------------------------------------------------- helpers
def _where(n: Node) -> Message:
    return where_row(n.row) if n.row is not None else Message("where.code", code=n.code)


def _key_attr(key: Any) -> str | None:
    try:
        return _KEY_ATTRS[key]
    except (KeyError, TypeError):
        attr = _COLUMN_ATTRS.get(str(key).strip().lower())
        if isinstance(key, str) and len(_KEY_ATTRS) < 1024:
            _KEY_ATTRS[key] = attr  # every row of a file has the same keys
        return attr


_KEY_ATTRS: dict[str, str | None] = {}


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


def _node_from_row(raw: Mapping[str, Any], row_no: int, has_type: bool,
                   attr_of: Mapping[Any, str | None]) -> tuple[Node | None, list[str]]:
    problems: list[str] = []
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in raw.items():
        if key is None:
            continue
        attr = attr_of[key]
        if attr is None:
            if not _is_missing(value):
                extra[str(key)] = value
        else:
            values[attr] = value
    code = _text(values.get("code"))
    if code is None:
        if all(_is_missing(v) for v in raw.values()):
            return None, []  # blank line
        return None, [at(where_row(row_no), "framework.missing_icode")]
    kwargs: dict[str, Any] = {"code": code, "row": row_no, "extra": extra}

    level = None
    try:
        lv = _number(values.get("level"))  # None when missing
        if lv is not None:
            if not float(lv).is_integer():
                raise ValueError
            level = int(lv)
    except ValueError:
        problems.append(at(where_row(row_no), "framework.level_not_whole", code=code, value=values["level"]))
    kwargs["level"] = level

    type_ = _text(values.get("type"))
    if type_ is None:
        if has_type:
            problems.append(at(where_row(row_no), "framework.missing_type", code=code))
            type_ = "Indicator"
        else:
            type_ = "Aggregate" if (level or 1) > 1 else "Indicator"
    match = _TYPE_BY_LOWER.get(type_.lower())
    if match is None:
        problems.append(at(where_row(row_no), "framework.unknown_type", type=type_, code=code, types=list(NODE_TYPES)))
        type_ = "Other"
    else:
        type_ = match
    kwargs["type"] = type_

    for attr in ("parent", "name", "name_vi", "name_en", "unit", "denominator"):
        v = values.get(attr)
        if v is None:
            continue
        if type(v) is str:  # _text's common case (text from a CSV) without the call
            t = v.strip()
            if t in MISSING_TEXT:
                continue
        else:
            t = _text(v)
            if t is None:
                continue
        kwargs[attr] = t

    in_tree = type_ in ("Indicator", "Aggregate")
    if "weight" in values and in_tree:
        try:
            w = _number(values["weight"])
            if w is None:
                problems.append(at(where_row(row_no), "framework.weight_missing", code=code))
            elif not math.isfinite(w):
                raise ValueError
            else:
                kwargs["weight"] = w
        except ValueError:
            problems.append(at(where_row(row_no), "framework.weight_not_number", code=code, value=values["weight"]))
    if "direction" in values and in_tree:
        try:
            d = _number(values["direction"])  # None when missing: the default
            if d is not None:
                if d not in (1.0, -1.0):
                    raise ValueError
                kwargs["direction"] = int(d)
        except ValueError:
            problems.append(at(where_row(row_no), "framework.direction_invalid", code=code, value=values["direction"]))
    for attr, label in (("target", "Target"), ("max_points", "max_points"),
                        ("lower", "goalpost_lower"), ("upper", "goalpost_upper")):
        if attr in values:
            try:
                v = _number(values[attr])
                if v is not None:
                    kwargs[attr] = v
            except ValueError:
                problems.append(at(where_row(row_no), "framework.value_not_number", label=label, code=code, value=values[attr]))
    if "bands" in values:
        try:
            kwargs["bands"] = parse_bands(values["bands"])
        except (ValueError, KeyError, TypeError, IndexError):
            problems.append(at(where_row(row_no), "framework.bands_unreadable", code=code, value=values["bands"]))
    # As Node(**kwargs) without the frozen dataclass's one object.__setattr__ call per field: a
    # framework of a few hundred rows is built in a fraction of the time (the fields are the same).
    node = _new_node(Node)
    node.__dict__.update(_NODE_DEFAULTS)
    node.__dict__.update(kwargs)
    return node, problems


_new_node = object.__new__
_NODE_DEFAULTS = {f.name: f.default for f in fields(Node) if f.name not in ("code", "extra")}


def _cycles(tree_nodes: Sequence[Node], by_code: Mapping[str, Node]) -> list[str]:
    out = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start in tree_nodes:
        path: list[str] = []
        code: str | None = start.code
        while code is not None and code in by_code and state.get(code) != 2:
            if state.get(code) == 1:
                cycle = path[path.index(code):] + [code]
                out.append(at(_where(by_code[code]), "framework.cycle", cycle=" -> ".join(cycle)))
                break
            state[code] = 1
            path.append(code)
            code = by_code[code].parent
        for c in path:
            state[c] = 2
    return out
