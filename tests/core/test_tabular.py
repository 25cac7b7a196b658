import datetime
import io

import pytest
from openpyxl import Workbook

from chiso.core.tabular import ImportFailed, decode_text, normalise_header, parse_date, read_table, read_tables

TEXT = "code,name_vi\nS-TC,Sở Tài chính\nX-HOAAN,Xã Hòa An\n"


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"]  # utf-16 with BOM, as Excel's "Unicode text"
)
def test_every_excel_encoding_reads_the_same_names(encoding, cp1258):
    content = cp1258(TEXT) if encoding == "cp1258" else TEXT.encode(encoding)
    table = read_table("units.csv", content)
    assert table.headers == ["code", "name_vi"]
    assert [values["name_vi"] for _, values in table.rows] == ["Sở Tài chính", "Xã Hòa An"]


def test_windows_1258_tone_marks_are_composed(cp1258):
    # cp1258 writes "ở" as "ơ" + a combining hook; the reader must give the composed letter.
    content = cp1258("Sở Tài chính")
    assert b"\xd2" in content  # the combining hook above really is in the bytes
    text = decode_text(content)
    assert text == "Sở Tài chính" and len(text) == 12


def test_semicolon_and_tab_delimiters():
    assert read_table("a.csv", b"code;name_vi\nA;B\n").rows == [(2, {"code": "A", "name_vi": "B"})]
    assert read_table("a.txt", b"code\tname_vi\nA\tB\n").rows == [(2, {"code": "A", "name_vi": "B"})]


def test_row_numbers_count_like_excel_and_skip_blank_lines():
    table = read_table("a.csv", b"\ncode,name_vi\nA,B\n,\nC,D\n")
    assert [number for number, _ in table.rows] == [3, 5]


def test_xlsx_sheets_and_dates():
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "units"
    sheet.append(["code", "valid_from"])
    sheet.append(["A", datetime.datetime(2025, 7, 1)])
    workbook.create_sheet("empty")
    lineage = workbook.create_sheet("lineage")
    lineage.append(["predecessor_code"])
    lineage.append(["A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    tables = read_tables("book.xlsx", buffer.getvalue())
    assert [t.sheet for t in tables] == ["units", "lineage"]
    assert tables[0].rows == [(2, {"code": "A", "valid_from": datetime.date(2025, 7, 1)})]


def test_empty_old_xls_and_broken_xlsx_are_clear_errors():
    for content, words in [(b"  \n", "không có nội dung"), (b"\xd0\xcf\x11\xe0rest", ".xls"), (b"PK\x03\x04garbage", "XLSX")]:
        with pytest.raises(ImportFailed) as failure:
            read_table("f.csv", content)
        assert words in str(failure.value)
        assert "f.csv" in str(failure.value)


def test_headers_compare_without_accents_or_case():
    assert normalise_header(" Mã Đơn vị ") == "ma_don_vi"
    assert normalise_header("Valid-From") == "valid_from"


def test_dates_in_vietnamese_and_iso_forms():
    assert parse_date("13/03/2023") == datetime.date(2023, 3, 13)
    assert parse_date("2023-03-13") == datetime.date(2023, 3, 13)
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("03/13/2023")
    with pytest.raises(ValueError):
        parse_date("tháng ba")
