"""Framework browser, import with errors, diff, and a run from preview to publication, in Chromium."""

import pytest
import yaml
from playwright.sync_api import expect

from chiso.accounts.models import Role
from chiso.frameworks.services import framework_import
from chiso.indices.models import IndexRun
from chiso.indices.services import indicator_value_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAR = {
    "framework": {"code": "PAR-SO", "name_vi": "Chỉ số CCHC các sở", "method": "points"},
    "version": {"label": "2023", "legal_basis": "15/QĐ-UBND", "to_confirm": ["Điểm tối đa của lĩnh vực 2"]},
    "steps": [{"points": {}}],
    "iMeta": [
        {"iCode": "PAR", "Level": 3, "Type": "Aggregate", "max_points": 10, "name_vi": "Chỉ số CCHC", "Bands": "Tốt>=90; Khá>=80; Trung bình"},
        {"iCode": "F1", "Level": 2, "Parent": "PAR", "Type": "Aggregate", "max_points": 6, "name_vi": "Công tác chỉ đạo, điều hành"},
        {"iCode": "F2", "Level": 2, "Parent": "PAR", "Type": "Aggregate", "max_points": 4, "name_vi": "Cải cách thể chế"},
        {"iCode": "a", "Level": 1, "Parent": "F1", "Type": "Indicator", "max_points": 6, "name_vi": "Kế hoạch CCHC năm", "guidance": "Ban hành trước 31/12: 6 điểm", "evidence": True},
        {"iCode": "b", "Level": 1, "Parent": "F2", "Type": "Indicator", "max_points": 4, "name_vi": "Rà soát văn bản QPPL"},
    ],
}


@pytest.fixture
def par(db):
    return framework_import(file_name="par.yaml", content=yaml.safe_dump(PAR, allow_unicode=True).encode(), by=None).version


def test_framework_tree_shows_points_guidance_and_what_is_to_be_confirmed(menu, page, login, make_user, par):
    make_user("lanhdao", Role.LEADER)
    login("lanhdao")
    menu("Bộ chỉ số")
    page.click("text=v1 (2023)")
    expect(page.locator("h1")).to_contain_text("Chỉ số CCHC các sở")
    expect(page.locator(".problems")).to_contain_text("Điểm tối đa của lĩnh vực 2")
    row = page.locator("tr[data-code=a]")
    expect(row).to_contain_text("1.1")
    expect(row).to_contain_text("Ban hành trước 31/12: 6 điểm")
    expect(row).to_contain_text("✓")
    with page.expect_download() as download:
        page.click("text=Tải XLSX")
    assert download.value.suggested_filename == "PAR-SO-v1.xlsx"


def test_import_a_broken_framework_then_a_new_version_and_compare(page, login, make_user, par, tmp_path):
    make_user("thuky", Role.SECRETARIAT)
    bad = dict(PAR, iMeta=[dict(r) for r in PAR["iMeta"]])
    bad["iMeta"][3]["max_points"] = 8  # more than F1's 6
    path = tmp_path / "par-sai.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    login("thuky")
    page.goto("/frameworks/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("main button[type=submit]")
    expect(page.locator(".problems")).to_contain_text("F1")
    expect(page.locator(".problems")).to_contain_text("par-sai.yaml")
    better = dict(PAR, iMeta=[dict(r) for r in PAR["iMeta"]])
    better["iMeta"][4]["name_vi"] = "Rà soát, hệ thống hóa văn bản QPPL"
    path.write_text(yaml.safe_dump(better, allow_unicode=True), encoding="utf-8")
    page.set_input_files("input[type=file]", str(path))
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("v2")
    page.click("button:has-text(\"So sánh\")")
    expect(page.locator("tr.diff-changed[data-code=b]")).to_contain_text("Rà soát, hệ thống hóa văn bản QPPL")


def test_a_run_from_preview_to_publication(page, login, make_user, make_unit, period, par):
    make_user("thuky", Role.SECRETARIAT)
    units = [make_unit("S-TC", name_vi="Sở Tài chính"), make_unit("S-TP", name_vi="Sở Tư pháp"), make_unit("S-YT", name_vi="Sở Y tế")]
    for unit, (a, b) in zip(units[:2], [(6, 3.5), (4, 4)]):
        indicator_value_set(by=None, framework=par.framework, period=period, unit=unit, code="a", value=a, source="Điểm thẩm định")
        indicator_value_set(by=None, framework=par.framework, period=period, unit=unit, code="b", value=b, source="Điểm thẩm định")
    login("thuky")
    page.goto("/runs/")
    page.click("text=Tính chỉ số mới")
    page.select_option("#id_version", label=str(par))
    page.select_option("#id_block", label="Sở, ban, ngành")
    page.click("text=Xem trước dữ liệu")
    expect(page.locator("main")).to_contain_text("Sở Y tế")  # no data: will not be scored
    page.click("text=Tính bản nháp")
    expect(page.locator(".status-draft")).to_be_visible()
    first = page.locator("#results tbody tr").first
    expect(first).to_have_attribute("data-unit", "S-TC")
    expect(first).to_contain_text("95")  # 9.5 of 10 points = 95 %
    expect(first).to_contain_text("Tốt")
    page.click("main form button[type=submit] >> text=Công bố")  # without the confirmation box: not sent
    expect(page.locator(".status-draft")).to_be_visible()
    assert IndexRun.objects.get().status == IndexRun.Status.DRAFT
    page.check("#id_confirm")
    page.click("main form button[type=submit] >> text=Công bố")
    expect(page.locator(".status-published")).to_be_visible()
    assert IndexRun.objects.get().status == IndexRun.Status.PUBLISHED
    # In the list's narrow status column, "Đã công bố" stays on one line (it broke into three).
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/runs/")
    badge = page.locator("td .status-published").first
    line = badge.evaluate("b => parseFloat(getComputedStyle(b).lineHeight) || 1.2 * parseFloat(getComputedStyle(b).fontSize)")
    assert badge.bounding_box()["height"] < 1.5 * line


def test_officers_cannot_open_frameworks_or_runs(page, login, make_user, make_unit, par):
    make_user("canbo", Role.UNIT_OFFICER, unit=make_unit("S-TC"))
    login("canbo")
    assert page.goto("/frameworks/").status == 403
    assert page.goto("/runs/").status == 403
    expect(page.locator("h1")).to_have_text("Không được phép")


def test_a_framework_version_fits_a_phone_and_its_tree_stays_readable(page, login, make_user):
    """Seen on a 390 px phone: "compare with" listed v1 by its long label and made the page 833 px
    wide, and the tree's names ran one or two words a line beside the codes."""
    long_label = "2022–2024 (mô hình VCCI, trụ cột Cao Bằng 2018 + tiếp cận đất đai; khối huyện, thành phố)"
    first = dict(PAR, version=dict(PAR["version"], label=long_label))
    framework_import(file_name="par.yaml", content=yaml.safe_dump(first, allow_unicode=True).encode(), by=None)
    second = dict(PAR, iMeta=[dict(r) for r in PAR["iMeta"]], version=dict(PAR["version"], label="2025"))
    second["iMeta"][3]["name_vi"] = "Ban hành kế hoạch cải cách hành chính năm kịp thời, đầy đủ nội dung theo hướng dẫn"
    framework_import(file_name="par.yaml", content=yaml.safe_dump(second, allow_unicode=True).encode(), by=None)
    make_user("thuky", Role.SECRETARIAT)
    page.set_viewport_size({"width": 390, "height": 844})
    login("thuky")
    page.goto("/frameworks/PAR-SO/2/")
    expect(page.locator("#diff-a")).to_contain_text("khối huyện")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    name = page.locator("tr[data-code=a] td").nth(2)
    expect(name).to_contain_text("Ban hành kế hoạch")
    assert name.bounding_box()["width"] >= 180  # 12rem, not a word a line
