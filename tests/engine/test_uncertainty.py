"""Uncertainty analysis (COINr's get_sensitivity, SA_type "UA"): assumptions checked up front,
vectorised replications equal to rebuilding the index one replication at a time, COINr's ASEM example."""

import csv

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiso.engine import Dataset, IndexBuild, StepError
from chiso.engine.batched import aggregate_batched, node_weights
from chiso.engine.cli import main
from chiso.engine.uncertainty import (Assumption, noisy_weights, parse_assumptions, parse_spec,
                                      rank_statistics, uncertainty)

from .conftest import ASEM_IDATA, ASEM_IMETA, small_framework
from .test_asem import PUBLISHED

NORM_ALTS = [{"method": "minmax", "l_u": [1, 100]}, {"method": "zscore", "m_sd": [10, 2]}]

# COINr's vignette("sensitivity") on build_example_coin(): winmax 1-5, normalisation min-max 1-100 or
# z-score (10, 2), weights of levels 2 and 3 with ±25 % noise (get_noisy_weights), arithmetic or
# geometric mean. Its RankStats table is read from a stored result file, so its numbers cannot be
# sourced here: the tests check what COINr's code and tests define (RankStats columns and statistics,
# nominal ranks from the nominal coin, one regeneration per replication) instead.
VIGNETTE = [
    Assumption.discrete("Winmax", ["treat", "winmax"], [1, 2, 3, 4, 5]),
    Assumption.discrete("Normalisation", ["normalise"], NORM_ALTS),
    Assumption.weights(0.25, levels=[2, 3]),
    Assumption.discrete("Aggregation", ["aggregate", "method"], ["amean", "gmean"]),
]


@pytest.fixture(scope="module")
def default_build(asem):
    fw, raw = asem
    return IndexBuild(fw, raw).normalise().aggregate()


@pytest.fixture(scope="module")
def example_build(asem):
    fw, raw = asem
    return (IndexBuild(fw, raw).denominate().impute(method="mean_group", group="EurAsia_group")
            .screen(dat_thresh=0.9, unit_screen="byNA").treat(winmax=5).normalise(method="minmax", l_u=[0, 100])
            .aggregate(method="amean"))


@pytest.fixture(scope="module")
def vignette_result(example_build):
    return uncertainty(example_build, VIGNETTE, n=300, seed=1)


# ---------------------------------------------------------------------- COINr's ASEM example
def test_nominal_ranks_are_the_builds_ranks(default_build, example_build, vignette_result):
    res = uncertainty(default_build, [Assumption.weights(0.25), Assumption.discrete("N", ["normalise"], NORM_ALTS)],
                      n=50, seed=3)
    assert list(res.units) == list(default_build.results().units)
    assert np.array_equal(res.nominal_rank, default_build.results().rank)
    assert np.array_equal(vignette_result.nominal_rank, example_build.results().rank)
    # ... which are COINr's published ranks of the example coin
    units = list(vignette_result.units)
    for code, (rank, *_) in PUBLISHED.items():
        assert vignette_result.nominal_rank[units.index(code)] == rank


def test_vignette_median_ranks_close_to_nominal(vignette_result):
    r = vignette_result
    assert r.ranks.shape == (51, 300) and not r.failed.any()
    assert np.all((r.q5 <= r.median) & (r.median <= r.q95))
    assert np.all((1 <= r.q5) & (r.q95 <= 51))
    # Median ranks stay close to the nominal ranks and the nominal rank lies inside [Q5, Q95]
    # for nearly every unit (the methodological choices move ranks by a few places, not tens).
    assert np.mean(np.abs(r.median - r.nominal_rank)) <= 2.0
    assert np.max(np.abs(r.median - r.nominal_rank)) <= 10
    assert np.mean((r.nominal_rank >= r.q5) & (r.nominal_rank <= r.q95)) >= 0.9
    header, rows = r.table()
    assert header == ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"]
    assert rows[0][0] == "AUT" and isinstance(rows[0][1], int)


def test_rank_stats_are_coinrs_statistics(vignette_result):
    r = vignette_result
    i = 7
    x = r.ranks[i]
    assert r.mean[i] == pytest.approx(x.mean())
    assert r.median[i] == np.median(x)
    assert r.q5[i] == pytest.approx(np.quantile(x, 0.05))  # R's quantile type 7
    assert r.q95[i] == pytest.approx(np.quantile(x, 0.95))
    # ranks of each replication: 1 = best, ties "min" (COINr's rank_df)
    assert sorted(r.ranks[:, 0].tolist()) == list(range(1, 52))


@pytest.mark.parametrize("which", ["default", "example"])
def test_vectorised_replications_equal_rebuilding_each_one(which, default_build, example_build):
    """COINr regenerates the coin once per replication; the batched run must give the same ranks."""
    if which == "default":
        build = default_build
        assumptions = [Assumption.weights(0.25), Assumption.discrete("N", ["normalise"], NORM_ALTS),
                       Assumption.discrete("A", ["aggregate", "method"], ["amean", "gmean"])]
    else:
        build, assumptions = example_build, VIGNETTE
    res = uncertainty(build, assumptions, n=40, seed=11)
    for r in range(0, 40, 3):
        again = build.replay(res.changes(r)).results()
        assert np.array_equal(again.rank, res.ranks[:, r]), r
        np.testing.assert_allclose(again.column("Index"), res.scores[:, r], rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------- properties
def test_zero_uncertainty_collapses_to_the_nominal_rank(example_build):
    same = [Assumption.weights(0.0), Assumption.discrete("W", ["treat", "winmax"], [5]),
            Assumption.discrete("N", ["normalise", "method"], ["minmax"])]
    r = uncertainty(example_build, same, n=100, seed=1)
    for stat in (r.mean, r.median, r.q5, r.q95):
        assert np.array_equal(stat, r.nominal_rank)
    np.testing.assert_allclose(r.scores, np.repeat(r.nominal_score[:, None], 100, axis=1), rtol=1e-13)


def test_a_unit_far_ahead_keeps_rank_1():
    rng = np.random.default_rng(5)
    X = rng.uniform(10, 20, (12, 3))
    X[4] = 100.0                                    # best on every indicator, by far
    fw = small_framework(weights=(1, 2, 1))
    build = IndexBuild(fw, Dataset.from_arrays([f"U{i}" for i in range(12)], X, ["i1", "i2", "i3"])
                       ).normalise(l_u=[1, 100]).aggregate()
    r = uncertainty(build, [Assumption.weights(0.5, levels=[1, 2]),
                            Assumption.discrete("N", ["normalise"], NORM_ALTS + [{"method": "rank"}]),
                            Assumption.discrete("A", ["aggregate", "method"], ["amean", "gmean", "hmean"])],
                    n=500, seed=2)
    assert np.all(r.ranks[4] == 1)
    assert r.q5[4] == r.q95[4] == r.nominal_rank[4] == 1


def test_reproducible_with_a_seed(default_build):
    a = [Assumption.weights(0.25), Assumption.discrete("N", ["normalise"], NORM_ALTS)]
    r1 = uncertainty(default_build, a, n=200, seed=42)
    r2 = uncertainty(default_build, a, n=200, seed=42)
    r3 = uncertainty(default_build, a, n=200, seed=43)
    assert np.array_equal(r1.ranks, r2.ranks) and np.array_equal(r1.scores, r2.scores)
    assert not np.array_equal(r1.scores, r3.scores)


def test_discrete_alternatives_are_drawn_evenly(default_build):
    r = uncertainty(default_build, [Assumption.discrete("A", ["aggregate", "method"], ["amean", "gmean", "hmean"]),
                                    Assumption.discrete("N", ["normalise", "l_u"], [[1, 100], [1, 10]])],
                    n=3000, seed=1)
    picks = np.minimum((r.samples[:, 0] * 3).astype(int), 2)
    assert np.allclose(np.bincount(picks) / 3000, 1 / 3, atol=0.03)


def test_uniform_range_on_a_numeric_parameter(example_build):
    a = [Assumption.uniform("Skew", ["treat", "skew_thresh"], 1.0, 4.0), Assumption.weights(0.1)]
    r = uncertainty(example_build, a, n=30, seed=4)
    for i in (0, 13, 29):
        ch = r.changes(i)
        assert 1.0 <= ch[("treat", "skew_thresh")] <= 4.0
        assert np.array_equal(example_build.replay(ch).results().rank, r.ranks[:, i])


def test_noisy_weights_as_coinr(example_build):
    sets = noisy_weights(example_build, 0.25, 10, levels=[2, 3], seed=1)
    fw = example_build.framework
    assert len(sets) == 10
    for w in sets:
        for code, v in w.items():
            node = fw[code]
            if node.level in (2, 3):
                assert 0.75 * node.weight <= v <= 1.25 * node.weight
            else:
                assert v == (node.weight if node.parent else 1.0)
    assert len({tuple(w.values()) for w in sets}) == 10


def test_weight_noise_levels_default_to_every_weighted_level(default_build):
    r = uncertainty(default_build, [Assumption.weights(0.3)], n=3, seed=1)
    w = r.changes(0)[("aggregate", "weights")]
    fw = default_build.framework
    assert all(w[c] != 1.0 for c in fw.indicators)           # level 1 perturbed too
    assert w["Index"] == 1.0                                  # the top has no weight to perturb


def test_on_failure_nan_records_the_combinations_that_cannot_run(default_build):
    # z-scores are negative half the time: a geometric mean of them cannot run (COINr: "Regen failed").
    a = [Assumption.discrete("N", ["normalise"], [{"method": "minmax", "l_u": [1, 100]},
                                                  {"method": "zscore", "m_sd": [0, 1]}]),
         Assumption.discrete("A", ["aggregate", "method"], ["amean", "gmean"])]
    with pytest.raises(StepError, match="combination .*zscore.*gmean.*cannot run"):
        uncertainty(default_build, a, n=60, seed=1)
    r = uncertainty(default_build, a, n=60, seed=1, on_failure="nan")
    picks = np.minimum((r.samples * 2).astype(int), 1)
    bad = (picks[:, 0] == 1) & (picks[:, 1] == 1)
    assert bad.any() and np.array_equal(r.failed, bad)
    assert np.isnan(r.ranks[:, bad]).all() and not np.isnan(r.ranks[:, ~bad]).any()
    assert np.all(r.q5 >= 1)


# ---------------------------------------------------------------------- errors up front
@pytest.mark.parametrize("assumption, message", [
    (Assumption.discrete("W", ["treat", "winmax"], [1, 2]), "not in the build's log: no step 'treat'"),
    (Assumption.discrete("M", ["normalise", "m_sd"], [[0, 1]]), r"\[normalise, m_sd\]|'normalise', 'm_sd'"),
    (Assumption.discrete("N", ["normalise", "method"], ["minmax", "softmax"]), "unknown method 'softmax'"),
    (Assumption.discrete("A", ["aggregate", "method"], ["amean", "median"]), "unknown method 'median'"),
    (Assumption.discrete("A", ["aggregate", "method"], ["gmean"]), "geometric mean cannot take zero"),
    (Assumption.discrete("N", ["normalise"], [{"method": "zscore", "sd": 2}]), "unknown parameter"),
    (Assumption.discrete("N", ["normalise"], ["zscore"]), "mapping of its parameters"),
    (Assumption.discrete("W", ["aggregate", "weights", "Nope"], [2]), "'Nope' is not a code"),
    (Assumption.discrete("X", [7, "method"], ["amean"]), "no log entry 7"),
    (Assumption.weights(1.5), r"noise must be in \[0, 1\)"),
    (Assumption.weights(0.2, levels=[7]), "no weights at level"),
    (Assumption.weights(0.2, step="normalise"), "not in the build's log: the normalise step"),
    (Assumption.uniform("U", ["normalise", "l_u"], 5, 1), "low < high"),
])
def test_assumptions_that_do_not_apply_are_an_error_up_front(default_build, assumption, message):
    with pytest.raises(StepError, match=message):
        uncertainty(default_build, [assumption], n=5)


def test_combined_assumption_errors(default_build, asem):
    with pytest.raises(StepError, match="both change"):
        uncertainty(default_build, [Assumption.discrete("A", ["normalise"], NORM_ALTS),
                                    Assumption.discrete("B", ["normalise", "method"], ["minmax"])], n=5)
    with pytest.raises(StepError, match="names must be unique"):
        uncertainty(default_build, [Assumption.weights(0.1), Assumption.discrete("Weights", ["normalise", "l_u"],
                                                                                  [[0, 1]])], n=5)
    with pytest.raises(StepError, match="no assumptions"):
        uncertainty(default_build, [], n=5)
    with pytest.raises(StepError, match="target 'Nope'"):
        uncertainty(default_build, [Assumption.weights(0.1)], n=5, target="Nope")
    fw, raw = asem
    two = IndexBuild(fw, raw).normalise().aggregate().aggregate(method="amean")
    with pytest.raises(StepError, match="build's last step, and only one"):
        uncertainty(two, [Assumption.weights(0.1)], n=5)
    # gmean alone cannot run on min-max 0-100, but it can with the normalisation alternatives: allowed
    r = uncertainty(default_build, [Assumption.discrete("N", ["normalise"], NORM_ALTS),
                                    Assumption.discrete("A", ["aggregate", "method"], ["amean", "gmean"])],
                    n=20, seed=1)
    assert not r.failed.any()


def test_target_can_be_a_sub_index(default_build):
    r = uncertainty(default_build, [Assumption.weights(0.25)], n=20, seed=1, target="Conn")
    assert r.target == "Conn"
    from chiso.engine import rank
    assert np.array_equal(r.nominal_rank, rank(default_build.results().column("Conn")))


# ---------------------------------------------------------------------- spec files
def test_spec_parsing_and_errors():
    spec = parse_spec({"assumptions": [
        {"name": "W", "path": ["treat", "winmax"], "alternatives": [1, 2]},
        {"name": "Weights", "noise": 0.25, "levels": [2, 3]},
        {"name": "S", "path": "treat.skew_thresh", "uniform": [1, 3]}], "n": 10, "seed": 2})
    a = spec.assumptions
    assert a[0] == Assumption.discrete("W", ("treat", "winmax"), [1, 2])
    assert a[1].path == ("aggregate", "weights") and a[1].noise == 0.25 and a[1].levels == (2, 3)
    assert a[2].kind == "uniform" and a[2].path == ("treat", "skew_thresh")
    assert spec.n == 10 and spec.seed == 2 and spec.steps is None
    for bad, msg in [({"assumptions": []}, "list"), ({"assumptions": [{"path": ["a"]}]}, "exactly one"),
                     ({"assumptions": [{"path": ["a"], "alternatives": [1], "noise": 1}]}, "exactly one"),
                     ({"assumptions": [{"path": ["a"], "alternatives": [1], "colour": 1}]}, "unknown key"),
                     ({"assumptions": [{"path": ["a"], "uniform": [1]}]}, "two numbers"),
                     ({"assumptions": [{"path": ["a"], "alternatives": [1]}], "n": "many"}, "whole number"),
                     ({"assumptions": [{"path": ["a"], "alternatives": [1]}], "steps": ["cook"]}, "unknown step"),
                     ({"x": 1}, "unknown key")]:
        with pytest.raises(StepError, match=msg):
            parse_spec(bad)
    with pytest.raises(StepError):
        parse_assumptions("nope")


# ---------------------------------------------------------------------- batched aggregation
def test_batched_aggregation_equals_the_step(asem):
    fw, raw = asem
    for method in ("amean", "gmean", "hmean"):
        b = IndexBuild(fw, raw).normalise(l_u=[1, 100]).aggregate(method=method, dat_thresh={2: 0.5},
                                                                  weights={"Conn": 2, "LPI": 3})
        agg, failed = aggregate_batched(b.dataset(0).values, fw.tree, method=method, dat_thresh={2: 0.5},
                                        weights={"Conn": 2, "LPI": 3})
        np.testing.assert_allclose(agg[0], b.data.values[:, 49:], rtol=1e-13)
        assert not failed.any()
    b = IndexBuild(fw, raw).normalise().aggregate(method="sum", methods={4: "amean"}, scale=2)
    agg, _ = aggregate_batched(b.dataset(0).values, fw.tree, method="sum", methods={4: "amean"}, scale=2)
    np.testing.assert_allclose(agg[0], b.data.values[:, 49:], rtol=1e-13, equal_nan=True)
    # per-replication weights; a zero fails only the geometric-mean replications that meet it
    X = IndexBuild(fw, raw).normalise(l_u=[1, 100]).dataset(0).values
    X3 = np.stack([X, X.copy()])
    X3[1, 0, 0] = 0.0
    W = np.stack([node_weights(fw.tree)] * 2)
    agg, failed = aggregate_batched(X3, fw.tree, method="gmean", node_weights_=W)
    assert failed.tolist() == [False, True] and np.isnan(agg[1]).all() and not np.isnan(agg[0, :, -1]).any()


def test_rank_statistics_ignore_missing():
    ranks = np.array([[1, 2, np.nan, 3], [np.nan] * 4])
    s = rank_statistics(ranks)
    assert s["Mean"][0] == 2 and s["Median"][0] == 2 and np.isnan(s["Mean"][1])


# ---------------------------------------------------------------------- hypothesis
@st.composite
def small_builds(draw):
    n = draw(st.integers(3, 9))
    vals = draw(st.lists(st.floats(0, 100, allow_nan=False, width=32), min_size=3 * n, max_size=3 * n))
    X = np.array(vals, dtype=float).reshape(n, 3)
    weights = tuple(draw(st.sampled_from([0.5, 1.0, 2.0])) for _ in range(3))
    fw = small_framework(weights=weights, directions=(1, draw(st.sampled_from([1, -1])), 1))
    data = Dataset.from_arrays([f"U{i}" for i in range(n)], X, ["i1", "i2", "i3"])
    return IndexBuild(fw, data).normalise(l_u=[1, 100]).aggregate()


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(build=small_builds(), noise=st.sampled_from([0.0, 0.1, 0.5]), seed=st.integers(0, 1000))
def test_properties_of_rank_intervals(build, noise, seed):
    r = uncertainty(build, [Assumption.weights(noise, levels=[1, 2]),
                            Assumption.discrete("A", ["aggregate", "method"], ["amean", "gmean"])], n=40, seed=seed)
    n = len(r.units)
    ok = ~np.isnan(r.nominal_score)
    assert np.all((r.q5[ok] <= r.median[ok] + 1e-9) & (r.median[ok] <= r.q95[ok] + 1e-9))
    assert np.all((r.ranks[~np.isnan(r.ranks)] >= 1) & (r.ranks[~np.isnan(r.ranks)] <= n))
    for i in (0, 39):
        assert np.array_equal(build.replay(r.changes(i)).results().rank, r.ranks[:, i], equal_nan=True)
    if noise == 0.0:
        same = uncertainty(build, [Assumption.weights(0.0)], n=10, seed=seed)
        assert np.array_equal(same.q5[ok], same.nominal_rank[ok]) and np.array_equal(same.q95[ok], same.nominal_rank[ok])


# ---------------------------------------------------------------------- command line
SPEC = """\
steps:
  - denominate
  - impute: {method: mean_group, group: EurAsia_group}
  - screen: {dat_thresh: 0.9, unit_screen: byNA}
  - treat: {winmax: 5}
  - normalise: {method: minmax, l_u: [0, 100]}
  - aggregate: {method: amean}
assumptions:
  - name: Winmax
    path: [treat, winmax]
    alternatives: [1, 2, 3, 4, 5]
  - name: Normalisation
    path: [normalise]
    alternatives:
      - {method: minmax, l_u: [1, 100]}
      - {method: zscore, m_sd: [10, 2]}
  - name: Weights
    path: [aggregate, weights]
    noise: 0.25
    levels: [2, 3]
  - name: Aggregation
    path: [aggregate, method]
    alternatives: [amean, gmean]
n: 200
seed: 1
"""


def _rows(path):
    return list(csv.reader(open(path, encoding="utf-8")))


def test_cli_uncertainty_as_in_the_issue(tmp_path, default_build, capsys):
    out = tmp_path / "RANKS.csv"
    rc = main(["index", "uncertainty", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA),
               "--weights-noise", "0.25", "--normalise-alternatives", "minmax:1,100", "zscore:10,2",
               "--aggregate-alternatives", "amean", "gmean", "-n", "300", "--seed", "1", "--out", str(out)])
    assert rc == 0
    assert "300 replications of Index over 3 assumptions" in capsys.readouterr().out
    rows = _rows(out)
    assert rows[0] == ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"]
    assert len(rows) == 52
    assert [int(r[1]) for r in rows[1:]] == default_build.results().rank.astype(int).tolist()
    lib = uncertainty(default_build, [Assumption.weights(0.25), Assumption.discrete("Normalisation", ["normalise"], NORM_ALTS),
                                      Assumption.discrete("Aggregation", ["aggregate"], [{"method": "amean"},
                                                                                        {"method": "gmean"}])],
                      n=300, seed=1)
    assert [float(r[3]) for r in rows[1:]] == lib.median.tolist()
    assert main(["index", "uncertainty", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA),
                 "--weights-noise", "0.25", "--normalise-alternatives", "minmax:1,100", "zscore:10,2",
                 "--aggregate-alternatives", "amean", "gmean", "-n", "300", "--seed", "1",
                 "--out", str(tmp_path / "again.csv")]) == 0
    assert _rows(tmp_path / "again.csv") == rows


def test_cli_uncertainty_with_a_spec(tmp_path, example_build):
    (tmp_path / "spec.yaml").write_text(SPEC)
    out = tmp_path / "RANKS.csv"
    assert main(["index", "uncertainty", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA),
                 "--spec", str(tmp_path / "spec.yaml"), "--out", str(out)]) == 0
    rows = _rows(out)
    lib = uncertainty(example_build, VIGNETTE, n=200, seed=1)
    assert [int(r[1]) for r in rows[1:]] == example_build.results().rank.astype(int).tolist()
    assert [float(r[2]) for r in rows[1:]] == lib.mean.tolist()


@pytest.mark.parametrize("extra, message", [
    (["--spec", "x.yaml", "--weights-noise", "0.1"], "either --spec"),
    ([], "nothing is uncertain"),
    (["--weights-levels", "2"], "needs --weights-noise"),
    (["--normalise-alternatives", "minmax:0,100", "softmax"], "unknown method"),
    (["--aggregate-alternatives", "gmean"], "geometric mean cannot take zero"),
])
def test_cli_uncertainty_errors(tmp_path, capsys, extra, message):
    rc = main(["index", "uncertainty", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA),
               "--out", str(tmp_path / "r.csv"), *extra])
    err = capsys.readouterr().err
    assert rc == 1 and err.startswith("chiso: error:") and message in err


def test_existing_subcommands_still_work(tmp_path):
    assert main(["index", "validate", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA)]) == 0
    assert main(["index", "compute", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA),
                 "--out", str(tmp_path / "r.csv")]) == 0


def test_imputation_and_winsorisation_alternatives(example_build):
    """The issue's other discrete choices: the imputation method, winsorisation on or off."""
    a = [Assumption.discrete("Imputation", ["impute"], [{"method": "mean_group", "group": "EurAsia_group"},
                                                        {"method": "median"}, {"method": "mean"}]),
         Assumption.discrete("Winsorisation", ["treat", "f1"], ["winsorise", "none"]),
         Assumption.weights(0.1)]
    r = uncertainty(example_build, a, n=60, seed=8)
    kinds = set()
    for i in range(0, 60, 4):
        ch = r.changes(i)
        kinds.add((ch[("impute", "method")], ch[("treat", "f1")]))
        assert np.array_equal(example_build.replay(ch).results().rank, r.ranks[:, i])
    assert len(kinds) >= 4
    with pytest.raises(StepError, match="unknown f1 'clip'"):
        uncertainty(example_build, [Assumption.discrete("W", ["treat", "f1"], ["winsorise", "clip"])], n=5)
    with pytest.raises(StepError, match="goes deeper"):
        uncertainty(example_build, [Assumption.discrete("W", ["treat", "winmax", "Flights"], [1])], n=5)


def test_a_screening_alternative_that_keeps_more_units_adds_them(asem):
    fw, raw = asem
    b = IndexBuild(fw, raw).screen(dat_thresh=0.9).impute().normalise().aggregate()
    r = uncertainty(b, [Assumption.discrete("Screen", ["screen", "dat_thresh"], [0.9, 0.7]),
                        Assumption.weights(0.1)], n=30, seed=1)
    assert b.data.n_units == 46 and len(r.units) == 51
    assert np.isnan(r.nominal_rank[46:]).all() and not np.isnan(r.median[46:]).any()
    for i in range(4):
        again = b.replay(r.changes(i)).results()
        rows = [list(r.units).index(u) for u in again.units]
        assert np.array_equal(again.rank, r.ranks[rows, i])
        assert np.isnan(r.ranks[:, i]).sum() == 51 - len(again.units)
