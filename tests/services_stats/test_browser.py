"""The secretariat imports a bad file, reads where it is wrong, imports the corrected one and
finds the units below target; then imports a partial file, sees what it changes and confirms,
and the other units' figures are still there; in a real Chromium."""

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from chiso.services_stats.importing import service_stats_import
from chiso.services_stats.models import ServiceStat

from .conftest import HEADER, TC, XD, csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Tổng hợp"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_import_a_bad_workbook_then_the_corrected_one_and_see_who_is_below_target(menu, page, login, defaults, units, staff, period, tmp_path):
    bad = tmp_path / "mot-cua-2023.xlsx"
    bad.write_bytes(xlsx([TC, ["Sở Xây dựng", 0, 50, 150, 0, 0, 190, "mười", 0, 300, 0, 0, 0, 120]]))
    login("thuky")
    menu("Thống kê TTHC")
    expect(page.locator("main")).to_contain_text("Chưa có số liệu nào được nhập cho kỳ này.")
    page.get_by_role("link", name="Nhập số liệu").click()
    page.locator("#id_period").select_option(label="Năm 2023")
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="Nhập dữ liệu").click()
    problems = page.locator(".problems")
    expect(problems).to_contain_text("Tệp mot-cua-2023.xlsx, trang tính Tổng hợp, dòng 3, cột Giải quyết quá hạn: “mười” không phải là số lượng")
    expect(problems).to_contain_text("dòng 3, cột Hồ sơ được số hóa: 300 lớn hơn 200 hồ sơ tiếp nhận")
    assert not ServiceStat.objects.exists()

    good = tmp_path / "mot-cua-2023-sua.xlsx"
    good.write_bytes(xlsx([TC, XD]))
    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="Nhập dữ liệu").click()
    expect(page.locator("[data-count=added]")).to_contain_text("2")
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.locator(".messages")).to_contain_text("Đã nhập số liệu của 2 đơn vị cho Năm 2023.")
    expect(page.locator("#import-history")).to_contain_text("mot-cua-2023-sua.xlsx")

    page.get_by_role("link", name="Thống kê hồ sơ thủ tục hành chính").click()
    expect(page.locator("main")).to_contain_text("2 đơn vị chưa đạt chỉ tiêu.")
    tc = page.locator("tr[data-unit=S-TC]")
    expect(tc.locator("td.below")).to_have_text(["97,8"])  # on time, below > 98 %
    page.get_by_role("link", name="Sở Tài chính").click()
    expect(page.locator("h1")).to_contain_text("Sở Tài chính")
    expect(page.locator("#unit-trend")).to_contain_text("97,8")


def test_a_partial_file_is_previewed_confirmed_and_keeps_the_other_units(menu, page, login, defaults, units, staff, period, tmp_path):
    service_stats_import(period=period, source_format=defaults, file_name="ca-nam.csv", content=csv_bytes([TC, XD]),
                         by=staff["secretariat"])
    partial = tmp_path / "mot-cua-2023-bo-sung.csv"
    # Sở Tài chính again, unchanged; Huyện Hà Quảng added, with its counts written the Vietnamese way
    partial.write_bytes(csv_bytes([TC, ["H-HQ", "1.000", 0, "2.500", 0, 0, "3.500", 0, 0, "1.000", 0, 0, 0, "3.500"]]))
    login("thuky")
    menu("Thống kê TTHC")
    page.get_by_role("link", name="Nhập số liệu").click()
    page.locator("#id_period").select_option(label="Năm 2023")
    page.set_input_files("input[type=file]", str(partial))
    page.get_by_role("button", name="Nhập dữ liệu").click()
    preview = page.locator("#import-preview")
    expect(preview.locator("[data-count=unchanged]")).to_have_text("Không đổi: 1")
    expect(preview.locator("[data-count=added]")).to_have_text("Thêm mới: 1")
    expect(preview.locator("[data-count=changed]")).to_have_text("Thay đổi: 0")
    expect(preview.locator("[data-count=removed]")).to_have_count(0)  # a partial file removes nothing
    expect(preview.locator("tr[data-status=added]")).to_contain_text("Tiếp nhận trực tiếp: 2.500")
    assert not ServiceStat.objects.filter(unit=units["h"]).exists()  # nothing written before the confirmation
    page.get_by_role("button", name="Xác nhận nhập").click()
    expect(page.locator(".messages")).to_contain_text("Thêm mới: 1, thay đổi: 0, không đổi: 1, đã gỡ: 0.")
    assert ServiceStat.objects.get(unit=units["h"]).received_in_person == 2500
    assert ServiceStat.objects.get(unit=units["xd"]).received_in_person == 150  # not in the file: still there
    assert ServiceStat.objects.filter(period=period).count() == 3
