"""Tests for chiso.engine.screen: COINr's Screen rules on a hand-made table."""

import numpy as np
import pytest

from chiso.engine import StepError, screen

NAN = np.nan
X = np.array([
    [1, 2, 3, 4, 5],            # u1: all there
    [NAN, NAN, 3, 0, 5],        # u2: 60% data; 1 zero in 3 values
    [0, 0, 0, 0, 1],            # u3: all there; 20% non-zero
    [NAN, NAN, NAN, NAN, 0],    # u4: 20% data; 0% non-zero
], dtype=float)
U = ["u1", "u2", "u3", "u4"]


def test_by_na_threshold_is_inclusive():
    r = screen(X, dat_thresh=0.6, unit_screen="byNA")
    assert r.keep.tolist() == [True, True, True, False]
    np.testing.assert_allclose(r.dat_avail, [1, 0.6, 1, 0.2])
    assert screen(X).keep.tolist() == [True, False, True, False]  # default 2/3


def test_by_zeros_and_both():
    r = screen(X, nonzero_thresh=0.25, unit_screen="byzeros")
    assert r.keep.tolist() == [True, True, False, False]
    np.testing.assert_allclose(r.non_zero, [1, 2 / 3, 0.2, 0])
    assert screen(X, dat_thresh=0.6, nonzero_thresh=0.25, unit_screen="byNAandzeros").keep.tolist() == \
        [True, True, False, False]
    # short names accepted
    assert screen(X, nonzero_thresh=0.25, unit_screen="byNZ").keep.tolist() == [True, True, False, False]
    assert screen(X, dat_thresh=0.6, nonzero_thresh=0.25, unit_screen="byBoth").keep.tolist() == \
        [True, True, False, False]


def test_force_overrides_the_rules():
    r = screen(X, dat_thresh=0.6, force={"u4": True, "u1": False}, units=U)
    assert r.keep.tolist() == [False, True, True, True]
    with pytest.raises(StepError, match="not in the data: zz"):
        screen(X, force={"zz": True}, units=U)
    with pytest.raises(StepError, match="unknown unit_screen"):
        screen(X, unit_screen="byMood")
