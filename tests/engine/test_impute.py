"""Tests for chiso.engine.impute: COINr's i_mean, i_median, i_mean_grp, i_median_grp and impute_panel."""

import numpy as np
import pytest

from chiso.engine import StepError, impute, impute_group, impute_panel

NAN = np.nan
X = np.array([[1, NAN], [3, 4], [NAN, 6], [8, NAN]], dtype=float)
G = ["a", "a", "b", "b"]


def test_column_mean_and_median():
    np.testing.assert_array_equal(impute(X, "mean"), [[1, 5], [3, 4], [4, 6], [8, 5]])
    np.testing.assert_array_equal(impute(X, "median"), [[1, 5], [3, 4], [3, 6], [8, 5]])


def test_group_mean_and_median():
    np.testing.assert_array_equal(impute(X, "mean_group", groups=G), [[1, 4], [3, 4], [8, 6], [8, 6]])
    Y = np.array([[1], [2], [10], [NAN], [5], [NAN]])
    np.testing.assert_array_equal(impute_group(Y, ["a", "a", "a", "a", "b", "b"], "median")[:, 0],
                                  [1, 2, 10, 2, 5, 5])
    np.testing.assert_array_equal(impute_group(Y, ["a", "a", "a", "a", "b", "b"], "mean")[3, 0], 13 / 3)


def test_units_without_group_and_groups_without_data_stay_missing():
    got = impute_group(np.array([[NAN], [2.0], [NAN], [NAN]]), ["a", "a", None, "b"])
    np.testing.assert_array_equal(got[:, 0], [2, 2, NAN, NAN])


def test_column_without_any_data_is_an_error():
    with pytest.raises(StepError, match="no data at all for b"):
        impute(np.array([[1.0, NAN], [NAN, NAN]]), "mean", codes=["a", "b"])


def test_panel_carries_the_latest_earlier_value():
    units = ["A", "B", "A", "A", "B"]
    time = [2019, 2020, 2018, 2020, 2019]
    Y = np.array([[NAN], [NAN], [1.0], [NAN], [NAN]])
    got = impute_panel(Y, units, time)[:, 0]
    # A2019 and A2020 take A2018; B has no earlier value
    np.testing.assert_array_equal(got, [1, NAN, 1, 1, NAN])
    got = impute_panel(Y, units, time, max_time=1)[:, 0]
    np.testing.assert_array_equal(got, [1, NAN, 1, NAN, NAN])  # 2018 is two time points before 2020
    Z = np.array([[NAN], [NAN], [1.0], [NAN], [7.0]])
    np.testing.assert_array_equal(impute_panel(Z, units, time)[:, 0], [1, 7, 1, 1, 7])


def test_panel_never_uses_a_later_year():
    Y = np.array([[5.0], [NAN]])
    np.testing.assert_array_equal(impute_panel(Y, ["A", "A"], [2020, 2019])[:, 0], [5, NAN])
