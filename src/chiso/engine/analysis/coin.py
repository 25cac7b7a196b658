"""COINr's analysis functions on a whole build (an IndexBuild, COINr's "coin"): correlations across
the tree, Cronbach and PCA per aggregate, effective and optimised weights, drop-one, comparison."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np

from ..aggregate import aggregate
from ..build import IndexBuild
from ..errors import Message, StepError
from ..rank import rank
from .correlation import corr_matrix, corr_pvalues, pair_counts
from .pca import cronbach_alpha, factor_weights, pca
from .weights import effective_weights, opt_weights


# ---------------------------------------------------------------------- the tree's values
@dataclass(frozen=True)
class NodeValues:
    """Every node of the tree for every unit: indicators as they entered aggregation, then the
    aggregates (the data after the build's aggregate step)."""

    units: np.ndarray
    codes: tuple[str, ...]
    values: np.ndarray
    level: dict[str, int]
    parent: dict[str, str | None]

    def columns(self, codes: Sequence[str]) -> np.ndarray:
        pos = {c: i for i, c in enumerate(self.codes)}
        return self.values[:, [pos[c] for c in codes]]

    def at_level(self, level: int) -> list[str]:
        return [c for c in self.codes if self.level[c] == level]

    def children(self, code: str) -> list[str]:
        return [c for c in self.codes if self.parent[c] == code]

    def ancestor(self, code: str, level: int) -> str | None:
        while code is not None and self.level[code] < level:
            code = self.parent[code]
        return code if code is not None and self.level[code] == level else None

    @property
    def top(self) -> str:
        return self.codes[-1]


def _aggregate_index(build: IndexBuild) -> int:
    for i in range(len(build.log) - 1, -1, -1):
        if build.log[i][0] == "aggregate":
            return i
    raise StepError(Message("build.no_aggregate_step"))


def node_values(build: IndexBuild) -> NodeValues:
    """The build's tree values after its (last) aggregate step."""
    i = _aggregate_index(build)
    data = build.datasets[i]
    fw = build.framework
    codes = fw.tree.codes
    return NodeValues(units=data.units, codes=codes, values=data.columns(codes),
                      level={c: fw[c].level for c in codes}, parent={c: fw[c].parent for c in codes})


def reaggregate(build: IndexBuild, weights: Mapping[str, float] | None = None) -> np.ndarray:
    """The build's aggregate step rerun on its own input with some weights changed: every node's
    values (units x tree codes). The steps before aggregation are not rerun."""
    i = _aggregate_index(build)
    data = build.datasets[i - 1] if i > 0 else build.raw
    tree = build.framework.tree
    params = dict(build.log[i][1])
    merged = {**(params.pop("weights", None) or {}), **(weights or {})}
    return aggregate(data.columns(tree.indicators), tree, weights=merged or None, units=data.units, **params)


# ---------------------------------------------------------------------- correlations
def get_corr(build: IndexBuild, levels: tuple[int, int] = (1, 1), method: str = "pearson", pval: float = 0.05,
             withparent: bool | str = False, grouplev: int | None = None) -> list[tuple[str, str, float]]:
    """Correlations between the nodes of two levels, as (var1, var2, correlation) rows.

    COINr: `get_corr(coin, dset, Levels, cortype, pval = 0.05, withparent, grouplev)`.
    `withparent` "parent" (or True): each node of levels[0] with its parent only; "family":
    with every ancestor. `grouplev`: only pairs with the same ancestor at that level. A
    correlation whose p-value is above `pval` is NaN (COINr's NA); pval = 0 keeps all.
    """
    nv = node_values(build)
    a = nv.at_level(levels[0])
    if withparent:
        mode = "parent" if withparent is True else str(withparent)
        if mode not in ("parent", "family"):
            raise ValueError("withparent must be True, 'parent' or 'family'")
        pairs = []
        for c in a:
            p = nv.parent[c]
            while p is not None:
                pairs.append((c, p))
                p = nv.parent[p] if mode == "family" else None
    else:
        b = nv.at_level(levels[1])
        pairs = [(x, y) for x in a for y in b if x != y]
        if grouplev is not None:
            pairs = [(x, y) for x, y in pairs if nv.ancestor(x, grouplev) is not None
                     and nv.ancestor(x, grouplev) == nv.ancestor(y, grouplev)]
    return _pair_correlations(nv, pairs, method, pval)


def _pair_correlations(nv: NodeValues, pairs: list[tuple[str, str]], method: str,
                       pval: float) -> list[tuple[str, str, float]]:
    if not pairs:
        return []
    left = list(dict.fromkeys(x for x, _ in pairs))
    right = list(dict.fromkeys(y for _, y in pairs))
    Xl, Xr = nv.columns(left), nv.columns(right)
    if method == "pearson" or len(pairs) >= len(left) * len(right) / 4:
        R = corr_matrix(Xl, Xr, method)
        li, ri = {c: i for i, c in enumerate(left)}, {c: i for i, c in enumerate(right)}
        r = np.array([R[li[x], ri[y]] for x, y in pairs])
    else:
        r = np.array([corr_matrix(nv.columns([x]), nv.columns([y]), method)[0, 0] for x, y in pairs])
    if pval and pval > 0:
        N = pair_counts(Xl, Xr)
        li, ri = {c: i for i, c in enumerate(left)}, {c: i for i, c in enumerate(right)}
        n = np.array([N[li[x], ri[y]] for x, y in pairs])
        r = np.where(corr_pvalues(r, n, method) > pval, np.nan, r)
    return [(x, y, float(v)) for (x, y), v in zip(pairs, r)]


def get_corr_flags(build: IndexBuild, cor_thresh: float = 0.9, thresh_type: str = "high", grouplev: int = 2,
                   method: str = "pearson") -> list[tuple[str, str, str, float]]:
    """Pairs of indicators in the same group (ancestor at `grouplev`) correlated above `cor_thresh`
    (`high`) or below it (`low`), as (group, var1, var2, correlation). COINr: `get_corr_flags`."""
    if thresh_type not in ("high", "low"):
        raise ValueError("thresh_type must be 'high' or 'low'")
    nv = node_values(build)
    out = []
    order = {c: i for i, c in enumerate(nv.codes)}
    for x, y, r in get_corr(build, (1, 1), method=method, pval=0, grouplev=grouplev):
        if order[x] > order[y] or np.isnan(r):
            continue  # each pair once
        if (r > cor_thresh) if thresh_type == "high" else (r < cor_thresh):
            out.append((str(nv.ancestor(x, grouplev)), x, y, r))
    return out


# ---------------------------------------------------------------------- per aggregate
def get_cronbach(build: IndexBuild) -> list[tuple[str, int, float]]:
    """Cronbach's alpha of each aggregate's children, as (aggregate, level, alpha) rows
    (COINr: `get_cronbach(coin, dset, iCodes = children, Level)` for each aggregate)."""
    nv = node_values(build)
    return [(a, nv.level[a], cronbach_alpha(nv.columns(nv.children(a))))
            for a in nv.codes if nv.level[a] >= 2]


@dataclass(frozen=True)
class AggregatePCA:
    aggregate: str
    level: int
    children: tuple[str, ...]
    loadings: np.ndarray  # children x components
    eigenvalues: np.ndarray
    variance_share: np.ndarray
    weights: np.ndarray  # PC1 weights, summing to 1
    n: int


def get_pca(build: IndexBuild, level: int = 2) -> list[AggregatePCA]:
    """PCA of each aggregate's children at `level` (COINr: `get_PCA(coin, dset, iCodes, Level,
    by_groups = TRUE)`), on complete rows, centred and scaled. Aggregates with one child, or a
    child constant on the complete rows, are skipped."""
    nv = node_values(build)
    out = []
    for a in nv.at_level(level):
        kids = nv.children(a)
        if len(kids) < 2:
            continue
        try:
            res = pca(nv.columns(kids))
        except ValueError:
            continue
        out.append(AggregatePCA(a, level, tuple(kids), res.loadings, res.eigenvalues, res.variance_share,
                                res.pc1_weights, res.n))
    return out


def get_eff_weights(build: IndexBuild) -> list[tuple[str, int, float, float]]:
    """(iCode, level, weight, effective_weight) for every node below the top (COINr:
    `get_eff_weights(coin)`: Weight and EffWeight); weights as the build's aggregate step used."""
    i = _aggregate_index(build)
    override = build.log[i][1].get("weights") or {}
    fw = build.framework
    eff = effective_weights(fw.tree, override)
    return [(c, fw[c].level, float(override.get(c, fw[c].weight)), eff[c])
            for c in fw.tree.codes if fw[c].parent is not None]


def weights_from_pca(build: IndexBuild, level: int = 1, method: str = "pc1") -> dict[str, float]:
    """Weights for the nodes of `level` within each parent from PCA ("pc1": first-component
    loadings, COINr's get_PCA weights) or factor analysis ("factor": OECD Handbook): a
    {code: weight} mapping for the aggregate step's `weights` (summing to 1 within each parent).
    Parents whose PCA cannot run keep their weights."""
    if method not in ("pc1", "factor"):
        raise ValueError("method must be 'pc1' or 'factor'")
    nv = node_values(build)
    out: dict[str, float] = {}
    for a in nv.at_level(level + 1):
        kids = nv.children(a)
        if len(kids) < 2:
            continue
        try:
            X = nv.columns(kids)
            w = pca(X).pc1_weights if method == "pc1" else factor_weights(X)
        except ValueError:
            continue
        out.update({k: float(v) for k, v in zip(kids, w)})
    return out


def get_opt_weights(build: IndexBuild, level: int = 2, optype: str = "balance", itarg: Sequence[float] | None = None,
                    method: str = "pearson", maxiter: int | None = None) -> dict[str, Any]:
    """COINr `get_opt_weights(coin, itarg, dset, Level, cortype, optype)`: weights of the nodes at
    `level` such that their correlations with the index are balanced (equal, or in the ratios
    `itarg`) or maximal in sum ("infomax"). Each evaluation re-aggregates the build with the
    candidate weights (COINr regenerates the coin). Returns {"weights": {code: w},
    "correlations": {code: r}, "converged": bool}."""
    nv = node_values(build)
    codes = nv.at_level(level)
    top = nv.top
    pos = build.framework.tree.position
    current = {c: w for c, _, w, _ in get_eff_weights(build) if c in codes}
    X = nv.columns(codes)

    def index_of(_X, w):
        out = reaggregate(build, dict(zip(codes, map(float, w))))
        return out[:, pos[top]]

    res = opt_weights(X, optype=optype, itarg=itarg, w0=[current[c] for c in codes], method=method,
                      combine=index_of, maxiter=maxiter)
    return {"weights": dict(zip(codes, map(float, res.weights))),
            "correlations": dict(zip(codes, map(float, res.correlations))), "converged": res.converged}


# ---------------------------------------------------------------------- sensitivity of ranks
def remove_elements(build: IndexBuild, level: int = 2, target: str | None = None) -> dict[str, Any]:
    """COINr `remove_elements(coin, Level, dset, iCode)`: each node of `level` removed in turn (its
    weight set to 0, the rest renormalised within its parent), the target's ranks recomputed.
    Returns {"mean_abs_rank_diff": {code: value}, "ranks": {code: array}, "nominal": array}."""
    nv = node_values(build)
    target = target or nv.top
    tpos = build.framework.tree.position[target]
    nominal = rank(nv.values[:, tpos])
    mad, ranks = {}, {}
    for c in nv.at_level(level):
        r = rank(reaggregate(build, {c: 0.0})[:, tpos])
        ranks[c] = r
        mad[c] = float(np.nanmean(np.abs(r - nominal)))
    return {"mean_abs_rank_diff": mad, "ranks": ranks, "nominal": nominal}


@dataclass(frozen=True)
class Comparison:
    """Per unit (matched by code): ranks and scores in two builds. rank_change = rank_1 - rank_2
    (positive: the unit moved up in build 2); score_change = score_2 - score_1."""

    units: np.ndarray
    rank_1: np.ndarray
    rank_2: np.ndarray
    score_1: np.ndarray
    score_2: np.ndarray

    @property
    def rank_change(self) -> np.ndarray:
        return self.rank_1 - self.rank_2

    @property
    def abs_rank_change(self) -> np.ndarray:
        return np.abs(self.rank_change)

    @property
    def score_change(self) -> np.ndarray:
        return self.score_2 - self.score_1

    def rows(self) -> list[dict[str, Any]]:
        return [{"uCode": u, "rank_1": a, "rank_2": b, "rank_change": a - b, "abs_rank_change": abs(a - b),
                 "score_1": s, "score_2": t, "score_change": t - s}
                for u, a, b, s, t in zip(self.units, self.rank_1, self.rank_2, self.score_1, self.score_2)]


def compare_scores(units_1: Sequence[str], scores_1: np.ndarray, units_2: Sequence[str],
                   scores_2: np.ndarray) -> Comparison:
    """Compare two sets of scores by unit code (units of the first, in its order; a unit missing
    from the second gets NaN). Ranks are computed on each full set."""
    r1, r2 = rank(np.asarray(scores_1, float)), rank(np.asarray(scores_2, float))
    pos2 = {u: i for i, u in enumerate(units_2)}
    take = np.array([pos2.get(u, -1) for u in units_1])
    ok = take >= 0
    s2 = np.where(ok, np.asarray(scores_2, float)[np.maximum(take, 0)], np.nan)
    rr2 = np.where(ok, r2[np.maximum(take, 0)], np.nan)
    return Comparison(units=np.asarray(units_1, dtype=object), rank_1=r1, rank_2=rr2,
                      score_1=np.asarray(scores_1, float), score_2=s2)


def compare_builds(build_1: IndexBuild, build_2: IndexBuild, code: str | None = None) -> Comparison:
    """COINr `compare_coins(coin1, coin2, dset, iCode)`: ranks and scores of one aggregate (default
    the index) in two builds, unit by unit."""
    res1, res2 = build_1.results(), build_2.results()
    code = code or res1.rank_code
    return compare_scores(res1.units, res1.column(code), res2.units, res2.column(code))
