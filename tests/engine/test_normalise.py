"""Tests for chiso.engine.normalise: each COINr n_* function on hand-computed examples."""

import numpy as np
import pytest

from chiso.engine import StepError, normalise
from chiso.engine.normalise import (n_borda, n_dist2max, n_dist2ref, n_dist2targ, n_fracmax, n_goalposts,
                                    n_minmax, n_prank, n_rank, n_scaled, n_zscore, normalise_columns)

NAN = np.nan
X = np.array([[1.0], [2.0], [4.0], [NAN], [5.0]])


def col(a):
    return np.asarray(a, dtype=float).reshape(-1, 1)


def eq(a, b):
    np.testing.assert_allclose(a, col(b), rtol=1e-15, atol=1e-15)


def test_minmax_ranges():
    eq(n_minmax(X), [0, 25, 75, NAN, 100])
    eq(n_minmax(X, (1, 10)), [1, 3.25, 7.75, NAN, 10])
    eq(n_minmax(X, (1, 100)), [1, 25.75, 75.25, NAN, 100])


def test_minmax_constant_column_is_nan_as_in_coinr():
    assert np.isnan(n_minmax(col([3, 3, 3]))).all()


def test_zscore_uses_sample_sd():
    z = -2 / np.sqrt(10 / 3)  # mean 3, sd (n-1) = sqrt(10/3)
    eq(n_zscore(X), [z, z / 2, -z / 2, NAN, -z])
    eq(n_zscore(X, (50, 10)), [50 + 10 * z, 50 + 5 * z, 50 - 5 * z, NAN, 50 - 10 * z])
    with pytest.raises(StepError):
        n_zscore(X, (0, 0))


def test_distances_and_fractions():
    eq(n_dist2max(X), [0, 0.25, 0.75, NAN, 1])
    eq(n_dist2ref(X, 1), [0, 1, 3, NAN, 4])
    eq(n_dist2ref(X, 1, cap_max=True), [0, 1, 1, NAN, 1])
    eq(n_dist2targ(X, np.array([4.0])), [0, 1 / 3, 1, NAN, 4 / 3])
    eq(n_dist2targ(X, np.array([4.0]), cap_max=True), [0, 1 / 3, 1, NAN, 1])
    eq(n_fracmax(X), [0.2, 0.4, 0.8, NAN, 1])
    eq(n_scaled(X, (0, 10)), [10, 20, 40, NAN, 50])


def test_rank_borda_prank_ties_min():
    y = col([10, 20, 20, 30])
    eq(n_rank(y), [1, 2, 2, 4])
    eq(n_borda(y), [0, 1, 1, 3])
    eq(n_prank(y), [0, 1 / 3, 1 / 3, 1])
    eq(n_rank(col([3, 1, 3, NAN, 2])), [3, 1, 3, NAN, 2])


def test_goalposts_clip_and_scale():
    eq(n_goalposts(X, np.array([0.0]), np.array([4.0]), 100), [25, 50, 100, NAN, 100])
    eq(n_goalposts(X, np.array([0.0]), np.array([4.0]), 1, trunc2posts=False), [0.25, 0.5, 1, NAN, 1.25])


def test_direction_is_applied_first():
    eq(normalise_columns(X, np.array([-1.0]), "minmax"), [100, 75, 25, NAN, 0])
    eq(normalise_columns(X, np.array([-1.0]), "none"), [-1, -2, -4, NAN, -5])
    # goalposts of a negative indicator: (upper - x)/(upper - lower), COINr's get_iMeta_norm_paras
    eq(normalise_columns(X, np.array([-1.0]), "goalposts", lower=np.array([0.0]), upper=np.array([4.0])),
       [75, 50, 0, NAN, 0])
    # target of a negative indicator: (max - x)/(max - target)
    eq(normalise_columns(X, np.array([-1.0]), "dist2targ", targets=np.array([2.0])), [4 / 3, 1, 1 / 3, NAN, 0])


def test_overrides_replace_the_global_spec_for_one_column():
    M = np.array([[1.0, 1.0], [2.0, 2.0], [4.0, 4.0], [5.0, 5.0]])
    out = normalise(M, np.array([1.0, 1.0]), "minmax", codes=["a", "b"], l_u=[1, 10],
                    overrides={"b": {"method": "rank"}})
    np.testing.assert_allclose(out[:, 0], [1, 3.25, 7.75, 10])
    np.testing.assert_allclose(out[:, 1], [1, 2, 3, 4])
    with pytest.raises(StepError, match="unknown indicators: zz"):
        normalise(M, None, codes=["a", "b"], overrides={"zz": {"method": "rank"}})


def test_unknown_method_and_missing_goalposts():
    with pytest.raises(StepError, match="unknown method 'minmix'"):
        normalise(X, method="minmix")
    with pytest.raises(StepError, match="no lower or upper goalpost"):
        normalise_columns(X, None, "goalposts", lower=np.array([NAN]), upper=np.array([1.0]))
