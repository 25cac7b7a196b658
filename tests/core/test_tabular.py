import datetime
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from chiso.core.tabular import (
    ImportFailed,
    decode_text,
    normalise_header,
    parse_date,
    read_table,
    read_tables,
    upload_read,
    workbook_trimmed,
)

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
    for content, words in [(b"  \n", "không có nội dung"), (b"\xd0\xcf\x11\xe0rest", ".xls"), (b"PK\x03\x04garbage", "sổ tính Excel")]:
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


# --- bounded and strict reading ------------------------------------------------------------------


def _xlsx(rows, title="units") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(content: bytes, change) -> bytes:
    """The same workbook with xl/worksheets/sheet1.xml passed through change(xml) -> xml."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode()).encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def _problems(content, name="f.csv", **kwargs):
    with pytest.raises(ImportFailed) as failure:
        read_tables(name, content, **kwargs)
    return failure.value.problems


def test_bytes_no_encoding_reads_are_reported_by_row_and_column(cp1258):
    # 0x81 is undefined in Windows-1258: the file is not UTF-8 either.
    content = cp1258("code,name_vi\nS-TC,Sở Tài chính\n") + b"X-A,X\x81 Hoa\n"
    problems = _problems(content)
    assert [(p.row, p.column) for p in problems] == [(3, "name_vi")]
    assert "0x81" in problems[0].message and "CSV UTF-8" in problems[0].message
    assert "dòng 3" in str(problems[0]) and "cột name_vi" in str(problems[0])


def test_a_broken_byte_in_utf8_keeps_the_other_letters():
    content = "code,name_vi\nS-TC,Sở Tài chính\nX-A,Xã Hòa An\n".encode() + b"X-B,B\xff\n"
    problems = _problems(content)
    assert [(p.row, p.column, "0xFF" in p.message) for p in problems] == [(4, "name_vi", True)]


def test_a_nul_byte_is_reported_by_row_and_column():
    problems = _problems(b"code,name_vi\nA,B\x00C\nD,E\n")
    assert [(p.row, p.column) for p in problems] == [(2, "name_vi")]
    assert "NUL" in problems[0].message


def test_a_nul_byte_in_the_header_names_the_column_letter():
    problems = _problems(b"code,na\x00me\nA,B\n")
    assert [(p.row, p.column) for p in problems] == [(1, "B")]


def test_many_bad_cells_are_counted_not_all_listed():
    content = b"code,name\n" + b"".join(b"A%d,x\x00\n" % i for i in range(80))
    problems = _problems(content)
    assert len(problems) == 51 and "30" in problems[-1].message


def test_utf16_without_its_bom_reads():
    table = read_table("a.csv", "code,name_vi\nA,Sở\n".encode("utf-16-le"))
    assert table.rows == [(2, {"code": "A", "name_vi": "Sở"})]


def test_rows_and_columns_are_limited(settings):
    settings.CHISO_IMPORT_MAX_ROWS = 5
    settings.CHISO_IMPORT_MAX_COLUMNS = 3
    problems = _problems(b"a,b\n" + b"1,2\n" * 10)
    assert problems[0].row == 6 and "CHISO_IMPORT_MAX_ROWS" in problems[0].message
    problems = _problems(b"a,b,c,d\n1,2,3,4\n")
    assert (problems[0].row, problems[0].column) == (1, "D") and "CHISO_IMPORT_MAX_COLUMNS" in problems[0].message
    assert "CHISO_IMPORT_MAX_ROWS" in _problems(_xlsx([["a"]] + [[i] for i in range(10)]), "f.xlsx")[0].message
    assert "CHISO_IMPORT_MAX_COLUMNS" in _problems(_xlsx([["a", "b", "c", "d"]]), "f.xlsx")[0].message
    # Trailing empty cells are not columns: a CSV written with many trailing commas reads.
    assert read_table("a.csv", b"a,b,,,,,,,\n1,2,,,,,,,\n").headers == ["a", "b"]


def test_a_very_long_cell_is_a_clear_error():
    problems = _problems(b"a,b\n1,\"" + b"x" * 200_000 + b"\n")
    assert problems[0].row == 2 and "CSV" in problems[0].message


def test_a_sheet_claiming_every_cell_reads_only_the_cells_with_values():
    rows = [["code", "name_vi"]] + [[f"U{i}", f"Đơn vị {i}"] for i in range(20)]

    def claim_everything(xml):
        xml = re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:XFD1048576"/>', xml)
        # A formatted but empty cell far away, and a last row that holds nothing, as LibreOffice writes.
        xml = xml.replace("</sheetData>", '<row r="30"><c r="XFD30" s="0"/></row><row r="1048576"/></sheetData>')
        return xml

    content = _rewrite_sheet(_xlsx(rows), claim_everything)
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    table = read_table("big.xlsx", content)
    assert table.headers == ["code", "name_vi"]
    assert len(table.rows) == 20 and table.rows[-1] == (21, {"code": "U19", "name_vi": "Đơn vị 19"})


def test_rows_keep_their_excel_numbers_across_gaps():
    def gap(xml):
        return xml.replace("</sheetData>", '<row r="9"><c r="A9" t="inlineStr"><is><t>Z</t></is></c></row></sheetData>')

    table = read_table("gap.xlsx", _rewrite_sheet(_xlsx([["code"], ["A"]]), gap))
    assert table.rows == [(2, {"code": "A"}), (9, {"code": "Z"})]


def test_a_truncated_workbook_is_damaged_not_a_crash():
    content = _xlsx([["code"], ["A"]])
    for cut in (len(content) // 2, len(content) - 30):
        problems = _problems(content[:cut], "cut.xlsx")
        assert "Tệp bị hỏng hoặc không phải là sổ tính Excel" in problems[0].message


def test_a_zip_bomb_is_refused_before_it_is_opened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * (40 * 1024 * 1024))
    content = buffer.getvalue()
    assert len(content) < 200_000
    problems = _problems(content, "bomb.xlsx")
    assert "CHISO_IMPORT_MAX_COMPRESSION_RATIO" in problems[0].message
    assert "xl/worksheets/sheet1.xml" in problems[0].message


def test_the_kind_bounds_the_size_before_reading(settings):
    settings.CHISO_UPLOAD_MAX_BYTES = {"units": 100}
    problems = _problems(b"code\n" + b"A\n" * 100, "u.csv", kind="units")
    assert "CHISO_UPLOAD_MAX_BYTES_UNITS" in problems[0].message and "danh sách đơn vị" in problems[0].message


def test_upload_read_refuses_before_reading(settings):
    settings.CHISO_UPLOAD_MAX_BYTES = {"frame": 10}

    class Upload:
        name, size = "big.csv", 11

        def read(self):
            raise AssertionError("read although too large")

    with pytest.raises(ImportFailed) as failure:
        upload_read(Upload(), kind="frame")
    assert failure.value.problems[0].file == "big.csv"


def test_a_trimmed_copy_keeps_sheets_and_places():
    def claim_everything(xml):
        return re.sub(r'<dimension ref="[^"]+"/>', '<dimension ref="A1:AMJ1048576"/>', xml).replace(
            "</sheetData>", '<row r="1048576"/></sheetData>')

    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    survey.append(["type", "name", "label"])
    survey.append([])
    survey.append(["text", "q1", "Câu 1"])
    workbook.create_sheet("choices")
    buffer = io.BytesIO()
    workbook.save(buffer)
    copy = load_workbook(io.BytesIO(workbook_trimmed("f.xlsx", _rewrite_sheet(buffer.getvalue(), claim_everything))))
    assert copy.sheetnames == ["survey", "choices"]
    assert copy["survey"].max_row == 3 and copy["survey"].max_column == 3
    assert copy["survey"]["C3"].value == "Câu 1"
