"""Benchmark of chiso.engine: the in-process pipeline, the whole command against a bare csv.reader pass, memory.

Run: python bench/engine.py   (or `make bench`; `--commands`: whole commands only;
`--compare-with DIR`: an earlier src/ exported to DIR against this one, alternately). Prints ratios as well as times: the whole
`chiso index compute` command over a fresh `python -c` csv.reader pass on the same file (the
floor: what reading the file costs at all), for COINr's 5,000 x 200 reference set and a
generated 50,000 x 500 set (cached in the temp folder); ASEM in process with the framework and
data objects built as COINr builds them from its data frames (typed columns: numbers already
doubles), and from the CSV's text cells; peak memory against the values matrix. Sizes: COINr's
ASEM example (51 x 49), and synthetic data (50 x 60, 5,000 x 200, 50,000 x 200) generated here
with a fixed seed, shaped like ASEM (indicators -> 8 pillars -> 2 sub-indices -> index). The default pipeline is COINr's
default: min-max 0-100, weighted arithmetic mean level by level, and the rank of the index.
"""

from __future__ import annotations

import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
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
from chiso.engine.dataset import ColumnPlan  # noqa: E402
from chiso.engine.ingest import read_csv_rows  # noqa: E402
from chiso.engine.io import write_imeta_csv  # noqa: E402

ASEM = ROOT / "tests" / "data" / "asem"
REFERENCE = Path("/work/shared/reference-data/synthetic-large")
if not REFERENCE.exists():
    REFERENCE = ROOT / "tests" / "data" / "synthetic-large"
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


# ---------------------------------------------------------------------- whole commands
def _command() -> list[str]:
    script = Path(sys.executable).with_name("chiso")
    return [str(script)] if script.exists() else [sys.executable, "-m", "chiso.engine.cli"]


CPU_TIMES: dict[str, float] = {}  # the same runs' best CPU time (user + system), for a loaded machine


def run_process(argv: list[str], repeat: int = 3, label: str = "") -> tuple[float, int]:
    """Best wall time of a fresh process and its peak RSS (bytes); its best CPU time in CPU_TIMES[label].

    Bytecode is cached as for an installed package (PYTHONDONTWRITEBYTECODE is dropped).
    """
    best, peak, cpu = float("inf"), 0, float("inf")
    gnu_time = Path("/usr/bin/time")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for _ in range(repeat):
        # GNU time forks from a small process: the peak is the command's own, not this bench's.
        wrapped = [str(gnu_time), "-f", "%M", *argv] if gnu_time.exists() else argv
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        elapsed = time.perf_counter() - t
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
        best = min(best, elapsed)
        # CPU from the kernel's accounting of the children (microseconds; GNU time's %U %S print
        # hundredths, too coarse for `python -c pass`); GNU time itself adds about a millisecond.
        cpu = min(cpu, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
        if gnu_time.exists():
            peak = max(peak, int(proc.stderr.decode().split()[-1]) * 1024)
    CPU_TIMES[label] = cpu
    return best, peak


def floor(path: Path, repeat: int = 3) -> float:
    """A bare csv.reader pass over the file in a fresh Python: the least any reader can cost."""
    code = "import csv, sys\nwith open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n" \
           "    for row in csv.reader(f):\n        pass\n"
    return run_process([sys.executable, "-c", code, str(path)], repeat, label=f"floor {path.name}")[0]


def write_synthetic_csv(n_units: int, n_ind: int, folder: Path) -> tuple[Path, Path]:
    """iData/iMeta CSV shaped like the reference set (6 significant digits, 3 % empty cells)."""
    data, meta = folder / f"synthetic_iData_{n_units}x{n_ind}.csv", folder / f"synthetic_iMeta_{n_units}x{n_ind}.csv"
    if data.exists() and meta.exists():
        return data, meta
    fw, ds = synthetic(n_units, n_ind)
    write_imeta_csv(fw, meta)
    tmp = data.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(",".join(["uCode", "uName", *ds.codes]) + "\n")
        for start in range(0, n_units, 1000):
            block = ds.values[start:start + 1000]
            for i, row in enumerate(block):
                u = ds.units[start + i]
                cells = ["" if x != x else f"{x:.6g}" for x in row.tolist()]
                f.write(f'"{u}","Unit {start + i + 1}",' + ",".join(cells) + "\n")
    tmp.rename(data)
    return data, meta


def compute_argv(data: Path, meta: Path, out: Path) -> list[str]:
    return [*_command(), "index", "compute", "--idata", str(data), "--imeta", str(meta), "--out", str(out)]


def typed_columns(header: list[str], rows: list[list[str]]) -> dict[str, np.ndarray | list]:
    """The columns as R's read.csv (COINr's data frames) or pandas type them: a column whose every
    filled cell is a number as a float array (NaN missing), any other as a list of str (None missing)."""
    columns: dict[str, np.ndarray | list] = {}
    for j, name in enumerate(header):
        cells = [r[j] for r in rows]
        try:
            columns[name] = np.array([float("nan") if c in ("", "NA") else float(c) for c in cells])
        except ValueError:
            columns[name] = [None if c in ("", "NA") else c for c in cells]
    return columns


def asem_in_process() -> dict[str, float]:
    """COINr's ASEM in process, objects built and then the default pipeline, two ways: as COINr runs
    it from its data frames (numbers already doubles: iMeta as a data frame's records, iData as typed
    columns) and from the CSV's text cells (what reading text costs: 2,754 numbers of 17 digits)."""
    mh, mr = read_csv_rows(ASEM / "ASEM_iMeta.csv")
    dh, dr = read_csv_rows(ASEM / "ASEM_iData.csv")
    meta_text = [dict(zip(mh, r)) for r in mr]
    meta_columns = typed_columns(mh, mr)
    meta_records = [dict(zip(meta_columns, row)) for row in
                    zip(*[c.tolist() if isinstance(c, np.ndarray) else c for c in meta_columns.values()])]
    data_columns = typed_columns(dh, dr)

    def build_frames():
        fw = Framework.from_rows(meta_records)
        return fw, Dataset.from_columns(data_columns, fw)

    def build_text():
        fw = Framework.from_rows(meta_text)
        return fw, Dataset.from_rows(dh, dr, fw)

    out: dict[str, float] = {}
    for name, build in (("frames", build_frames), ("text", build_text)):
        def whole(build=build):
            return default_pipeline(*build())

        out[name] = median_time(whole, repeat=1000)
        out[f"{name} fastest"] = min(_timed(whole) for _ in range(1000))
        out[f"{name} building"] = median_time(build, repeat=1000)
    fw = Framework.from_rows(meta_records)
    data = Dataset.from_columns(data_columns, fw)
    plan = ColumnPlan(fw, dh)
    cols = [plan.position[c] for c in plan.number_columns]
    cells = [r[j] if r[j] not in ("", "NA") else "nan" for r in dr for j in cols]
    short = [repr(float(f"{float(c):.6g}")) for c in cells]  # the same numbers with 6 digits
    out.update({
        "cells": len(cells),
        "convert": median_time(lambda: np.array(cells, dtype=float), repeat=1000),
        "convert_6": median_time(lambda: np.array(short, dtype=float), repeat=1000),
        "framework records": median_time(lambda: Framework.from_rows(meta_records), repeat=1000),
        "framework text": median_time(lambda: Framework.from_rows(meta_text), repeat=1000),
        "columns": median_time(lambda: Dataset.from_columns(data_columns, fw), repeat=1000),
        "rows": median_time(lambda: Dataset.from_rows(dh, dr, fw), repeat=1000),
        "pipeline": median_time(default_pipeline, fw, data, repeat=1000),
    })
    return out


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def compute_peak(data: Path, meta: Path) -> tuple[int, int, int]:
    """tracemalloc peak of read + compute (as the command runs it), the values matrix and the results (bytes)."""
    from chiso.engine.build import default_steps

    gc.collect()
    tracemalloc.start()
    from chiso.engine.io import load_with_notes

    # As the command: the build alone holds the data, normalises it in place and aggregates beside it.
    build = IndexBuild(*load_with_notes(data, meta, room_for_aggregates=True)[:2], keep="last", in_place=True)
    for name, params in default_steps():
        build.run(name, **params)
    res = build.results()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    n, k = res.scores.shape[0], len(build.framework.indicators)
    return peak, n * k * 8, res.scores.nbytes


def compare(old_tree: Path, repeat: int = 5) -> None:
    """Old and new code run alternately under the same load: fastest CPU (and wall) of `repeat` each.

    `old_tree` holds an export of an earlier commit's src/ (`git archive REV src | tar -x -C DIR`);
    the old code runs with PYTHONPATH=DIR/src. On a shared machine this is the fair comparison:
    both see the same load.
    """
    ref_data, ref_meta = REFERENCE / "synthetic_iData_5000x200.csv", REFERENCE / "synthetic_iMeta_5000x200.csv"
    out = Path(tempfile.gettempdir()) / "chiso-bench-compare.csv"
    module = [sys.executable, "-m", "chiso.engine.cli"]
    cases = {"chiso --help": [*module, "--help"],
             "ASEM compute": [*module, "index", "compute", "--idata", str(ASEM / "ASEM_iData.csv"),
                              "--imeta", str(ASEM / "ASEM_iMeta.csv"), "--out", str(out)],
             "5,000 x 200 compute": [*module, "index", "compute", "--idata", str(ref_data), "--imeta", str(ref_meta),
                                     "--out", str(out)]}
    floor_code = "import csv, sys\nwith open(sys.argv[1], newline='', encoding='utf-8-sig') as f:\n" \
                 "    for row in csv.reader(f):\n        pass\n"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPATH")}
    envs = {"before": dict(env, PYTHONPATH=str(old_tree / "src")), "after": env}

    def cpu_wall(argv, e):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, env=e, check=True)
        wall = time.perf_counter() - t
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), wall

    print(f"before ({old_tree}) and after, alternately, fastest of {repeat}; CPU s (wall s); "
          f"load average {os.getloadavg()[0]:.2f}")
    for name, argv in cases.items():
        best = {}
        for _ in range(repeat):
            runs = [("before", argv, envs["before"]), ("after", argv, envs["after"])]
            if name.startswith("5,000"):
                runs.append(("floor", [sys.executable, "-c", floor_code, str(ref_data)], env))
            for who, a, e in runs:
                c, w = cpu_wall(a, e)
                bc, bw = best.get(who, (float("inf"), float("inf")))
                best[who] = (min(bc, c), min(bw, w))
        text = "  ".join(f"{k} {c:.3f} ({w:.3f})" for k, (c, w) in best.items())
        if "floor" in best:
            f = best["floor"][0]
            text += f"  over the csv.reader pass: before {best['before'][0] / f:.2f} x, after {best['after'][0] / f:.2f} x"
        print(f"  {name:<22} {text}")
    print(f"load average {os.getloadavg()[0]:.2f}")


def main() -> None:
    if "--compare-with" in sys.argv:
        compare(Path(sys.argv[sys.argv.index("--compare-with") + 1]))
        return
    whole_only = "--commands" in sys.argv
    print(f"chiso.engine benchmark - numpy {np.__version__}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}\n")
    if not whole_only:
        in_process()
    folder = Path(tempfile.gettempdir()) / "chiso-bench"
    folder.mkdir(exist_ok=True)
    out = folder / "results.csv"
    ref_data, ref_meta = REFERENCE / "synthetic_iData_5000x200.csv", REFERENCE / "synthetic_iMeta_5000x200.csv"
    big_data, big_meta = write_synthetic_csv(50_000, 500, folder)

    print("whole commands (fresh processes, best of 3 wall times):")
    t_help, _ = run_process([*_command(), "--help"], 5, "help")
    t_asem, _ = run_process(compute_argv(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv", out), 5, "asem")
    t_ref, rss_ref = run_process(compute_argv(ref_data, ref_meta, out), 3, "ref")
    f_ref = floor(ref_data)
    t_big, rss_big = run_process(compute_argv(big_data, big_meta, out), 1, "big")
    f_big = floor(big_data, 1)
    # NumPy's import, which the command needs and the csv.reader floor does not: `python -c
    # "import numpy"` less a bare `python -c pass`, both measured as the commands are.
    t_bare, _ = run_process([sys.executable, "-c", "pass"], 5, "bare python")
    t_numpy, _ = run_process([sys.executable, "-c", "import numpy"], 5, "import numpy")
    cpu = CPU_TIMES
    np_wall, np_cpu = max(0.0, t_numpy - t_bare), max(0.0, cpu["import numpy"] - cpu["bare python"])
    c_ref, c_fref = cpu["ref"], cpu[f"floor {ref_data.name}"]
    c_big, c_fbig = cpu["big"], cpu[f"floor {big_data.name}"]
    print("  (wall time; in brackets CPU time, user + system, which a loaded machine inflates less)")
    print(f"  chiso --help                          {t_help:8.3f} s ({cpu['help']:.3f})")
    print(f"  ASEM compute                          {t_asem:8.3f} s ({cpu['asem']:.3f})")
    print(f"  5,000 x 200 compute                   {t_ref:8.3f} s ({c_ref:.3f})   csv.reader pass {f_ref:.3f} s "
          f"({c_fref:.3f})   ratio {t_ref / f_ref:.2f} ({c_ref / c_fref:.2f})   peak RSS {rss_ref / 2**20:.0f} MiB")
    print(f"  50,000 x 500 compute                  {t_big:8.3f} s ({c_big:.3f})   csv.reader pass {f_big:.3f} s "
          f"({c_fbig:.3f})   ratio {t_big / f_big:.2f} ({c_big / c_fbig:.2f})   peak RSS {rss_big / 2**20:.0f} MiB")
    print(f"  import numpy (python -c 'import numpy' {t_numpy:.3f} s ({cpu['import numpy']:.3f}) less python -c pass "
          f"{t_bare:.3f} s ({cpu['bare python']:.3f})): {np_wall:.3f} s ({np_cpu:.3f})")
    print(f"  5,000 x 200 ratio with NumPy's import subtracted from the command: {(t_ref - np_wall) / f_ref:.2f} "
          f"({(c_ref - np_cpu) / c_fref:.2f})")

    a = asem_in_process()
    print(f"\nASEM in process as COINr runs it from its data frames (numbers already doubles): "
          f"Framework.from_rows on iMeta's typed records, Dataset.from_columns on iData's typed columns, "
          f"then the default pipeline: median {a['frames'] * 1e3:.3f} ms, fastest {a['frames fastest'] * 1e3:.3f} ms "
          f"(building {a['frames building'] * 1e3:.3f} ms = {a['frames building'] / a['frames']:.0%})")
    print(f"  its parts (medians): Framework.from_rows (typed records) {a['framework records'] * 1e3:.3f} ms; "
          f"Dataset.from_columns {a['columns'] * 1e3:.3f} ms; pipeline with the framework's plans cached "
          f"{a['pipeline'] * 1e3:.3f} ms (a fresh framework computes its plans inside the pipeline)")
    print(f"ASEM in process from the CSV's text cells, as the command's path must convert them: "
          f"Framework.from_rows and Dataset.from_rows on strings, then the pipeline: median {a['text'] * 1e3:.3f} ms, fastest "
          f"{a['text fastest'] * 1e3:.3f} ms (building {a['text building'] * 1e3:.3f} ms = "
          f"{a['text building'] / a['text']:.0%})")
    print(f"  its parts (medians): np.array(strings, dtype=float) on the {a['cells']} number cells "
          f"{a['convert'] * 1e3:.3f} ms (the same numbers with 6 digits: {a['convert_6'] * 1e3:.3f} ms); "
          f"Framework.from_rows (text) {a['framework text'] * 1e3:.3f} ms; Dataset.from_rows "
          f"{a['rows'] * 1e3:.3f} ms")

    peak, values_bytes, results_bytes = compute_peak(big_data, big_meta)
    bound = 2 * values_bytes + results_bytes
    print(f"50,000 x 500 read + compute in process (tracemalloc): peak {peak / 2**20:.1f} MiB = "
          f"{peak / values_bytes:.2f} x the values matrix ({values_bytes / 2**20:.1f} MiB; "
          f"2 x values + results = {bound / 2**20:.1f} MiB)")

    def line(text, ok):
        print(f"  {text:<64} {'OK' if ok else 'MISSED'}")

    print(f"\ntargets (2-core machine, quiet; load average now {os.getloadavg()[0]:.2f}; "
          f"in brackets the verdict on CPU time):")

    def both(text, wall_ok, cpu_ok):
        print(f"  {text:<64} {'OK' if wall_ok else 'MISSED'} ({'OK' if cpu_ok else 'MISSED'})")

    both(f"5,000 x 200 command <= 1.5 x the csv.reader pass: {t_ref / f_ref:.2f} x ({c_ref / c_fref:.2f} x)",
         t_ref <= 1.5 * f_ref, c_ref <= 1.5 * c_fref)
    print(f"  {'  (without NumPy import: ' + f'{(t_ref - np_wall) / f_ref:.2f} x ({(c_ref - np_cpu) / c_fref:.2f} x))':<64}"
          " not a target, the floor's argument")
    both(f"50,000 x 500 command <= 8 s: {t_big:.2f} s ({c_big:.2f} s)", t_big <= 8, c_big <= 8)
    both(f"ASEM whole command <= 0.15 s: {t_asem:.3f} s ({cpu['asem']:.3f} s)", t_asem <= 0.15, cpu["asem"] <= 0.15)
    both(f"chiso --help <= 0.15 s: {t_help:.3f} s ({cpu['help']:.3f} s)", t_help <= 0.15, cpu["help"] <= 0.15)
    line(f"50,000 x 500 command <= 1.5 GB: {rss_big / 2**30:.2f} GB", rss_big <= 1.5 * 2**30)
    line(f"ASEM in process from data frames, building included, <= 0.6 ms: {a['frames'] * 1e3:.3f} ms "
         f"(fastest {a['frames fastest'] * 1e3:.3f})", a["frames"] <= 0.6e-3)
    text_note = f"  (from the CSV's text cells, as the command's path: {a['text'] * 1e3:.3f} ms)"
    print(f"  {text_note:<64} not a target")
    line(f"compute peak <= 2 x values + results: {peak / 2**20:.1f} <= {bound / 2**20:.1f} MiB", peak <= bound)


def in_process() -> None:
    cases = [("ASEM", *load(ASEM / "ASEM_iData.csv", ASEM / "ASEM_iMeta.csv"), 3000)]
    for n, k, rep in ((50, 60, 3000), (5_000, 200, 60), (50_000, 200, 5)):
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
    print(f"  linear growth: 50,000 x 200 / 5,000 x 200 = {huge_t / big_t:.1f} (10x the cells)\n")


if __name__ == "__main__":
    main()
