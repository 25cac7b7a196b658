"""Benchmark of chiso.engine's uncertainty analysis and bootstrap against the issue's targets.

Run: python bench/uncertainty.py

1. COINr's ASEM example, uncertainty analysis with N = 1,000: every weight perturbed by ±25 %
   (COINr's get_noisy_weights) and normalisation min-max 1-100 vs z-score (10, 2), on COINr's
   default pipeline. Target <= 0.5 s. Also shown, without a target: the same through the
   command line (a fresh process: Python start-up, reading the CSVs, writing RANKS.csv), and
   COINr's vignette("sensitivity") specification on the full example pipeline.
2. Bootstrap of 2,000 respondents rating 40 units (50 each; 30 Likert items in 6 pillars,
   3 % unanswered), 1,000 replications, min-max 1-10 and the arithmetic mean (PCI/DDCI style).
   Target <= 2 s.

Times are the median of several in-process runs after one warm-up (2-core machine).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
try:
    import chiso.engine  # noqa: F401
except ImportError:  # not installed: run from the source tree
    sys.path.insert(0, str(ROOT / "src"))

from chiso.engine import Dataset, Framework, IndexBuild, load  # noqa: E402
from chiso.engine.bootstrap import RespondentTable, bootstrap  # noqa: E402
from chiso.engine.uncertainty import Assumption, uncertainty  # noqa: E402

ASEM = ROOT / "tests" / "data" / "asem"
NORM_ALTS = [{"method": "minmax", "l_u": [1, 100]}, {"method": "zscore", "m_sd": [10, 2]}]


def median_time(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ddci_like(n_units: int = 40, per_unit: int = 50, n_items: int = 30, seed: int = 20240601):
    rng = np.random.default_rng(seed)
    items = [f"q{j + 1:02d}" for j in range(n_items)]
    rows = [{"iCode": c, "Level": 1, "Parent": f"P{j * 6 // n_items + 1}", "Type": "Indicator"}
            for j, c in enumerate(items)]
    rows += [{"iCode": f"P{p + 1}", "Level": 2, "Parent": "DDCI", "Type": "Aggregate"} for p in range(6)]
    rows += [{"iCode": "DDCI", "Level": 3, "Type": "Aggregate"}]
    fw = Framework.from_rows(rows)
    units = [f"D{i + 1:02d}" for i in range(n_units)]
    unit_idx = np.repeat(np.arange(n_units), per_unit)
    effect = rng.normal(0, 0.4, n_units)[unit_idx][:, None] + rng.normal(0, 0.3, (n_units, n_items))[unit_idx]
    answers = np.clip(np.round(3 + effect + rng.normal(0, 1, (n_units * per_unit, n_items))), 1, 5)
    answers[rng.random(answers.shape) < 0.03] = np.nan
    table = RespondentTable.from_arrays(np.array(units, dtype=object)[unit_idx], answers, items)
    raw = Dataset.from_arrays(units, np.zeros((n_units, n_items)), items)
    build = IndexBuild(fw, raw).normalise(method="minmax", l_u=[1, 10]).aggregate(method="amean")
    return build, table


def main() -> None:
    print(f"chiso.engine uncertainty benchmark - numpy {np.__version__}, Python {sys.version.split()[0]}\n")
    fw, raw = load(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv")
    default = IndexBuild(fw, raw).normalise().aggregate()
    ua = [Assumption.weights(0.25), Assumption.discrete("Normalisation", ["normalise"], NORM_ALTS)]
    t_ua = median_time(lambda: uncertainty(default, ua, n=1000, seed=1), repeat=7)

    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "chiso.engine.cli", "index", "uncertainty",
               "--idata", str(ASEM / "ASEM_iData.csv"), "--imeta", str(ASEM / "ASEM_iMeta.csv"),
               "--weights-noise", "0.25", "--normalise-alternatives", "minmax:1,100", "zscore:10,2",
               "-n", "1000", "--seed", "1", "--out", str(Path(tmp) / "RANKS.csv")]

        def cli():
            subprocess.run(cmd, check=True, capture_output=True)
        t_cli = median_time(cli, repeat=3)

    example = (IndexBuild(fw, raw).denominate().impute(method="mean_group", group="EurAsia_group")
               .screen(dat_thresh=0.9, unit_screen="byNA").treat(winmax=5).normalise().aggregate())
    vignette = [Assumption.discrete("Winmax", ["treat", "winmax"], [1, 2, 3, 4, 5]),
                Assumption.discrete("Normalisation", ["normalise"], NORM_ALTS),
                Assumption.weights(0.25, levels=[2, 3]),
                Assumption.discrete("Aggregation", ["aggregate", "method"], ["amean", "gmean"])]
    t_vig = median_time(lambda: uncertainty(example, vignette, n=1000, seed=1), repeat=5)

    build, table = ddci_like()
    t_bs = median_time(lambda: bootstrap(build, table, n=1000, seed=1), repeat=3)

    print("1. ASEM uncertainty analysis, N = 1,000 (weights ±25 %, min-max 1-100 vs z-score 10,2)")
    print(f"   in process:                       {t_ua:7.3f} s   target <= 0.5 s  {'OK' if t_ua <= 0.5 else 'MISSED'}")
    print(f"   command line (fresh process):     {t_cli:7.3f} s")
    print(f"   COINr's vignette spec (winmax 1-5, normalisation, weights of levels 2-3, amean/gmean;\n"
          f"   full example pipeline), N = 1,000: {t_vig:6.3f} s")
    print(f"\n2. bootstrap, {table.n_rows:,} respondents x {len(table.units)} units x {len(table.items)} items, "
          f"1,000 replications")
    print(f"   in process:                       {t_bs:7.3f} s   target <= 2 s    {'OK' if t_bs <= 2 else 'MISSED'}")


if __name__ == "__main__":
    main()
