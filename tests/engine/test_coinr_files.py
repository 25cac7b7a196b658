"""COINr users' files: R's write.csv output and COINr < 1.0 workbooks; DataFrames."""

import csv

import numpy as np
import pytest

from chiso.engine import IndexBuild
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
