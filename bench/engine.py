"""Benchmark of chiso.engine: median in-process time of the default pipeline and peak memory.

Run: python bench/engine.py   (or `make bench`). Sizes: COINr's ASEM example (51 x 49), and
synthetic data (50 x 60, 5,000 x 200, 50,000 x 200) generated here with a fixed seed, shaped
like ASEM (indicators -> 8 pillars -> 2 sub-indices -> index). The default pipeline is COINr's
default: min-max 0-100, weighted arithmetic mean level by level, and the rank of the index.
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
try:
    import chiso.engine  # noqa: F401
except ImportError:  # not installed: run from the source tree
    sys.path.insert(0, str(ROOT / "src"))

from chiso.engine import Dataset, Framework, IndexBuild, load  # noqa: E402

ASEM = ROOT / "tests" / "data" / "asem"
PILLAR_SHARES = np.array([8, 5, 3, 6, 8, 5, 9, 5]) / 49  # ASEM's pillar sizes
SEED = 20240601


def synthetic(n_units: int, n_ind: int, seed: int = SEED) -> tuple[Framework, Dataset]:
    """A framework shaped like ASEM and data with a common factor, skewed columns and 3 % missing."""
    rng = np.random.default_rng(seed)
    sizes = np.maximum(1, np.round(PILLAR_SHARES * n_ind).astype(int))
    sizes[-1] += n_ind - sizes.sum()
    pillar_of = np.repeat(np.arange(8), sizes)
    direction = np.where(rng.random(n_ind) < 0.2, -1, 1)
    weight = rng.choice([0.5, 1.0, 1.5, 2.0], n_ind)
    codes = [f"I{j + 1:03d}" for j in range(n_ind)]
    rows = [{"iCode": c, "Level": 1, "Parent": f"P{pillar_of[j] + 1}", "Direction": int(direction[j]),
             "Weight": float(weight[j]), "Type": "Indicator"} for j, c in enumerate(codes)]
    rows += [{"iCode": f"P{p + 1}", "Level": 2, "Parent": "S1" if p < 5 else "S2", "Type": "Aggregate"} for p in range(8)]
    rows += [{"iCode": s, "Level": 3, "Parent": "Index", "Type": "Aggregate"} for s in ("S1", "S2")]
    rows += [{"iCode": "Index", "Level": 4, "Type": "Aggregate"}]
    framework = Framework.from_rows(rows)

    kind = rng.choice(3, n_ind, p=[0.4, 0.4, 0.2])
    loc = rng.uniform(-50, 150, n_ind)
    scale = rng.uniform(0.5, 20, n_ind)
    factor = rng.standard_normal(n_units)[:, None]
    z = 0.6 * factor * direction + 0.8 * rng.standard_normal((n_units, n_ind))
    values = np.where(kind == 0, loc + scale * z,
                      np.where(kind == 1, scale * np.exp(0.75 * z), loc + 10 * scale / (1 + np.exp(-1.7 * z))))
    values[rng.random(values.shape) < 0.03] = np.nan
    units = [f"U{i + 1:05d}" for i in range(n_units)]
    return framework, Dataset.from_arrays(units, values, codes)


def default_pipeline(framework: Framework, data: Dataset):
    return IndexBuild(framework, data).normalise().aggregate().results()


def full_pipeline(framework: Framework, data: Dataset):
    return (IndexBuild(framework, data).denominate().impute(method="mean_group", group="EurAsia_group")
            .screen(dat_thresh=0.9).treat(winmax=5).normalise().aggregate().results())


def median_time(fn, *args, repeat: int) -> float:
    fn(*args)  # warm up (caches the framework's weight matrices)
    times = []
    gc.disable()
    try:
        for _ in range(repeat):
            t = time.perf_counter()
            fn(*args)
            times.append(time.perf_counter() - t)
    finally:
        gc.enable()
    return statistics.median(times)


def peak_memory(fn, *args) -> int:
    gc.collect()
    tracemalloc.start()
    fn(*args)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    cases = [("ASEM", *load(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv"), 3000)]
    for n, k, rep in ((50, 60, 3000), (5_000, 200, 60), (50_000, 200, 10)):
        cases.append((f"synthetic", *synthetic(n, k), rep))

    print(f"chiso.engine benchmark - numpy {np.__version__}, Python {sys.version.split()[0]}")
    print("default pipeline = min-max 0-100 + weighted arithmetic mean by level + rank (in process)\n")
    print(f"{'data':<10} {'units x ind.':>14} {'median':>11} {'ns/cell':>9} {'peak mem':>10}")
    results = {}
    for name, fw, data, rep in cases:
        n, k = data.values.shape
        t = median_time(default_pipeline, fw, data, repeat=rep)
        mem = peak_memory(default_pipeline, fw, data)
        results[(n, k)] = t
        print(f"{name:<10} {n:>6} x {k:<5} {t * 1e3:>8.3f} ms {t / (n * k) * 1e9:>9.1f} {mem / 2**20:>7.1f} MiB")

    fw, data = cases[0][1], cases[0][2]
    t_full = median_time(full_pipeline, fw, data, repeat=500)
    print(f"\nASEM full pipeline (denominate, impute by group, screen, treat, normalise, aggregate): "
          f"{t_full * 1e3:.3f} ms")
    print(f"process peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

    asem_t = results[(51, 49)]
    big_t = results[(5_000, 200)]
    huge_t = results[(50_000, 200)]
    print("\ntargets (2-core machine):")
    print(f"  ASEM default pipeline <= 1 ms:            {asem_t * 1e3:.3f} ms  {'OK' if asem_t <= 1e-3 else 'MISSED'}")
    print(f"  5,000 x 200 normalise + aggregate <= 20 ms: {big_t * 1e3:.3f} ms  {'OK' if big_t <= 20e-3 else 'MISSED'}")
    print(f"  linear growth: 50,000 x 200 / 5,000 x 200 = {huge_t / big_t:.1f} (10x the cells)")


if __name__ == "__main__":
    main()
