"""COINr users' files: R's write.csv output and COINr < 1.0 workbooks; DataFrames."""

import csv

import numpy as np
import pytest

from chiso.engine import IndexBuild, StepError
from chiso.engine.coinr_files import load_r_csv, read_coinr6_workbook, to_pandas

from .conftest import ASEM_IDATA, ASEM_IMETA


def with_row_names(src, dst):
    with open(src, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    with open(dst, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_NONNUMERIC)
        w.writerow([""] + rows[0])
        for i, r in enumerate(rows[1:], 1):
            w.writerow([str(i)] + r)


def test_r_write_csv_with_row_names(tmp_path, asem):
    with_row_names(ASEM_IDATA, tmp_path / "d.csv")
    with_row_names(ASEM_IMETA, tmp_path / "m.csv")
    fw, data, notes = load_r_csv(tmp_path / "d.csv", tmp_path / "m.csv")
    assert len(notes) == 2 and "row-name" in notes[0]
    ref_fw, ref = asem
    np.testing.assert_array_equal(data.values, ref.values)
    assert fw.indicators == ref_fw.indicators
    fw2, data2, notes2 = load_r_csv(ASEM_IDATA, ASEM_IMETA)  # plain files pass through
    assert notes2 == [] and data2.codes == ref.codes


def test_coinr6_workbook(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "IndData"
    ws.append(["UnitName", "UnitCode", "Year", "Group_Size", "Den_Pop", "x1", "x2", "x3"])
    for i in range(5):
        ws.append([f"Unit {i}", f"U{i}", 2020, "S" if i < 3 else "L", 10 + i, i, 2 * i + 1, 5 - i])
    ws = wb.create_sheet("IndMeta")
    ws.append(["IndName", "IndCode", "Direction", "IndWeight", "Denominator", "IndUnit", "Target", "Agg1", "Agg2"])
    ws.append(["X one", "x1", 1, 1, "Den_Pop", "", None, "P1", "Index"])
    ws.append(["X two", "x2", 1, 2, None, "", None, "P1", "Index"])
    ws.append(["X three", "x3", -1, 1, None, "", None, "P2", "Index"])
    ws = wb.create_sheet("AggMeta")
    ws.append(["AgLevel", "Code", "Name", "Weight"])
    ws.append([2, "P1", "Pillar 1", 1])
    ws.append([2, "P2", "Pillar 2", 1])
    ws.append([3, "Index", "Index", 1])
    wb.save(tmp_path / "old.xlsx")
    fw, data, notes = read_coinr6_workbook(tmp_path / "old.xlsx")
    assert "COINr < 1.0" in notes[0]
    assert fw["x1"].parent == "P1" and fw["P1"].parent == "Index" and fw["x3"].direction == -1
    assert fw["x1"].denominator == "Den_Pop" and fw["x2"].weight == 2
    assert list(data.units) == [f"U{i}" for i in range(5)] and "Group_Size" in data.meta
    res = IndexBuild(fw, data).normalise().aggregate().results()
    assert res.rank_code == "Index"


def test_to_pandas(asem):
    pytest.importorskip("pandas")
    fw, data = asem
    frames = to_pandas(IndexBuild(fw, data).normalise().aggregate())
    assert list(frames["results"].columns[:2]) == ["uCode", "uName"] and "Rank" in frames["results"]
    assert frames["data"].shape == (51, len(fw.tree.codes))
    assert set(frames["log"]["step"]) == {"normalise", "aggregate"}


# ---------------------------------------------------------------------- the same files through load and the CLI
def _coinr6_workbook(path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "IndData"
    ws.append(["UnitName", "UnitCode", "x1", "x2"])
    for i in range(4):
        ws.append([f"Unit {i}", f"U{i}", i + 1, 10 - i])
    ws = wb.create_sheet("IndMeta")
    ws.append(["IndName", "IndCode", "Direction", "IndWeight", "Agg1"])
    ws.append(["X one", "x1", 1, 1, "Index"])
    ws.append(["X two", "x2", -1, 1, "Index"])
    ws = wb.create_sheet("AggMeta")
    ws.append(["AgLevel", "Code", "Name", "Weight"])
    ws.append([2, "Index", "Index", 1])
    wb.save(path)


def test_load_reads_r_write_csv_output_and_says_so(tmp_path, asem):
    from chiso.engine.io import load, load_with_notes

    with_row_names(ASEM_IDATA, tmp_path / "d.csv")
    with_row_names(ASEM_IMETA, tmp_path / "m.csv")
    fw, data, notes = load_with_notes(tmp_path / "d.csv", tmp_path / "m.csv")
    ref_fw, ref = asem
    np.testing.assert_array_equal(data.values, ref.values)
    assert fw.indicators == ref_fw.indicators and list(data.units) == list(ref.units)
    assert len(notes) == 2 and all("write.csv" in n for n in notes)
    assert load(tmp_path / "d.csv", tmp_path / "m.csv")[1].codes == ref.codes
    assert load_with_notes(ASEM_IDATA, ASEM_IMETA)[2] == []  # today's files: no notes


def test_load_reads_a_coinr6_workbook_and_a_bad_workbook_still_names_the_imeta_sheet(tmp_path):
    from chiso.engine import FrameworkError
    from chiso.engine.io import load_with_notes

    _coinr6_workbook(tmp_path / "old.xlsx")
    fw, data, notes = load_with_notes(tmp_path / "old.xlsx")
    assert fw["x2"].direction == -1 and list(data.units) == ["U0", "U1", "U2", "U3"]
    assert "COINr < 1.0" in notes[0]
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.title = "Something"
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(FrameworkError) as failure:
        load_with_notes(tmp_path / "other.xlsx")
    assert failure.value.code == "file.no_imeta_sheet"


def test_cli_computes_from_coinr_files_with_notes_on_stderr(tmp_path, capsys):
    from chiso.engine.cli import main

    with_row_names(ASEM_IDATA, tmp_path / "d.csv")
    with_row_names(ASEM_IMETA, tmp_path / "m.csv")
    assert main(["index", "compute", "--idata", str(tmp_path / "d.csv"), "--imeta", str(tmp_path / "m.csv"),
                 "--out", str(tmp_path / "r.csv")]) == 0
    err = capsys.readouterr().err
    assert err.count("chiso: note:") == 2 and "write.csv" in err
    assert main(["index", "compute", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA),
                 "--out", str(tmp_path / "ref.csv")]) == 0
    assert capsys.readouterr().err == ""
    assert (tmp_path / "r.csv").read_text() == (tmp_path / "ref.csv").read_text()
    _coinr6_workbook(tmp_path / "old.xlsx")
    assert main(["index", "compute", "--idata", str(tmp_path / "old.xlsx"), "--out", str(tmp_path / "o.csv")]) == 0
    assert "COINr < 1.0" in capsys.readouterr().err
    with open(tmp_path / "o.csv", newline="") as f:
        assert [r[0] for r in csv.reader(f)][1:] == ["U0", "U1", "U2", "U3"]


@pytest.mark.parametrize("method", ["copeland", "mpi", "ampi"])
def test_cli_aggregates_with_copeland_mpi_and_ampi(tmp_path, method):
    from chiso.engine.cli import main, parse_aggregate

    assert parse_aggregate(method) == {"method": method}
    with pytest.raises(StepError):
        parse_aggregate(f"{method}:2")
    out = tmp_path / "r.csv"
    assert main(["index", "compute", "--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA),
                 "--aggregate", method, "--out", str(out)]) == 0
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    ranks = [int(r[-1]) for r in rows[1:] if r[-1]]
    assert len(ranks) == 51 and min(ranks) == 1


def test_index_build_to_pandas_delegates(asem):
    pytest.importorskip("pandas")
    fw, data = asem
    frames = IndexBuild(fw, data).normalise().aggregate().to_pandas()
    assert set(frames) == {"results", "data", "log"} and len(frames["results"]) == 51


def test_the_engine_imports_neither_pandas_nor_scipy_until_asked():
    import subprocess
    import sys

    code = ("import sys\nimport chiso.engine\nfrom chiso.engine import IndexBuild, load\nimport chiso.engine.io, "
            "chiso.engine.cli\nprint(sorted(m for m in ('pandas', 'scipy') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
