"""Benefit of the Doubt (Compind ci_bod, ci_bod_constr, ci_rbod): against one full linprog per unit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.optimize import linprog

from chiso.engine.analysis import bod, bod_constrained, robust_bod
from chiso.engine.analysis.bod import _LinprogModel


def full_lp(Y):
    """The textbook programme, every unit as a constraint: max y_c.w s.t. Y w <= 1, w >= 0."""
    return np.array([-linprog(-y, A_ub=Y, b_ub=np.ones(len(Y)), bounds=(0, None), method="highs").fun
                     if y.any() else 0.0 for y in Y])


def sample(n=60, m=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, size=(n, m)) ** 2


def test_scores_match_the_full_programme():
    Y = sample()
    res = bod(Y)
    np.testing.assert_allclose(res.scores, full_lp(Y), atol=1e-8)
    assert (Y @ res.weights.T <= 1 + 1e-7).all()  # every unit's weights are feasible for all
    np.testing.assert_allclose((Y * res.weights).sum(1), res.scores, atol=1e-8)


def test_linprog_fallback_gives_the_same(monkeypatch):
    import importlib

    mod = importlib.import_module("chiso.engine.analysis.bod")  # the module (the package exports a function)

    Y = sample(30, 3, 4)

    class Broken:
        def __init__(self, *a):
            raise ImportError

    monkeypatch.setattr(mod, "_DualModel", Broken)
    np.testing.assert_allclose(mod.bod(Y).scores, full_lp(Y), atol=1e-8)
    assert _LinprogModel  # the fallback exists


@settings(max_examples=20, deadline=None)
@given(arrays(float, st.tuples(st.integers(2, 25), st.integers(1, 4)), elements=st.floats(0, 10)))
def test_scores_in_unit_interval_best_at_one(Y):
    if not (Y > 0).any():
        return
    s = bod(Y).scores
    assert (s >= -1e-12).all() and (s <= 1 + 1e-12).all()
    assert s.max() == pytest.approx(1)
    # a unit best on some indicator is on the frontier
    assert s[np.argmax(Y.sum(1))] == pytest.approx(1)


def test_bad_input():
    with pytest.raises(ValueError, match="non-negative"):
        bod(np.array([[1.0, -1.0], [0.5, 0.5]]))
    with pytest.raises(ValueError, match="complete"):
        bod(np.array([[1.0, np.nan], [0.5, 0.5]]))


def test_share_restrictions():
    Y = sample(40, 3, 2)
    free = bod(Y).scores
    eq = bod_constrained(Y, low_w=1 / 3, up_w=1 / 3)
    shares = Y * eq.weights / (Y * eq.weights).sum(1, keepdims=True)
    np.testing.assert_allclose(shares, 1 / 3, atol=1e-7)
    loose = bod_constrained(Y, low_w=0.0, up_w=1.0)
    np.testing.assert_allclose(loose.scores, free, atol=1e-8)
    assert (eq.scores <= free + 1e-9).all()  # restrictions can only lower a score
    assert (Y @ eq.weights.T <= 1 + 1e-7).all()
    with pytest.raises(ValueError, match="infeasible"):
        bod_constrained(Y, low_w=0.5)


def test_robust_bod_reproducible_and_can_exceed_one():
    Y = sample(15, 2, 7)
    a = robust_bod(Y, M=5, B=10, seed=1)
    b = robust_bod(Y, M=5, B=10, seed=1)
    np.testing.assert_array_equal(a.scores, b.scores)
    assert a.scores.max() > 1  # the best units beat most 5-unit samples
    # with a very large M the sample holds the frontier and scores approach the plain ones
    big = robust_bod(Y, M=300, B=2, seed=2)
    np.testing.assert_allclose(big.scores, bod(Y).scores, atol=1e-6)
