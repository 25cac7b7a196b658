"""Cronbach's alpha, PCA and factor weights, cross-checked with pingouin and scikit-learn when installed."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiso.engine.analysis import cronbach_alpha, factor_weights, pca, pca_weights


def sample(n=80, k=5, seed=1):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=n)
    return np.column_stack([f * (0.5 + j / k) + rng.normal(size=n) for j in range(k)])


def test_cronbach_formula_and_pingouin():
    X = sample()
    C = np.cov(X, rowvar=False)
    k = X.shape[1]
    assert cronbach_alpha(X) == pytest.approx(k / (k - 1) * (1 - np.trace(C) / C.sum()), rel=1e-12)
    pg = pytest.importorskip("pingouin")
    pd = pytest.importorskip("pandas")
    assert cronbach_alpha(X) == pytest.approx(pg.cronbach_alpha(pd.DataFrame(X))[0], rel=1e-10)


def test_cronbach_pairwise_with_missing_values():
    X = sample()
    X[3, 1] = np.nan
    pd = pytest.importorskip("pandas")
    C = pd.DataFrame(X).cov().to_numpy()  # pandas: pairwise-complete, like R's use = "pairwise.complete.obs"
    k = X.shape[1]
    assert cronbach_alpha(X) == pytest.approx(k / (k - 1) * (1 - np.trace(C) / C.sum()), rel=1e-12)
    assert np.isnan(cronbach_alpha(X[:, :1]))


def test_pca_matches_scikit_learn():
    X = sample()
    res = pca(X)
    skl = pytest.importorskip("sklearn.decomposition")
    Z = (X - X.mean(0)) / X.std(0, ddof=1)
    ref = skl.PCA().fit(Z)
    np.testing.assert_allclose(res.eigenvalues, ref.explained_variance_, rtol=1e-10)
    np.testing.assert_allclose(res.variance_share, ref.explained_variance_ratio_, rtol=1e-10)
    np.testing.assert_allclose(np.abs(res.loadings[:, 0]), np.abs(ref.components_[0]), atol=1e-10)
    assert res.loadings[:, 0].sum() > 0 and res.pc1_weights.sum() == pytest.approx(1)


def test_pca_drops_incomplete_rows_and_rejects_constants():
    X = sample()
    X[0, 0] = np.nan
    assert pca(X).n == X.shape[0] - 1
    X[:, 2] = 1.0
    with pytest.raises(ValueError):
        pca(X)


def test_factor_weights_positive_and_sum_to_one():
    rng = np.random.default_rng(5)
    f, g = rng.normal(size=(2, 200))
    X = np.column_stack([f + 0.3 * rng.normal(size=200) for _ in range(3)]
                        + [g + 0.3 * rng.normal(size=200) for _ in range(3)])
    w = factor_weights(X)
    assert (w > 0).all() and w.sum() == pytest.approx(1)
    assert w[:3].sum() == pytest.approx(0.5, abs=0.1)  # two factors of equal size


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 4), st.floats(0.01, 1000), st.floats(-1000, 1000), st.integers(0, 10_000))
def test_pca_weights_unchanged_by_rescaling_an_indicator(j, a, b, seed):
    X = sample(seed=seed)
    Y = X.copy()
    Y[:, j] = a * Y[:, j] + b
    np.testing.assert_allclose(pca_weights(Y), pca_weights(X), atol=1e-8)
    np.testing.assert_allclose(factor_weights(Y), factor_weights(X), atol=1e-8)
