"""The import: the standard format, a saved mapping for another system's XLSX, every kind of bad
file reported by file, sheet, row and column, strict columns, Vietnamese numbers, a partial file
that changes only its units, and the whole period replaced only when asked."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from chiso.audit.models import AuditRecord
from chiso.core.tabular import ImportFailed
from chiso.formats.numbers import NumberRefused
from chiso.services_stats.fields import COUNT_FIELDS
from chiso.services_stats.importing import parse_count, service_stats_import, service_stats_preview
from chiso.services_stats.models import ServiceStat, StatImport
from chiso.services_stats.services import source_format_save

from .conftest import HEADER, TC, XD, csv_bytes


def problems_of(call) -> list[str]:
    with pytest.raises(ImportFailed) as failure:
        call()
    return [str(p) for p in failure.value.problems]


@pytest.mark.parametrize("text,value", [("1234", 1234), ("1.234", 1234), ("1 234", 1234), ("1.000", 1000),
                                        ("1.000.000", 1_000_000), (12.0, 12), (0, 0), ("", None), ("1,0", 1)])
def test_counts_as_exports_and_people_write_them(text, value):
    assert parse_count(text) == value


@pytest.mark.parametrize("text", ["1,5", "-3", "abc", 2.5, "12%", "1.5", "1,500", "1,234,567"])
def test_what_is_not_a_count(text):
    with pytest.raises(ValueError):
        parse_count(text)


def test_a_count_written_two_ways_says_how_to_write_it():
    with pytest.raises(NumberRefused) as refused:
        parse_count("1,500")
    assert "1.500" in str(refused.value)


def test_the_standard_format_in_windows_1258_with_semicolons(defaults, units, period, cp1258):
    content = cp1258(csv_bytes([TC, XD], delimiter=";", encoding="utf-8").decode("utf-8"))
    record = service_stats_import(period=period, source_format=defaults, file_name="xuat.csv", content=content, by=None)
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
    with pytest.raises(ValidationError):
        source_format_save(code="x", name="X", mapping={"unit": "Đơn vị"}, by=None)


def test_a_mapping_is_the_secretariats_and_each_change_is_on_record(defaults, staff):
    mapping = {**defaults.mapping, "unit": "Mã ĐV"}
    for person in (staff["officer"], staff["leader"]):
        with pytest.raises(PermissionDenied):
            source_format_save(code="igate", name="iGate", mapping=mapping, by=person)
    records = AuditRecord.objects.filter(event="source_format.saved")
    saved = source_format_save(code="igate", name="iGate", mapping=mapping, by=staff["secretariat"])
    source_format_save(code="igate", name="iGate", mapping=mapping, by=staff["secretariat"])  # unchanged: no record
    source_format_save(code="igate", name="iGate", mapping={**mapping, "unit": "Mã đơn vị"}, by=staff["secretariat"])
    first, second = records.order_by("pk")
    assert (first.old_value, first.by, second.by) == ("", staff["secretariat"], staff["secretariat"])
    assert '"unit": "Mã ĐV"' in second.old_value and '"unit": "Mã đơn vị"' in second.new_value
    assert f"/services_stats.sourceformat:{saved.pk}/" in second.path


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
    found = problems_of(lambda: service_stats_import(period=period, source_format=defaults, file_name="loi.csv", content=csv_bytes(rows), by=None))
    assert found == [
        "Tệp loi.csv, dòng 3, cột Đơn vị: Không có đơn vị nào có mã hoặc tên S-KHONG.",
        "Tệp loi.csv, dòng 4, cột Đơn vị: Đơn vị S-CU không tồn tại trong kỳ này.",
        "Tệp loi.csv, dòng 5, cột Đơn vị: Sở Tài chính đã có số liệu ở dòng 2.",
        "Tệp loi.csv, dòng 6, cột Tiếp nhận trực tuyến toàn trình: “nhiều” không phải là số lượng (số nguyên từ 0 trở lên).",
        "Tệp loi.csv, dòng 6, cột Tiếp nhận trực tiếp: “2.5” không phải là số lượng (số nguyên từ 0 trở lên). 2.5 không phải là "
        "số nguyên. Hàng nghìn viết với dấu chấm giữa các nhóm ba chữ số, ví dụ 1.000 hoặc 12.500.",
        "Tệp loi.csv, dòng 7, cột Hồ sơ được số hóa: 9 lớn hơn 4 hồ sơ tiếp nhận trong cùng dòng.",
        "Tệp loi.csv, dòng 8, cột Đơn vị: Thiếu đơn vị.",
    ]
    assert not ServiceStat.objects.exists() and not StatImport.objects.exists()


def test_missing_columns_empty_and_old_excel_files(defaults, units, period):
    found = problems_of(lambda: service_stats_import(period=period, source_format=defaults, file_name="thieu.csv",
                                                     content=csv_bytes([["S-TC", 1]], header=["Đơn vị", "Tiếp nhận trực tiếp"]), by=None))
    assert len(found) == 1 and found[0].startswith("Tệp thieu.csv, dòng 1: Thiếu cột: Tiếp nhận trực tuyến toàn trình (")
    missing = found[0].split("Thiếu cột: ")[1].split(". ")[0]
    assert missing.count(";") == 10  # every required column but the two present, in one message
    assert "Hồ sơ có phí" not in missing  # optional
    assert problems_of(lambda: service_stats_import(period=period, file_name="rong.csv", content=b"", by=None)) == ["Tệp rong.csv: Tệp không có nội dung."]
    old = problems_of(lambda: service_stats_import(period=period, file_name="cu.xls", content=b"\xd0\xcf\x11\xe0" + b"\0" * 100, by=None))
    assert "xls" in old[0]
    header_only = problems_of(lambda: service_stats_import(period=period, file_name="h.csv", content=csv_bytes([]), by=None))
    assert header_only == ["Tệp h.csv: Tệp có dòng tiêu đề nhưng không có dữ liệu."]


def test_unknown_columns_are_refused_with_every_accepted_header(defaults, units, period):
    header = ["STT", "Mã đơn vị", *HEADER[1:], "Ghi chú"]
    found = problems_of(lambda: service_stats_import(period=period, source_format=defaults, file_name="la.csv",
                                                     content=csv_bytes([[1, *TC, ""]], header=header), by=None))
    assert len(found) == 1
    message = found[0]
    assert message.startswith("Tệp la.csv, dòng 1: Cột không được chấp nhận: “Ghi chú”.")
    # the accepted headers, in both languages and as the pages title them
    for accepted in ["Đơn vị (unit, Đơn vị (mã hoặc tên), Unit (code or name), Mã đơn vị, Tên đơn vị, Mã ĐV)",
                     "Tiếp nhận trực tuyến toàn trình (received_online_full, Received online (full process))"]:
        assert accepted in message
    assert not ServiceStat.objects.exists()


def test_a_file_with_its_own_header_names_are_read_by_english_titles(defaults, units, period):
    english = ["Unit (code or name)", *[str(label) for _n, _h, label in COUNT_FIELDS]]
    with translation.override("en"):
        english = ["Unit (code or name)", *[str(label) for _n, _h, label in COUNT_FIELDS]]
    service_stats_import(period=period, source_format=defaults, file_name="en.csv", content=csv_bytes([TC], header=english), by=None)
    assert ServiceStat.objects.get(unit=units["tc"]).synced == 95


def test_a_partial_file_changes_only_its_units_and_keeps_the_others(defaults, units, period, staff, good_csv):
    first = service_stats_import(period=period, source_format=defaults, file_name="lan-1.csv", content=good_csv, by=staff["secretariat"])
    corrected = csv_bytes([["S-TC", 41, 20, 38, 2, 30, 58, 2, 10, 75, 45, 50, 20, 95], ["H-HQ", "1.000", 0, 0, 0, 0, "1.000", 0, 0, 0, 0, 0, 0, 0]])
    with pytest.raises(ImportFailed):
        service_stats_import(period=period, source_format=defaults, file_name="hong.csv", content=csv_bytes([["S-TC", "x"] + TC[2:]]), by=None)
    assert ServiceStat.objects.filter(period=period).count() == 2  # a failed re-import changes nothing
    preview = service_stats_preview(period=period, source_format=defaults, file_name="lan-2.csv", content=corrected)
    assert preview.counts == {"added": 1, "changed": 1, "unchanged": 0, "removed": 0}
    changed = preview.of("changed")[0]
    assert changed.subject == "Sở Tài chính" and changed.cells == [("Tiếp nhận trực tuyến toàn trình", "40", "41")]
    assert preview.of("added")[0].cells[0] == ("Tiếp nhận trực tuyến toàn trình", "", "1.000")
    assert ServiceStat.objects.get(unit=units["tc"]).received_online_full == 40  # a preview writes nothing

    second = service_stats_import(period=period, source_format=defaults, file_name="lan-2.csv", content=corrected,
                                  by=staff["secretariat"], expected=preview.fingerprint)
    got = dict(ServiceStat.objects.filter(period=period).values_list("unit__code", "received_online_full"))
    assert got == {"S-TC": 41, "S-XD": 0, "H-HQ": 1000}  # Sở Xây dựng, not in the file, keeps its figures
    assert ServiceStat.objects.get(unit=units["xd"]).source == first
    assert second.counts == {"added": 1, "changed": 1, "unchanged": 0, "removed": 0} and not second.replace_period
    assert second.replaced == first and second.replaced_totals["units"] == 1 and second.replaced_totals["received_online_full"] == 40
    assert second.imported_by == staff["secretariat"] and StatImport.objects.count() == 2
    summary = AuditRecord.objects.get(event="service_stats.imported", object_id=str(second.pk))
    assert summary.details["changed"] == 1 and summary.details["added"] == 1 and summary.by == staff["secretariat"]
    change = AuditRecord.objects.get(event="service_stat.changed")
    assert "received_online_full=40" in change.old_value and "received_online_full=41" in change.new_value


def test_replacing_the_whole_period_removes_what_the_file_does_not_list(defaults, units, period, staff, good_csv):
    service_stats_import(period=period, source_format=defaults, file_name="lan-1.csv", content=good_csv, by=staff["secretariat"])
    only_tc = csv_bytes([TC])
    preview = service_stats_preview(period=period, source_format=defaults, file_name="tc.csv", content=only_tc, replace_period=True)
    assert preview.counts == {"added": 0, "changed": 0, "unchanged": 1, "removed": 1}
    assert preview.of("removed")[0].subject == "Sở Xây dựng"
    record = service_stats_import(period=period, source_format=defaults, file_name="tc.csv", content=only_tc,
                                  replace_period=True, expected=preview.fingerprint, by=staff["secretariat"])
    assert list(ServiceStat.objects.filter(period=period).values_list("unit__code", flat=True)) == ["S-TC"]
    assert record.replace_period and record.counts["removed"] == 1
    removed = AuditRecord.objects.get(event="service_stat.removed")
    assert "received_in_person=150" in removed.old_value  # the removed figures stay in the trail


def test_a_confirmation_is_refused_when_the_period_changed_since_the_preview(defaults, units, period, staff, good_csv):
    preview = service_stats_preview(period=period, source_format=defaults, file_name="a.csv", content=csv_bytes([TC]))
    service_stats_import(period=period, source_format=defaults, file_name="b.csv", content=csv_bytes([XD]), by=staff["secretariat"])
    with pytest.raises(ValidationError, match="thay đổi"):
        service_stats_import(period=period, source_format=defaults, file_name="a.csv", content=csv_bytes([TC]),
                             expected=preview.fingerprint, by=staff["secretariat"])
    assert not ServiceStat.objects.filter(unit=units["tc"]).exists()


def test_only_the_secretariat_imports(defaults, units, period, staff, good_csv):
    with pytest.raises(PermissionDenied):
        service_stats_import(period=period, source_format=defaults, file_name="x.csv", content=good_csv, by=staff["leader"])


def test_the_command_dry_run_prints_the_preview_and_replace_period_removes(defaults, units, period, good_csv, tmp_path, capsys):
    service_stats_import(period=period, source_format=defaults, file_name="du.csv", content=good_csv, by=None)
    path = tmp_path / "tc.csv"
    path.write_bytes(csv_bytes([["S-TC", "1.000", *TC[2:]]]))
    call_command("import_service_stats", str(path), "--period", period.code, "--dry-run", "--replace-period")
    out = capsys.readouterr().out
    assert "Thêm mới: 0, thay đổi: 1, không đổi: 0, sẽ bị gỡ: 1." in out and "[sẽ bị gỡ] Sở Xây dựng" in out
    assert "Tiếp nhận trực tuyến toàn trình: 40 → 1.000" in out
    assert ServiceStat.objects.count() == 2 and ServiceStat.objects.get(unit=units["tc"]).received_online_full == 40
    call_command("import_service_stats", str(path), "--period", period.code)
    assert ServiceStat.objects.count() == 2 and ServiceStat.objects.get(unit=units["tc"]).received_online_full == 1000
    call_command("import_service_stats", str(path), "--period", period.code, "--replace-period")
    assert list(ServiceStat.objects.values_list("unit__code", flat=True)) == ["S-TC"]
    with pytest.raises(CommandError, match="Không có kỳ nào có mã 1999"):
        call_command("import_service_stats", str(path), "--period", "1999")
