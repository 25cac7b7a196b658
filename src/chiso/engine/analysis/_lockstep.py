"""Many small linear programmes min c.lam s.t. A lam >= y, lam >= 0, solved together by a dual simplex
run in lock-step in NumPy: the engine under Benefit of the Doubt.

Every programme has the same few rows (one per indicator, m ~ 50) and starts from the slack basis,
which is dual feasible because the costs are non-negative; each iteration pivots every programme
still primal infeasible at once, so the work is a few matrix products over thousands of programmes
instead of one solver call each. Basis inverses are kept explicitly (m x m per programme), rows
are chosen by dual steepest edge and columns by Harris's two-pass ratio test; at the end each
optimal basis is solved afresh (np.linalg.solve) so the answer carries no drift from the updates.

A programme that needs more than `max_iter` pivots, or whose refreshed basis is not primal
feasible, is reported as not solved (status 2): the caller solves it another way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OPTIMAL, INFEASIBLE, NOT_SOLVED = 0, 1, 2
_PIVOT_TOL = 1e-9  # smallest pivot accepted in the ratio test
_PRIMAL_TOL = 1e-10  # a basic variable above -_PRIMAL_TOL counts as feasible
_HARRIS_TOL = 1e-12  # room given to reduced costs in the first pass of the ratio test
_CHUNK_FLOATS = 4_000_000  # about 32 MB per working array of a chunk (the basis inverses, own columns)


def chunk_size(m: int, own_columns: int = 0) -> int:
    """How many programmes of m rows (and `own_columns` columns each) to pivot together."""
    return int(max(8, min(512, _CHUNK_FLOATS // (m * (m + own_columns)))))


@dataclass
class LockstepResult:
    """status (b,): OPTIMAL, INFEASIBLE (no lam >= 0 reaches y) or NOT_SOLVED; objective (b,);
    w (b, m): the multipliers, i.e. the optimal solution of max y.w s.t. A^T w <= c, w >= 0;
    iterations: pivots of the slowest programme."""

    status: np.ndarray
    objective: np.ndarray
    w: np.ndarray
    iterations: int


def solve_covering(A: np.ndarray, Y: np.ndarray, costs: np.ndarray | None = None,
                   extra: np.ndarray | None = None, extra_costs: np.ndarray | None = None,
                   chunk: int | None = None, max_iter: int | None = None) -> LockstepResult:
    """Solve min c.lam s.t. [A | extra_b] lam >= y_b, lam >= 0 for every row y_b of Y.

    A (m, k) is shared by all programmes, with costs (k,) (default 1); extra (b, m, e) holds
    columns of each programme's own, with extra_costs (e,) or (b, e). Costs must be >= 0.
    """
    Y = np.asarray(Y, dtype=float)
    b, m = Y.shape
    k = A.shape[1]
    c = np.ones(k) if costs is None else np.asarray(costs, dtype=float)
    if (c < 0).any() or (extra_costs is not None and (np.asarray(extra_costs) < 0).any()):
        raise ValueError("lock-step dual simplex needs non-negative costs")
    status = np.full(b, NOT_SOLVED)
    objective = np.full(b, np.nan)
    w = np.full((b, m), np.nan)
    iterations = 0
    chunk = chunk or chunk_size(m, 0 if extra is None else extra.shape[2])
    for s in range(0, b, chunk):
        sl = slice(s, min(s + chunk, b))
        ex = None if extra is None else extra[sl]
        ec = None
        if extra is not None:
            ec = np.broadcast_to(np.asarray(extra_costs if extra_costs is not None else 1.0, dtype=float),
                                 (sl.stop - sl.start, extra.shape[2]))
        st, obj, ww, it = _solve_chunk(A, c, Y[sl], ex, ec, max_iter or 20 * (m + 10))
        status[sl], objective[sl], w[sl] = st, obj, ww
        iterations = max(iterations, it)
    return LockstepResult(status, objective, w, iterations)


def _solve_chunk(A, c, Y, extra, extra_costs, max_iter):
    b, m = Y.shape
    k = A.shape[1]
    e = 0 if extra is None else extra.shape[2]
    n_var = k + e + m  # columns: shared, the programme's own, then slacks (-I)
    status = np.full(b, NOT_SOLVED)
    objective = np.full(b, np.nan)
    w_out = np.full((b, m), np.nan)
    At = np.ascontiguousarray(A.T)  # (k, m): column j of A as a row
    # Working state of the programmes still running; `ids` maps them back to rows of Y.
    ids = np.arange(b)
    y = Y.copy()
    ex = extra
    binv = np.broadcast_to(-np.eye(m), (b, m, m)).copy()
    basis = np.broadcast_to(np.arange(k + e, n_var), (b, m)).copy()
    is_basic = np.zeros((b, n_var), dtype=bool)
    is_basic[:, k + e:] = True
    xb = -y
    d = np.zeros((b, n_var))
    d[:, :k] = c
    if e:
        d[:, k:k + e] = extra_costs
    iteration = 0
    while ids.size:
        # Programmes whose basis is primal feasible are optimal; take them out.
        done = (xb >= -_PRIMAL_TOL).all(axis=1)
        if iteration >= max_iter:
            done[:] = True  # left as NOT_SOLVED unless feasible
        if done.any():
            fin = np.flatnonzero(done)
            feasible = (xb[fin] >= -_PRIMAL_TOL).all(axis=1)
            _finish(fin[feasible], ids, basis, At, c, ex, extra_costs if e else None, y, k, e, m,
                    status, objective, w_out)
            keep = ~done
            ids, y, binv, basis, is_basic, xb, d = (ids[keep], y[keep], binv[keep], basis[keep],
                                                    is_basic[keep], xb[keep], d[keep])
            if ex is not None:
                ex = ex[keep]
                extra_costs = extra_costs[keep]
            if not ids.size:
                break
        iteration += 1
        nb = ids.size
        rows = np.arange(nb)
        # Leaving row: dual steepest edge, infeasibility^2 / ||row of B^-1||^2.
        norms = np.einsum("bij,bij->bi", binv, binv)
        merit = np.where(xb < -_PRIMAL_TOL, xb * xb / norms, -1.0)
        r = np.argmax(merit, axis=1)
        rho = binv[rows, r]  # (nb, m)
        alpha = np.empty((nb, n_var))
        alpha[:, :k] = rho @ A
        if e:
            alpha[:, k:k + e] = np.einsum("bm,bme->be", rho, ex)
        alpha[:, k + e:] = -rho
        cand = (alpha < -_PIVOT_TOL) & ~is_basic
        none = ~cand.any(axis=1)
        if none.any():  # y cannot be reached: the primal (max y.w) is unbounded
            status[ids[none]] = INFEASIBLE
            keep = ~none
            ids, y, binv, basis, is_basic, xb, d, alpha, cand, r, rho = (
                ids[keep], y[keep], binv[keep], basis[keep], is_basic[keep], xb[keep], d[keep],
                alpha[keep], cand[keep], r[keep], rho[keep])
            if ex is not None:
                ex = ex[keep]
                extra_costs = extra_costs[keep]
            nb = ids.size
            rows = np.arange(nb)
            if not nb:
                break
        # Harris ratio test: bound with a little room, then the largest pivot within the bound.
        dpos = np.maximum(d, 0.0)
        neg = np.where(cand, -alpha, 1.0)
        bound = np.where(cand, (dpos + _HARRIS_TOL) / neg, np.inf).min(axis=1)
        ratio = np.where(cand, dpos / neg, np.inf)
        q = np.argmax(np.where(ratio <= bound[:, None], neg, 0.0), axis=1)
        theta_d = dpos[rows, q] / alpha[rows, q]  # <= 0
        d -= theta_d[:, None] * alpha
        d[rows, q] = 0.0
        # Entering column, through the current inverse.
        aq = np.empty((nb, m))
        shared = q < k
        aq[shared] = At[q[shared]]
        own = (q >= k) & (q < k + e)
        if own.any():
            aq[own] = ex[np.flatnonzero(own), :, q[own] - k]
        slack = q >= k + e
        aq[slack] = 0.0
        aq[np.flatnonzero(slack), q[slack] - k - e] = -1.0
        col = np.einsum("bij,bj->bi", binv, aq)
        piv = col[rows, r]
        theta_p = xb[rows, r] / piv
        xb -= theta_p[:, None] * col
        xb[rows, r] = theta_p
        new_row = rho / piv[:, None]
        binv -= col[:, :, None] * new_row[:, None, :]
        binv[rows, r] = new_row
        is_basic[rows, basis[rows, r]] = False
        is_basic[rows, q] = True
        basis[rows, r] = q
    return status, objective, w_out, iteration


def _finish(fin, ids, basis, At, c, ex, extra_costs, y, k, e, m, status, objective, w_out):
    """Solve each final basis afresh: x_B = B^-1 y, w = B^-T c_B; keep it when x_B >= 0."""
    if not fin.size:
        return
    bas = basis[fin]  # (f, m)
    f = fin.size
    cols = np.zeros((f, m, m))  # cols[i, j] = column bas[i, j] of the programme's matrix
    cb = np.zeros((f, m))
    shared = bas < k
    i_s, j_s = np.nonzero(shared)
    cols[i_s, j_s] = At[bas[i_s, j_s]]
    cb[i_s, j_s] = c[bas[i_s, j_s]]
    own = (bas >= k) & (bas < k + e)
    if own.any():
        i_o, j_o = np.nonzero(own)
        cols[i_o, j_o] = ex[fin[i_o], :, bas[i_o, j_o] - k]
        cb[i_o, j_o] = extra_costs[fin[i_o], bas[i_o, j_o] - k]
    i_k, j_k = np.nonzero(bas >= k + e)
    cols[i_k, j_k, bas[i_k, j_k] - k - e] = -1.0
    B = np.transpose(cols, (0, 2, 1))  # (f, m rows, m basic columns)
    xb, w = _solve_bases(B, y[fin], cb)
    ok = (xb >= -1e-9).all(axis=1) & np.isfinite(xb).all(axis=1) & np.isfinite(w).all(axis=1)
    rows = ids[fin[ok]]
    status[rows] = OPTIMAL
    objective[rows] = (cb[ok] * xb[ok]).sum(axis=1)
    w_out[rows] = w[ok]


def _solve_bases(B: np.ndarray, y: np.ndarray, cb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x_B = B^-1 y and w = B^-T c_B for a stack of bases; a singular one gives NaN (not solved)."""
    try:
        return (np.linalg.solve(B, y[:, :, None])[:, :, 0],
                np.linalg.solve(np.transpose(B, (0, 2, 1)), cb[:, :, None])[:, :, 0])
    except np.linalg.LinAlgError:  # one singular basis fails the whole stack: go one by one
        xb, w = np.full(y.shape, np.nan), np.full(y.shape, np.nan)
        for i in range(len(B)):
            try:
                xb[i] = np.linalg.solve(B[i], y[i])
                w[i] = np.linalg.solve(B[i].T, cb[i])
            except np.linalg.LinAlgError:
                pass
        return xb, w
