"""Bench of the analysis layer: the statistical audit of 5,000 x 200 (target < 2 s) and
Benefit of the Doubt for 5,000 units x 50 indicators (target < 10 s). Run: python bench/analysis.py"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

from chiso.engine import IndexBuild, load
from chiso.engine.analysis import bod
from chiso.engine.audit import audit
from chiso.engine.normalise import n_minmax

REF = Path(__file__).resolve().parents[1].parent / "shared" / "reference-data"
SYNTH = Path("/work/shared/reference-data/synthetic-large") if not (REF / "synthetic-large").exists() \
    else REF / "synthetic-large"
ASEM = Path(__file__).resolve().parents[1] / "tests" / "data" / "asem"


def timed(fn, rounds=3):
    fn()  # warm-up (imports SciPy once)
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> int:
    fw, data = load(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv")
    b = IndexBuild(fw, data).normalise().aggregate()
    print(f"audit ASEM (51 x 49): {timed(lambda: audit(b)) * 1000:.0f} ms")
    idata, imeta = SYNTH / "synthetic_iData_5000x200.csv", SYNTH / "synthetic_iMeta_5000x200.csv"
    if not idata.exists():
        print("synthetic 5,000 x 200 not found: skipped")
        return 0
    fw, data = load(idata, imeta)
    big = IndexBuild(fw, data).normalise().aggregate()
    print(f"audit 5,000 x 200: {timed(lambda: audit(big), rounds=2):.2f} s (target < 2 s)")
    Y = n_minmax(data.values[:, :50] * fw.directions[:50], (0, 1))
    Y = np.where(np.isnan(Y), 0.0, Y)
    t = time.perf_counter()
    res = bod(Y)
    print(f"BoD 5,000 x 50: {time.perf_counter() - t:.1f} s (target < 10 s); "
          f"{int((res.scores > 1 - 1e-9).sum())} units on the frontier")
    return 0


if __name__ == "__main__":
    sys.exit(main())
