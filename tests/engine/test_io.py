"""Tests for chiso.engine.io: COINr CSV, YAML and XLSX in and out, and the messages for bad files."""

import csv
import shutil

import numpy as np
import pytest

from chiso.engine import (FrameworkError, load, read_framework, read_idata_csv, read_imeta_csv, read_xlsx,
                          read_yaml, write_idata_csv, write_imeta_csv, write_xlsx, write_yaml)
from chiso.engine.io import format_number, results_table, write_results_csv

from .conftest import ASEM_IDATA, ASEM_IMETA


def same_data(a, b):
    assert list(a.units) == list(b.units) and list(a.names) == list(b.names)
    assert a.codes == b.codes
    np.testing.assert_array_equal(a.values, b.values)  # NaN in the same places, values bit-equal
    assert set(a.meta) == set(b.meta)


def test_asem_reads_as_coinr_does(asem):
    fw, data = asem
    assert data.values.shape == (51, 49)
    assert data.units[0] == "AUT" and data.names[0] == "Austria"
    assert int(np.isnan(data.values).sum()) == 63
    # 17-significant-digit cells read back to the exact double
    assert data.column("Flights")[0] == 29.017250000000001
    assert data.meta["EurAsia_group"][0] == "Europe" and data.meta["Time"][0] == 2018
    assert np.isnan(data.meta["Energy"]).sum() == 1


def test_csv_round_trip(asem, tmp_path):
    fw, data = asem
    write_imeta_csv(fw, tmp_path / "m.csv")
    write_idata_csv(data, tmp_path / "d.csv")
    fw2 = read_imeta_csv(tmp_path / "m.csv")
    assert fw2.to_rows() == fw.to_rows()
    same_data(read_idata_csv(tmp_path / "d.csv", fw2), data)


def test_yaml_round_trip(asem, tmp_path):
    fw, data = asem
    write_yaml(fw, tmp_path / "f.yaml", data)
    fw2, data2 = read_yaml(tmp_path / "f.yaml")
    assert fw2.to_rows() == fw.to_rows()
    same_data(data2, data)


def test_xlsx_round_trip(asem, tmp_path):
    fw, data = asem
    write_xlsx(fw, tmp_path / "f.xlsx", data)
    fw2, data2 = read_xlsx(tmp_path / "f.xlsx")
    assert [r["iCode"] for r in fw2.to_rows()] == [r["iCode"] for r in fw.to_rows()]
    assert fw2.tree.codes == fw.tree.codes
    # openpyxl writes 16 significant digits: equal to ~1e-16 relative, not bit for bit
    assert fw2["Elec"].target == pytest.approx(fw["Elec"].target, rel=1e-15)
    assert list(data2.units) == list(data.units) and data2.codes == data.codes
    np.testing.assert_allclose(data2.values, data.values, rtol=1e-15)
    fw3, data3 = load(tmp_path / "f.xlsx")  # one file holding both
    assert data3.values.shape == data.values.shape


def test_na_text_is_missing(tmp_path):
    (tmp_path / "m.csv").write_text('iCode,Level,Parent,Type\na,1,T,Indicator\nT,2,,Aggregate\n')
    (tmp_path / "d.csv").write_text('uCode,uName,a\nX,Ex,NA\nY,Why,\nZ,Zed,3.5\n')
    fw = read_imeta_csv(tmp_path / "m.csv")
    d = read_idata_csv(tmp_path / "d.csv", fw)
    assert np.isnan(d.values[:2, 0]).all() and d.values[2, 0] == 3.5
    assert d.not_applicable is None


def test_not_applicable_marker(tmp_path):
    (tmp_path / "m.csv").write_text('iCode,Level,Parent,Type\na,1,T,Indicator\nb,1,T,Indicator\nT,2,,Aggregate\n')
    (tmp_path / "d.csv").write_text('uCode,a,b\nX,N/A,1\nY,2,NA\n')
    d = read_idata_csv(tmp_path / "d.csv", read_imeta_csv(tmp_path / "m.csv"))
    assert d.not_applicable.tolist() == [[True, False], [False, False]]
    assert np.isnan(d.values[1, 1])


def test_bad_data_lists_every_problem_with_rows_and_columns(tmp_path):
    shutil.copy(ASEM_IMETA, tmp_path / "m.csv")
    with open(ASEM_IDATA, newline="") as f:
        table = list(csv.reader(f))
    header = table[0]
    header[header.index("LPI")] = "LPI_typo"           # data column with no indicator, LPI lost
    table[3][header.index("Ship")] = "lots"            # not a number, file row 4
    table[5][1] = table[4][1]                          # duplicate uCode at row 6
    with open(tmp_path / "d.csv", "w", newline="") as f:
        csv.writer(f).writerows(table)
    with pytest.raises(FrameworkError) as e:
        load(tmp_path / "d.csv", tmp_path / "m.csv")
    text = str(e.value)
    assert "indicator 'LPI' (iMeta row 2) has no data column" in text
    assert "column 12 'LPI_typo': no indicator" in text
    assert "row 4, column 'Ship': 'lots' is not a number" in text
    assert f"row 6: duplicate unit '{table[4][1]}' at Time 2018 (first at row 5)" in text


def test_bad_meta_file_names_the_file_and_rows(tmp_path):
    text = ASEM_IMETA.read_text().replace('"LPI","Logistics Performance Index",1,1', '"LPI","Logistics Performance Index",1,"one"')
    text = text.replace('"Physical","Physical",1,1,"Score",,,"Conn"', '"Physical","Physical",1,1,"Score",,,"Connn"')
    (tmp_path / "m.csv").write_text(text)
    with pytest.raises(FrameworkError) as e:
        read_framework(tmp_path / "m.csv")
    msg = str(e.value)
    assert str(tmp_path / "m.csv") in msg
    assert "row 2: Weight of 'LPI' is not a number: 'one'" in msg
    assert "row 51: unknown parent 'Connn' of 'Physical'" in msg


def test_unreadable_files(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(FrameworkError, match="empty"):
        read_imeta_csv(tmp_path / "empty.csv")
    (tmp_path / "bad.xlsx").write_text("not a zip")
    with pytest.raises(FrameworkError, match="not a readable XLSX"):
        read_xlsx(tmp_path / "bad.xlsx")
    (tmp_path / "bad.yaml").write_text("iMeta: [unclosed")
    with pytest.raises(FrameworkError, match="not valid YAML"):
        read_yaml(tmp_path / "bad.yaml")
    (tmp_path / "latin1.csv").write_bytes("iCode,iName\na,Đ\n".encode("utf-16"))
    with pytest.raises(FrameworkError, match="UTF-8"):
        read_imeta_csv(tmp_path / "latin1.csv")


def test_results_csv_keeps_full_precision(tmp_path):
    x = np.array([[1 / 3, 2 / 3], [np.nan, 1e-17]])
    header, rows = results_table(["A", "B"], ["a", "b"], ["P", "Q"], x, np.array([1.0, np.nan]))
    write_results_csv(tmp_path / "r.csv", header, rows)
    got = list(csv.reader(open(tmp_path / "r.csv")))
    assert got[0] == ["uCode", "uName", "P", "Q", "Rank"]
    assert float(got[1][2]) == 1 / 3 and float(got[1][3]) == 2 / 3
    assert got[2][2] == "" and got[2][4] == "" and got[1][4] == "1"
    assert format_number(0.1 + 0.2) == "0.30000000000000004"
