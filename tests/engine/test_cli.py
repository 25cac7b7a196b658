"""Tests for chiso.engine.cli: `chiso index compute` output, options, and one-line errors."""

import csv
import subprocess
import sys

import numpy as np
import openpyxl
import pytest

from chiso.engine import IndexBuild, StepError
from chiso.engine.cli import main, parse_aggregate, parse_normalise

from .conftest import ASEM_IDATA, ASEM_IMETA

FULL_STEPS = """\
steps:
  - denominate
  - impute: {method: mean_group, group: EurAsia_group}
  - screen: {dat_thresh: 0.9, unit_screen: byNA}
  - treat: {winmax: 5}
  - normalise: {method: minmax, l_u: [0, 100]}
  - aggregate: {method: amean}
"""


def run(tmp_path, *extra):
    out = tmp_path / "results.csv"
    rc = main(["index", "compute", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA), "--out", str(out), *extra])
    rows = list(csv.reader(open(out, encoding="utf-8"))) if rc == 0 else None
    return rc, rows


def test_default_is_coinr_default_at_full_precision(tmp_path, asem):
    rc, rows = run(tmp_path)
    assert rc == 0
    fw, raw = asem
    expected = IndexBuild(fw, raw).normalise().aggregate().results()
    assert rows[0] == ["uCode", "uName", *fw.aggregates, "Rank"]
    assert len(rows) == 52
    for i, row in enumerate(rows[1:]):
        assert row[0] == raw.units[i] and row[1] == raw.names[i]
        assert [float(v) for v in row[2:-1]] == expected.scores[i].tolist()  # exact round trip
        assert int(row[-1]) == expected.rank[i]


def test_steps_file_runs_the_whole_pipeline(tmp_path):
    (tmp_path / "steps.yaml").write_text(FULL_STEPS)
    rc, rows = run(tmp_path, "--steps", str(tmp_path / "steps.yaml"))
    assert rc == 0
    che = next(r for r in rows if r[0] == "CHE")
    assert che[-1] == "1" and round(float(che[rows[0].index("Index")]), 2) == 68.38


def test_options_override_the_steps(tmp_path):
    rc, rows = run(tmp_path, "--normalise", "minmax:1,10", "--aggregate", "gmean")
    assert rc == 0
    idx = np.array([float(r[rows[0].index("Index")]) for r in rows[1:]])
    assert idx.min() >= 1 and idx.max() <= 10


def test_xlsx_has_every_level_ranks_and_log(tmp_path):
    rc, _ = run(tmp_path, "--xlsx", str(tmp_path / "out.xlsx"))
    assert rc == 0
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)
    assert wb.sheetnames == ["Results", "Level 1", "Level 2", "Level 3", "Level 4", "Ranks", "Log"]
    log = list(wb["Log"].values)
    assert log[0] == ("#", "step", "parameter", "value")
    assert (1, "normalise", "method", "minmax") in log
    level4 = list(wb["Level 4"].values)
    assert level4[0] == ("uCode", "uName", "Index") and len(level4) == 52


def test_parse_options():
    assert parse_normalise("minmax:1,10") == {"method": "minmax", "l_u": [1.0, 10.0]}
    assert parse_normalise("zscore") == {"method": "zscore"}
    assert parse_normalise("dist2ref:DEU") == {"method": "dist2ref", "ref": "DEU"}
    assert parse_aggregate("genmean:2") == {"method": "genmean", "p": 2.0}
    assert parse_aggregate("sum:10") == {"method": "sum", "scale": 10.0}
    for bad in ("minmax:1", "wobble", "rank:3"):
        with pytest.raises(StepError):
            parse_normalise(bad)
    with pytest.raises(StepError):
        parse_aggregate("genmean")


@pytest.mark.parametrize("args, expected", [
    (["--normalise", "minmax:0"], "minmax takes two numbers"),
    (["--aggregate", "gmean"], "geometric mean cannot take zero or negative values"),
    (["--steps", "MISSING.yaml"], "No such file or directory"),
])
def test_errors_are_one_message_and_nonzero_exit(tmp_path, capsys, args, expected):
    rc, _ = run(tmp_path, *args)
    err = capsys.readouterr().err
    assert rc == 1
    assert err.startswith("chiso: error:") and expected in err
    assert "Traceback" not in err


def test_invalid_framework_lists_problems(tmp_path, capsys):
    text = ASEM_IMETA.read_text().replace(',"Conn","Aggregate"', ',"Index","Aggregate"', 1)
    text = text.replace('4,"Index","Sustainable Connectivity",1,1,"Score",,,,', '4,"Index","Sustainable Connectivity",1,1,"Score",,,"Conn",')
    (tmp_path / "meta.csv").write_text(text)
    rc = main(["index", "compute", "--idata", str(ASEM_IDATA), "--imeta", str(tmp_path / "meta.csv"),
               "--out", str(tmp_path / "r.csv")])
    err = capsys.readouterr().err
    assert rc == 1 and "problems found" in err and "Traceback" not in err
    assert not (tmp_path / "r.csv").exists()


def test_bad_steps_file(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text("steps:\n  - normalise: {method: minmax, range: [0, 1]}\n  - aggregate\n")
    rc, _ = run(tmp_path, "--steps", str(tmp_path / "s.yaml"))
    assert rc == 1 and "step 1: normalise: unknown parameter(s) range" in capsys.readouterr().err


def test_no_traceback_from_the_real_command(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "chiso.engine.cli", "index", "compute", "--idata",
                           str(tmp_path / "none.csv"), "--imeta", str(ASEM_IMETA), "--out", str(tmp_path / "r.csv")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "none.csv" in proc.stderr


def test_validate_subcommand(capsys):
    assert main(["index", "validate", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA)]) == 0
    assert "51 units, 49 indicators, 11 aggregates over 4 levels" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["index"])
    assert e.value.code == 2


def test_imeta_is_needed_for_csv_data(tmp_path, capsys):
    rc = main(["index", "compute", "--idata", str(ASEM_IDATA), "--out", str(tmp_path / "r.csv")])
    assert rc == 1 and "--imeta is required" in capsys.readouterr().err
    rc = main(["index", "compute", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IDATA),
               "--out", str(tmp_path / "r.csv")])
    assert rc == 1 and "no 'iCode' column" in capsys.readouterr().err


DOCS_EXAMPLE = """\
steps:
  - screen: {dat_thresh: 0.66, unit_screen: byNAandzeros, nonzero_thresh: 0.05, force: {BRN: true}}
  - impute: {method: median_group, group: GDPpc_group}
  - treat:
      winmax: 3
      overrides: {TIRcon: none, Flights: {winmax: 10}}
  - normalise:
      method: minmax
      l_u: [1, 10]
      overrides: {CPI: {method: goalposts, lower: 0, upper: 100, scale: 10}}
  - aggregate:
      method: amean
      methods: {4: gmean}
      dat_thresh: {2: 0.5}
      weights: {Conn: 2}
"""


def test_the_documented_steps_example_runs(tmp_path, asem):
    (tmp_path / "s.yaml").write_text(DOCS_EXAMPLE)
    rc, rows = run(tmp_path, "--steps", str(tmp_path / "s.yaml"))
    assert rc == 0
    header = rows[0]
    fw, raw = asem
    units = [r[0] for r in rows[1:]]
    assert "BRN" in units  # forced in
    conn = np.array([float(r[header.index("Conn")]) for r in rows[1:]])
    sust = np.array([float(r[header.index("Sust")]) for r in rows[1:]])
    index = np.array([float(r[header.index("Index")]) for r in rows[1:]])
    # the index is the weighted geometric mean of Conn (weight 2) and Sust (weight 1)
    np.testing.assert_allclose(index, np.exp((2 * np.log(conn) + np.log(sust)) / 3), rtol=1e-12)


def test_panel_data_is_imputed_from_earlier_years_and_ranked_per_year(tmp_path):
    (tmp_path / "meta.csv").write_text("iCode,Level,Parent,Weight,Type\na,1,T,1,Indicator\nb,1,T,1,Indicator\n"
                                       "T,2,,1,Aggregate\n")
    (tmp_path / "data.csv").write_text("uCode,uName,Time,a,b\nX,Ex,2020,1,10\nY,Why,2020,3,30\n"
                                       "X,Ex,2021,2,\nY,Why,2021,1,20\n")
    (tmp_path / "s.yaml").write_text("steps:\n  - impute: {method: panel}\n  - normalise: {method: none}\n"
                                     "  - aggregate\n")
    rc = main(["index", "compute", "--idata", str(tmp_path / "data.csv"), "--imeta", str(tmp_path / "meta.csv"),
               "--steps", str(tmp_path / "s.yaml"), "--out", str(tmp_path / "r.csv")])
    assert rc == 0
    rows = list(csv.reader(open(tmp_path / "r.csv")))
    assert rows[0] == ["uCode", "uName", "Time", "T", "Rank"]
    # X 2021 takes b = 10 from 2020: T = (2 + 10)/2 = 6, below Y's (1 + 20)/2 = 10.5; ranks per year
    assert rows[1:] == [["X", "Ex", "2020", "5.5", "2"], ["Y", "Why", "2020", "16.5", "1"],
                        ["X", "Ex", "2021", "6.0", "2"], ["Y", "Why", "2021", "10.5", "1"]]


def _fresh_python(code, env_extra=None):
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                                           "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")}
    env.update(env_extra or {})
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_help_imports_nothing_heavy():
    out = _fresh_python("import sys\nfrom chiso.engine import cli\ntry:\n    cli.main(['--help'])\n"
                        "except SystemExit:\n    pass\n"
                        "print(sorted(m for m in ('numpy', 'yaml', 'openpyxl') if m in sys.modules))")
    assert out.splitlines()[-1] == "[]"


def test_csv_compute_imports_only_what_it_needs(tmp_path):
    out = _fresh_python(
        "import sys\nfrom chiso.engine.cli import main\n"
        f"assert main(['index', 'compute', '--idata', {str(ASEM_IDATA)!r}, '--imeta', {str(ASEM_IMETA)!r}, "
        f"'--out', {str(tmp_path / 'r.csv')!r}]) == 0\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('yaml', 'openpyxl', 'threadpoolctl') "
        "or m in ('chiso.engine.uncertainty', 'chiso.engine.bootstrap', 'chiso.engine.batched', "
        "'chiso.engine.audit_cli')))")
    assert out == "[]"


def test_blas_runs_on_one_thread():
    # Imported before NumPy (the command line): the environment, before the library starts.
    assert _fresh_python("import os, chiso.engine, numpy\nprint(os.environ['OPENBLAS_NUM_THREADS'])") == "1"
    # NumPy loaded first (a host application): the loaded BLAS is limited.
    out = _fresh_python("import numpy, threadpoolctl\nimport chiso.engine\n"
                        "print({i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas'})")
    assert out in ("{1}", "set()")
    # A user's own choice is kept.
    assert _fresh_python("import os, chiso.engine\nprint(os.environ['OPENBLAS_NUM_THREADS'])",
                         {"OPENBLAS_NUM_THREADS": "2"}) == "2"


def test_audit_is_dispatched_lazily_and_says_when_unavailable(monkeypatch, capsys):
    from chiso.engine import cli

    monkeypatch.setattr(cli, "AUDIT_MODULE", "chiso.engine.no_such_audit_module")
    rc = main(["index", "audit", "--idata", str(ASEM_IDATA)])
    err = capsys.readouterr().err
    assert rc == 1 and err.startswith("chiso: error: the audit sub-command is unavailable")
    help_text = subprocess.run([sys.executable, "-m", "chiso.engine.cli", "index", "--help"],
                               capture_output=True, text=True).stdout
    assert "audit" in help_text


def test_package_names_are_the_functions_after_their_modules_load():
    import chiso.engine as engine
    from chiso.engine.build import IndexBuild  # noqa: F401 - loads aggregate, normalise, rank, ...

    assert callable(engine.aggregate) and callable(engine.normalise) and callable(engine.rank)
    assert {"IndexBuild", "uncertainty", "Dataset", "load"} <= set(engine.__all__)


def test_sliced_steps_and_last_only_builds_match_the_whole(asem, monkeypatch):
    from chiso.engine import build as build_module

    fw, raw = asem
    whole = IndexBuild(fw, raw).normalise(method="zscore").aggregate(dat_thresh=0.5).results()
    monkeypatch.setattr(build_module, "CHUNK_CELLS", 100)  # 2 rows / 2 columns per slice
    sliced = IndexBuild.from_steps(fw, raw, [("normalise", {"method": "zscore"}),
                                             ("aggregate", {"dat_thresh": 0.5})], keep="last")
    res = sliced.results()
    # Sums over slices may round differently in the last bit; the missing cells are the same.
    np.testing.assert_allclose(res.scores, whole.scores, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(np.isnan(res.scores), np.isnan(whole.scores))
    assert sliced.raw is None and len(sliced.datasets) == 1 and len(sliced.log) == 2
    with pytest.raises(StepError, match="kept only its last"):
        sliced.replay()
    with pytest.raises(StepError, match="geometric mean"):
        IndexBuild(fw, raw).normalise(method="zscore").aggregate(method="gmean")
