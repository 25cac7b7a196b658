"""Tests for chiso.engine.aggregate: COINr's a_amean, a_gmean, a_hmean, a_genmean on a small tree."""

import numpy as np
import pytest

from chiso.engine import StepError, aggregate

from .conftest import small_framework

NAN = np.nan
# units A, B, C on i1, i2, i3; i1 weight 1, i2 weight 3
V = np.array([[10.0, 20.0, 30.0], [NAN, 20.0, 40.0], [NAN, NAN, 50.0]])


def agg(values=V, **kw):
    fw = small_framework(weights=(1, 3, 1))
    out = aggregate(values, fw.tree, units=["A", "B", "C"], **kw)
    pos = fw.tree.position
    return {c: out[:, pos[c]] for c in fw.tree.codes}


def test_amean_skips_missing_children_and_renormalises_weights():
    r = agg()
    np.testing.assert_allclose(r["P1"], [17.5, 20.0, NAN])
    np.testing.assert_allclose(r["P2"], [30.0, 40.0, 50.0])
    np.testing.assert_allclose(r["Index"], [23.75, 30.0, 50.0])
    np.testing.assert_array_equal(r["i1"], V[:, 0])  # indicators carried through


def test_gmean_hmean_genmean():
    assert agg(method="gmean")["P1"][0] == pytest.approx(10 ** 0.25 * 20 ** 0.75, rel=1e-14)
    assert agg(method="hmean")["P1"][0] == pytest.approx(16.0, rel=1e-14)
    assert agg(method="genmean", p=2)["P1"][0] == pytest.approx(np.sqrt(325), rel=1e-14)
    assert agg(method="gmean")["P1"][1] == pytest.approx(20.0)  # missing child skipped


def test_weighted_sum_with_scale_is_missing_when_a_child_is():
    r = agg(method="sum", scale=10)
    np.testing.assert_allclose(r["P1"], [700.0, NAN, NAN])
    assert r["Index"][0] == pytest.approx(10 * (700 + 300))


def test_dat_thresh_sets_parent_missing_below_share_of_children():
    r = agg(dat_thresh=0.6)
    np.testing.assert_allclose(r["P1"], [17.5, NAN, NAN])
    # B and C: P1 now missing, P2 present -> 1/2 available < 0.6
    np.testing.assert_allclose(r["Index"], [23.75, NAN, NAN])
    r = agg(dat_thresh=0.5)  # 1/2 is not below 0.5
    np.testing.assert_allclose(r["P1"], [17.5, 20.0, NAN])
    np.testing.assert_allclose(r["Index"], [23.75, 30.0, 50.0])
    r = agg(dat_thresh={2: 0.6})  # by level: only pillars
    np.testing.assert_allclose(r["Index"], [23.75, 40.0, 50.0])


def test_weight_and_method_overrides():
    assert agg(weights={"i2": 1})["P1"][0] == 15.0
    r = agg(methods={"P1": "hmean"})
    assert r["P1"][0] == pytest.approx(16.0) and r["Index"][0] == pytest.approx((16 + 30) / 2)
    r = agg(methods={3: "gmean"})
    assert r["Index"][0] == pytest.approx(np.sqrt(17.5 * 30))


def test_geometric_mean_of_zero_is_an_error_naming_where():
    v = V.copy()
    v[0, 1] = 0.0
    with pytest.raises(StepError) as e:
        agg(v, method="gmean")
    msg = str(e.value)
    assert "geometric mean" in msg and "'P1'" in msg and "i2" in msg and "units A" in msg
    with pytest.raises(StepError, match="harmonic mean"):
        agg(v, method="hmean")
    # zero under an arithmetic mean is fine
    assert agg(v)["P1"][0] == 2.5


def test_genmean_needs_nonzero_p_and_unknown_method_is_refused():
    with pytest.raises(StepError, match="non-zero exponent"):
        agg(method="genmean", p=0)
    with pytest.raises(StepError, match="unknown method 'median'"):
        agg(method="median")
    with pytest.raises(StepError, match="unknown codes: zz"):
        agg(weights={"zz": 2})


def test_all_children_missing_gives_missing_parent():
    r = agg(np.full((3, 3), NAN))
    assert np.isnan(r["Index"]).all()
