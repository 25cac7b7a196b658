"""Tests for chiso.engine.rank: ranks with ties, bands, strengths and weaknesses, change."""

import numpy as np

from chiso.engine import bands, change, quantile_bands, rank, rank_min, rank_within_groups, strengths_weaknesses

NAN = np.nan


def test_rank_ties_share_the_best_rank_and_nan_stays_unranked():
    np.testing.assert_array_equal(rank([5, 3, 3, 1, NAN]), [1, 2, 2, 4, NAN])
    np.testing.assert_array_equal(rank([2, 2, 2]), [1, 1, 1])
    np.testing.assert_array_equal(rank_min(np.array([5, 3, 3, 1.0]), descending=False), [4, 2, 2, 1])


def test_rank_columns_of_a_matrix():
    M = np.array([[1.0, 9.0], [3.0, NAN], [2.0, 9.0]])
    np.testing.assert_array_equal(rank_min(M), [[3, 1], [1, NAN], [2, 1]])


def test_rank_within_groups():
    np.testing.assert_array_equal(rank_within_groups([10, 20, 30, 40], ["a", "b", "a", "b"]), [2, 2, 1, 1])


def test_bands_by_thresholds():
    s = [95, 90, 89.99, 80, 79.9, NAN]
    assert list(bands(s, [("A", 90), ("B", 80)])) == ["A", "A", "B", "B", None, None]
    assert list(bands(s, [("B", 80), ("C", None), ("A", 90)])) == ["A", "A", "B", "B", "C", None]


def test_quantile_bands_best_first():
    got = quantile_bands(np.arange(1.0, 9.0), ["Q1", "Q2", "Q3", "Q4"])
    assert list(got) == ["Q4", "Q4", "Q3", "Q3", "Q2", "Q2", "Q1", "Q1"]


def test_strengths_and_weaknesses_as_coinr_get_str_weak():
    X = np.array([[10, 1, 5, 7], [20, 2, 6, 8], [30, 3, 7, NAN], [40, 4, 8, 9]], dtype=float)
    sw = strengths_weaknesses(X, ["c0", "c1", "c2", "c3"], ["u1", "u2", "u3", "u4"], top_n=2, bottom_n=2)
    u2 = sw[1]
    assert u2.strengths == (("c3", 2), ("c0", 3))
    assert u2.weaknesses == (("c1", 3), ("c2", 3))
    assert sw[0].strengths == ()  # u1 is last everywhere: all discarded as minimum ranks
    sw = strengths_weaknesses(X, ["c0", "c1", "c2", "c3"], ["u1", "u2", "u3", "u4"], top_n=1, bottom_n=1,
                              directions=[-1, 1, 1, 1], min_discard=False)
    assert sw[0].strengths == (("c0", 1),) and sw[0].weaknesses == (("c2", 4),)


def test_change_against_earlier_period():
    ch = change(["A", "B", "C"], [50.0, 60.0, 40.0], ["B", "A", "D"], [70.0, 65.0, 10.0])
    np.testing.assert_array_equal(ch.score_delta, [-15.0, -10.0, NAN])
    np.testing.assert_array_equal(ch.previous_rank, [2, 1, NAN])
    np.testing.assert_array_equal(ch.rank, [2, 1, 3])
    np.testing.assert_array_equal(ch.rank_gain, [0, 0, NAN])
    ch = change(["A", "B"], [70.0, 60.0], ["A", "B"], [60.0, 70.0])
    np.testing.assert_array_equal(ch.rank_gain, [1, -1])
