"""BoD's fast path (the lock-step dual simplex with column generation) gives the same scores as
the textbook programme solved one full linprog per unit, with and without weight restrictions."""

import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

from chiso.engine.analysis import bod, bod_constrained, robust_bod
from chiso.engine.analysis._lockstep import INFEASIBLE, NOT_SOLVED, OPTIMAL, solve_covering

bod_module = importlib.import_module("chiso.engine.analysis.bod")  # the package exports a function


def awkward(n, m, seed):
    """Random data with what trips solvers: zeros, tied units, a unit at 0, tied frontier units."""
    rng = np.random.default_rng(seed)
    Y = rng.uniform(0, 1, size=(n, m)) ** 2
    Y[rng.uniform(size=Y.shape) < 0.15] = 0.0
    Y[1] = Y[0]  # tied units
    Y[2] = 0.0  # scores 0
    Y[3] = Y[4] = Y[np.argmax(Y.sum(axis=1))]  # two tied units on the frontier
    Y[5] = Y[6] = np.round(Y[7], 1)  # ties on rounded values
    return Y


def plain_restricted(Y, lo=0.0, up=1.0, bounds=None):
    """Every constraint of ci_bod_constr written out, one linprog per unit."""
    n, m = Y.shape
    lo, up, eye = np.broadcast_to(lo, (m,)), np.broadcast_to(up, (m,)), np.eye(m)
    wb = [(0.0, None)] * m if bounds is None else [
        (float(a), None if np.isinf(b) else float(b))
        for a, b in zip(np.broadcast_to(bounds[0], (m,)), np.broadcast_to(bounds[1], (m,)))]
    out = []
    for y in Y:
        share = np.vstack([lo[:, None] * y - eye * y, eye * y - up[:, None] * y])[np.concatenate([lo > 0, up < 1])]
        r = linprog(-y, A_ub=np.vstack([Y, share]), b_ub=np.r_[np.ones(n), np.zeros(len(share))],
                    bounds=wb, method="highs")
        assert r.status == 0
        out.append(min(-r.fun, 1.0) if y.any() else 0.0)
    return np.array(out)


@pytest.mark.parametrize(("n", "m", "seed"), [(80, 3, 0), (150, 8, 1), (200, 20, 2), (250, 12, 3)])
def test_fast_path_equals_one_full_lp_per_unit(n, m, seed):
    Y = awkward(n, m, seed)
    res = bod(Y)
    np.testing.assert_allclose(res.scores, bod_module._bod_plain(Y), rtol=0, atol=1e-9)
    assert (Y @ res.weights.T <= 1 + 1e-9).all()  # each unit's weights keep every unit <= 1
    assert (res.weights >= 0).all()
    np.testing.assert_allclose(np.minimum((Y * res.weights).sum(1), 1), res.scores, rtol=0, atol=1e-9)
    assert res.scores[2] == 0 and res.scores[0] == res.scores[1]
    assert res.scores[3] == res.scores[4] == 1


def test_the_sample_and_later_rounds_find_the_whole_frontier():
    # a sample of 5 units cannot hold the frontier: the later rounds must add it
    Y = awkward(200, 6, 7)
    scaled = Y / Y.max(axis=0)
    units = np.flatnonzero(Y.any(axis=1))
    scores, W, cols, unsolved = bod_module._bod_lockstep(scaled, np.argmax(scaled, axis=0), units, 3, sample_size=5)
    assert unsolved.size == 0
    np.testing.assert_allclose(scores, bod_module._bod_plain(Y), rtol=0, atol=1e-9)
    assert len(cols) > 6  # the frontier units the sample missed came in later


def test_units_the_fast_path_leaves_go_to_highs(monkeypatch):
    real = solve_covering

    def every_third_unsolved(*args, **kwargs):
        res = real(*args, **kwargs)
        res.status[::3] = NOT_SOLVED
        return res

    monkeypatch.setattr(bod_module, "solve_covering", every_third_unsolved)  # as bod calls it
    Y = awkward(90, 5, 4)
    highs = []
    real_highs = bod_module._bod_highs
    monkeypatch.setattr(bod_module, "_bod_highs", lambda Y, cols, units, *a: (highs.extend(units), real_highs(Y, cols, units, *a)))
    np.testing.assert_allclose(bod(Y).scores, bod_module._bod_plain(Y), rtol=0, atol=1e-9)
    assert len(highs) > 10  # the left units really went the other way


@settings(max_examples=25, deadline=None)
@given(arrays(float, st.tuples(st.integers(2, 30), st.integers(1, 6)),
              elements=st.sampled_from([0.0, 0.25, 0.5, 1.0]) | st.floats(1e-6, 10)))
def test_fast_path_equals_plain_on_any_data(Y):
    # (no subnormal values: HiGHS reads 1e-309 as 0 and the reference would score such a unit 0, not 1)
    np.testing.assert_allclose(bod(Y).scores, bod_module._bod_plain(Y), rtol=0, atol=1e-9)


@pytest.mark.parametrize("restrictions", [
    {},
    {"low_w": 0.05, "up_w": 0.5},
    {"weight_bounds": (0.0, 2.0)},
    {"weight_bounds": (0.1, 3.0)},  # lower bounds shift the weights
    {"weight_bounds": (0.05, np.inf)},
    {"low_w": 0.02, "weight_bounds": (0.0, np.linspace(1, 3, 6))},
    {"up_w": 0.6, "weight_bounds": (0.05, 4.0)},  # shares with lower bounds: one linprog per unit
])
def test_restricted_fast_path_equals_one_full_lp_per_unit(restrictions):
    Y = awkward(120, 6, 9)
    res = bod_constrained(Y, **restrictions)
    expected = plain_restricted(Y, restrictions.get("low_w", 0.0), restrictions.get("up_w", 1.0),
                                restrictions.get("weight_bounds"))
    np.testing.assert_allclose(res.scores, expected, rtol=0, atol=1e-9)
    assert (Y @ res.weights.T <= 1 + 1e-9).all()
    if "weight_bounds" in restrictions:
        low, high = restrictions["weight_bounds"]
        assert (res.weights >= np.asarray(low) - 1e-9).all() and (res.weights <= np.asarray(high) + 1e-9).all()


def test_weight_bounds_nobody_can_meet_are_an_error():
    Y = awkward(30, 3, 1)
    with pytest.raises(ValueError, match="BoD for unit"):
        bod_constrained(Y, weight_bounds=(5.0, np.inf))


def test_robust_bod_equals_one_linprog_per_replication():
    Y = awkward(30, 4, 5)
    Y[8:22, 0] = 0.0  # units 0-7 and 22+ are positive there: some draws of 6 cannot bound them (left out)
    fast = robust_bod(Y, M=6, B=15, seed=3).scores
    plain = bod_module._robust_bod_plain(Y, M=6, B=15, seed=3)
    np.testing.assert_array_equal(np.isnan(fast), np.isnan(plain))
    np.testing.assert_allclose(fast, plain, rtol=0, atol=1e-9)
    assert fast.max() > 1


def test_lockstep_statuses():
    A = np.array([[1.0, 0.0], [0.0, 0.0]])  # nothing reaches the second indicator
    res = solve_covering(A, np.array([[0.5, 0.0], [0.5, 0.2], [0.0, 0.0]]))
    assert list(res.status) == [OPTIMAL, INFEASIBLE, OPTIMAL]
    assert res.objective[0] == pytest.approx(0.5) and res.objective[2] == 0
    with pytest.raises(ValueError, match="non-negative costs"):
        solve_covering(A, np.ones((1, 2)), costs=np.array([-1.0, 1.0]))
