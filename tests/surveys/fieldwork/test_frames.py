"""Sample frames: tax codes, VSIC sectors, sizes, duplicates, and bad files refused whole."""

import io

import pytest
from openpyxl import Workbook

from chiso.core.tabular import ImportFailed
from chiso.surveys.fieldwork.frames import frame_import, size_class, tax_code_check, vsic_section
from chiso.surveys.models import FrameEntry, SampleFrame

from tests.surveys.conftest import frame_csv, tax_code

pytestmark = pytest.mark.django_db


def _xlsx(rows, merge=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Doanh nghiệp"
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _messages(failure) -> list[str]:
    return [str(p) for p in failure.value.problems]


def test_tax_code_check_digit_and_branches():
    assert tax_code_check("0100109106")  # a published tax code
    assert not tax_code_check("0100109107")
    assert tax_code_check("0100109106-001")
    assert not tax_code_check("010010910")
    assert tax_code_check(tax_code(42))


def test_vsic_sections_and_sizes_by_decree_80():
    assert vsic_section("4711") == "G" and vsic_section("01110") == "A" and vsic_section("C1010") == "C" and vsic_section("F") == "F"
    assert vsic_section("C4711") is None and vsic_section("04") is None and vsic_section("abc") is None
    assert size_class(60, "C") == "small" and size_class(60, "G") == "medium" and size_class(8, "G") == "micro"
    assert size_class("Siêu nhỏ", "") == "micro" and size_class("vừa", "") == "medium" and size_class("huge", "") is None


def test_a_frame_with_vietnamese_headers_is_imported_in_windows_1258(cp1258):
    rows = [
        [tax_code(1), "Công ty TNHH Hòa An", "Công ty TNHH", "4711", "12", "Xã Hòa An", "Số 1", "HoaAn@Example.vn", "+84 912 345 678"],
        [tax_code(2) + "-001", "Chi nhánh Nước Hai", "Chi nhánh", "1010", "siêu nhỏ", "Xã Nước Hai", "", "", "0206 3852 123"],
    ]
    content = cp1258(frame_csv(rows).decode())
    result = frame_import(name="Khung", file_name="khung.csv", content=content, by=None)
    entries = list(result.frame.entries.order_by("row"))
    assert result.entries == 2 and result.frame.entry_count == 2
    assert entries[0].name == "Công ty TNHH Hòa An" and entries[0].sector_section == "G" and entries[0].size == "small"
    assert entries[0].email == "hoaan@example.vn" and entries[0].phone == "0912345678"
    assert entries[1].tax_code.endswith("-001") and entries[1].size == "micro" and entries[1].phone == "02063852123"


def test_wrong_tax_codes_are_reported_by_row_and_column_and_nothing_is_stored():
    rows = [
        [tax_code(1), "Đúng", "", "4711", "", "", "", "", ""],
        ["12345", "Quá ngắn", "", "4711", "", "", "", "", ""],
        ["0100109107", "Sai số kiểm tra", "", "4711", "", "", "", "", ""],
        ["", "Thiếu mã", "", "4711", "", "", "", "", ""],
        [tax_code(5), "Ngành sai", "", "0400", "to", "", "", "not-an-email", "123"],
    ]
    with pytest.raises(ImportFailed) as failure:
        frame_import(name="Khung", file_name="khung.csv", content=frame_csv(rows), by=None)
    messages = _messages(failure)
    assert any("dòng 3" in m and "Mã số thuế" in m and "12345" in m for m in messages), messages
    assert any("dòng 4" in m and "chữ số kiểm tra" in m for m in messages), messages
    assert any("dòng 5" in m and "trống" in m for m in messages), messages
    assert any("dòng 6" in m and "Ngành VSIC" in m for m in messages)
    assert any("dòng 6" in m and "Quy mô" in m for m in messages)
    assert any("dòng 6" in m and "Email" in m for m in messages)
    assert any("dòng 6" in m and "Điện thoại" in m for m in messages)
    assert SampleFrame.objects.count() == 0 and FrameEntry.objects.count() == 0


def test_excel_dropping_the_leading_zero_is_explained():
    header = ["Mã số thuế", "Tên doanh nghiệp"]
    content = _xlsx([header, [100109106, "Viettel"]])
    with pytest.raises(ImportFailed) as failure:
        frame_import(name="Khung", file_name="khung.xlsx", content=content, by=None)
    assert "số 0" in _messages(failure)[0] and "trang tính Doanh nghiệp" in _messages(failure)[0]


def test_merged_cells_are_refused_with_their_place():
    content = _xlsx([["Mã số thuế", "Tên doanh nghiệp", "Xã, phường"], [tax_code(1), "A", "Xã A"], [tax_code(2), "B", ""]], merge="C2:C3")
    with pytest.raises(ImportFailed) as failure:
        frame_import(name="Khung", file_name="khung.xlsx", content=content, by=None)
    problem = failure.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("Doanh nghiệp", 2, "C") and "C2:C3" in problem.message
    assert SampleFrame.objects.count() == 0


def test_blank_rows_are_skipped_and_an_empty_file_is_refused():
    content = _xlsx([[], ["Mã số thuế", "Tên doanh nghiệp"], [tax_code(1), "A"], [None, None], [tax_code(2), "B"]])
    assert frame_import(name="Khung", file_name="khung.xlsx", content=content, by=None).entries == 2
    with pytest.raises(ImportFailed) as failure:
        frame_import(name="Rỗng", file_name="rong.csv", content=frame_csv([]), by=None)
    assert "không có dòng" in _messages(failure)[0]
    with pytest.raises(ImportFailed):
        frame_import(name="Hỏng", file_name="hong.csv", content="Tên\nA\n".encode(), by=None)  # no tax code column


def test_duplicates_are_merged_when_they_agree_and_reported_when_they_differ():
    code = tax_code(7)
    agreeing = [[code, "Công ty Bảy", "", "4711", "", "", "", "", ""], [code, "Công ty Bảy", "", "", "", "Xã A", "", "bay@example.vn", ""]]
    result = frame_import(name="Gộp", file_name="gop.csv", content=frame_csv(agreeing), by=None)
    entry = result.frame.entries.get()
    assert result.entries == 1 and entry.commune == "Xã A" and entry.email == "bay@example.vn" and "2 và 3" in result.merged[0]
    with pytest.raises(ImportFailed) as failure:
        frame_import(name="Báo", file_name="bao.csv", content=frame_csv(agreeing), duplicates="report", by=None)
    assert "dòng 3" in _messages(failure)[0] and "dòng 2" in _messages(failure)[0]
    differing = [[code, "Công ty Bảy", "", "4711", "", "", "", "", ""], [code, "Công ty Khác", "", "4711", "", "", "", "", ""]]
    with pytest.raises(ImportFailed) as failure:
        frame_import(name="Lệch", file_name="lech.csv", content=frame_csv(differing), by=None)
    assert "Công ty Khác" in _messages(failure)[0]
    assert SampleFrame.objects.count() == 1


def test_a_citizens_frame_needs_no_tax_code_and_merges_by_phone():
    content = frame_csv([["Nguyễn Văn A", "Xã A", "0912000001"], ["Nguyễn Văn A", "Xã A", "0912 000 001"], ["Trần Thị B", "Xã B", ""]],
                        header=("Họ và tên", "Xã, phường", "Điện thoại"))
    result = frame_import(name="Người dân", file_name="dan.csv", content=content, kind=SampleFrame.Kind.CITIZEN, by=None)
    assert result.entries == 2 and result.frame.kind == "citizen"
    assert set(result.frame.entries.values_list("tax_code", flat=True)) == {""}


def test_utf16_from_excel_is_read_and_a_file_that_is_not_a_table_is_refused_clearly():
    text = frame_csv([[tax_code(3), "Hợp tác xã Quảng Uyên", "Hợp tác xã", "0111", "vừa", "Xã Quảng Uyên", "", "", ""]]).decode()
    result = frame_import(name="UTF-16", file_name="utf16.csv", content=text.replace(",", "\t").encode("utf-16"), by=None)
    assert result.frame.entries.get().name == "Hợp tác xã Quảng Uyên"
    with pytest.raises(ImportFailed) as failure:
        frame_import(name="PDF", file_name="khung.csv", content=b"%PDF-1.7\n\x00\x01\x02 binary", by=None)
    assert "tệp PDF, không phải là bảng" in _messages(failure)[0] and SampleFrame.objects.count() == 1
