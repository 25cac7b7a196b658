"""Benefit-of-the-Doubt composite scores: every unit's linear programme, solved together.

Sources: Cherchye, Moesen, Rogge, Van Puyenbroeck (2007), "An introduction to 'benefit of the
doubt' composite indicators", Social Indicators Research 82: 111-145 (weight restrictions as
"pie shares"); Melyn and Moesen (1991). Compind: `ci_bod`, `ci_bod_constr`, `ci_rbod`.

Unit c's score is max_w y_c . w subject to y_j . w <= 1 for every unit j and w >= 0: the best
weights for c, provided no unit scores above 1 with them. Each programme is solved as its dual,
min sum(lambda) s.t. sum_j lambda_j y_j >= y_c, lambda >= 0 (one row per indicator), and all
units' duals are pivoted together by the lock-step dual simplex of `_lockstep` (NumPy), with
column generation: the duals hold only the units that would score above 1 under some unit's
weights found so far (the frontier), found first on a spread sample of units, then checked
against every unit with one matrix product. A unit the lock-step solver leaves unsolved goes to
HiGHS (SciPy's bundled bindings, one model reused from unit to unit). `_bod_plain` is the
textbook reference: one full linprog per unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ._lockstep import OPTIMAL, chunk_size, solve_covering

_TOL = 1e-9


@dataclass(frozen=True)
class BoDResult:
    """scores (units,), in [0, 1] with the best units at 1 (robust BoD: may exceed 1);
    weights (units x indicators): each unit's optimal weights (NaN for robust BoD)."""

    scores: np.ndarray
    weights: np.ndarray


def _prepare(Y: np.ndarray) -> np.ndarray:
    Y = np.asarray(Y, dtype=float)
    if Y.ndim != 2 or Y.shape[0] < 1 or Y.shape[1] < 1:
        raise ValueError("BoD needs a units x indicators matrix")
    if np.isnan(Y).any():
        raise ValueError("BoD needs complete data: impute or drop missing values first")
    if (Y < 0).any():
        raise ValueError("BoD needs non-negative indicators (normalise, e.g. min-max 0-1, first)")
    return Y


class _DualModel:
    """min 1.lambda s.t. Y_S^T lambda >= y, lambda >= 0, kept in one HiGHS instance (SciPy's
    bundled HiGHS bindings); columns (units) are added as they are needed."""

    def __init__(self, Y: np.ndarray, start: np.ndarray):
        # lazy: SciPy (a heavy import) only when a problem is solved; >= 1.15 ships HiGHS's bindings
        from scipy.optimize._highspy import _core as hc

        self.hc = hc
        self.Y = Y
        self.m = Y.shape[1]
        h = hc._Highs()
        for key, value in (("output_flag", False), ("presolve", "off"), ("threads", 1),
                           ("simplex_scale_strategy", 0)):
            h.setOptionValue(key, value)
        lp = hc.HighsLp()
        lp.num_col_, lp.num_row_ = 0, self.m
        lp.row_lower_ = np.zeros(self.m)
        lp.row_upper_ = np.full(self.m, hc.kHighsInf)
        lp.sense_ = hc.ObjSense.kMinimize
        h.passModel(lp)
        self.h = h
        self.rows = np.arange(self.m, dtype=np.int32)
        self.add(start)

    def add(self, units: np.ndarray) -> None:
        k, m = len(units), self.m
        self.h.addCols(k, np.ones(k), np.zeros(k), np.full(k, self.hc.kHighsInf), k * m,
                       np.arange(0, k * m, m, dtype=np.int32), np.tile(self.rows, k),
                       np.ascontiguousarray(self.Y[units]).ravel())

    def solve(self, y: np.ndarray) -> tuple[float, np.ndarray]:
        for i in range(self.m):
            self.h.changeRowBounds(i, float(y[i]), self.hc.kHighsInf)
        self.h.run()
        status = self.h.getModelStatus()
        if status != self.hc.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS: {self.h.modelStatusToString(status)}")
        w = np.maximum(np.asarray(self.h.getSolution().row_dual, dtype=float), 0.0)
        return float(self.h.getInfo().objective_function_value), w


class _LinprogModel:
    """The same restricted dual solved from scratch by scipy.optimize.linprog(method="highs"):
    the fallback when SciPy's HiGHS bindings cannot be imported."""

    def __init__(self, Y: np.ndarray, start: np.ndarray):
        self.Y = Y
        self.cols: list[int] = list(map(int, start))

    def add(self, units: np.ndarray) -> None:
        self.cols.extend(map(int, units))

    def solve(self, y: np.ndarray) -> tuple[float, np.ndarray]:
        from scipy.optimize import linprog  # lazy: SciPy, a heavy import, only when solving

        A = self.Y[self.cols].T
        r = linprog(np.ones(len(self.cols)), A_ub=-A, b_ub=-y, bounds=(0, None), method="highs")
        if r.status != 0:
            raise RuntimeError(f"HiGHS: {r.message}")
        return float(r.fun), np.maximum(-np.asarray(r.ineqlin.marginals, dtype=float), 0.0)


def bod(Y: np.ndarray, add_per_round: int = 10) -> BoDResult:
    """Benefit-of-the-Doubt scores and weights (Compind `ci_bod`), on non-negative data without
    missing values (normalise first; directions already applied).

    Scores are in [0, 1]; a unit scores 1 when no unit does better under its own best weights.
    A unit that is 0 on every indicator scores 0 (weights 0).
    """
    Y = _prepare(Y)
    # Scores do not depend on each indicator's scale (its weight absorbs it): solve on columns
    # scaled to a maximum of 1, which keeps the tolerances meaningful, and scale weights back.
    top = Y.max(axis=0)
    top = np.where(top > 0, top, 1.0)
    Y = Y / top
    n, m = Y.shape
    zero = ~(Y > 0).any(axis=1)
    # Every indicator's best unit is a column from the start, so every dual is feasible.
    cols = np.unique(np.concatenate([np.argmax(Y, axis=0), np.argsort(-Y.sum(axis=1), kind="stable")[:m]]))
    scores, W, cols, unsolved = _bod_lockstep(Y, cols, np.flatnonzero(~zero), add_per_round)
    if unsolved.size:
        _bod_highs(Y, cols, unsolved, scores, W, add_per_round)
    return BoDResult(scores=scores, weights=W / top)


def _violations(Y: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """For each row w of W: is some unit above 1 (beyond _TOL) under w, and which units, worst first."""
    block = max(16, 4_000_000 // len(Y))  # about 32 MB of products at a time
    bad, worst = np.zeros(len(W), dtype=bool), []
    for s in range(0, len(W), block):
        V = Y @ W[s:s + block].T  # (units, block)
        over = V.max(axis=0) > 1 + _TOL
        bad[s:s + block] = over
        for j in np.flatnonzero(over):
            v = V[:, j]
            above = np.flatnonzero(v > 1 + _TOL)
            worst.append(above[np.argsort(-v[above], kind="stable")])
    return bad, worst


@dataclass(frozen=True)
class _Restrictions:
    """Weight restrictions on scaled data: low <= w <= up, and each indicator's share of the
    score w_k y_k / (y.w) in [share_lo_k, share_up_k]. Solved with w = low + v, v >= 0."""

    low: np.ndarray
    up: np.ndarray
    share_lo: np.ndarray
    share_up: np.ndarray

    def shared(self, Y: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The dual columns every unit has, with their costs: units y_j (cost 1 - y_j.low) and,
        for each finite upper bound, e_k (cost up_k - low_k)."""
        fin = np.flatnonzero(np.isfinite(self.up))
        A = np.hstack([Y[cols].T, np.eye(Y.shape[1])[:, fin]])
        return A, np.maximum(np.concatenate([1.0 - Y[cols] @ self.low, (self.up - self.low)[fin]]), 0.0)

    def own(self, T: np.ndarray) -> np.ndarray | None:
        """Each unit's share rows as dual columns (units, indicators, rows), cost 0 (low = 0 then):
        lo_k (y.w) - y_k w_k <= 0 and y_k w_k - up_k (y.w) <= 0."""
        eye = np.eye(T.shape[1])
        parts = []
        if (self.share_lo > 0).any():
            G = self.share_lo[None, :, None] * T[:, None, :] - T[:, :, None] * eye
            parts.append(G[:, self.share_lo > 0])
        if (self.share_up < 1).any():
            G = T[:, :, None] * eye - self.share_up[None, :, None] * T[:, None, :]
            parts.append(G[:, self.share_up < 1])
        return np.transpose(np.concatenate(parts, axis=1), (0, 2, 1)).copy() if parts else None


def _bod_lockstep(Y: np.ndarray, cols: np.ndarray, units: np.ndarray, add_per_round: int,
                  restr: _Restrictions | None = None, sample_size: int = 600, block: int | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Scores and weights of `units` (Y scaled, rows not all zero) by the lock-step dual simplex
    with column generation; returns (scores, W, columns used, units left unsolved)."""
    n, m = Y.shape
    if block is None:
        block = chunk_size(m, 0 if restr is None else int((restr.share_lo > 0).sum() + (restr.share_up < 1).sum()))
    scores, W = np.zeros(n), np.zeros((n, m))
    low = np.zeros(m) if restr is None else restr.low
    in_cols = np.zeros(n, dtype=bool)
    in_cols[cols] = True
    # The frontier is found first on a sample spread over the units (cheap), then all the rest
    # are solved against it; a unit whose weights let some unit above 1 is solved again with
    # its worst offenders added, until no weights do.
    sample = units[np.unique(np.linspace(0, units.size - 1, min(units.size, sample_size)).astype(int))]
    rest = np.setdiff1d(units, sample)
    unsolved: list[np.ndarray] = [np.zeros(0, dtype=int)]
    for todo in (sample, rest):
        while todo.size:
            A, costs = (Y[cols].T, None) if restr is None else restr.shared(Y, cols)
            status, score, w = np.empty(todo.size, dtype=int), np.empty(todo.size), np.empty((todo.size, m))
            for s in range(0, todo.size, block):
                part = slice(s, s + block)
                T = Y[todo[part]]
                own = None if restr is None else restr.own(T)
                res = solve_covering(A, T, costs, own, 0.0 if own is not None else None, chunk=block)
                status[part], score[part], w[part] = res.status, res.objective + T @ low, res.w
            ok = status == OPTIMAL
            unsolved.append(todo[~ok])
            todo, w, score = todo[ok], low + np.maximum(w[ok], 0.0), score[ok]
            bad, worst = _violations(Y, w)
            new = np.unique(np.concatenate([u[~in_cols[u]][:add_per_round] for u in worst])) if worst \
                else np.zeros(0, dtype=int)
            good = ~bad
            scores[todo[good]] = np.minimum(score[good], 1.0)
            W[todo[good]] = w[good]
            todo = todo[bad]
            if todo.size and not new.size:  # nothing left to add: numerically stuck, another solver decides
                unsolved.append(todo)
                break
            in_cols[new] = True
            cols = np.concatenate([cols, new])
    return scores, W, cols, np.concatenate(unsolved)


def _bod_highs(Y: np.ndarray, cols: np.ndarray, units: np.ndarray, scores: np.ndarray, W: np.ndarray,
               add_per_round: int) -> None:
    """Scores and weights of `units` (Y scaled) with HiGHS: one dual model reused from unit to
    unit, units entering as columns when they would score above 1 (column generation)."""
    n, m = Y.shape
    try:
        model: _DualModel | _LinprogModel = _DualModel(Y, cols)
    except ImportError:  # pragma: no cover - SciPy without its HiGHS bindings
        model = _LinprogModel(Y, cols)
    in_model = np.zeros(n, dtype=bool)
    in_model[cols] = True
    for c in units:
        while True:
            score, w = model.solve(Y[c])
            reduced = 1.0 - Y @ w
            enter = np.flatnonzero((reduced < -_TOL) & ~in_model)
            if not enter.size:
                break
            enter = enter[np.argsort(reduced[enter], kind="stable")[:add_per_round]]
            in_model[enter] = True
            model.add(enter)
        scores[c] = min(score, 1.0)
        W[c] = w


def _bod_plain(Y: np.ndarray) -> np.ndarray:
    """The textbook programme, one full linprog per unit with every unit as a constraint:
    max y_c.w s.t. Y w <= 1, w >= 0. Slow; the reference the fast path is tested against."""
    from scipy.optimize import linprog  # lazy: SciPy, a heavy import, only when solving

    Y = _prepare(Y)
    ones = np.ones(len(Y))
    return np.array([min(-linprog(-y, A_ub=Y, b_ub=ones, bounds=(0, None), method="highs").fun, 1.0)
                     if y.any() else 0.0 for y in Y])


def bod_constrained(Y: np.ndarray, low_w: float | Sequence[float] = 0.0, up_w: float | Sequence[float] = 1.0,
                    weight_bounds: tuple[float | Sequence[float], float | Sequence[float]] | None = None
                    ) -> BoDResult:
    """Benefit-of-the-Doubt with weight restrictions (Compind `ci_bod_constr(x, indic_col, up_w, low_w)`).

    Pie-share restrictions (Cherchye et al. 2007): each indicator's share of the unit's score,
    w_k y_ck / (y_c . w), lies in [low_w_k, up_w_k] (a number for every indicator or one per
    indicator); `weight_bounds` = (lower, upper) bounds the weights themselves. Solved by the
    lock-step dual simplex like `bod` (share rows become each unit's own dual columns, upper
    bounds shared ones, lower bounds a shift of the weights); positive lower bounds together
    with share restrictions, and any unit the fast path leaves unsolved, go to one linprog per
    unit. Infeasible restrictions (e.g. lower shares summing above 1) are an error.
    """
    Y = _prepare(Y)
    n, m = Y.shape
    lo = np.broadcast_to(np.asarray(low_w, dtype=float), (m,))
    up = np.broadcast_to(np.asarray(up_w, dtype=float), (m,))
    if lo.sum() > 1 + 1e-12 or up.sum() < 1 - 1e-12 or (lo > up).any():
        raise ValueError("BoD share restrictions are infeasible: need sum(low_w) <= 1 <= sum(up_w), low_w <= up_w")
    wl, wu = np.zeros(m), np.full(m, np.inf)
    if weight_bounds is not None:
        wl = np.broadcast_to(np.asarray(weight_bounds[0], dtype=float), (m,)).copy()
        wu = np.broadcast_to(np.asarray(weight_bounds[1], dtype=float), (m,)).copy()
    shares = (lo > 0).any() or (up < 1).any()
    scores, W = np.zeros(n), np.zeros((n, m))
    units = np.flatnonzero((Y > 0).any(axis=1))
    if (wl < 0).any() or (wl > wu).any() or (Y @ wl > 1 + _TOL).any():
        units_slow = np.arange(n)  # linprog names the unit and the reason
    elif shares and (wl > 0).any():
        units_slow = np.arange(n)  # shifted share rows would cost < 0: no dual-feasible start
    else:
        top = Y.max(axis=0)
        top = np.where(top > 0, top, 1.0)
        Ys = Y / top
        cols = np.unique(np.concatenate([np.argmax(Ys, axis=0), np.argsort(-Ys.sum(axis=1), kind="stable")[:m]]))
        restr = _Restrictions(low=wl * top, up=wu * top, share_lo=np.array(lo), share_up=np.array(up))
        scores, W, _, units_slow = _bod_lockstep(Ys, cols, units, 10, restr)
        W = W / top
        zero = np.setdiff1d(np.arange(n), units)
        W[zero] = wl
    if units_slow.size:
        _bod_constrained_linprog(Y, lo, up, wl, wu, units_slow, scores, W)
    return BoDResult(scores=scores, weights=W)


def _bod_constrained_linprog(Y: np.ndarray, lo: np.ndarray, up: np.ndarray, wl: np.ndarray, wu: np.ndarray,
                             units: np.ndarray, scores: np.ndarray, W: np.ndarray) -> None:
    """Restricted BoD of `units` by one linprog (HiGHS) per unit, the constraints y_j . w <= 1
    generated as they bind (also the reference for the fast path)."""
    from scipy.optimize import linprog  # lazy: SciPy, a heavy import, only when solving

    n, m = Y.shape
    bounds = [(float(a), None if np.isinf(b) else float(b)) for a, b in zip(wl, wu)]
    rows = list(np.unique(np.concatenate([np.argmax(Y, axis=0), np.argsort(-Y.sum(axis=1))[:m]])))
    eye = np.eye(m)
    for c in units:
        y = Y[c]
        # share_k >= lo_k:  lo_k (y.w) - y_k w_k <= 0 ;  share_k <= up_k:  y_k w_k - up_k (y.w) <= 0
        share = np.vstack([lo[:, None] * y[None, :] - eye * y, eye * y - up[:, None] * y[None, :]])
        share_keep = np.concatenate([lo > 0, up < 1])
        share = share[share_keep]
        while True:
            A = np.vstack([Y[rows], share])
            b = np.concatenate([np.ones(len(rows)), np.zeros(len(share))])
            r = linprog(-y, A_ub=A, b_ub=b, bounds=bounds, method="highs")
            if r.status != 0:
                raise ValueError(f"BoD for unit {c + 1}: {r.message}")
            v = Y @ r.x
            viol = np.flatnonzero(v > 1 + _TOL)
            new = [j for j in viol[np.argsort(-v[viol])] if j not in set(rows)][:10]
            if not new:
                break
            rows.extend(new)
        scores[c] = min(-r.fun, 1.0) if y.any() else 0.0
        W[c] = r.x


def robust_bod(Y: np.ndarray, M: int = 20, B: int = 200, seed: int | None = None) -> BoDResult:
    """Robust (order-m) Benefit of the Doubt (Compind `ci_rbod(x, indic_col, M = 20, B = 200)`).

    For each unit and each of B replications, the reference set is M units drawn at random with
    replacement; the unit's BoD score against that set is computed and the B scores averaged.
    Outliers then no longer define the frontier for everyone: scores can exceed 1 (a unit
    better than the typical M-unit sample). A replication where the unit cannot be bounded (it
    is positive on an indicator that every drawn unit has at 0) is left out of its mean.
    The replications' programmes are solved together by the lock-step dual simplex (each with
    its own M columns); one it leaves unsolved or calls unbounded is checked with linprog.
    """
    from scipy.optimize import linprog  # lazy: SciPy, a heavy import, only when solving

    Y = _prepare(Y)
    n, m = Y.shape
    top = Y.max(axis=0)
    top = np.where(top > 0, top, 1.0)
    Ys = Y / top  # scores do not depend on the scale of an indicator
    rng = np.random.default_rng(seed)
    scores = np.full(n, np.nan)
    block = max(1, 8 * chunk_size(m, M) // B)  # units whose B programmes are solved in one call
    no_shared = np.zeros((m, 0))
    for s in range(0, n, block):
        units = np.arange(s, min(s + block, n))
        # One draw of (units, B, M) takes the generator's stream in the same order as drawing
        # M at a time, unit after unit: the same samples as a loop would use.
        draws = rng.integers(0, n, size=(units.size, B, M)).reshape(-1, M)
        targets = np.repeat(Ys[units], B, axis=0)
        res = solve_covering(no_shared, targets, extra=np.transpose(Ys[draws], (0, 2, 1)), extra_costs=1.0)
        vals = np.where(res.status == OPTIMAL, res.objective, np.nan)
        for p in np.flatnonzero(res.status != OPTIMAL):
            r = linprog(np.ones(M), A_ub=-Ys[draws[p]].T, b_ub=-targets[p], bounds=(0, None), method="highs")
            if r.status == 0:
                vals[p] = r.fun
        vals = vals.reshape(units.size, B)
        seen = np.isfinite(vals).any(axis=1)
        scores[units[seen]] = np.nanmean(vals[seen], axis=1)
    return BoDResult(scores=scores, weights=np.full((n, m), np.nan))


def _robust_bod_plain(Y: np.ndarray, M: int = 20, B: int = 200, seed: int | None = None) -> np.ndarray:
    """Robust BoD scores by one linprog per unit and replication, drawing M units at a time: the
    reference `robust_bod` is tested against."""
    from scipy.optimize import linprog  # lazy: SciPy, a heavy import, only when solving

    Y = _prepare(Y)
    n = len(Y)
    rng = np.random.default_rng(seed)
    scores = np.full(n, np.nan)
    for c in range(n):
        vals = []
        for _ in range(B):
            ref = Y[rng.integers(0, n, size=M)]
            r = linprog(np.ones(M), A_ub=-ref.T, b_ub=-Y[c], bounds=(0, None), method="highs")
            if r.status == 0:
                vals.append(r.fun)
        if vals:
            scores[c] = float(np.mean(vals))
    return scores
