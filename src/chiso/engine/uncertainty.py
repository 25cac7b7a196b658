"""Methodological uncertainty and sensitivity analysis of an index (COINr's get_sensitivity, SA_type "UA" and "SA").

An *assumption* is a parameter of a step in the build's log, addressed by a path as in
`IndexBuild.replay` ((step name or log index, parameter[, sub-key...]); a path of the step alone
addresses its whole parameter set), with either

- discrete alternatives (`Assumption.discrete`): values for the parameter, or for a step path
  mappings of parameters laid over the step's own (e.g. {method: zscore, m_sd: [10, 2]});
  drawn with equal probability, as COINr's sample_2_para;
- a continuous range (`Assumption.uniform`): a number drawn uniformly in [low, high];
- weight noise (`Assumption.weights`): every weight of the chosen levels perturbed by a
  uniform ±x % of its nominal value, w (1 + (2u - 1) x), as COINr's get_noisy_weights.

`uncertainty(build, assumptions, n)` draws n replications (a uniform sample, COINr's UA) and
reports per unit the nominal rank and the mean, median, 5th and 95th percentile ranks
(COINr's RankStats). `sensitivity(build, assumptions, n)` runs Saltelli's design of n (d + 2)
replications and estimates first-order and total-effect sensitivity indices of the mean
absolute rank shift (COINr's target) with bootstrap confidence intervals.

Every assumption is checked against the build before anything runs: a path that is not in the
log, an alternative the step does not know, or one that cannot run on this build is an error,
never skipped.

Vectorised: replications are grouped by their combination of discrete (and uniform) values;
each combination reruns the affected steps once, and the weight replications of a combination
go through aggregation together (`batched.aggregate_batched`), in chunks that bound memory.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .aggregate import METHODS as AGG_METHODS
from .impute import METHODS as IMPUTE_METHODS
from .normalise import METHODS as NORMALISE_METHODS
from .batched import aggregate_batched, node_levels, node_weights
from .build import STEPS, IndexBuild, canonical_method, parse_steps, resolve_params
from .errors import EngineError, Joined, Message, StepError
from .rank import rank_min
from .screen import UNIT_SCREEN
from .treat import F1, F2

#: Replications x units x nodes held at once in a batched aggregation (8 bytes each): ~64 MB.
CHUNK_CELLS = 8_000_000
RANK_COLUMNS = ("uCode", "Nominal", "Mean", "Median", "Q5", "Q95")
SENSITIVITY_COLUMNS = ("Variable", "Si", "STi", "Si_q5", "Si_q95", "STi_q5", "STi_q95")
# Parameters whose sub-keys are node codes (or levels): a path may go one level into them.
_CODE_KEYED = {"weights", "overrides", "methods", "dat_thresh", "force", "denominators", "scale_factors",
               "targets", "lower", "upper", "bonus", "penalty"}


# ---------------------------------------------------------------------- assumptions
@dataclass(frozen=True)
class Assumption:
    """One uncertain input: a path into the build's log and what it may take."""

    name: str
    path: tuple
    alternatives: tuple = ()
    bounds: tuple[float, float] | None = None
    noise: float | None = None
    levels: tuple[int, ...] | None = None
    sets: int | None = None  # sensitivity analysis: number of pre-drawn noisy weight sets

    @classmethod
    def discrete(cls, name: str, path: Sequence[Any] | str, alternatives: Iterable[Any]) -> "Assumption":
        return cls(name=name, path=_path(path), alternatives=tuple(alternatives))

    @classmethod
    def uniform(cls, name: str, path: Sequence[Any] | str, low: float, high: float) -> "Assumption":
        return cls(name=name, path=_path(path), bounds=(float(low), float(high)))

    @classmethod
    def weights(cls, noise: float, levels: Iterable[int] | None = None, name: str = "Weights",
                step: str | int = "aggregate", sets: int | None = None) -> "Assumption":
        return cls(name=name, path=(step, "weights"), noise=float(noise),
                   levels=None if levels is None else tuple(int(v) for v in levels), sets=sets)

    @property
    def kind(self) -> str:
        if self.noise is not None:
            return "weights"
        if self.bounds is not None:
            return "uniform"
        return "discrete"


def _path(path: Sequence[Any] | str) -> tuple:
    if isinstance(path, str):
        return tuple(path.split(".")) if "." in path else (path,)
    return tuple(path)


def parse_assumptions(items: Any, source: str = "assumptions") -> list[Assumption]:
    """Assumptions written as data (the `assumptions:` list of a spec file); see docs/engine.md."""
    if not isinstance(items, list) or not items:
        raise StepError(Message("assumptions.not_a_list", source=source))
    out = []
    for i, item in enumerate(items, 1):
        where = Message("assumptions.where", source=source, index=i)
        if not isinstance(item, Mapping):
            raise StepError(Message("assumptions.not_mapping", where=where))
        unknown = set(item) - {"name", "path", "alternatives", "uniform", "noise", "levels", "sets"}
        if unknown:
            raise StepError(Message("assumptions.unknown_keys", where=where, keys=sorted(map(str, unknown))))
        kinds = [k for k in ("alternatives", "uniform", "noise") if k in item]
        if len(kinds) != 1:
            raise StepError(Message("assumptions.one_kind", where=where))
        name = str(item.get("name") or f"A{i}")
        named = Message("assumptions.named", where=where, name=name)
        path = item.get("path")
        if path is None and "noise" in item:
            path = ["aggregate", "weights"]
        if not path or not isinstance(path, (list, str)):
            raise StepError(Message("assumptions.path_not_list", where=named))
        if "alternatives" in item:
            alts = item["alternatives"]
            if not isinstance(alts, list) or not alts:
                raise StepError(Message("assumptions.alternatives_empty", where=named))
            out.append(Assumption.discrete(name, path, alts))
        elif "uniform" in item:
            b = item["uniform"]
            if not (isinstance(b, list) and len(b) == 2 and all(isinstance(v, (int, float)) for v in b)):
                raise StepError(Message("assumptions.uniform_two_numbers", where=named))
            out.append(Assumption.uniform(name, path, b[0], b[1]))
        else:
            if not isinstance(item["noise"], (int, float)):
                raise StepError(Message("assumptions.noise_number", where=named))
            lv = item.get("levels")
            if lv is not None and not (isinstance(lv, list) and all(isinstance(v, int) for v in lv)):
                raise StepError(Message("assumptions.levels_list", where=named))
            p = _path(path)
            out.append(Assumption(name=name, path=p, noise=float(item["noise"]),
                                  levels=None if lv is None else tuple(lv),
                                  sets=None if item.get("sets") is None else int(item["sets"])))
    return out


# ---------------------------------------------------------------------- checking against a build
@dataclass
class _Compiled:
    assumption: Assumption
    entries: list[int]                      # log indices it touches
    changes: list[dict[tuple, Any]] = field(default_factory=list)  # discrete: one change set per alternative
    level_mask: np.ndarray | None = None    # weights: which nodes get noise


class _Plan:
    """Assumptions checked against a build, and how to run any combination of their values."""

    def __init__(self, build: IndexBuild, assumptions: Sequence[Assumption], target: str | None):
        if not build.log:
            raise StepError(Message("uncertainty.no_steps"))
        if not assumptions:
            raise StepError(Message("uncertainty.no_assumptions"))
        time = build.raw.time
        if time is not None and np.unique(time[~np.isnan(time)]).size > 1:
            raise StepError(Message("uncertainty.panel"))
        names = [a.name for a in assumptions]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise StepError(Message("uncertainty.names_unique", names=dup))
        self.build = build
        self.framework = build.framework
        self.tree = build.framework.tree
        res = build.results()
        self.target = target or res.rank_code
        if self.target not in self.framework or self.target not in res.codes:
            raise StepError(Message("uncertainty.target", target=self.target, codes=list(res.codes)))
        self.nominal_units = res.units
        self.nominal_score = res.column(self.target)
        self.nominal_rank = res.rank if self.target == res.rank_code else rank_min(self.nominal_score)
        self.items = [self._compile(a) for a in assumptions]
        self._check_overlaps()
        noise = [c for c in self.items if c.assumption.kind == "weights"]
        if len(noise) > 1:
            raise StepError(Message("uncertainty.one_weights"))
        self.noise = noise[0] if noise else None
        self.agg_index = self.noise.entries[0] if self.noise else None
        self._check_alternatives_run()

    # -- compiling
    def _entries(self, key: Any, a: Assumption) -> list[int]:
        log = self.build.log
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise StepError(Message("assumption.path_start", name=a.name, key=key))
        if isinstance(key, int):
            if not -len(log) <= key < len(log):
                raise StepError(Message("assumption.no_log_entry", name=a.name, index=key, count=len(log)))
            return [key % len(log)]
        hit = [i for i, (s, _) in enumerate(log) if s == key]
        if not hit:
            raise StepError(Message("assumption.no_step", name=a.name, path=str(list(a.path)), step=key,
                                    steps=[s for s, _ in log]))
        return hit

    def _compile(self, a: Assumption) -> _Compiled:
        if not a.path:
            raise StepError(Message("assumption.empty_path", name=a.name))
        entries = self._entries(a.path[0], a)
        step = self.build.log[entries[0]][0]
        logged = self.build.log[entries[0]][1]
        c = _Compiled(a, entries)
        if len(a.path) >= 2:
            key = a.path[1]
            if key not in logged:
                raise StepError(Message("assumption.not_logged", name=a.name, path=str(list(a.path)), step=step,
                                        logged=list(logged)))
            if len(a.path) >= 3:
                if len(a.path) > 3 or key not in _CODE_KEYED:
                    raise StepError(Message("assumption.too_deep", name=a.name, path=str(list(a.path)), step=step))
                sub = a.path[2]
                cur = logged[key]
                if cur is not None and not isinstance(cur, Mapping):
                    raise StepError(Message("assumption.not_mapping", name=a.name, path=str(list(a.path)), step=step,
                                            key=key, value=cur))
                ok = (isinstance(cur, Mapping) and sub in cur) or sub in self.framework \
                    or (key in ("methods", "dat_thresh") and isinstance(sub, int))
                if not ok:
                    raise StepError(Message("assumption.not_a_code", name=a.name, path=str(list(a.path)), code=sub))
        if a.kind == "weights":
            if step != "aggregate" or len(a.path) != 2 or a.path[1] != "weights":
                raise StepError(Message("assumption.noise_path", name=a.name, path=str(list(a.path))))
            if len(entries) != 1 or entries[0] != len(self.build.log) - 1:
                raise StepError(Message("assumption.noise_last_step", name=a.name))
            if not (0 <= a.noise < 1):
                raise StepError(Message("assumption.noise_range", name=a.name, noise=a.noise))
            levels = node_levels(self.framework, self.tree)
            has_parent = np.array([self.framework[code].parent is not None for code in self.tree.codes])
            known = sorted(set(levels[has_parent].tolist()))
            wanted = known if a.levels is None else list(a.levels)
            bad = [lv for lv in wanted if lv not in known]
            if bad:
                raise StepError(Message("assumption.no_weights_at_levels", name=a.name, levels=bad, known=known))
            c.level_mask = np.isin(levels, wanted) & has_parent
            if a.sets is not None and a.sets < 1:
                raise StepError(Message("assumption.sets", name=a.name))
            return c
        if a.kind == "uniform":
            lo, hi = a.bounds
            if len(a.path) < 2:
                raise StepError(Message("assumption.uniform_path", name=a.name))
            if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
                raise StepError(Message("assumption.uniform_order", name=a.name, low=lo, high=hi))
            self._check_values(a, entries, [{a.path: lo}, {a.path: hi}])
            return c
        if not a.alternatives:
            raise StepError(Message("assumption.no_alternatives", name=a.name))
        for alt in a.alternatives:
            if len(a.path) == 1:
                if not isinstance(alt, Mapping) or not alt:
                    raise StepError(Message("assumption.whole_step", name=a.name, step=a.path[0], value=alt))
                c.changes.append({(a.path[0], k): v for k, v in alt.items()})
            else:
                c.changes.append({a.path: alt})
        self._check_values(a, entries, c.changes)
        return c

    def _check_values(self, a: Assumption, entries: list[int], change_sets: list[dict]) -> None:
        """Each value, alone, must give parameters the step knows."""
        for i, changes in enumerate(change_sets, 1):
            what = Message("assumption.what_alternative", name=a.name, index=i) if a.kind == "discrete" \
                else Message("assumption.what", name=a.name)
            try:
                steps = apply_changes(self.build.log, changes)
                for e in entries:
                    name, params = steps[e]
                    _check_step_values(name, params)
            except EngineError as e:
                raise StepError(Message("assumption.does_not_apply", what=what, error=e.message)) from None
            except (TypeError, ValueError, KeyError) as e:
                raise StepError(Message("assumption.does_not_apply", what=what,
                                        error=f"{type(e).__name__}: {e}")) from None

    def _check_overlaps(self) -> None:
        """Two assumptions may not change the same parameter (or one inside the other)."""
        touched: list[tuple[tuple, str]] = []
        for c in self.items:
            a = c.assumption
            if len(a.path) == 1:
                keys = {(k,) for ch in c.changes for (_, k) in ch}
            else:
                keys = {tuple(a.path[1:])}
            for e in c.entries:
                for key in keys:
                    for (e2, key2), other in touched:
                        n = min(len(key), len(key2))
                        if e2 == e and key[:n] == key2[:n]:
                            raise StepError(Message("assumptions.overlap", first=other, second=a.name,
                                                    step=self.build.log[e][0],
                                                    parameter=".".join(map(str, key[:n]))))
                touched.extend(((e, key), a.name) for key in keys)

    def _values(self, c: _Compiled) -> list[dict[tuple, Any]]:
        a = c.assumption
        return c.changes if a.kind == "discrete" else [{a.path: a.bounds[0]}, {a.path: a.bounds[1]}]

    def _check_alternatives_run(self, max_tries: int = 256) -> None:
        """Every value must run on this build in at least one combination: first with the other
        assumptions nominal, then with the other assumptions' values (up to `max_tries`
        combinations; e.g. a geometric mean needs the positive range another assumption gives).
        A value that runs in none of them does not apply: an error now, not NaN later."""
        for c in self.items:
            a = c.assumption
            if a.kind == "weights":
                continue
            others = [self._values(o) for o in self.items if o is not c and o.assumption.kind != "weights"]
            for i, changes in enumerate(self._values(c), 1):
                try:
                    self.run_combination(changes, None)
                    continue
                except EngineError as e:
                    first = e
                ok = False
                for n_try, combo in enumerate(itertools.product(*others)):
                    if n_try >= max_tries:
                        ok = True  # cannot tell without running every combination: left to the run
                        break
                    merged = {k: v for ch in combo for k, v in ch.items()}
                    merged.update(changes)
                    try:
                        self.run_combination(merged, None)
                        ok = True
                        break
                    except EngineError:
                        continue
                if not ok:
                    what = Message("assumption.alternative", index=i, value=_describe(a, i - 1)) \
                        if a.kind == "discrete" else Message("assumption.value", value=a.bounds[i - 1])
                    raise StepError(Message("assumption.cannot_run", name=a.name, what=what,
                                            error=first.message)) from None

    # -- running
    def run_combination(self, changes: Mapping[tuple, Any], weights: np.ndarray | None
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores of the target for one combination of values: (units, scores (R, units), failed (R,)).

        `weights`: (R, nodes) node weight vectors for the final aggregate step (None: its own)."""
        build = self.build
        steps = apply_changes(build.log, changes) if changes else build.log
        changed = [i for i, (a, b) in enumerate(zip(steps, build.log)) if a[1] is not b[1]]
        end = len(steps) if weights is None else self.agg_index
        k0 = min(changed) if changed else end
        data = build.dataset(k0 - 1) if k0 > 0 else build.raw
        fw = self.framework
        for i in range(k0, end):
            name, params = steps[i]
            data, _ = STEPS[name](fw, data, **params)
        if weights is None:
            if k0 == len(steps):
                data = build.data
            col = data.codes.index(self.target)
            return data.units, data.values[None, :, col], np.zeros(1, dtype=bool)
        params = steps[self.agg_index][1]
        # The step itself on the nominal weights first: its checks and its error messages.
        STEPS["aggregate"](fw, data, **params)
        tree = self.tree
        X = data.columns(tree.indicators)
        col = tree.position[self.target] - tree.n_indicators
        R = weights.shape[0]
        chunk = max(1, CHUNK_CELLS // max(1, X.shape[0] * len(tree.codes)))
        out = np.empty((R, X.shape[0]))
        failed = np.zeros(R, dtype=bool)
        for s in range(0, R, chunk):
            agg, bad = aggregate_batched(X, tree, method=params["method"], dat_thresh=params["dat_thresh"],
                                         p=params["p"], scale=float(params["scale"]), methods=params["methods"],
                                         node_weights_=weights[s:s + chunk])
            out[s:s + chunk] = agg[:, :, col]
            failed[s:s + chunk] = bad
        return data.units, out, failed

    def base_weights(self, changes: Mapping[tuple, Any]) -> np.ndarray:
        steps = apply_changes(self.build.log, changes) if changes else self.build.log
        return node_weights(self.tree, steps[self.agg_index][1]["weights"])


def apply_changes(log: Sequence[tuple[str, dict]], changes: Mapping[tuple, Any]) -> list[tuple[str, dict]]:
    """The log with parameters changed by path (as IndexBuild.replay), changed entries re-resolved.
    Entries not changed are the log's own objects (so a caller can tell them apart)."""
    steps = list(log)
    touched: set[int] = set()
    for path, value in changes.items():
        key = path[0]
        hits = [key % len(steps)] if isinstance(key, int) else [i for i, (s, _) in enumerate(steps) if s == key]
        for i in hits:
            if i not in touched:
                steps[i] = (steps[i][0], copy.deepcopy(steps[i][1]))
                touched.add(i)
            target = steps[i][1]
            for k in path[1:-1]:
                if not isinstance(target.get(k), dict):
                    target[k] = {}
                target = target[k]
            target[path[-1]] = copy.deepcopy(value)
    for i in touched:
        name, params = steps[i]
        steps[i] = (name, resolve_params(name, params))
    return steps


def _check_step_values(step: str, params: Mapping[str, Any]) -> None:
    """Method names and choices a step knows (resolve_params already checked the parameter names)."""
    def one_of(value, allowed, what):
        if value not in allowed:
            raise StepError(Message("step.unknown_choice", step=step, what=what, value=value, allowed=list(allowed)))

    if step == "normalise":
        one_of(params["method"], NORMALISE_METHODS, "method")
        for o in (params.get("overrides") or {}).values():
            if isinstance(o, Mapping):
                one_of(canonical_method("normalise", o.get("method", "minmax")), NORMALISE_METHODS, "method")
    elif step == "aggregate":
        one_of(params["method"], AGG_METHODS, "method")
        for m in (params.get("methods") or {}).values():
            one_of(m, AGG_METHODS, "method")
    elif step == "impute":
        one_of(params["method"], IMPUTE_METHODS, "method")
    elif step == "treat":
        one_of(params["f1"], F1, "f1")
        one_of(params["f2"], F2, "f2")
    elif step == "screen":
        one_of(params["unit_screen"], tuple(UNIT_SCREEN), "unit_screen")


def _describe(a: Assumption, i: int) -> str:
    alt = a.alternatives[i]
    if isinstance(alt, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in alt.items())
    return repr(alt) if isinstance(alt, str) else str(alt)


# ---------------------------------------------------------------------- evaluation of a sample
@dataclass
class _Run:
    units: np.ndarray         # all units seen (nominal units first)
    scores: np.ndarray        # (units, R)
    failed: np.ndarray        # (R,)


def _discrete_index(u: np.ndarray, n_alt: int) -> np.ndarray:
    return np.minimum((u * n_alt).astype(np.intp), n_alt - 1)


def _evaluate(plan: _Plan, U: np.ndarray, weight_sets: np.ndarray | None, set_index: np.ndarray | None,
              on_failure: str) -> _Run:
    """Scores of the target for every row of the uniform sample U (R x d)."""
    R = U.shape[0]
    cols = []
    for j, c in enumerate(plan.items):
        a = c.assumption
        if a.kind == "discrete":
            cols.append(_discrete_index(U[:, j], len(a.alternatives)).astype(float))
        elif a.kind == "uniform":
            cols.append(a.bounds[0] + U[:, j] * (a.bounds[1] - a.bounds[0]))
    keys = np.column_stack(cols) if cols else np.zeros((R, 0))
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    unit_pos = {u: i for i, u in enumerate(plan.nominal_units)}
    units = list(plan.nominal_units)
    scores = np.full((R, len(units)), np.nan)
    failed = np.zeros(R, dtype=bool)
    value_items = [c for c in plan.items if c.assumption.kind != "weights"]
    for g, key in enumerate(uniq):
        rows = np.flatnonzero(inverse == g)
        changes: dict[tuple, Any] = {}
        for c, v in zip(value_items, key):
            a = c.assumption
            changes.update(c.changes[int(v)] if a.kind == "discrete" else {a.path: float(v)})
        W = None
        if plan.noise is not None:
            W = plan.base_weights(changes)[None, :] * weight_sets[set_index[rows]]
        try:
            g_units, g_scores, g_failed = plan.run_combination(changes, W)
        except EngineError as e:
            if on_failure == "raise":
                what = Joined([f"{c.assumption.name} = {_describe(c.assumption, int(v))}"
                               if c.assumption.kind == "discrete" else f"{c.assumption.name} = {float(v):g}"
                               for c, v in zip(value_items, key)], "; ")
                raise StepError(Message("uncertainty.combination", combination=what, error=e.message)) from None
            failed[rows] = True
            continue
        idx = []
        for u in g_units:
            if u not in unit_pos:
                unit_pos[u] = len(units)
                units.append(u)
                scores = np.concatenate([scores, np.full((R, 1), np.nan)], axis=1)
            idx.append(unit_pos[u])
        idx = np.array(idx, dtype=np.intp)
        scores[np.ix_(rows, idx)] = np.broadcast_to(g_scores, (len(rows), len(idx)))
        failed[rows] |= np.broadcast_to(g_failed, (len(rows),))
    scores[failed] = np.nan
    return _Run(units=np.array(units, dtype=object), scores=scores.T, failed=failed)


def _noise_sets(plan: _Plan, n_sets: int, rng: np.random.Generator) -> np.ndarray:
    """Relative factors 1 + (2u - 1) x for every node (1 where no noise): (n_sets, nodes)."""
    c = plan.noise
    F = np.ones((n_sets, len(plan.tree.codes)))
    m = c.level_mask
    F[:, m] = 1.0 + (2.0 * rng.random((n_sets, int(m.sum()))) - 1.0) * c.assumption.noise
    return F


def noisy_weights(build: IndexBuild, noise: float, n: int, levels: Iterable[int] | None = None,
                  seed: int | None = None) -> list[dict[str, float]]:
    """n sets of weights {code: weight}, each weight of the chosen levels (default: every weighted
    level) perturbed by a uniform ±noise of its nominal value (COINr's get_noisy_weights)."""
    plan = _Plan(build, [Assumption.weights(noise, levels)], None)
    rng = np.random.default_rng(seed)
    F = _noise_sets(plan, n, rng)
    w0 = plan.base_weights({})
    codes = plan.tree.codes
    return [{c: float(v) for c, v in zip(codes, w0 * f)} for f in F]


# ---------------------------------------------------------------------- rank statistics
def rank_statistics(ranks: np.ndarray) -> dict[str, np.ndarray]:
    """Mean, median, 5th and 95th percentile of each unit's ranks over replications (units x R),
    missing ranks ignored (R's quantile type 7, as COINr)."""
    with np.errstate(invalid="ignore"), _quiet():
        if not np.isnan(ranks).any():
            q = np.quantile(ranks, [0.5, 0.05, 0.95], axis=1)
            return {"Mean": ranks.mean(axis=1), "Median": q[0], "Q5": q[1], "Q95": q[2]}
        q = np.nanquantile(ranks, [0.5, 0.05, 0.95], axis=1)
        return {"Mean": np.nanmean(ranks, axis=1), "Median": q[0], "Q5": q[1], "Q95": q[2]}


@contextlib.contextmanager
def _quiet():
    """No RuntimeWarning for all-missing rows (a unit absent from every replication)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


@dataclass(eq=False)
class UncertaintyResult:
    """COINr's get_sensitivity(SA_type = "UA") output: per unit the nominal rank and rank statistics.

    scores and ranks are units x replications (COINr's Scores and Ranks); samples the uniform
    sample (replications x assumptions) behind them; failed the replications that could not run.
    """

    units: np.ndarray
    target: str
    nominal_score: np.ndarray
    nominal_rank: np.ndarray
    scores: np.ndarray
    ranks: np.ndarray
    mean: np.ndarray
    median: np.ndarray
    q5: np.ndarray
    q95: np.ndarray
    samples: np.ndarray
    failed: np.ndarray
    assumptions: tuple[Assumption, ...]
    _plan: Any = field(default=None, repr=False)
    _weights: Any = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return self.ranks.shape[1]

    def table(self) -> tuple[list[str], list[list[Any]]]:
        """RANKS.csv: uCode, Nominal, Mean, Median, Q5, Q95 (COINr's RankStats), nominal order of units."""
        rows = []
        for i, u in enumerate(self.units):
            nom = self.nominal_rank[i]
            rows.append([u, None if np.isnan(nom) else int(nom), *(_num(v[i]) for v in
                                                                  (self.mean, self.median, self.q5, self.q95))])
        return list(RANK_COLUMNS), rows

    def changes(self, r: int) -> dict[tuple, Any]:
        """The parameter changes of replication r, for IndexBuild.replay (rebuilds it the slow way)."""
        plan: _Plan = self._plan
        out: dict[tuple, Any] = {}
        for j, c in enumerate(plan.items):
            a = c.assumption
            if a.kind == "discrete":
                out.update(c.changes[int(_discrete_index(self.samples[r:r + 1, j], len(a.alternatives))[0])])
            elif a.kind == "uniform":
                out[a.path] = float(a.bounds[0] + self.samples[r, j] * (a.bounds[1] - a.bounds[0]))
        if plan.noise is not None:
            w = plan.base_weights(out) * self._weights(r)
            out[(plan.noise.assumption.path[0], "weights")] = {c: float(v) for c, v in zip(plan.tree.codes, w)}
        return out


def _num(v: float) -> Any:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def _result(plan: _Plan, run: _Run, U: np.ndarray, weights_of: Callable[[int], np.ndarray] | None,
            assumptions: Sequence[Assumption]) -> UncertaintyResult:
    ranks = rank_min(run.scores, descending=True)
    stats = rank_statistics(ranks)
    n_units = len(run.units)
    nominal_score = np.full(n_units, np.nan)
    nominal_rank = np.full(n_units, np.nan)
    k = len(plan.nominal_units)
    nominal_score[:k] = plan.nominal_score
    nominal_rank[:k] = plan.nominal_rank
    return UncertaintyResult(units=run.units, target=plan.target, nominal_score=nominal_score,
                             nominal_rank=nominal_rank, scores=run.scores, ranks=ranks, mean=stats["Mean"],
                             median=stats["Median"], q5=stats["Q5"], q95=stats["Q95"], samples=U,
                             failed=run.failed, assumptions=tuple(assumptions), _plan=plan, _weights=weights_of)


def uncertainty(build: IndexBuild, assumptions: Sequence[Assumption], n: int = 1000, seed: int | None = None,
                target: str | None = None, on_failure: str = "raise") -> UncertaintyResult:
    """Uncertainty analysis (COINr's get_sensitivity with SA_type = "UA").

    n replications; each draws every assumption independently (discrete alternatives with equal
    probability, uniform ranges uniformly, fresh weight noise per replication) and recomputes the
    index. `target`: the aggregate whose ranks are analysed (default: the build's rank, the index).
    `on_failure`: "raise" (default) stops when a combination of values cannot run (e.g. a
    geometric mean of zeros); "nan" records those replications as missing, as COINr does.
    """
    if on_failure not in ("raise", "nan"):
        raise StepError(Message("uncertainty.on_failure"))
    if int(n) < 1:
        raise StepError(Message("uncertainty.n"))
    n = int(n)
    plan = _Plan(build, assumptions, target)
    rng = np.random.default_rng(seed)
    U = rng.random((n, len(plan.items)))
    F = _noise_sets(plan, n, rng) if plan.noise is not None else None
    run = _evaluate(plan, U, F, np.arange(n), on_failure)
    if run.failed.all():
        raise StepError(Message("uncertainty.none_ran"))
    return _result(plan, run, U, (lambda r: F[r]) if F is not None else None, assumptions)


# ---------------------------------------------------------------------- sensitivity analysis
def saltelli_sample(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """COINr's SA_sample: rows [A; B; AB_1; ...; AB_d], A and B uniform (n x d), AB_i = A with
    column i from B. n (d + 2) rows."""
    A = rng.random((n, d))
    B = rng.random((n, d))
    AB = np.repeat(A[None], d, axis=0)
    for i in range(d):
        AB[i, :, i] = B[:, i]
    return np.concatenate([A, B, AB.reshape(n * d, d)])


@dataclass(frozen=True)
class SobolIndices:
    """First-order (Si) and total-effect (STi) indices per input, with bootstrap 5 %/95 % quantiles."""

    names: tuple[str, ...]
    Si: np.ndarray
    STi: np.ndarray
    Si_q5: np.ndarray
    Si_q95: np.ndarray
    STi_q5: np.ndarray
    STi_q95: np.ndarray
    variance: float

    def table(self) -> tuple[list[str], list[list[Any]]]:
        rows = [[nm, *(_num(float(v[i])) for v in (self.Si, self.STi, self.Si_q5, self.Si_q95,
                                                    self.STi_q5, self.STi_q95))]
                for i, nm in enumerate(self.names)]
        return list(SENSITIVITY_COLUMNS), rows


def sobol_indices(y: np.ndarray, n: int, d: int, n_boot: int = 100, seed: int | None = None,
                  names: Sequence[str] | None = None) -> SobolIndices:
    """Sensitivity indices from outputs y of a saltelli_sample design (rows [A; B; AB_1..AB_d]).

    First order: Saltelli et al. (2010) mean(y_B (y_ABi - y_A)) / V; total effect: Jansen (1999)
    mean((y_A - y_ABi)^2) / (2 V); V the variance of [y_A, y_B]. As SALib's sobol.analyze, the
    output is centred first (this only removes the bias a non-zero mean gives the first-order
    estimator; COINr's SA_estimate does not centre). Confidence: n_boot bootstrap resamples of
    the n rows of the design (A, B and every AB_i resampled together); 5 % and 95 % quantiles.
    Rows where any output is missing are dropped.
    """
    y = np.asarray(y, dtype=float)
    if y.shape != (n * (d + 2),):
        raise StepError(Message("sensitivity.outputs", expected=n * (d + 2), shape=str(y.shape)))
    yA, yB = y[:n], y[n:2 * n]
    yAB = y[2 * n:].reshape(d, n).T            # (n, d)
    ok = ~(np.isnan(yA) | np.isnan(yB) | np.isnan(yAB).any(axis=1))
    yA, yB, yAB = yA[ok], yB[ok], yAB[ok]
    m = len(yA)
    if m < 2:
        raise StepError(Message("sensitivity.rows"))
    mu = np.concatenate([yA, yB, yAB.ravel()]).mean()
    yA, yB, yAB = yA - mu, yB - mu, yAB - mu

    def estimate(a, b, ab):
        v = np.var(np.concatenate([a, b], axis=-1), axis=-1)[..., None]
        with np.errstate(invalid="ignore", divide="ignore"):
            si = np.where(v > 0, np.mean(b[..., None] * (ab - a[..., None]), axis=-2) / v, 0.0)
            st = np.where(v > 0, 0.5 * np.mean((a[..., None] - ab) ** 2, axis=-2) / v, 0.0)
        return si, st, v[..., 0]

    Si, STi, V = estimate(yA, yB, yAB)
    rng = np.random.default_rng(seed)
    qs = [np.full(d, np.nan) for _ in range(4)]
    if n_boot and n_boot > 0:
        si_b, st_b = [], []
        step = max(1, 4_000_000 // max(1, m * d))
        for s in range(0, n_boot, step):
            idx = rng.integers(0, m, size=(min(step, n_boot - s), m))
            a, b = yA[idx], yB[idx]
            ab = yAB[idx]                       # (boot, m, d)
            si, st, _ = estimate(a, b, ab)
            si_b.append(si)
            st_b.append(st)
        si_b, st_b = np.concatenate(si_b), np.concatenate(st_b)
        qs = [np.quantile(si_b, 0.05, axis=0), np.quantile(si_b, 0.95, axis=0),
              np.quantile(st_b, 0.05, axis=0), np.quantile(st_b, 0.95, axis=0)]
    names = tuple(names) if names is not None else tuple(f"V{i + 1}" for i in range(d))
    return SobolIndices(names=names, Si=Si, STi=STi, Si_q5=qs[0], Si_q95=qs[1], STi_q5=qs[2], STi_q95=qs[3],
                        variance=float(V))


@dataclass(eq=False)
class SensitivityResult:
    """COINr's get_sensitivity(SA_type = "SA"): sensitivity indices of the mean absolute rank shift,
    the uncertainty analysis of the first 2n replications (the A and B samples, as COINr), and the
    outputs y (one per replication of the design)."""

    indices: SobolIndices
    uncertainty: UncertaintyResult
    y: np.ndarray
    n: int

    def table(self) -> tuple[list[str], list[list[Any]]]:
        return self.indices.table()


def mean_rank_shift(ranks: np.ndarray, nominal: np.ndarray) -> np.ndarray:
    """COINr's sensitivity target: per replication the mean over units of |rank - nominal rank|."""
    with np.errstate(invalid="ignore"), _quiet():
        return np.nanmean(np.abs(ranks - nominal[:, None]), axis=0)


def sensitivity(build: IndexBuild, assumptions: Sequence[Assumption], n: int = 1000, seed: int | None = None,
                n_boot: int = 100, target: str | None = None, on_failure: str = "raise") -> SensitivityResult:
    """Sensitivity analysis (COINr's get_sensitivity with SA_type = "SA").

    n (d + 2) replications of Saltelli's design over the d assumptions; the output of each is the
    mean absolute rank shift against the nominal ranks; first-order and total-effect indices
    with n_boot bootstrap resamples for their 5 %-95 % intervals (see `sobol_indices`). A weights
    assumption is one input: its value picks one of `sets` noisy weight sets (default n) drawn
    up front, as COINr's vignette does with get_noisy_weights.
    """
    if on_failure not in ("raise", "nan"):
        raise StepError(Message("sensitivity.on_failure"))
    if len(assumptions) < 2:
        raise StepError(Message("sensitivity.two_assumptions"))
    if int(n) < 2:
        raise StepError(Message("sensitivity.n"))
    n = int(n)
    plan = _Plan(build, assumptions, target)
    d = len(plan.items)
    rng = np.random.default_rng(seed)
    U = saltelli_sample(n, d, rng)
    F = set_index = None
    if plan.noise is not None:
        n_sets = plan.noise.assumption.sets or n
        F = _noise_sets(plan, n_sets, rng)
        j = plan.items.index(plan.noise)
        set_index = _discrete_index(U[:, j], n_sets)
    run = _evaluate(plan, U, F, set_index, on_failure)
    ranks = rank_min(run.scores, descending=True)
    k = len(plan.nominal_units)
    nominal = np.full(len(run.units), np.nan)
    nominal[:k] = plan.nominal_rank
    y = mean_rank_shift(ranks, nominal)
    indices = sobol_indices(y, n, d, n_boot=n_boot, seed=None if seed is None else seed + 1,
                            names=[c.assumption.name for c in plan.items])
    first = _Run(units=run.units, scores=run.scores[:, :2 * n], failed=run.failed[:2 * n])
    ua = _result(plan, first, U[:2 * n], (lambda r: F[set_index[r]]) if F is not None else None, assumptions)
    return SensitivityResult(indices=indices, uncertainty=ua, y=y, n=n)


# ---------------------------------------------------------------------- spec files
@dataclass
class Spec:
    """An uncertainty/sensitivity specification read from YAML (see docs/engine.md)."""

    assumptions: list[Assumption]
    steps: list[tuple[str, dict]] | None = None
    target: str | None = None
    n: int | None = None
    seed: int | None = None
    n_boot: int | None = None
    on_failure: str | None = None


def parse_spec(doc: Any, source: str = "spec") -> Spec:
    if not isinstance(doc, Mapping):
        raise StepError(Message("spec.not_mapping", source=source))
    unknown = set(doc) - {"assumptions", "steps", "target", "n", "seed", "n_boot", "on_failure"}
    if unknown:
        raise StepError(Message("spec.unknown_keys", source=source, keys=sorted(map(str, unknown))))
    steps = parse_steps(doc["steps"], source=f"{source}: steps") if doc.get("steps") is not None else None
    for key in ("n", "seed", "n_boot"):
        if doc.get(key) is not None and (not isinstance(doc[key], int) or isinstance(doc[key], bool)):
            raise StepError(Message("spec.whole_number", source=source, key=key))
    if doc.get("on_failure") not in (None, "raise", "nan"):
        raise StepError(Message("spec.on_failure", source=source))
    return Spec(assumptions=parse_assumptions(doc.get("assumptions"), source=f"{source}: assumptions"),
                steps=steps, target=doc.get("target"), n=doc.get("n"), seed=doc.get("seed"),
                n_boot=doc.get("n_boot"), on_failure=doc.get("on_failure"))


def read_spec(path: str) -> Spec:
    import yaml  # lazy: YAML, a heavy import, only when a spec file is read

    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except yaml.YAMLError as e:
        raise StepError(Message("cli.not_yaml", path=str(path), error=str(e))) from None
    return parse_spec(doc, source=str(path))


__all__ = ["Assumption", "SensitivityResult", "SobolIndices", "Spec", "UncertaintyResult", "apply_changes",
           "mean_rank_shift", "noisy_weights", "parse_assumptions", "parse_spec", "rank_statistics", "read_spec",
           "saltelli_sample", "sensitivity", "sobol_indices", "uncertainty"]
