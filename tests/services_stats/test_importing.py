"""The import: the standard format, a saved mapping for another system's XLSX, every kind of bad
file reported by file, sheet, row and column, and a re-import that replaces the period at once."""

import io

import pytest
from openpyxl import Workbook

from chiso.core.tabular import ImportFailed
from chiso.services_stats.importing import parse_count, service_stats_import
from chiso.services_stats.models import ServiceStat, StatImport
from chiso.services_stats.services import source_format_save

from .conftest import TC, XD, csv_bytes


def problems_of(call) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        call()
    return [str(p) for p in failure.value.problems]


@pytest.mark.parametrize("text,value", [("1234", 1234), ("1.234", 1234), ("1 234", 1234), (12.0, 12), (0, 0), ("", None)])
def test_counts_as_exports_write_them(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["1,5", "-3", "abc", 2.5, "12%"])
def test_what_is_not_a_count(text):
    with pytest.raises(ValueError):
        parse_count(text)


def test_the_standard_format_in_windows_1258_with_semicolons(defaults, units, period, cp1258):
    content = cp1258(csv_bytes([TC, XD], delimiter=";", encoding="utf-8").decode("utf-8"))
    record = service_stats_import(period=period, source_format=defaults, file_name="xuat.csv", content=content)
    assert record.rows == 2 and record.totals["received_online_partial"] == 70
    assert ServiceStat.objects.get(unit=units["xd"]).received_in_person == 150  # found by its Vietnamese name


def test_another_systems_xlsx_through_a_saved_mapping(defaults, units, period, staff):
    mapping = {"unit": "Mã ĐV", "received_online_full": "DVC toàn trình", "received_online_partial": "DVC một phần",
               "received_in_person": "Trực tiếp", "received_post": "BCCI", "processed_early": "Trước hạn",
               "processed_on_time": "Đúng hạn", "processed_late": "Quá hạn", "pending": "Đang xử lý", "digitised": "Số hóa",
               "results_electronic": "KQ điện tử", "paid_online": "Thanh toán TT", "synced": "Đồng bộ DVCQG"}
    fmt = source_format_save(code="igate", name="iGate Cao Bằng", mapping=mapping, sheet="Tong hop", by=staff["secretariat"])
    book = Workbook()
    book.active.title = "Ghi chu"
    book.active.append(["Báo cáo xuất từ hệ thống một cửa"])
    sheet = book.create_sheet("Tong hop")
    sheet.append([])  # a blank line above the header, as exports have
    sheet.append(["Mã ĐV", "DVC toàn trình", "DVC một phần", "Trực tiếp", "BCCI", "Trước hạn", "Đúng hạn", "Quá hạn",
                  "Đang xử lý", "Số hóa", "KQ điện tử", "Thanh toán TT", "Đồng bộ DVCQG"])
    sheet.append(["S-TC", 40, 20, 38, 2, 30, 58, 2, 10, 75, 45, 20, 95])
    buffer = io.BytesIO()
    book.save(buffer)
    service_stats_import(period=period, source_format=fmt, file_name="igate.xlsx", content=buffer.getvalue(), by=staff["secretariat"])
    stat = ServiceStat.objects.get(unit=units["tc"])
    assert stat.synced == 95 and stat.fee_bearing is None  # the optional column is absent: payment rate unknown


def test_a_mapping_needs_every_required_column(defaults):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        source_format_save(code="x", name="X", mapping={"unit": "Đơn vị"})


def test_bad_files_are_reported_by_row_and_column_and_nothing_is_written(defaults, units, period):
    rows = [
        ["S-TC", 40, 20, 38, 2, 30, 58, 2, 10, 75, 45, 50, 20, 95],
        ["S-KHONG", 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],  # unknown unit
        ["S-CU", 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],  # no longer exists
        ["S-TC", 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],  # a second row for the same unit
        ["S-XD", "nhiều", 1, "2.5", 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],  # not counts
        ["H-HQ", 1, 1, 1, 1, 1, 1, 1, 0, 9, 1, 1, 1, 1],  # 9 digitised of 4 received
        ["", 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    ]
    found = problems_of(lambda: service_stats_import(period=period, source_format=defaults, file_name="loi.csv", content=csv_bytes(rows)))
    assert found == [
        "Tệp loi.csv, dòng 3, cột Đơn vị: Không có đơn vị nào có mã hoặc tên S-KHONG.",
        "Tệp loi.csv, dòng 4, cột Đơn vị: Đơn vị S-CU không tồn tại trong kỳ này.",
        "Tệp loi.csv, dòng 5, cột Đơn vị: Sở Tài chính đã có số liệu ở dòng 2.",
        "Tệp loi.csv, dòng 6, cột Tiếp nhận trực tuyến toàn trình: “nhiều” không phải là số lượng (số nguyên từ 0 trở lên).",
        "Tệp loi.csv, dòng 6, cột Tiếp nhận trực tiếp: “2.5” không phải là số lượng (số nguyên từ 0 trở lên).",
        "Tệp loi.csv, dòng 7, cột Hồ sơ được số hóa: 9 lớn hơn 4 hồ sơ tiếp nhận trong cùng dòng.",
        "Tệp loi.csv, dòng 8, cột Đơn vị: Thiếu đơn vị.",
    ]
    assert not ServiceStat.objects.exists() and not StatImport.objects.exists()


def test_missing_columns_empty_and_old_excel_files(defaults, units, period):
    found = problems_of(lambda: service_stats_import(period=period, source_format=defaults, file_name="thieu.csv",
                                                     content=csv_bytes([["S-TC", 1]], header=["Đơn vị", "Tiếp nhận trực tiếp"])))
    assert found[0] == "Tệp thieu.csv, cột Tiếp nhận trực tuyến toàn trình: Thiếu cột “Tiếp nhận trực tuyến toàn trình” (chứa: Tiếp nhận trực tuyến toàn trình)."
    assert len(found) == 11  # every required column but the two present
    assert problems_of(lambda: service_stats_import(period=period, file_name="rong.csv", content=b"")) == ["Tệp rong.csv: Tệp không có nội dung."]
    old = problems_of(lambda: service_stats_import(period=period, file_name="cu.xls", content=b"\xd0\xcf\x11\xe0" + b"\0" * 100))
    assert "xls" in old[0]
    header_only = problems_of(lambda: service_stats_import(period=period, file_name="h.csv", content=csv_bytes([])))
    assert header_only == ["Tệp h.csv: Tệp có dòng tiêu đề nhưng không có dữ liệu."]


def test_a_re_import_replaces_the_period_at_once_and_keeps_the_record(defaults, units, period, staff, good_csv):
    first = service_stats_import(period=period, source_format=defaults, file_name="lan-1.csv", content=good_csv, by=staff["secretariat"])
    corrected = csv_bytes([["S-TC", 41, 20, 38, 2, 30, 58, 2, 10, 75, 45, 50, 20, 95]])
    with pytest.raises(ImportFailed):
        service_stats_import(period=period, source_format=defaults, file_name="hong.csv", content=csv_bytes([["S-TC", "x"] + TC[2:]]))
    assert ServiceStat.objects.filter(period=period).count() == 2  # a failed re-import changes nothing
    second = service_stats_import(period=period, source_format=defaults, file_name="lan-2.csv", content=corrected, by=staff["secretariat"])
    assert list(ServiceStat.objects.filter(period=period).values_list("unit__code", "received_online_full")) == [("S-TC", 41)]
    assert second.replaced == first and second.replaced_totals["units"] == 2 and second.replaced_totals["received_online_full"] == 40
    assert second.imported_by == staff["secretariat"] and StatImport.objects.count() == 2
