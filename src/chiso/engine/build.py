"""IndexBuild (like COINr's coin): the framework, the data after each step, and a replayable log of step parameters."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence  # (typing's aliases check isinstance in Python)
from dataclasses import dataclass
from typing import Any

import numpy as np

from .aggregate import aggregate as _aggregate
from .coinr_files import to_pandas
from .dataset import Dataset
from .denominate import denominate as _denominate
from .errors import Message, StepError
from .framework import Framework
from .impute import impute as _impute
from .normalise import normalise as _normalise
from .points import score_framework as _score_framework
from .rank import rank as _rank
from .rank import rank_within_groups as _rank_within_groups
from .screen import screen as _screen
from .treat import DEFAULTS as _TREAT_DEFAULTS
from .treat import treat as _treat

# Above this many cells (2 MB), normalise and aggregate work in slices (bounded temporaries).
CHUNK_CELLS = 1 << 18

# ---------------------------------------------------------------------- steps
# Each step: (framework, data, **params) -> (new Dataset, details). Parameters are plain
# values (numbers, strings, lists, mappings) so the log can be written as YAML and replayed.

STEP_DEFAULTS: dict[str, dict[str, Any]] = {
    "screen": {"dat_thresh": 2 / 3, "nonzero_thresh": 0.05, "unit_screen": "byNA", "force": None},
    "denominate": {"denominators": None, "scale_factors": None},
    "impute": {"method": "mean", "group": None, "max_time": None},
    "treat": {**_TREAT_DEFAULTS, "overrides": None},
    "normalise": {"method": "minmax", "l_u": [0, 100], "m_sd": [0, 1], "npara": [0, 100], "ref": None,
                  "cap_max": False, "targets": None, "lower": None, "upper": None, "scale": 100,
                  "trunc2posts": True, "overrides": None},
    "aggregate": {"method": "amean", "methods": None, "weights": None, "dat_thresh": None, "p": None,
                  "scale": 1.0},
    "points": {"bonus": None, "penalty": None, "output": "percent"},
}
# What each step's method needs, so a log entry only records parameters that take effect.
_NORMALISE_KEYS = {"minmax": ("l_u",), "zscore": ("m_sd",), "scaled": ("npara",), "dist2ref": ("ref", "cap_max"),
                   "dist2targ": ("targets", "cap_max"), "goalposts": ("lower", "upper", "scale", "trunc2posts")}


def step_screen(fw: Framework, data: Dataset, dat_thresh=2 / 3, nonzero_thresh=0.05, unit_screen="byNA",
                force=None) -> tuple[Dataset, Any]:
    X = data.columns(_indicator_codes(fw, data))
    res = _screen(X, float(dat_thresh), float(nonzero_thresh), unit_screen, force, data.units)
    if res.keep.all():
        return data, res
    return data.take_units(res.keep), res


def step_denominate(fw: Framework, data: Dataset, denominators=None, scale_factors=None) -> tuple[Dataset, Any]:
    mapping = {c: fw[c].denominator for c in data.codes if c in fw and fw[c].denominator}
    if denominators:
        mapping.update({c: d for c, d in denominators.items() if d})
        for c, d in denominators.items():
            if not d:
                mapping.pop(c, None)
    if not mapping:
        return data, {}
    problems = [Message("denominate.indicator", code=c) for c in mapping if c not in data.codes]
    problems += [Message("denominate.denominator", code=d) for d in set(mapping.values()) if d not in data.meta]
    if problems:
        raise StepError(Message("denominate.not_in_data", missing=problems))
    cols = [data.codes.index(c) for c in mapping]
    D = np.column_stack([np.asarray(data.meta[d], dtype=float) for d in mapping.values()])
    sf = np.array([float((scale_factors or {}).get(c, 1.0)) for c in mapping])
    values = data.values.copy()
    values[:, cols] = _denominate(values[:, cols], D, sf)
    return data.with_values(values), dict(mapping)


def step_impute(fw: Framework, data: Dataset, method="mean", group=None, max_time=None) -> tuple[Dataset, Any]:
    groups = None
    if method in ("mean_group", "median_group"):
        if group is None:
            raise StepError(Message("impute.name_group", method=method))
        if group not in data.meta:
            raise StepError(Message("impute.group_not_in_data", group=group))
        groups = data.meta[group]
    before = np.isnan(data.values)
    values = _impute(data.values, method, groups=groups, units=data.units, time=data.time,
                     max_time=max_time, codes=data.codes)
    if values is data.values:
        return data, {"imputed": 0}
    return data.with_values(values), {"imputed": int((before & ~np.isnan(values)).sum())}


def step_treat(fw: Framework, data: Dataset, overrides=None, **params) -> tuple[Dataset, Any]:
    codes = _indicator_codes(fw, data)
    X = data.columns(codes)
    out, report = _treat(X, codes, overrides, **params)
    return _replace_columns(data, codes, out), report


def step_normalise(fw: Framework, data: Dataset, method="minmax", overrides=None, ref=None, targets=None,
                   lower=None, upper=None, *, in_place: bool = False, **params) -> tuple[Dataset, Any]:
    """`in_place` (IndexBuild(in_place=True), where the build alone holds the data): the normalised
    values overwrite the data's own matrix instead of a second one. The method sees the same
    contiguous input either way, so the numbers are the same."""
    codes, kwargs = normalise_inputs(fw, data, method=method, overrides=overrides, ref=ref, targets=targets,
                                     lower=lower, upper=upper, **params)
    X = data.columns(codes)
    target = X if in_place and X is data.values else None
    if X.size <= CHUNK_CELLS or kwargs["overrides"]:
        if target is None:
            out = _normalise(X, **kwargs)
        else:
            target[...] = _normalise(np.ascontiguousarray(X), **kwargs)
            out = target
    else:
        # Column by column in slices, so the method's temporaries stay small (every method is column-wise).
        out = np.empty(X.shape) if target is None else target
        step = max(1, CHUNK_CELLS // max(1, X.shape[0]))
        for c0 in range(0, X.shape[1], step):
            c1 = min(c0 + step, X.shape[1])
            part = dict(kwargs, directions=kwargs["directions"][c0:c1], codes=codes[c0:c1],
                        column_params={k: np.asarray(v)[c0:c1] for k, v in kwargs["column_params"].items()})
            # A contiguous copy of the slice: the method's passes then read it, not every row of X.
            out[:, c0:c1] = _normalise(np.ascontiguousarray(X[:, c0:c1]), **part)
    return _replace_columns(data, codes, out), None


def normalise_inputs(fw: Framework, data: Dataset, method="minmax", overrides=None, ref=None, targets=None,
                     lower=None, upper=None, **params) -> tuple[tuple[str, ...], dict[str, Any]]:
    """The indicator columns the normalise step reads and the keyword arguments of `normalise()`
    for them (directions, per-column targets and goalposts, overrides): shared by the step and
    its batched form (chiso.engine.batched), which tiles them over replications."""
    codes = _indicator_codes(fw, data)
    directions = fw.directions if codes == fw.indicators else np.array([fw[c].direction for c in codes], float)
    if ref is not None:
        params["iref"] = _unit_position(data, ref)
    methods = {method, *(o.get("method", "minmax") for o in (overrides or {}).values())}
    column_params = {}
    if methods & {"dist2targ"}:
        column_params["targets"] = _per_column(fw, codes, targets, "target", overrides, "target")
    if methods & {"goalposts"}:
        column_params["lower"] = _per_column(fw, codes, lower, "lower", overrides, "lower")
        column_params["upper"] = _per_column(fw, codes, upper, "upper", overrides, "upper")
    ovr = None
    if overrides:
        ovr = {c: {k: v for k, v in o.items() if k not in ("target", "lower", "upper")}
               for c, o in overrides.items()}
        for o in ovr.values():
            if o.get("ref") is not None:
                o["iref"] = _unit_position(data, o.pop("ref"))
    return codes, dict(directions=directions, method=method, codes=codes, overrides=ovr,
                       column_params=column_params, **params)


def step_aggregate(fw: Framework, data: Dataset, method="amean", methods=None, weights=None, dat_thresh=None,
                   p=None, scale=1.0, *, in_place: bool = False) -> tuple[Dataset, Any]:
    """`in_place` (IndexBuild(in_place=True)): when the data's values are the indicator columns of a
    matrix with a column for every aggregate after them (Dataset.read_csv(spare_columns=...)), the
    aggregates are written there and that matrix is the result: one matrix instead of two.
    `_aggregate` is given contiguous copies of the same rows either way, so the numbers are the same."""
    tree = fw.tree
    missing = []
    if data.codes != tree.indicators:
        present = set(data.codes)
        missing = [c for c in tree.indicators if c not in present]
    if missing:
        raise StepError(Message("aggregate.not_in_data", codes=missing))
    X = data.columns(tree.indicators)
    kwargs = dict(method=method, weights=weights, dat_thresh=dat_thresh, p=p, scale=float(scale), methods=methods)
    full = _room_beside(X, len(tree.codes)) if in_place and X is data.values else None
    k = 0 if full is None else tree.n_indicators  # the first column written (the indicators are there)
    if X.size <= CHUNK_CELLS:
        if full is None:
            out = _aggregate(X, tree, units=data.units, **kwargs)
        else:
            full[:, k:] = _aggregate(np.ascontiguousarray(X), tree, units=data.units, **kwargs)[:, k:]
            out = full
    else:
        # Row slices: a unit's aggregates depend on its row only, and the temporaries stay small.
        out = np.empty((X.shape[0], len(tree.codes))) if full is None else full
        step = max(1, CHUNK_CELLS // max(1, X.shape[1]))
        try:
            for r0 in range(0, X.shape[0], step):
                rows = X[r0:r0 + step] if full is None else np.ascontiguousarray(X[r0:r0 + step])
                out[r0:r0 + step, k:] = _aggregate(rows, tree, units=data.units[r0:r0 + step], **kwargs)[:, k:]
        except StepError:
            _aggregate(X, tree, units=data.units, **kwargs)  # the message names units over the whole data
            raise
    return data.with_values(out, tree.codes), None


def _room_beside(values: np.ndarray, width: int) -> np.ndarray | None:
    """The matrix whose first columns `values` is, when it is `width` columns wide (the reader left
    room for the aggregates), as many rows as `values`; else None."""
    base = values.base
    if not (isinstance(base, np.ndarray) and base.ndim == 2 and base.shape[1] == width and base.flags.c_contiguous
            and base.shape[0] >= values.shape[0] and values.strides == base.strides
            and values.__array_interface__["data"][0] == base.__array_interface__["data"][0]):
        return None
    return base[:values.shape[0]]


def step_points(fw: Framework, data: Dataset, bonus=None, penalty=None, output="percent") -> tuple[Dataset, Any]:
    if output not in ("percent", "points"):
        raise StepError(Message("points.output"))
    tree = fw.tree
    X = data.columns(tree.indicators)
    applicable = None
    if data.not_applicable is not None:
        idx = [data.codes.index(c) for c in tree.indicators]
        applicable = ~data.not_applicable[:, idx]

    def per_unit(spec):
        out = {}
        for node, v in (spec or {}).items():
            if isinstance(v, str):
                if v not in data.meta:
                    raise StepError(Message("points.column_not_in_data", column=v))
                try:
                    v = np.array([float(x) if x not in (None, "") else 0.0 for x in data.meta[v]])
                except ValueError:
                    raise StepError(Message("points.column_not_numbers", column=v)) from None
            out[node] = v
        return out

    res = _score_framework(fw, X, applicable, per_unit(bonus), per_unit(penalty))
    values = res.percent if output == "percent" else res.points
    return data.with_values(values, tree.codes), res


STEPS: dict[str, Callable[..., tuple[Dataset, Any]]] = {
    "screen": step_screen,
    "denominate": step_denominate,
    "impute": step_impute,
    "treat": step_treat,
    "normalise": step_normalise,
    "aggregate": step_aggregate,
    "points": step_points,
}

# Steps that can overwrite the data they are given (IndexBuild(in_place=True)).
_IN_PLACE_STEPS = ("normalise", "aggregate")

# COINr's names accepted for methods and a few parameters (logged under ours).
_PARAM_ALIASES = {"impute": {"use_group": "group"}}
_METHOD_PREFIX = {"normalise": "n_", "aggregate": "a_", "impute": "i_"}


def canonical_method(step: str, name: Any) -> Any:
    """'n_minmax' -> 'minmax', 'a_gmean' -> 'gmean', 'i_mean_grp' -> 'mean_group', 'impute_panel' -> 'panel'."""
    if not isinstance(name, str):
        return name
    prefix = _METHOD_PREFIX.get(step)
    if prefix and name.startswith(prefix):
        name = name[len(prefix):]
    if step == "impute":
        name = {"mean_grp": "mean_group", "median_grp": "median_group", "impute_panel": "panel"}.get(name, name)
    return name


def resolve_params(step: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults merged with `params`; unknown names are an error. For normalise only the
    parameters the chosen method reads are kept, so the log shows what took effect."""
    if step not in STEPS:
        raise StepError(Message("steps.unknown_step", step=step, steps=list(STEPS)))
    aliases = _PARAM_ALIASES.get(step, {})
    params = {aliases.get(k, k): v for k, v in (params or {}).items()}
    if "method" in params:
        params["method"] = canonical_method(step, params["method"])
    if step == "aggregate" and isinstance(params.get("methods"), Mapping):
        params["methods"] = {k: canonical_method(step, v) for k, v in params["methods"].items()}
    if step == "normalise" and isinstance(params.get("overrides"), Mapping):
        params["overrides"] = {c: ({**o, "method": canonical_method(step, o["method"])}
                                   if isinstance(o, Mapping) and "method" in o else o)
                               for c, o in params["overrides"].items()}
    defaults = STEP_DEFAULTS[step]
    unknown = [k for k in params if k not in defaults]
    if unknown:
        raise StepError(Message("steps.unknown_parameters", step=step, unknown=unknown, known=list(defaults)))
    out = {**defaults, **params}
    if step == "normalise":
        keep = ("method", "overrides", *_NORMALISE_KEYS.get(out["method"], ()))
        out = {k: v for k, v in out.items() if k in keep}
    return out


# ---------------------------------------------------------------------- the build
@dataclass(frozen=True)
class Results:
    """Scores of every aggregate (levels >= 2) and the rank on the top aggregate (1 = best)."""

    units: np.ndarray
    names: np.ndarray
    codes: tuple[str, ...]
    scores: np.ndarray
    rank_code: str
    rank: np.ndarray
    time: np.ndarray | None = None  # panel data: the Time of each row; ranks are within each Time

    def column(self, code: str) -> np.ndarray:
        return self.scores[:, self.codes.index(code)]


class IndexBuild:
    """The framework, the data after each step and the log of (step, params) that produced it.

        build = IndexBuild(framework, data).normalise().aggregate()
        build.log        # [("normalise", {...}), ("aggregate", {...})]
        build.replay({("normalise", "method"): "zscore"})
    """

    def __init__(self, framework: Framework, data: Dataset, keep: str = "all", in_place: bool = False):
        """`keep="last"` (one-shot use, e.g. the command line): only the latest data set is kept, so
        memory holds two data sets at most; the log is kept, replay is not possible.

        `in_place=True` (with keep="last" only; the compute command): the caller hands `data` over,
        keeping no reference to it. Normalisation then overwrites its values, and aggregation
        writes into the room the reader left beside them (io.load_with_notes(room_for_aggregates=True)),
        so a build holds one matrix where it held two. The numbers are the same (tested)."""
        if keep not in ("all", "last"):
            raise StepError(Message("build.keep_invalid"))
        if in_place and keep != "last":
            raise ValueError("IndexBuild: in_place=True needs keep='last' (the raw data is overwritten)")
        self.framework = framework
        self.raw = data
        self.keep = keep
        self.in_place = in_place
        self.log: list[tuple[str, dict[str, Any]]] = []
        self.datasets: list[Dataset] = []
        self.details: list[Any] = []

    # -- running steps
    def run(self, step: str, **params: Any) -> "IndexBuild":
        resolved = resolve_params(step, params)
        # Steps never mutate their parameters, so the logged dict is passed as is (no copies:
        # the default pipeline on ASEM must stay well under a millisecond).
        if self.in_place and step in _IN_PLACE_STEPS:
            data, details = STEPS[step](self.framework, self.data, **resolved, in_place=True)
        else:
            data, details = STEPS[step](self.framework, self.data, **resolved)
        self.log.append((step, resolved))
        if self.keep == "last":
            self.datasets.clear()
            self.raw = None
        self.datasets.append(data)
        self.details.append(details)
        return self

    def screen(self, **params: Any) -> "IndexBuild":
        return self.run("screen", **params)

    def denominate(self, **params: Any) -> "IndexBuild":
        return self.run("denominate", **params)

    def impute(self, **params: Any) -> "IndexBuild":
        return self.run("impute", **params)

    def treat(self, **params: Any) -> "IndexBuild":
        return self.run("treat", **params)

    def normalise(self, **params: Any) -> "IndexBuild":
        return self.run("normalise", **params)

    def aggregate(self, **params: Any) -> "IndexBuild":
        return self.run("aggregate", **params)

    def points(self, **params: Any) -> "IndexBuild":
        return self.run("points", **params)

    @classmethod
    def from_steps(cls, framework: Framework, data: Dataset,
                   steps: Iterable[tuple[str, Mapping[str, Any] | None]], keep: str = "all") -> "IndexBuild":
        build = cls(framework, data, keep=keep)
        for name, params in steps:
            build.run(name, **dict(params or {}))
        return build

    # -- looking at it
    @property
    def data(self) -> Dataset:
        """The latest data set (the raw data before any step)."""
        return self.datasets[-1] if self.datasets else self.raw

    def dataset(self, step: str | int) -> Dataset:
        """The data after the (last) step of that name, or after log entry `step` (an index)."""
        if self.keep == "last":
            raise StepError(Message("build.kept_last"))
        if isinstance(step, int):
            return self.datasets[step]
        for name, data in zip(reversed([s for s, _ in self.log]), reversed(self.datasets)):
            if name == step:
                return data
        raise StepError(Message("build.no_step", step=step))

    def get(self, path: Sequence[Any]) -> Any:
        """A logged parameter by path: (step name or log index, key, sub-key...)."""
        entries = self._entries(path[0])
        value: Any = entries[0][1]
        for key in path[1:]:
            value = value[key]
        return value

    def results(self) -> Results:
        """Aggregate scores and the rank on the top aggregate, from the latest data set."""
        data = self.data
        tree = self.framework.tree
        if data.codes == tree.codes:  # as the aggregate step leaves it: the aggregates are the last columns
            aggs = list(tree.aggregates)
            scores = data.values[:, tree.n_indicators:].copy()
        else:
            aggs = [c for c in tree.aggregates if c in data.codes]
            scores = data.columns(aggs)
        if not aggs:
            raise StepError(Message("build.no_aggregates"))
        top = next((c for c in self.framework.top if c in aggs), aggs[-1])
        score = scores[:, aggs.index(top)]
        time = data.time
        known = time[~np.isnan(time)] if time is not None else None
        # More than one period (np.unique would import numpy.ma: 15 ms of the command's start-up).
        if known is not None and known.size and (known != known[0]).any():
            return Results(units=data.units, names=data.names, codes=tuple(aggs), scores=scores, rank_code=top,
                           rank=_rank_within_groups(score, time.tolist()), time=time)
        return Results(units=data.units, names=data.names, codes=tuple(aggs), scores=scores,
                       rank_code=top, rank=_rank(score))

    def to_pandas(self) -> dict[str, Any]:
        """The build as pandas DataFrames: "results", "data" and "log" (chiso.engine.coinr_files.to_pandas;
        pandas is imported only here, and is optional)."""
        return to_pandas(self)

    # -- replay
    def replay(self, changes: Mapping[tuple, Any] | None = None) -> "IndexBuild":
        """Rerun every logged step from the raw data, with parameters changed by path.

        A path is (step name or log index, parameter[, sub-key...]); a step name applies the
        change to every logged step of that name. Example:
        build.replay({("normalise", "method"): "zscore", ("aggregate", "weights", "Conn"): 2})
        """
        if self.raw is None:
            raise StepError(Message("build.cannot_replay"))
        steps = [(name, copy.deepcopy(params)) for name, params in self.log]
        for path, value in (changes or {}).items():
            if not isinstance(path, tuple) or len(path) < 2:
                raise StepError(Message("build.replay_path", path=path))
            hit = self._entries(path[0], steps)
            for _, params in hit:
                target = params
                for key in path[1:-1]:
                    if not isinstance(target.get(key), dict):
                        target[key] = {}
                    target = target[key]
                target[path[-1]] = value
        return IndexBuild.from_steps(self.framework, self.raw, steps)

    def _entries(self, key: str | int, steps: list | None = None) -> list[tuple[str, dict]]:
        steps = self.log if steps is None else steps
        if isinstance(key, int):
            try:
                return [steps[key]]
            except IndexError:
                raise StepError(Message("build.no_log_entry", index=key, count=len(steps))) from None
        hit = [s for s in steps if s[0] == key]
        if not hit:
            raise StepError(Message("build.no_step_named", step=key, steps=[s for s, _ in steps]))
        return hit


def parse_steps(items: Any, source: str = "steps") -> list[tuple[str, dict[str, Any]]]:
    """A pipeline written as data: a list whose items are a step name or {name: {params}}.

    Names and parameters are checked now, before any data is read.
    """
    if not isinstance(items, list) or not items:
        raise StepError(Message("steps.not_a_list", source=source))
    steps = []
    for i, item in enumerate(items, 1):
        if isinstance(item, str):
            name, params = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            name, params = next(iter(item.items()))
            params = params or {}
        else:
            raise StepError(Message("steps.item_not_step", source=source, index=i))
        if not isinstance(params, dict):
            raise StepError(Message("steps.params_not_mapping", source=source, index=i, step=name))
        try:
            resolve_params(str(name), params)
        except StepError as e:
            raise StepError(Message("steps.in_step", source=source, index=i, error=e.message)) from None
        steps.append((str(name), params))
    return steps


def default_steps() -> list[tuple[str, dict[str, Any]]]:
    """COINr's defaults: min-max 0-100, then the weighted arithmetic mean level by level."""
    return [("normalise", {"method": "minmax", "l_u": [0, 100]}), ("aggregate", {"method": "amean"})]


# ---------------------------------------------------------------------- helpers
def _indicator_codes(fw: Framework, data: Dataset) -> tuple[str, ...]:
    if data.codes == fw.indicators:
        return data.codes
    return tuple(c for c in data.codes if c in fw and fw[c].type == "Indicator")


def _unit_position(data: Dataset, unit: str) -> int:
    where = np.flatnonzero(data.units == unit)
    if not where.size:
        raise StepError(Message("normalise.ref_not_in_data", unit=unit))
    return int(where[0])


def _replace_columns(data: Dataset, codes: Sequence[str], new: np.ndarray) -> Dataset:
    if tuple(codes) == data.codes:
        return data.with_values(new)
    values = data.values.copy()
    values[:, [data.codes.index(c) for c in codes]] = new
    return data.with_values(values)


def _per_column(fw: Framework, codes: Sequence[str], given: Mapping[str, float] | float | None, attr: str,
                overrides: Mapping[str, Mapping[str, Any]] | None, override_key: str) -> np.ndarray:
    """Per-indicator values (targets, goalposts): framework first, then the step's mapping, then overrides."""
    vals = np.array([np.nan if getattr(fw[c], attr) is None else getattr(fw[c], attr) for c in codes], float)
    if isinstance(given, Mapping):
        unknown = [c for c in given if c not in codes]
        if unknown:
            raise StepError(Message("normalise.attr_unknown_indicators", attribute=attr, codes=unknown))
        for c, v in given.items():
            vals[codes.index(c)] = float(v)
    elif given is not None:
        vals[:] = float(given)
    for c, o in (overrides or {}).items():
        if override_key in o and c in codes:
            vals[codes.index(c)] = float(o[override_key])
    return vals
