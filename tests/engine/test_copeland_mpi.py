"""Copeland (COINr a_copeland), MPI and AMPI (Compind ci_mpi, ci_ampi), trends (COINr CAGR)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chiso.engine.analysis import a_copeland, ampi, cagr, get_trends, mpi, outrank_matrix, slope


def test_outranking_by_hand():
    X = np.array([[3.0, 1.0, 2.0], [2.0, 2.0, 2.0], [1.0, 3.0, np.nan]])
    M = outrank_matrix(X, np.array([1.0, 1.0, 2.0])).matrix
    # unit 1 vs 2: wins x1 (0.25), loses x2, ties x3 (0.5 * 0.5)
    assert M[0, 1] == pytest.approx(0.25 + 0.25)
    # unit 1 vs 3: x3 missing for unit 3 adds nothing
    assert M[0, 2] == pytest.approx(0.25)
    assert np.diag(M).tolist() == [0, 0, 0]
    s = a_copeland(X, np.array([1.0, 1.0, 2.0]))
    assert s.tolist() == [-1.0, -1.0, -2.0]  # M[0,1] = M[1,0] = 0.5 is neither a win nor a loss


@settings(max_examples=30, deadline=None)
@given(arrays(float, st.tuples(st.integers(2, 12), st.integers(1, 4)), elements=st.integers(-100, 100).map(float)))
def test_copeland_invariant_to_monotone_transforms(X):
    Y = np.exp(X / 50) * 3 + X ** 3  # strictly increasing
    np.testing.assert_array_equal(a_copeland(Y), a_copeland(X))
    assert a_copeland(X).sum() == 0  # wins and losses cancel


def test_copeland_directions():
    X = np.array([[1.0, 5.0], [2.0, 4.0], [3.0, 3.0]])
    np.testing.assert_array_equal(a_copeland(X, directions=[1, -1]), [-2, 0, 2])


def test_mpi_by_hand():
    X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 10.0]])
    Z = 100 + 10 * (X - X.mean(0)) / X.std(0)
    M, S = Z.mean(1), Z.std(1)
    np.testing.assert_allclose(mpi(X), M - S * S / M)
    np.testing.assert_allclose(mpi(X, penalty=1), M + S * S / M)


@settings(max_examples=30, deadline=None)
@given(arrays(float, st.tuples(st.integers(2, 10), st.just(1)), elements=st.floats(-100, 100)),
       st.integers(2, 5))
def test_mpi_equals_the_mean_when_indicators_are_equal(x, k):
    if np.ptp(x) < 1e-6:
        return
    X = np.repeat(x, k, axis=1)
    z = 100 + 10 * (x[:, 0] - x[:, 0].mean()) / x[:, 0].std()
    np.testing.assert_allclose(mpi(X), z, rtol=1e-12)
    assert (mpi(X + np.arange(k)) == pytest.approx(z))  # shifts do not matter after standardising


def test_mpi_penalises_unbalanced_units():
    X = np.array([[0.0, 0.0], [1.0, -1.0], [-1.0, 1.0], [2.0, 2.0], [-2.0, -2.0]])
    s = mpi(X)
    assert s[1] < s[0] and s[2] < s[0]  # same mean z, unbalanced


def test_ampi_reference_maps_to_100():
    X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]])
    r = ampi(X)
    assert r[1] == pytest.approx(100)
    assert ampi(X, goalposts=(np.array([1.0, 10.0]), np.array([3.0, 30.0])))[0] == pytest.approx(70)


def test_cagr_and_trends():
    assert cagr([100, np.nan, 121], [2020, 2021, 2022]) == pytest.approx(0.1)
    assert np.isnan(cagr([5.0], [2020]))
    assert slope([1, 3, 5], [0, 1, 2]) == pytest.approx(2)
    values = np.array([[100.0], [110.0], [50.0], [np.nan], [40.0], [45.0]])
    tr = get_trends(values, ["A", "A", "B", "B", "C", "C"], [2020, 2021, 2020, 2021, 2019, 2021], ["x"])
    assert tr.trend[:, 0][0] == pytest.approx(0.1)
    assert np.isnan(tr.trend[1, 0]) and tr.n_points[1, 0] == 1
    assert tr.trend[2, 0] == pytest.approx((45 / 40) ** 0.5 - 1)
    latest = get_trends(values, ["A", "A", "B", "B", "C", "C"], [2020, 2021, 2020, 2021, 2019, 2021], ["x"],
                        use_latest=2)
    assert np.isnan(latest.trend[2, 0])  # 2019 is not among the latest two periods
