"""chiso.engine.analysis.correlation against SciPy's stats (an independent implementation)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from chiso.engine.analysis import corr_flags, corr_matrix, corr_pvalues, pair_counts


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 4))
    X[:, 1] += X[:, 0]
    X[:, 3] = np.round(X[:, 3])  # ties
    X[[2, 7, 30], 0] = np.nan
    X[[5, 7], 2] = np.nan
    return X


@pytest.mark.parametrize("method", ["pearson", "spearman", "kendall"])
def test_pairwise_complete_matches_scipy(data, method):
    R = corr_matrix(data, method=method)
    fn = {"pearson": stats.pearsonr, "spearman": stats.spearmanr, "kendall": stats.kendalltau}[method]
    for i in range(4):
        for j in range(4):
            ok = ~np.isnan(data[:, i]) & ~np.isnan(data[:, j])
            expected = fn(data[ok, i], data[ok, j]).statistic if i != j else 1.0
            assert R[i, j] == pytest.approx(expected, abs=1e-12)


def test_pvalues_match_scipy_pearson(data):
    R = corr_matrix(data)
    P = corr_pvalues(R, pair_counts(data))
    ok = ~np.isnan(data[:, 0]) & ~np.isnan(data[:, 2])
    assert P[0, 2] == pytest.approx(stats.pearsonr(data[ok, 0], data[ok, 2]).pvalue, rel=1e-9)


def test_constant_column_and_too_few_rows_are_missing():
    X = np.array([[1.0, 2.0, 5.0], [2.0, 2.0, np.nan], [3.0, 2.0, np.nan], [4.0, 2.0, 1.0]])
    R = corr_matrix(X)
    assert np.isnan(R[0, 1]) and np.isnan(R[0, 2])


def test_flags_within_groups_only():
    rng = np.random.default_rng(0)
    a = rng.normal(size=50)
    X = np.column_stack([a, a + 1e-3 * rng.normal(size=50), a, rng.normal(size=50)])
    flags = corr_flags(X, ["x1", "x2", "x3", "x4"], groups=["P", "P", "Q", "Q"], cor_thresh=0.9)
    assert [(f.group, f.var1, f.var2) for f in flags] == [("P", "x1", "x2")]
    low = corr_flags(X, ["x1", "x2", "x3", "x4"], groups=None, cor_thresh=0.5, thresh_type="low")
    assert {(f.var1, f.var2) for f in low} == {("x1", "x4"), ("x2", "x4"), ("x3", "x4")}


@settings(max_examples=40, deadline=None)
@given(arrays(float, st.tuples(st.integers(5, 30), st.just(3)), elements=st.integers(-1000, 1000).map(float)),
       st.floats(0.5, 100), st.integers(-100, 100))
def test_pearson_and_spearman_invariant_to_positive_affine_maps(X, a, b):
    if (np.ptp(X, axis=0) < 1e-3).any():
        return
    Y = X.copy()
    Y[:, 0] = a * X[:, 0] + b
    for m in ("pearson", "spearman"):
        np.testing.assert_allclose(corr_matrix(Y, method=m), corr_matrix(X, method=m), atol=1e-7)
