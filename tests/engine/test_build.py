"""Tests for chiso.engine.build: the IndexBuild log, datasets per step, and replay with changed parameters."""

import numpy as np
import pytest

from chiso.engine import IndexBuild, StepError, resolve_params


def test_log_is_a_list_of_step_and_resolved_params(asem):
    fw, raw = asem
    b = IndexBuild(fw, raw).normalise().aggregate()
    assert [s for s, _ in b.log] == ["normalise", "aggregate"]
    assert b.log[0][1] == {"method": "minmax", "l_u": [0, 100], "overrides": None}
    assert b.log[1][1]["method"] == "amean" and b.log[1][1]["weights"] is None
    assert b.get(("normalise", "l_u")) == [0, 100] and b.get((1, "method")) == "amean"


def test_each_step_keeps_its_dataset_and_raw_data_is_untouched(asem):
    fw, raw = asem
    before = raw.values.copy()
    b = IndexBuild(fw, raw).denominate().impute(method="mean_group", group="EurAsia_group").treat().normalise().aggregate()
    np.testing.assert_array_equal(raw.values, before)
    norm = b.dataset("normalise").values
    assert np.nanmin(norm) == 0 and np.nanmax(norm) == 100
    assert not np.isnan(b.dataset("impute").values).any()
    assert b.dataset(0) is b.datasets[0] and b.data is b.datasets[-1]
    assert b.details[1] == {"imputed": 65}  # 63 missing + 2 from the missing Energy denominator


def test_replay_with_one_parameter_changed_equals_a_direct_run(asem):
    fw, raw = asem
    b = IndexBuild(fw, raw).normalise().aggregate()
    z = b.replay({("normalise", "method"): "zscore"})
    direct = IndexBuild(fw, raw).normalise(method="zscore").aggregate()
    np.testing.assert_array_equal(z.results().scores, direct.results().scores)
    assert z.log[0][1]["method"] == "zscore" and b.log[0][1]["method"] == "minmax"  # original unchanged
    r = b.replay({(0, "l_u"): [1, 10]})
    assert np.nanmin(r.dataset("normalise").values) == 1
    w = b.replay({("aggregate", "weights", "Conn"): 2})
    direct = IndexBuild(fw, raw).normalise().aggregate(weights={"Conn": 2})
    np.testing.assert_array_equal(w.results().column("Index"), direct.results().column("Index"))
    assert not np.array_equal(w.results().column("Index"), b.results().column("Index"))


def test_from_steps_and_errors(asem):
    fw, raw = asem
    b = IndexBuild.from_steps(fw, raw, [("normalise", {"method": "minmax", "l_u": [0, 10]}), ("aggregate", None)])
    assert np.nanmax(b.results().scores) <= 10
    with pytest.raises(StepError, match="unknown step 'normalize'"):
        resolve_params("normalize", {})
    with pytest.raises(StepError, match="unknown parameter"):
        IndexBuild(fw, raw).normalise(range=[0, 1])
    with pytest.raises(StepError, match="no step 'treat'"):
        b.replay({("treat", "winmax"): 3})
    with pytest.raises(StepError, match="no aggregates computed yet"):
        IndexBuild(fw, raw).normalise().results()


def test_screen_step_drops_units_with_little_data(asem):
    fw, raw = asem
    b = IndexBuild(fw, raw).screen(dat_thresh=0.9)
    dropped = set(raw.units) - set(b.data.units)
    # 10, 6, 6, 8, 8 of 49 indicators missing: availability below 0.9
    assert dropped == {"BRN", "BGD", "KHM", "LAO", "MMR"}
    assert b.data.meta["EurAsia_group"].shape == (46,)
    assert b.details[0].dat_avail[list(raw.units).index("VNM")] == 1 - 4 / 49


def test_normalise_targets_and_goalposts_from_the_framework(asem):
    fw, raw = asem
    b = IndexBuild(fw, raw).normalise(method="dist2targ", cap_max=True)
    lpi = b.data.column("LPI")
    x = raw.column("LPI")
    np.testing.assert_allclose(lpi, np.minimum((x - np.nanmin(x)) / (fw["LPI"].target - np.nanmin(x)), 1))
    g = IndexBuild(fw, raw).normalise(method="goalposts", lower={c: 0 for c in fw.indicators},
                                      upper={c: 1e9 for c in fw.indicators}, scale=1)
    np.testing.assert_allclose(g.data.column("LPI"), raw.column("LPI") / 1e9)
    with pytest.raises(StepError, match="no lower or upper goalpost"):
        IndexBuild(fw, raw).normalise(method="goalposts")


def test_coinr_function_names_are_accepted(asem):
    fw, raw = asem
    b = IndexBuild(fw, raw).impute(method="i_mean_grp", use_group="EurAsia_group").normalise(method="n_minmax") \
        .aggregate(method="a_amean", methods={4: "a_gmean"})
    assert [p["method"] for _, p in b.log] == ["mean_group", "minmax", "amean"]
    assert b.log[0][1]["group"] == "EurAsia_group" and b.log[2][1]["methods"] == {4: "gmean"}
