"""Tests for chiso.engine.treat: COINr's skew, kurt, check_SkewKurt, winsorise loop and log_CT."""

import numpy as np
import pytest

from chiso.engine import StepError, check_skew_kurt, kurt, log_ct, skew, treat

NAN = np.nan


def c(*parts):
    return np.concatenate([np.atleast_1d(np.asarray(p, dtype=float)) for p in parts])


def test_skew_and_kurtosis_match_coinr_vignette():
    x = c(np.arange(1, 11), 30, 100)
    # COINr's treat vignette prints skew(x) 3.063241 and kurt(x) 9.741391
    assert skew(x) == pytest.approx(3.063241, abs=5e-7)
    assert kurt(x) == pytest.approx(9.741391, abs=5e-7)
    assert check_skew_kurt(x[:, None])[0] == 0.0


def test_skew_kurt_ignore_nan_and_need_enough_points():
    assert skew(c(1, 2, NAN, 10)) == pytest.approx(skew(c(1, 2, 10)))
    assert np.isnan(skew(c(1, 2))) and np.isnan(kurt(c(1, 2, 3)))


def test_check_passes_when_either_skew_or_kurtosis_is_within_limits():
    x = c(np.arange(1, 21), 100, 100)  # skew 2.82, kurt 7.13: both out
    assert check_skew_kurt(x[:, None])[0] == 0.0
    assert check_skew_kurt(x[:, None], skew_thresh=3)[0] == 1.0
    assert check_skew_kurt(x[:, None], kurt_thresh=8)[0] == 1.0
    assert np.isnan(check_skew_kurt(c(1, 1, 1, 1)[:, None])[0])  # R: NA


def test_one_outlier_is_winsorised_to_the_next_value():
    # COINr tests/testthat/test-treat.R "treat_num"
    x = c(np.arange(1, 11), 100)
    out, rep = treat(x[:, None], winmax=5)
    np.testing.assert_array_equal(out[:, 0], c(np.arange(1, 11), 10))
    assert rep.status == ("winsorised",) and rep.nwin[0] == 1
    assert check_skew_kurt(out)[0] == 1.0


def test_tied_extremes_are_winsorised_together():
    x = c(np.arange(1, 21), 100, 100)
    out, rep = treat(x[:, None])
    np.testing.assert_array_equal(out[-2:, 0], [20, 20])
    assert rep.nwin[0] == 2 and rep.winsorised_high[:, 0].tolist() == [False] * 20 + [True, True]


def test_negative_skew_winsorises_the_low_side():
    x = c(np.arange(1, 11), -100)
    out, rep = treat(x[:, None])
    assert out[-1, 0] == 1 and rep.winsorised_low[-1, 0]


def test_log_ct_on_the_original_when_winmax_is_not_enough():
    x = c(np.arange(1, 21), 100, 200)
    out, rep = treat(x[:, None], winmax=1, f2="none")
    np.testing.assert_array_equal(out[-2:, 0], [100, 100])  # one point winsorised, still failing
    assert check_skew_kurt(out)[0] == 0.0
    out, rep = treat(x[:, None], winmax=1)
    # log_CT(x) = log(x - min + 0.01 (max - min)) of the untreated column
    np.testing.assert_allclose(out[:, 0], np.log(x - 1 + 0.01 * 199), rtol=1e-15)
    assert rep.status == ("log_CT",) and rep.nwin[0] == 0
    np.testing.assert_allclose(log_ct(x[:, None])[:, 0], np.log(x + 0.99), rtol=1e-15)


def test_force_win_keeps_going_to_winmax_and_may_switch_side():
    # COINr test: force_win with winmax 3 treats 3 points. After two rounds at the top the
    # skew turns negative and the third round treats the minimum.
    x = c(np.arange(1, 21), 100, 200)
    out, rep = treat(x[:, None], winmax=3, force_win=True, f2="none")
    assert rep.nwin[0] == 3
    assert rep.winsorised_high[:, 0].sum() + rep.winsorised_low[:, 0].sum() == 3
    np.testing.assert_array_equal(out[:, 0], c(2, np.arange(2, 21), 20, 20))


def test_columns_that_cannot_be_checked_are_left_untreated():
    X = np.array([[1, 1, 5], [1, 2, NAN], [1, NAN, NAN], [1, NAN, NAN]], dtype=float)
    out, rep = treat(X)
    assert rep.status == ("untreated", "untreated", "untreated")
    np.testing.assert_array_equal(out, X)


def test_per_indicator_overrides():
    x = c(np.arange(1, 21), 100, 200)
    X = np.column_stack([x, x, x])
    out, rep = treat(X, codes=["a", "b", "c"], overrides={"b": "none", "c": {"winmax": 0}})
    assert rep.status == ("winsorised", "none", "log_CT")
    np.testing.assert_array_equal(out[:, 1], x)
    np.testing.assert_allclose(out[:, 2], np.log(x + 0.99))
    with pytest.raises(StepError, match="unknown indicators: zz"):
        treat(X, codes=["a", "b", "c"], overrides={"zz": "none"})
    with pytest.raises(StepError, match="unknown parameters: winmx"):
        treat(X, winmx=3)


@pytest.mark.parametrize("winmax", [5, 1])
def test_all_columns_at_once_equal_one_by_one(asem, winmax):
    fw, data = asem
    X = data.values
    together, rep = treat(X, winmax=winmax)
    if winmax == 1:
        assert "log_CT" in rep.status  # both branches exercised
    for j in range(X.shape[1]):
        alone, _ = treat(X[:, [j]], winmax=winmax)
        np.testing.assert_array_equal(together[:, j], alone[:, 0])
