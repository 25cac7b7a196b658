"""Tests for chiso.engine.io: COINr CSV, YAML and XLSX in and out, and the messages for bad files."""

import csv
import math
import random
import shutil
import struct

import numpy as np
import pytest

from chiso.engine import (FrameworkError, load, read_framework, read_idata_csv, read_imeta_csv, read_xlsx,
                          read_yaml, write_idata_csv, write_imeta_csv, write_xlsx, write_yaml)
from chiso.engine import ingest
from chiso.engine.ingest import parse_numbers, read_csv_rows
from chiso.engine.io import format_number, results_table, write_results, write_results_csv

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


# ---------------------------------------------------------------------- the column-wise reader
# The row-by-row reader this project had before chiso.engine.ingest, kept here as the reference
# the vectorised one must match cell for cell and message for message.
def legacy_dataset(path, framework):
    header, rows = read_csv_rows(path)
    columns = [str(c).strip() for c in header]
    problems = framework.data_problems(columns)

    def blank(v):
        return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and v.strip() in ("", "NA"))

    def text(v):
        return None if blank(v) else str(v).strip()

    rows = [r for r in rows if any(not blank(v) for v in r)]
    n = len(rows)
    pos = {c: i for i, c in enumerate(columns)}

    def col(name):
        i = pos[name]
        return [r[i] if i < len(r) else None for r in rows]

    def numbers(name, allow_na=False):
        out, na = np.empty(n), np.zeros(n, dtype=bool)
        for i, v in enumerate(col(name)):
            if blank(v):
                out[i] = np.nan
            elif allow_na and isinstance(v, str) and v.strip().upper() == "N/A":
                out[i], na[i] = np.nan, True
            else:
                try:
                    out[i] = float(v.strip())
                except ValueError:
                    problems.append(f"row {2 + i}, column '{name}': {v!r} is not a number")
                    out[i] = np.nan
        return out, na

    units = [text(v) for v in col("uCode")] if "uCode" in pos else [f"U{i + 1}" for i in range(n)]
    names = [text(v) or "" for v in col("uName")] if "uName" in pos else [""] * n
    codes = tuple(c for c in framework.indicators if c in pos)
    values = np.empty((n, len(codes)))
    na = np.zeros((n, len(codes)), dtype=bool)
    for j, c in enumerate(codes):
        values[:, j], na[:, j] = numbers(c, True)
    meta = {}
    for c in columns:
        node = framework[c] if c in framework else None
        if c == "Time" or (node is not None and node.type == "Denominator"):
            meta[c] = numbers(c)[0]
        elif node is not None and node.type in ("Group", "Other"):
            meta[c] = [text(v) for v in col(c)]
    for i, u in enumerate(units):
        if u is None:
            problems.append(f"row {2 + i}: missing uCode")
    keys = list(zip(units, meta["Time"])) if "Time" in meta else list(units)
    seen = {}
    for i, k in enumerate(keys):
        if k in seen:
            what = f"unit '{k[0]}' at Time {int(k[1]) if float(k[1]).is_integer() else k[1]}" \
                if isinstance(k, tuple) else f"uCode '{k}'"
            problems.append(f"row {2 + i}: duplicate {what} (first at row {2 + seen[k]})")
        else:
            seen[k] = i
    if problems:
        raise FrameworkError(problems, str(path))
    return units, names, codes, values, na, meta


def read_both(path, framework):
    """(new reader's outcome, legacy outcome): a Dataset's parts or the error message."""
    try:
        d = read_idata_csv(path, framework)
        new = (list(d.units), list(d.names), d.codes, d.values,
               d.not_applicable if d.not_applicable is not None else np.zeros(d.values.shape, bool),
               {k: list(v) for k, v in d.meta.items()})
    except FrameworkError as e:
        new = str(e)
    try:
        units, names, codes, values, na, meta = legacy_dataset(path, framework)
        old = (units, names, codes, values, na, {k: list(v) for k, v in meta.items()})
    except FrameworkError as e:
        old = str(e)
    return new, old


def assert_same(new, old):
    if isinstance(old, str) or isinstance(new, str):
        assert new == old
        return
    assert new[0] == old[0] and new[1] == old[1] and new[2] == old[2]
    np.testing.assert_array_equal(new[3], old[3])
    assert np.array_equal(np.signbit(new[3]), np.signbit(old[3]))  # -0.0 stays -0.0
    np.testing.assert_array_equal(new[4], old[4])
    assert new[5].keys() == old[5].keys()
    for k in old[5]:
        a, b = np.array(new[5][k], dtype=object), np.array(old[5][k], dtype=object)
        assert len(a) == len(b) and all((x == y) or (x != x and y != y) for x, y in zip(a, b)), k


def test_reader_matches_the_row_by_row_reader_on_asem(asem, tmp_path):
    fw, _ = asem
    assert_same(*read_both(ASEM_IDATA, fw))


META = "iCode,Level,Parent,Type\na,1,T,Indicator\nb,1,T,Indicator\nc,1,T,Indicator\ng,,,Group\nd,,,Denominator\nT,2,,Aggregate\n"


@pytest.mark.parametrize("body", [
    # blanks, NA, N/A (any case), spaces, quoted numbers, -0, exponents, 17 digits, words
    'uCode,uName,a,b,c,g,d\nX,Ex,1.5,,NA,G1,10\nY,"Why, not",N/A,n/a, 2 ,G2,\nZ,Zed,"3",-0,1e-5,,1e3\n'
    'W,"Dou""ble",29.017250000000001,0.1,-.5E+2,NA,"7"\n',
    # bad cells in several columns and rows, a bad denominator, "N/A" where it is no marker
    'uCode,uName,a,b,c,g,d\nX,Ex,lots,1,2,G,N/A\nY,Why,1,2,nan-ish,G,x\nZ,Zed,1_000,inf,nan,G,1\n',
    # blank lines, a row of blanks, a row of spaces, CRLF, a BOM
    '\ufeffuCode,uName,a,b,c,g,d\r\nX,Ex,1,2,3,G,1\r\n\r\n,,,,,,\r\n , ,NA, , , , \r\nY,Why,4,5,6,G,2\r\n',
    # a missing and a duplicate uCode (rows numbered after the blank line)
    'uCode,uName,a,b,c,g,d\nX,Ex,1,2,3,G,1\n\nX,Ex2,1,2,3,G,1\n,NoCode,1,2,3,G,1\n',
    # ragged rows (the csv module's path), a lone carriage return, a quote inside a field
    'uCode,uName,a,b,c,g,d\nX,Ex,1,2,3,G\nY,Why,1,2,3,G,1,extra\n',
    'uCode,uName,a,b,c,g,d\rX,Ex,1,2,3,G,1\r',
    'uCode,uName,a,b,c,g,d\nX,E"x,1,2,3,G,1\n',
    # a quoted newline in a name, no newline at the end
    'uCode,uName,a,b,c,g,d\nX,"Two\nlines",1,2,3,G,1\nY,Why,4,5,6,G,2',
    # header only; columns in another order than the framework's
    'uCode,uName,a,b,c,g,d\n',
    'd,c,uName,b,uCode,a,g\n1,2,Ex,3,X,4,G\n5,6,Why,7,Y,8,H\n',
])
def test_reader_matches_the_row_by_row_reader(tmp_path, body):
    (tmp_path / "m.csv").write_text(META)
    (tmp_path / "d.csv").write_bytes(body.encode("utf-8"))
    fw = read_imeta_csv(tmp_path / "m.csv")
    assert_same(*read_both(tmp_path / "d.csv", fw))


def test_reader_matches_on_random_files_across_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest, "BLOCK_BYTES", 97)  # records cut across many blocks
    rng = random.Random(7)
    cells = ["", "NA", "N/A", " 1.5", "2 ", "-0", "+3", "1e5", "1E-05", ".5", "5.", "1.2.3", "x", "nan", "inf",
             "29.017250000000001", "123456789012345678", "1e400", '"4.25"', "0.1", "-12.4362", "1,5"]
    (tmp_path / "m.csv").write_text(META)
    fw = read_imeta_csv(tmp_path / "m.csv")
    for trial in range(30):
        lines = ["uCode,uName,a,b,c,g,d"]
        for i in range(rng.randint(0, 25)):
            row = [f"U{i}", rng.choice(["Ex", '"A, b"', '"Q""uote"', "", "Đà Nẵng"])]
            row += [rng.choice(cells) if rng.random() < 0.3 else repr(rng.uniform(-1e3, 1e3)) for _ in range(3)]
            row += [rng.choice(["G1", "G2", ""]), rng.choice(["1", "", "2.5"])]
            lines.append(",".join(row))
            if rng.random() < 0.1:
                lines.append("")
        (tmp_path / "d.csv").write_text("\n".join(lines) + rng.choice(["\n", ""]), encoding="utf-8")
        assert_same(*read_both(tmp_path / "d.csv", fw))


def test_numbers_are_the_doubles_python_reads():
    rng = random.Random(3)
    texts = []
    for _ in range(20000):
        k = rng.random()
        if k < 0.3:
            texts.append(repr(rng.uniform(-1e6, 1e6)))
        elif k < 0.5:
            texts.append("%.*g" % (rng.randint(1, 17), rng.lognormvariate(0, 8)))
        elif k < 0.7:
            texts.append("%.*e" % (rng.randint(0, 17), rng.uniform(-1, 1) * 10 ** rng.randint(-30, 30)))
        else:
            texts.append("".join(rng.choice("0123456789.eE+-") for _ in range(rng.randint(1, 12))))
    buf = (",".join(texts) + "\n").encode()
    lengths = np.array([len(t) for t in texts])
    starts = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    values, odd = parse_numbers(np.frombuffer(buf, np.uint8), starts, starts + lengths)
    assert (~odd).sum() > 12000  # most go through the byte pass
    for t, v, o in zip(texts, values, odd):
        if not o:
            assert struct.pack("d", float(t)) == struct.pack("d", v), t


def test_results_written_column_wise_are_the_row_by_row_text(tmp_path):
    x = np.array([[1 / 3, np.nan, 5.5], [1e-17, 2.0, -0.0]])
    rank = np.array([1.0, np.nan])
    for time in (None, np.array([2020.0, 2020.5])):
        header, rows = results_table(["A", "B"], ["a", "b"], ["P", "Q", "R"], x, rank, time)
        write_results_csv(tmp_path / "rows.csv", header, rows)
        write_results(tmp_path / "cols.csv", ["A", "B"], ["a", "b"], ["P", "Q", "R"], x, rank, time)
        assert (tmp_path / "cols.csv").read_text() == (tmp_path / "rows.csv").read_text()
