"""Property tests (hypothesis): direction reverses ranks, min-max range and scale invariance, mean identities."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chiso.engine import Dataset, IndexBuild, aggregate, rank, rank_min
from chiso.engine.normalise import n_minmax

from .conftest import small_framework

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


def non_constant(X):
    return (np.ptp(X, axis=0) > 1e-6 * (1 + np.abs(X).max(axis=0))).all()


@settings(max_examples=60, deadline=None)
@given(arrays(float, st.tuples(st.integers(3, 12), st.just(3)), elements=finite))
def test_reversing_every_direction_reverses_the_ranks(X):
    if not non_constant(X):
        return
    units = [f"u{i}" for i in range(X.shape[0])]
    data = Dataset.from_arrays(units, X, ["i1", "i2", "i3"])
    up = IndexBuild(small_framework(), data).normalise().aggregate().results()
    down = IndexBuild(small_framework(directions=(-1, -1, -1)), data).normalise().aggregate().results()
    s_up, s_down = up.column("Index"), down.column("Index")
    np.testing.assert_allclose(s_down, 100 - s_up, atol=1e-6)
    for i in range(len(units)):
        for j in range(len(units)):
            if s_up[i] > s_up[j] + 1e-6:  # clearly better before: clearly worse after
                assert down.rank[i] > down.rank[j]


@settings(max_examples=100, deadline=None)
@given(arrays(float, st.tuples(st.integers(2, 20), st.integers(1, 4)), elements=finite),
       st.floats(-1000, 1000), st.floats(0.001, 1000))
def test_minmax_output_is_within_its_range(X, lo, width):
    if not non_constant(X):
        return
    hi = lo + width
    Y = n_minmax(X, (lo, hi))
    tol = 1e-12 * (abs(lo) + abs(hi))
    assert (Y >= lo - tol).all() and (Y <= hi + tol).all()
    assert np.isclose(Y.min(axis=0), lo, atol=tol).all() and np.isclose(Y.max(axis=0), hi, atol=tol).all()


@settings(max_examples=100, deadline=None)
@given(arrays(float, st.tuples(st.integers(2, 20), st.integers(1, 4)), elements=finite), positive)
def test_positive_rescaling_does_not_change_minmax(X, a):
    if not non_constant(X):
        return
    np.testing.assert_allclose(n_minmax(a * X), n_minmax(X), atol=1e-8)


@settings(max_examples=100, deadline=None)
@given(st.lists(positive, min_size=1, max_size=8), st.sampled_from(["amean", "gmean", "hmean", "genmean"]),
       st.tuples(positive, positive, positive))
def test_equal_children_give_the_child_value(values, method, weights):
    fw = small_framework(weights=weights)
    X = np.repeat(np.array(values)[:, None], 3, axis=1)
    out = aggregate(X, fw.tree, method=method, p=2)
    for code in ("P1", "P2", "Index"):
        np.testing.assert_allclose(out[:, fw.tree.position[code]], values, rtol=1e-12)


@settings(max_examples=100, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 10), st.just(3)), elements=positive),
       st.tuples(positive, positive, positive))
def test_geometric_mean_never_exceeds_arithmetic_mean(X, weights):
    fw = small_framework(weights=weights)
    g = aggregate(X, fw.tree, method="gmean")
    a = aggregate(X, fw.tree, method="amean")
    h = aggregate(X, fw.tree, method="hmean")
    assert (g <= a * (1 + 1e-12)).all()
    assert (h <= g * (1 + 1e-12)).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.integers(-5, 5).map(float), st.just(float("nan"))), min_size=1, max_size=30))
def test_rank_is_one_plus_the_number_of_better_values(values):
    x = np.array(values)
    r = rank(x)
    for i, v in enumerate(x):
        if np.isnan(v):
            assert np.isnan(r[i])
        else:
            assert r[i] == 1 + np.sum(x[~np.isnan(x)] > v)
    np.testing.assert_array_equal(rank_min(x, descending=False), rank(-x))
