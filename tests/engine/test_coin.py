"""COINr's analysis functions on a build (ASEM): correlations, Cronbach, PCA, weights, drop-one, comparison."""

import numpy as np
import pytest

from chiso.engine import IndexBuild
from chiso.engine import analysis as A
from chiso.engine.treat import boxcox, boxcox_lambda, log_gii, treat


@pytest.fixture(scope="module")
def build(asem):
    fw, data = asem
    return (IndexBuild(fw, data).denominate().impute(method="mean_group", group="EurAsia_group")
            .screen(dat_thresh=0.9, unit_screen="byNA").treat(winmax=5).normalise().aggregate())


def test_corr_with_parent_and_pvalues(build):
    rows = A.get_corr(build, withparent=True, pval=0)
    nv = A.node_values(build)
    lpi = dict(((a, b), r) for a, b, r in rows)[("LPI", "Physical")]
    x, y = nv.columns(["LPI"])[:, 0], nv.columns(["Physical"])[:, 0]
    assert lpi == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-12)
    family = A.get_corr(build, withparent="family", pval=0)
    assert ("LPI", "Index") in {(a, b) for a, b, _ in family}
    masked = A.get_corr(build, levels=(1, 1), grouplev=2, pval=0.05)
    assert all(nv.ancestor(a, 2) == nv.ancestor(b, 2) for a, b, _ in masked)
    assert any(np.isnan(r) for _, _, r in masked)  # insignificant ones are NA, as COINr


def test_cronbach_pca_effective_weights(build):
    alpha = {a: v for a, _, v in A.get_cronbach(build)}
    nv = A.node_values(build)
    assert alpha["Physical"] == pytest.approx(A.cronbach_alpha(nv.columns(nv.children("Physical"))))
    pcs = A.get_pca(build, level=2)
    assert {p.aggregate for p in pcs} == set(nv.at_level(2))
    eff = {c: e for c, _, _, e in A.get_eff_weights(build)}
    assert eff["Conn"] == 0.5 and eff["Physical"] == pytest.approx(0.1) and eff["LPI"] == pytest.approx(0.1 / 8)
    assert sum(e for c, lev, _, e in A.get_eff_weights(build) if lev == 1) == pytest.approx(1)


def test_weights_from_pca_feed_the_aggregate_step(build):
    w = A.weights_from_pca(build, level=1, method="pc1")
    assert sum(v for c, v in w.items() if build.framework[c].parent == "Physical") == pytest.approx(1)
    again = build.replay({("aggregate", "weights"): w})
    assert again.results().scores.shape == build.results().scores.shape


def test_drop_one_equals_a_rebuild_without_the_element(build):
    res = A.remove_elements(build, level=2)
    rebuilt = build.replay({("aggregate", "weights", "Physical"): 0})
    r = rebuilt.results().rank
    assert res["mean_abs_rank_diff"]["Physical"] == pytest.approx(np.mean(np.abs(r - build.results().rank)))


def test_opt_weights_balance_the_correlations(build):
    res = A.get_opt_weights(build, level=3, optype="balance")
    c = list(res["correlations"].values())
    assert c[0] == pytest.approx(c[1], abs=1e-4)
    assert sum(res["weights"].values()) == pytest.approx(1)
    info = A.get_opt_weights(build, level=3, optype="infomax")
    assert sum(info["correlations"].values()) >= sum(c) - 1e-6


def test_opt_weights_on_arrays():
    rng = np.random.default_rng(0)
    f = rng.normal(size=200)
    X = np.column_stack([f + 0.2 * rng.normal(size=200), f + rng.normal(size=200), rng.normal(size=200) + 0.3 * f])
    res = A.opt_weights(X)
    assert np.ptp(res.correlations) < 1e-3 and (res.weights > 0).all()


def test_compare_builds(build):
    other = build.replay({("aggregate", "method"): "gmean", ("normalise", "l_u"): [1, 100]})
    cmp = A.compare_builds(build, other)
    assert cmp.rank_change.sum() == pytest.approx(cmp.rank_1.sum() - cmp.rank_2.sum())
    same = A.compare_builds(build, build)
    assert (same.rank_change == 0).all() and (same.score_change == 0).all()


def test_copeland_and_mpi_as_aggregation_methods(build):
    for m in ("copeland", "mpi", "ampi"):
        b = build.replay({("aggregate", "methods"): {2: m}})
        res = b.results()
        assert np.isfinite(res.column("Physical")).all()
    nv = A.node_values(build)
    b = build.replay({("aggregate", "methods"): {2: "copeland"}})
    np.testing.assert_array_equal(b.results().column("Physical"), A.a_copeland(nv.columns(nv.children("Physical"))))


def test_boxcox_and_log_gii():
    x = np.array([[1.0], [2.0], [5.0], [np.nan]])
    np.testing.assert_allclose(boxcox(x, 0.5)[:3, 0], (np.array([1.0, 2.0, 5.0]) ** 0.5 - 1) / 0.5)
    np.testing.assert_allclose(boxcox(x, 0)[:3, 0], np.log([1.0, 2.0, 5.0]))
    g = log_gii(x)[:, 0]
    assert g[0] == 0 and g[2] == pytest.approx(np.log(5)) and np.isnan(g[3])
    from scipy import stats

    rng = np.random.default_rng(1)
    y = rng.lognormal(size=200)
    assert boxcox_lambda(y, makepos=False) == pytest.approx(stats.boxcox(y)[1], rel=1e-6)
    X = np.column_stack([rng.lognormal(sigma=2, size=100), rng.normal(size=100)])
    out, rep = treat(X, f1="none", f2="log_GII")
    assert rep.status[0] == "log_GII" and rep.status[1] == "passed"
