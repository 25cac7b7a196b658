"""Tests for chiso.engine.denominate: division by denominators, as COINr's Denominate."""

import numpy as np

from chiso.engine import IndexBuild, denominate


def test_divides_by_denominator_over_scale_factor():
    X = np.array([[10.0, 1.0], [20.0, 2.0]])
    D = np.array([[2.0, 4.0], [5.0, np.nan]])
    np.testing.assert_array_equal(denominate(X, D), [[5.0, 0.25], [4.0, np.nan]])
    np.testing.assert_array_equal(denominate(X, D, np.array([1.0, 1000.0])), [[5.0, 250.0], [4.0, np.nan]])


def test_asem_uses_the_denominator_column_of_imeta(asem):
    fw, raw = asem
    d = IndexBuild(fw, raw).denominate().data
    pop = raw.meta["Population"]
    np.testing.assert_array_equal(d.column("Flights"), raw.column("Flights") / pop)
    np.testing.assert_array_equal(d.column("LPI"), raw.column("LPI"))  # no denominator
    no_energy = np.isnan(raw.meta["Energy"])
    assert np.isnan(d.column("Elec")[no_energy]).all()
    assert not np.isnan(raw.column("Elec")[no_energy]).any()
    # a mapping in the step replaces the framework's: Goods by Area instead of GDP, LPI by Population
    d2 = IndexBuild(fw, raw).denominate(denominators={"Goods": "Area", "LPI": "Population"}).data
    np.testing.assert_array_equal(d2.column("Goods"), raw.column("Goods") / raw.meta["Area"])
    np.testing.assert_array_equal(d2.column("LPI"), raw.column("LPI") / pop)
