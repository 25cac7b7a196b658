"""Sampling uncertainty: the bootstrap over respondents within unit (and stratum), replayed through the
build's own steps as one batch; intervals, groups that cannot be told apart, reproducibility."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiso.engine import Dataset, Framework, IndexBuild, StepError
from chiso.engine.batched import run_batched
from chiso.engine.bootstrap import RespondentTable, bootstrap, overlap_groups, unit_means

ITEMS = [f"q{j + 1}" for j in range(6)]


def survey_framework() -> Framework:
    rows = [{"iCode": c, "Level": 1, "Parent": "P1" if j < 3 else "P2", "Type": "Indicator",
             "Direction": -1 if c == "q6" else 1} for j, c in enumerate(ITEMS)]
    rows += [{"iCode": "P1", "Level": 2, "Parent": "Index", "Type": "Aggregate", "Weight": 2},
             {"iCode": "P2", "Level": 2, "Parent": "Index", "Type": "Aggregate"},
             {"iCode": "Index", "Level": 3, "Type": "Aggregate"}]
    return Framework.from_rows(rows)


def survey(n_units=12, per_unit=30, seed=0, spread=0.5, missing=0.05, sizes=None):
    """Likert answers 1-5: unit effect + respondent noise; some answers missing."""
    rng = np.random.default_rng(seed)
    sizes = np.full(n_units, per_unit) if sizes is None else np.asarray(sizes)
    units = [f"D{i + 1:02d}" for i in range(n_units)]
    effect = np.linspace(-1, 1, n_units) * spread
    unit = np.repeat(units, sizes)
    mu = 3 + np.repeat(effect, sizes)[:, None]
    ans = np.clip(np.round(mu + rng.normal(0, 1, (len(unit), len(ITEMS)))), 1, 5)
    ans[rng.random(ans.shape) < missing] = np.nan
    return units, unit, ans


def build_for(units, steps=None):
    fw = survey_framework()
    raw = Dataset.from_arrays(units, np.zeros((len(units), len(ITEMS))), ITEMS)
    steps = steps or [("normalise", {"method": "minmax", "l_u": [1, 10]}), ("aggregate", {})]
    return IndexBuild.from_steps(fw, raw, steps)


# ---------------------------------------------------------------------- the respondent table
def test_table_groups_rows_by_unit_and_stratum():
    t = RespondentTable.from_arrays(["B", "A", "B", "A", "B"], np.arange(10.0).reshape(5, 2), ["x", "y"],
                                    stratum=["s2", "s1", "s1", "s1", "s2"])
    assert t.units == ("B", "A")
    assert t.unit.tolist() == ["B", "B", "B", "A", "A"]
    assert t.stratum.tolist() == ["s1", "s2", "s2", "s1", "s1"]
    assert t.unit_size.tolist() == [3, 2] and t.unit_start.tolist() == [0, 3]
    assert t.cell_size.tolist() == [1, 2, 2, 2, 2]
    np.testing.assert_allclose(unit_means(t.values[None], t)[0], [[4, 5], [4, 5]])


@settings(max_examples=30, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=1, max_size=6), seed=st.integers(0, 99))
def test_resampling_stays_within_unit_and_stratum(sizes, seed):
    rng = np.random.default_rng(seed)
    unit = np.repeat([f"U{i}" for i in range(len(sizes))], sizes)
    stratum = rng.choice(["a", "b"], len(unit))
    t = RespondentTable.from_arrays(unit, rng.random((len(unit), 2)), ["x", "y"], stratum=stratum)
    idx = t.resample(np.random.default_rng(seed), 20)
    assert idx.shape == (20, len(unit))
    assert np.array_equal(t.unit[idx], np.broadcast_to(t.unit, idx.shape))
    assert np.array_equal(t.stratum[idx], np.broadcast_to(t.stratum, idx.shape))


def test_read_csv(tmp_path):
    p = tmp_path / "resp.csv"
    p.write_text("uCode,stratum,q1,q2\nD1,a,1,2\nD1,b,3,NA\nD2,a,5,\n")
    t = RespondentTable.read_csv(p, stratum_column="stratum")
    assert t.items == ("q1", "q2") and t.units == ("D1", "D2")
    assert np.isnan(t.values[1, 1]) and np.isnan(t.values[2, 1])
    p.write_text("uCode,q1\nD1,high\n")
    with pytest.raises(Exception, match="not a number"):
        RespondentTable.read_csv(p)


# ---------------------------------------------------------------------- the bootstrap
def test_batched_replications_equal_rebuilding_each_one():
    """Every step (impute, treat, normalise, aggregate) on the batch = the build on that replication."""
    units, unit, ans = survey(n_units=15, per_unit=8, seed=3, missing=0.2)
    ans[unit == "D03", 2] = np.nan                 # D03 never answered q3: imputed every time
    ans[unit == "D07", :] = 5.0                    # a skewed column for the treatment
    steps = [("impute", {"method": "mean"}), ("treat", {"winmax": 2}),
             ("normalise", {"method": "zscore", "m_sd": [10, 2]}), ("aggregate", {"method": "amean"})]
    build = build_for(units, steps)
    t = RespondentTable.from_arrays(unit, ans, ITEMS)
    res = bootstrap(build, t, n=25, seed=9)
    idx = t.resample(np.random.default_rng(9), 25)
    for r in (0, 7, 24):
        Y = unit_means(t.values[idx[r]][None], t)[0]
        raw = build.raw.with_values(Y[[t.units.index(u) for u in units]])
        again = IndexBuild.from_steps(build.framework, raw, build.log).results()
        np.testing.assert_allclose(res.scores[:, r], again.column("Index"), rtol=1e-12)
        assert np.array_equal(res.ranks[:, r], again.rank)


def test_nominal_is_the_recipe_on_the_unit_means():
    units, unit, ans = survey()
    t = RespondentTable.from_arrays(unit, ans, ITEMS)
    build = build_for(units)
    res = bootstrap(build, t, n=50, seed=1)
    raw = build.raw.with_values(unit_means(t.values[None], t)[0])
    nominal = IndexBuild.from_steps(build.framework, raw, build.log).results()
    assert np.array_equal(res.score, nominal.column("Index")) and np.array_equal(res.rank, nominal.rank)
    assert res.respondents.tolist() == [30] * 12
    assert np.all((res.score_low <= res.score_high) & (res.rank_low <= res.rank_median)
                  & (res.rank_median <= res.rank_high))


def test_zero_sampling_uncertainty_collapses_the_intervals():
    units, unit, ans = survey(missing=0.0)
    for u in units:  # every respondent of a unit gives the same answers
        rows = unit == u
        ans[rows] = ans[rows][0]
    t = RespondentTable.from_arrays(unit, ans, ITEMS)
    res = bootstrap(build_for(units), t, n=100, seed=2)
    np.testing.assert_allclose(res.score_low, res.score, rtol=1e-12)
    np.testing.assert_allclose(res.score_high, res.score, rtol=1e-12)
    assert np.array_equal(res.rank_low, res.rank) and np.array_equal(res.rank_high, res.rank)


def test_a_unit_far_ahead_keeps_rank_1():
    units, unit, ans = survey(spread=0.2)
    ans[unit == "D05"] = 5.0
    ans[(unit == "D05") & (np.arange(len(unit)) % 7 == 0)] = 4.0
    res = bootstrap(build_for(units), RespondentTable.from_arrays(unit, ans, ITEMS), n=300, seed=3)
    i = list(res.units).index("D05")
    assert np.all(res.ranks[i] == 1) and res.rank[i] == 1
    assert res.groups[0] == ("D05",)


def test_reproducible_with_a_seed_and_independent_of_chunking():
    units, unit, ans = survey()
    t = RespondentTable.from_arrays(unit, ans, ITEMS)
    b = build_for(units)
    r1 = bootstrap(b, t, n=120, seed=7)
    r2 = bootstrap(b, t, n=120, seed=7, chunk=13)
    r3 = bootstrap(b, t, n=120, seed=8)
    assert np.array_equal(r1.scores, r2.scores) and np.array_equal(r1.ranks, r2.ranks)
    assert not np.array_equal(r1.scores, r3.scores)


def test_intervals_shrink_as_the_sample_grows():
    widths = []
    for per_unit in (10, 40, 160):
        units, unit, ans = survey(per_unit=per_unit, seed=per_unit, spread=1.0)
        res = bootstrap(build_for(units), RespondentTable.from_arrays(unit, ans, ITEMS), n=300, seed=1)
        widths.append((np.mean(res.score_high - res.score_low), np.mean(res.rank_high - res.rank_low)))
    score_w, rank_w = zip(*widths)
    assert score_w[0] > score_w[1] > score_w[2]
    assert rank_w[0] > rank_w[1] > rank_w[2]
    assert score_w[2] < score_w[0] / 2.5  # ~ 1/sqrt(n): four times the sample, about half the width


def test_strata_are_resampled_within_themselves():
    units, unit, ans = survey(n_units=4, per_unit=20, missing=0.0)
    stratum = np.where(np.arange(len(unit)) % 4 == 0, "large", "small")   # 5 large, 15 small per unit
    ans[stratum == "large"] = 5.0
    for i, u in enumerate(units):
        ans[(stratum == "small") & (unit == u)] = 1.0 + 0.5 * i
    t = RespondentTable.from_arrays(unit, ans, ITEMS, stratum=stratum)
    res = bootstrap(build_for(units), t, n=50, seed=4)
    # each unit keeps its 5 large and 15 small respondents: its mean never moves
    assert np.all(res.scores == res.scores[:, :1])


def test_custom_indicators_and_other_columns_fixed():
    units, unit, ans = survey()
    t = RespondentTable.from_arrays(unit, ans, ITEMS)
    build = build_for(units)

    def share_agree(V, table):       # share of respondents answering 4 or 5, first three items only
        agree = np.where(np.isnan(V[:, :, :3]), np.nan, (V[:, :, :3] >= 4).astype(float))
        return table.unit_mean(agree)

    res = bootstrap(build, t, n=40, seed=5, indicators=share_agree, codes=["q1", "q2", "q3"])
    assert res.scores.shape == (12, 40)
    with pytest.raises(StepError, match="name the indicator codes"):
        bootstrap(build, t, n=5, indicators=share_agree)
    with pytest.raises(StepError, match="returned"):
        bootstrap(build, t, n=5, indicators=share_agree, codes=["q1", "q2"])


def test_input_errors():
    units, unit, ans = survey()
    build = build_for(units)
    with pytest.raises(StepError, match="not in the data: X9"):
        bootstrap(build, RespondentTable.from_arrays(["X9"] * 3, np.ones((3, 6)), ITEMS), n=5)
    with pytest.raises(StepError, match="not indicators"):
        bootstrap(build, RespondentTable.from_arrays(unit, ans[:, :2], ["q1", "zz"]), n=5)
    with pytest.raises(StepError, match="values must be"):
        RespondentTable.from_arrays(unit, ans[:, :2], ITEMS)
    with pytest.raises(StepError, match="level"):
        bootstrap(build, RespondentTable.from_arrays(unit, ans, ITEMS), n=5, level=90)


def test_units_without_respondents_keep_their_data():
    units, unit, ans = survey(n_units=6)
    fw = survey_framework()
    X = np.full((7, 6), 3.0)
    raw = Dataset.from_arrays(units + ["D99"], X, ITEMS)
    build = IndexBuild(fw, raw).normalise(l_u=[1, 10]).aggregate()
    res = bootstrap(build, RespondentTable.from_arrays(unit, ans, ITEMS), n=30, seed=1)
    assert res.respondents.tolist() == [30] * 6 + [0]
    assert res.units[-1] == "D99" and not np.isnan(res.scores[-1]).any()


# ---------------------------------------------------------------------- groups
def test_overlap_groups():
    units = ["A", "B", "C", "D", "E"]
    rank = np.array([1, 2, 3, 4, 5.0])
    low = np.array([1, 1, 2, 4, 4.0])
    high = np.array([2, 3, 4, 5, 5.0])
    # A leads: B overlaps A, C overlaps A (2 <= 2); D does not -> D leads D, E
    assert overlap_groups(units, rank, low, high) == (("A", "B", "C"), ("D", "E"))
    assert overlap_groups(units, rank, low, low) == (("A", "B"), ("C",), ("D", "E"))


def test_result_table_and_overlaps():
    units, unit, ans = survey(n_units=10, per_unit=15, spread=1.5)
    res = bootstrap(build_for(units), RespondentTable.from_arrays(unit, ans, ITEMS), n=200, seed=1)
    header, rows = res.table()
    assert header[:5] == ["uCode", "Score", "Score_low", "Score_high", "Rank"]
    assert [r[0] for r in rows] == units
    grouped = [u for g in res.groups for u in g]
    assert sorted(grouped) == sorted(units)
    for g in res.groups:
        for u in g[1:]:
            assert u in res.overlaps(g[0])
    assert res.level == 0.9 and res.n == 200


# ---------------------------------------------------------------------- batch replay directly
def test_run_batched_checks_shapes():
    units, _, _ = survey()
    b = build_for(units)
    with pytest.raises(StepError, match="do not match"):
        run_batched(b, np.zeros((2, 3, 3)))
    out, data, failed = run_batched(b, np.stack([b.raw.values + 1, b.raw.values + 2]))
    assert out.shape == (2, 12, 9) and data is b.data and not failed.any()
