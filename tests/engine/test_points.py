"""Tests for chiso.engine.points: capped sums, not-applicable items, bonus and penalty (PAR / Decision 766 style)."""

from pathlib import Path

import numpy as np
import pytest

from chiso.engine import IndexBuild, StepError, bands, capped_sum, read_yaml, score_framework

PAR = Path(__file__).resolve().parents[1] / "data" / "synthetic" / "par_points.yaml"


@pytest.fixture(scope="module")
def par():
    return read_yaml(PAR)


def test_capped_sum():
    X = np.array([[4.0, 3.0], [1.0, np.nan]])
    np.testing.assert_array_equal(capped_sum(X, np.ones((2, 1)), np.array([6.0]))[:, 0], [6.0, np.nan])
    np.testing.assert_array_equal(capped_sum(X[:1], np.ones((2, 1)), np.array([np.nan]))[:, 0], [7.0])


def test_points_caps_not_applicable_and_percent(par):
    fw, data = par
    applicable = ~data.not_applicable
    res = score_framework(fw, data.values, applicable)
    # U1: F1 = 4+3+2 = 9; F2 = min(5+4, 6) = 6; Total = 15 of 16
    assert res.column("F1", "points")[0] == 9 and res.column("F2", "points")[0] == 6
    assert res.column("Total", "points")[0] == 15
    assert res.column("Total")[0] == 15 / 16 * 100
    # U2: a=5 capped at 4; b not applicable: F1 = 7 of an applicable 7 -> 100 %
    assert res.column("F1", "points")[1] == 7 and res.column("F1", "applicable_max")[1] == 7
    assert res.column("F1")[1] == 100.0
    # Total: 7 + 2 = 9 points of min(7 + 6, 16) = 13
    assert res.column("Total", "applicable_max")[1] == 13
    assert res.column("Total")[1] == pytest.approx(9 / 13 * 100)


def test_bonus_and_penalty_after_the_cap(par):
    fw, data = par
    res = score_framework(fw, data.values, ~data.not_applicable, bonus={"Total": [2, 0]},
                          penalty={"Total": [0, 1]})
    assert res.column("Total", "points").tolist() == [17, 8]  # 15 + 2 not re-capped; 9 - 1
    assert res.column("Total")[0] == pytest.approx(17 / 16 * 100)
    res = score_framework(fw, data.values, ~data.not_applicable, bonus={"F2": 3})
    # the bonus on F2 comes after F2's cap (6 + 3 = 9) but Total caps at 16
    assert res.column("F2", "points")[0] == 9 and res.column("Total", "points")[0] == 16


def test_missing_points_on_an_applicable_item_make_the_node_missing(par):
    fw, data = par
    values = data.values.copy()
    values[0, 0] = np.nan
    res = score_framework(fw, values, ~data.not_applicable)
    assert np.isnan(res.column("F1")[0]) and np.isnan(res.column("Total")[0])
    assert res.column("F2")[0] == 100.0


def test_points_step_reads_bonus_from_a_data_column_and_bands(par):
    fw, data = par
    build = IndexBuild(fw, data).points(bonus={"Total": "bonus"})
    total = build.results().column("Total")
    np.testing.assert_allclose(total, [17 / 16 * 100, 9 / 13 * 100])
    assert list(bands(total, fw["Total"].bands)) == ["A", "C"]
    assert build.results().rank.tolist() == [1, 2]


def test_items_need_a_maximum(par):
    fw, data = par
    from chiso.engine import score_points
    with pytest.raises(StepError, match="items without max_points: a"):
        score_points(data.values, fw.tree, np.full(len(fw.tree.codes), np.nan))
