"""The compute command's in-place build (IndexBuild(in_place=True) on data read with room for the
aggregates) gives exactly the numbers of the ordinary build, and holds one values matrix, not two."""

import gc
import tracemalloc

import numpy as np
import pytest

from chiso.engine import Framework, IndexBuild
from chiso.engine.build import CHUNK_CELLS, default_steps
from chiso.engine.io import load_with_notes, write_imeta_csv

from .conftest import ASEM_IDATA, ASEM_IMETA


def generated_files(folder, n_units, n_ind, seed=7):
    """iData/iMeta CSV files: indicators -> 4 pillars -> 2 sub-indices -> index, skewed columns,
    a fifth of them Direction -1, every bit of each double written (repr), 3 % empty cells."""
    rng = np.random.default_rng(seed)
    pillar = np.sort(rng.integers(0, 4, n_ind))
    pillar[:4] = np.arange(4)  # every pillar has a child
    pillar.sort()
    rows = [{"iCode": f"I{j}", "Level": 1, "Parent": f"P{pillar[j]}", "Type": "Indicator",
             "Direction": -1 if rng.random() < 0.2 else 1, "Weight": float(rng.choice([0.5, 1, 2]))}
            for j in range(n_ind)]
    rows += [{"iCode": f"P{p}", "Level": 2, "Parent": "S0" if p < 2 else "S1", "Type": "Aggregate", "Weight": 1}
             for p in range(4)]
    rows += [{"iCode": s, "Level": 3, "Parent": "Index", "Type": "Aggregate", "Weight": 1} for s in ("S0", "S1")]
    rows += [{"iCode": "Index", "Level": 4, "Type": "Aggregate", "Weight": 1}]
    meta = folder / "iMeta.csv"
    write_imeta_csv(Framework.from_rows(rows), meta)
    values = rng.lognormal(1.0, 1.2, (n_units, n_ind)) * rng.uniform(0.1, 100, n_ind)
    values[rng.random(values.shape) < 0.03] = np.nan
    data = folder / "iData.csv"
    with open(data, "w", encoding="utf-8") as f:
        f.write(",".join(["uCode", "uName", *(f"I{j}" for j in range(n_ind))]) + "\n")
        # repr: the shortest text of each double (up to 17 digits); "nan" becomes an empty cell.
        f.writelines(f"U{i},Unit {i}," + ",".join(map(repr, row)).replace("nan", "") + "\n"
                     for i, row in enumerate(values.tolist()))
    return data, meta


def ordinary(data, meta, steps):
    build = IndexBuild(*load_with_notes(data, meta)[:2])
    for name, params in steps:
        build.run(name, **params)
    return build


def in_place(data, meta, steps):
    framework, raw, _ = load_with_notes(data, meta, room_for_aggregates=True)
    values = raw.values
    build = IndexBuild(framework, raw, keep="last", in_place=True)
    del raw
    for name, params in steps:
        build.run(name, **params)
    return build, values


def assert_same_build(a, b):
    assert a.data.codes == b.data.codes
    assert a.data.values.tobytes() == b.data.values.tobytes()  # bit for bit, NaN included
    ra, rb = a.results(), b.results()
    assert ra.codes == rb.codes and ra.scores.tobytes() == rb.scores.tobytes()
    assert ra.rank.tobytes() == rb.rank.tobytes()


# 600 x 50 is under CHUNK_CELLS (one pass), 3,000 x 120 over it (column and row slices).
@pytest.mark.parametrize("n_units, n_ind", [(600, 50), (3000, 120)])
def test_in_place_build_gives_the_ordinary_numbers_and_one_matrix(tmp_path, n_units, n_ind):
    data, meta = generated_files(tmp_path, n_units, n_ind)
    assert (n_units * n_ind > CHUNK_CELLS) == (n_ind == 120)
    steps = default_steps()
    expected = ordinary(data, meta, steps)
    build, read = in_place(data, meta, steps)
    assert_same_build(build, expected)
    # The in-place path was taken: the result is the reader's matrix, normalised and aggregated in it.
    assert np.shares_memory(build.data.values, read)
    assert build.data.values.shape == (n_units, n_ind + 7)


@pytest.mark.parametrize("steps", [
    [("screen", {"dat_thresh": 0.5}), ("treat", {"winmax": 5}),
     ("normalise", {"method": "zscore", "m_sd": [10, 2]}), ("aggregate", {"dat_thresh": 0.9})],
    [("screen", {"dat_thresh": 0.5}), ("normalise", {"l_u": [1, 100]}), ("aggregate", {"method": "gmean"})],
    [("impute", {}), ("normalise", {"method": "goalposts", "lower": 0.5, "upper": 50}),
     ("aggregate", {"methods": {"2": "genmean"}, "p": 2})],
])
def test_in_place_build_after_other_steps_gives_the_ordinary_numbers(tmp_path, steps):
    for data, meta in ((ASEM_IDATA, ASEM_IMETA), generated_files(tmp_path, 3000, 120, seed=3)):
        build, _ = in_place(data, meta, steps)
        assert_same_build(build, ordinary(data, meta, steps))


def test_in_place_needs_keep_last(asem):
    with pytest.raises(ValueError):
        IndexBuild(*asem, in_place=True)


def test_compute_peak_is_within_two_values_matrices_plus_the_results(tmp_path):
    """Issue 22: read + compute as the command runs it holds at most 2 x values + results
    (tracemalloc counts NumPy's buffers as well as Python objects)."""
    n_units, n_ind = 20_000, 100
    data, meta = generated_files(tmp_path, n_units, n_ind)
    gc.collect()
    tracemalloc.start()
    try:
        build, _ = in_place(data, meta, default_steps())
        res = build.results()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    values_bytes = n_units * n_ind * 8
    assert res.scores.shape == (n_units, 7)
    assert peak <= 2 * values_bytes + res.scores.nbytes, peak / values_bytes
