"""Sensitivity analysis (COINr's get_sensitivity, SA_type "SA"): Saltelli's design, the Saltelli/Jansen
estimators (checked against SALib and against known analytic values), COINr's own test cases."""

import csv

import numpy as np
import pytest

from chiso.engine import IndexBuild, StepError
from chiso.engine.cli import main
from chiso.engine.uncertainty import Assumption, mean_rank_shift, saltelli_sample, sensitivity, sobol_indices

from .conftest import ASEM_IDATA, ASEM_IMETA
from .test_uncertainty import NORM_ALTS, SPEC, VIGNETTE


@pytest.fixture(scope="module")
def example_build(asem):
    fw, raw = asem
    return (IndexBuild(fw, raw).denominate().impute(method="mean_group", group="EurAsia_group")
            .screen(dat_thresh=0.9, unit_screen="byNA").treat(winmax=5).normalise(method="minmax", l_u=[0, 100])
            .aggregate(method="amean"))


def _run(f, n, d, seed=0):
    X = saltelli_sample(n, d, np.random.default_rng(seed))
    return X, np.apply_along_axis(f, 1, X)


# ---------------------------------------------------------------------- the design and estimators
def test_saltelli_sample_is_coinrs_design():
    n, d = 7, 3
    X = saltelli_sample(n, d, np.random.default_rng(1))
    assert X.shape == (n * (d + 2), d) and X.min() >= 0 and X.max() < 1
    A, B = X[:n], X[n:2 * n]
    for i in range(d):
        AB = X[2 * n + i * n: 2 * n + (i + 1) * n]
        assert np.array_equal(AB[:, i], B[:, i])
        assert np.array_equal(np.delete(AB, i, axis=1), np.delete(A, i, axis=1))


def test_unused_input_has_zero_indices_as_in_coinrs_test():
    # COINr tests/testthat/test-sensitivity.R: y = x1 + 10 x2, x3 unused -> Si[3] = STi[3] = 0 exactly.
    n, d = 500, 3
    _, y = _run(lambda x: x[0] + 10 * x[1], n, d)
    s = sobol_indices(y, n, d, n_boot=50, seed=1)
    assert s.Si[2] == 0 and s.STi[2] == 0
    # Analytic values for a sum of independent uniforms: S1 = 1/101, S2 = 100/101 (and ST = S).
    assert s.Si[1] == pytest.approx(100 / 101, abs=0.06) and s.STi[1] == pytest.approx(100 / 101, abs=0.06)
    assert s.Si[0] == pytest.approx(1 / 101, abs=0.02) and s.STi[0] == pytest.approx(1 / 101, abs=0.01)
    assert np.all(s.Si_q5 <= s.Si_q95) and np.all(s.STi_q5 <= s.STi_q95)
    assert s.STi_q5[1] <= 100 / 101 <= s.STi_q95[1]


def test_ishigami_known_indices():
    a, b = 7.0, 0.1

    def ishigami(u):
        x = np.pi * (2 * u - 1)
        return np.sin(x[0]) + a * np.sin(x[1]) ** 2 + b * x[2] ** 4 * np.sin(x[0])

    n, d = 20000, 3
    _, y = _run(ishigami, n, d, seed=3)
    s = sobol_indices(y, n, d, n_boot=0)
    # Analytic: S1 = 0.3139, S2 = 0.4424, S3 = 0; ST1 = 0.5576, ST2 = 0.4424, ST3 = 0.2437.
    np.testing.assert_allclose(s.Si, [0.3139, 0.4424, 0.0], atol=0.03)
    np.testing.assert_allclose(s.STi, [0.5576, 0.4424, 0.2437], atol=0.03)


def test_estimators_equal_salibs():
    pytest.importorskip("SALib")
    from SALib.analyze import sobol as salib_sobol

    n, d = 256, 4
    _, y = _run(lambda x: x[0] * x[1] + np.exp(x[2]) + 0.1 * x[3] ** 2, n, d, seed=9)
    ours = sobol_indices(y, n, d, n_boot=0)
    # SALib's layout: for each row j, A_j, AB_1j, ..., AB_dj, B_j (without second-order terms)
    yA, yB, yAB = y[:n], y[n:2 * n], y[2 * n:].reshape(d, n)
    Y = np.column_stack([yA, yAB.T, yB]).ravel()
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0, 1]] * d}
    theirs = salib_sobol.analyze(problem, Y, calc_second_order=False, num_resamples=10, seed=1)
    np.testing.assert_allclose(ours.Si, theirs["S1"], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.STi, theirs["ST"], rtol=1e-10, atol=1e-12)


def test_estimator_input_checks():
    with pytest.raises(StepError, match="expected 50 outputs"):
        sobol_indices(np.zeros(10), 10, 3)
    s = sobol_indices(np.ones(50), 10, 3, n_boot=10)  # constant output: no variance, indices 0
    assert np.all(s.Si == 0) and np.all(s.STi == 0)


# ---------------------------------------------------------------------- on COINr's ASEM example
def test_a_fixed_assumption_has_zero_indices_as_in_coinrs_test(example_build):
    # COINr's test: winmax varies, normalisation has two identical alternatives -> its Si and STi are 0.
    a = [Assumption.discrete("Winmax", ["treat", "winmax"], [1, 2, 3, 4, 5]),
         Assumption.discrete("Normalisation", ["normalise"], [NORM_ALTS[0], NORM_ALTS[0]])]
    res = sensitivity(example_build, a, n=20, seed=1, n_boot=100)
    assert res.indices.Si[1] == 0 and res.indices.STi[1] == 0
    assert res.y.shape == (20 * 4,)
    assert res.uncertainty.ranks.shape == (51, 40)          # the first 2N replications (A and B)
    header, rows = res.table()
    assert header == ["Variable", "Si", "STi", "Si_q5", "Si_q95", "STi_q5", "STi_q95"]
    assert [r[0] for r in rows] == ["Winmax", "Normalisation"]


def test_vignette_assumptions(example_build):
    res = sensitivity(example_build, VIGNETTE, n=100, seed=1, n_boot=100)
    s = res.indices
    assert s.names == ("Winmax", "Normalisation", "Weights", "Aggregation")
    assert np.all((s.STi >= -0.05) & (s.STi <= 1.2))
    assert np.all(s.STi_q5 <= s.STi_q95)
    # the output is COINr's: the mean absolute rank shift against the nominal ranks, per replication
    nominal = example_build.results().rank
    np.testing.assert_allclose(res.y[:5], np.abs(res.uncertainty.ranks[:, :5] - nominal[:, None]).mean(axis=0))
    assert mean_rank_shift(nominal[:, None], nominal)[0] == 0
    assert res.y.min() >= 0 and res.y.max() < 51


def test_sensitivity_is_reproducible_and_checks_inputs(example_build):
    a = VIGNETTE[1:3]
    r1 = sensitivity(example_build, a, n=30, seed=5, n_boot=20)
    r2 = sensitivity(example_build, a, n=30, seed=5, n_boot=20)
    assert np.array_equal(r1.y, r2.y) and np.array_equal(r1.indices.Si_q5, r2.indices.Si_q5)
    with pytest.raises(StepError, match="at least two assumptions"):
        sensitivity(example_build, a[:1], n=10)
    with pytest.raises(StepError, match="not in the build's log"):
        sensitivity(example_build, [a[0], Assumption.discrete("X", ["points", "output"], ["points"])], n=10)


def test_weights_input_picks_one_of_the_noisy_sets(example_build):
    a = [Assumption.weights(0.25, levels=[2, 3], sets=5), VIGNETTE[1]]
    res = sensitivity(example_build, a, n=40, seed=2, n_boot=0)
    # only five distinct weight sets exist, so at most 5 x 2 distinct rankings
    distinct = {tuple(res.uncertainty.ranks[:, r]) for r in range(80)}
    assert len(distinct) <= 10


def test_uncertainty_part_matches_uncertainty_statistics(example_build):
    res = sensitivity(example_build, VIGNETTE[1:], n=50, seed=7, n_boot=10)
    ua = res.uncertainty
    assert np.array_equal(ua.nominal_rank, example_build.results().rank)
    assert np.all(ua.q5 <= ua.q95)
    # the A and B rows are plain uniform draws, as an uncertainty analysis of 2n replications
    assert ua.samples.shape == (100, 3) and ua.n == 100


# ---------------------------------------------------------------------- command line
def test_cli_sensitivity(tmp_path, capsys):
    (tmp_path / "spec.yaml").write_text(SPEC)
    out, ranks = tmp_path / "SA.csv", tmp_path / "RANKS.csv"
    rc = main(["index", "sensitivity", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA),
               "--spec", str(tmp_path / "spec.yaml"), "-n", "50", "--n-boot", "20", "--out", str(out),
               "--ranks", str(ranks)])
    assert rc == 0
    assert "300 replications (n = 50, 4 assumptions)" in capsys.readouterr().out
    rows = list(csv.reader(open(out, encoding="utf-8")))
    assert rows[0] == ["Variable", "Si", "STi", "Si_q5", "Si_q95", "STi_q5", "STi_q95"]
    assert [r[0] for r in rows[1:]] == ["Winmax", "Normalisation", "Weights", "Aggregation"]
    assert list(csv.reader(open(ranks, encoding="utf-8")))[0] == ["uCode", "Nominal", "Mean", "Median", "Q5", "Q95"]
    rc = main(["index", "sensitivity", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA),
               "--weights-noise", "0.25", "--out", str(out)])
    assert rc == 1 and "at least two assumptions" in capsys.readouterr().err
