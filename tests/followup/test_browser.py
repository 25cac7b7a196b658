"""The journeys of the issue in a real Chromium: the secretariat enters the notice's tasks, Sở Xây
dựng files a plan for its two weakest DDCI indicators, a unit reports with evidence and the
secretariat confirms, and the chairman reads the dashboard."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from chiso.followup.models import Task
from chiso.followup.services import (
    plan_action_add,
    plan_create,
    plan_submit,
    statistic_create,
    statistic_value_set,
    target_create,
)
from chiso.units.models import Province

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_secretariat_enters_the_notice_and_imports_its_tasks(page, login, secretariat, units, officers, tmp_path, tasks_workbook):
    login("thuky")
    page.locator("nav.site-nav summary", has_text="Theo dõi").click()  # the follow-up menu group
    page.locator("nav.site-nav").get_by_role("link", name="Theo dõi, đôn đốc").click()
    page.locator(".followup-tabs").get_by_role("link", name="Văn bản chỉ đạo").click()
    page.get_by_role("link", name="Thêm văn bản chỉ đạo").click()
    page.get_by_label("Số, ký hiệu").fill("511/TB-UBND")
    page.get_by_label("Ngày ban hành").fill("2023-03-13")
    page.get_by_label("Trích yếu").fill("Kết luận của Chủ tịch UBND tỉnh tại Hội nghị Tổng kết công tác CCHC năm 2022")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("h1")).to_contain_text("511/TB-UBND")

    page.get_by_role("link", name="Thêm nhiệm vụ").click()
    page.locator("#id_text").fill("Cụ thể hóa, triển khai ngay Kế hoạch CCHC năm 2023 của cơ quan, đơn vị mình")
    page.get_by_label("Thời hạn").fill("01/03/2023")
    page.get_by_role("button", name="Giao nhiệm vụ").click()
    form = page.locator("main form")
    expect(form).to_contain_text("Mỗi nhiệm vụ phải có đơn vị chủ trì.")
    expect(form).to_contain_text("trước ngày ban hành văn bản (13/03/2023)")
    assert Task.objects.count() == 0
    page.get_by_label("Đơn vị chủ trì").select_option(label="Sở Nội vụ")
    page.get_by_label("Thời hạn").fill("Quý I/2023")
    page.get_by_role("button", name="Giao nhiệm vụ").click()
    expect(page.locator(".messages")).to_contain_text("Đã giao nhiệm vụ 1 cho Sở Nội vụ.")
    expect(page.locator("table.tasks tbody tr")).to_have_count(1)
    expect(page.locator("table.tasks")).to_contain_text("Quý I/2023")

    rows = [
        (2, "Đẩy mạnh cung cấp, sử dụng dịch vụ công trực tuyến", "Sở Xây dựg", "Sở Nội vụ", "hằng quý"),
        (3, "Xây dựng kế hoạch triển khai Bộ Chỉ số DDCI năm 2023", "Sở Tư pháp", "Sở Xây dựng; Sở Văn hóa, Thể thao và Du lịch", "30/04/2023"),
    ]
    bad = tmp_path / "nhiem-vu.xlsx"
    bad.write_bytes(tasks_workbook(rows))
    page.get_by_role("link", name="Nhập nhiệm vụ (XLSX)").click()
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="Nhập nhiệm vụ").click()
    problems = page.locator(".problems")
    expect(problems).to_contain_text("nhiem-vu.xlsx")
    expect(problems).to_contain_text("Có phải là: Sở Xây dựng?")
    rows[0] = (2, "Đẩy mạnh cung cấp, sử dụng dịch vụ công trực tuyến", "Sở Xây dựng", "Sở Nội vụ", "hằng quý")
    good = tmp_path / "nhiem-vu-sua.xlsx"
    good.write_bytes(tasks_workbook(rows))
    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="Nhập nhiệm vụ").click()
    expect(page.locator(".messages")).to_contain_text("Đã nhập và giao 2 nhiệm vụ.")
    expect(page.locator("table.tasks tbody tr")).to_have_count(3)
    expect(page.locator("table.tasks")).to_contain_text("Sở Văn hóa, Thể thao và Du lịch")


def test_so_xay_dung_files_a_plan_for_its_two_weakest_indicators(page, login, officers, ddci_runs):
    run_2022, _ = ddci_runs
    login("canbo.s-xd")
    # The scorecard (results) links here with the run and the unit.
    page.goto(f"/followup/plans/new/?run={run_2022.pk}&unit=S-XD")
    rows = page.locator("table.indicators tbody tr")
    for i in (0, 1):
        expect(rows.nth(i).locator(".weak")).to_have_text("yếu")
        rows.nth(i).get_by_role("checkbox").check()
    expect(rows.nth(2).locator(".weak")).to_have_count(0)
    rows.nth(0).locator("input[type=text]").fill("45,5")
    page.get_by_role("button", name="Tạo kế hoạch").click()
    expect(page.locator(".messages")).to_contain_text("Đã tạo kế hoạch")
    sections = page.locator("section.plan-item")
    expect(sections).to_have_count(2)
    for i, (text, owner) in enumerate([("Công khai văn bản, quy hoạch trên trang của sở", "Văn phòng sở"),
                                       ("Đường dây nóng tiếp nhận phản ánh về nhũng nhiễu", "Thanh tra sở")]):
        section = page.locator("section.plan-item").nth(i)
        section.get_by_label("Giải pháp").fill(text)
        section.get_by_label("Người, bộ phận phụ trách").fill(owner)
        section.get_by_label("Thời hạn").fill("2023-09-30")
        section.get_by_role("button", name="Thêm giải pháp").click()
        expect(page.locator(".messages")).to_contain_text("Đã thêm giải pháp.")
    page.get_by_role("button", name="Gửi kế hoạch").click()
    expect(page.locator(".messages")).to_contain_text("Đã gửi kế hoạch.")
    expect(page.locator("h1 + p .state")).to_contain_text("Đã gửi ngày")
    # The 2023 result is published: each indicator shows whether it moved.
    expect(page.locator("tr.movement").first).to_contain_text("cải thiện")


def test_a_unit_reports_with_evidence_and_the_secretariat_confirms(page, login, make_task, officers, secretariat, tmp_path):
    make_task(lead="S-XD", deadline="31/12/2099", text="Xây dựng kế hoạch cải thiện chỉ số DDCI năm 2023")
    evidence = tmp_path / "ke-hoach-ddci-2023.pdf"
    evidence.write_bytes(b"%PDF-1.4 ke hoach")
    login("canbo.s-xd")
    page.locator("nav.site-nav").get_by_role("link", name=re.compile("Thông báo")).click()
    page.get_by_role("button", name=re.compile("Nhiệm vụ mới số 1")).click()
    page.get_by_label("Kết quả thực hiện").fill("Đã ban hành Kế hoạch cải thiện DDCI năm 2023 của Sở")
    page.get_by_label("Tiến độ (%)").fill("100")
    page.set_input_files("input[type=file]", str(evidence))
    page.get_by_label("Đã hoàn thành nhiệm vụ: đề nghị cơ quan giao nhiệm vụ xác nhận").check()
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.locator(".messages")).to_contain_text("đã đề nghị cơ quan giao nhiệm vụ xác nhận")
    expect(page.locator("table.reports")).to_contain_text("Chờ xác nhận")
    expect(page.locator("table.reports")).to_contain_text("ke-hoach-ddci-2023.pdf")

    page.context.clear_cookies()
    login("thuky")
    page.goto("/followup/notices/")
    notice = page.get_by_role("button", name=re.compile("Sở Xây dựng báo cáo đã hoàn thành"))
    # A notice reads as a link: a long one wraps flush left, not centred as a button's text is.
    assert notice.evaluate("b => getComputedStyle(b).textAlign") == "start"
    notice.click()
    page.get_by_role("button", name="Xác nhận hoàn thành").click()
    expect(page.locator(".messages")).to_contain_text("Đã xác nhận hoàn thành nhiệm vụ.")
    expect(page.locator("h1 .state")).to_have_text("Đã hoàn thành")
    assert Task.objects.get().status == "done"


def test_the_chairman_sees_overdue_tasks_targets_and_units_without_a_plan(page, login, leader, make_task, ddci_runs, units, officers):
    Province.objects.create(code="CB", name_vi="Tỉnh Cao Bằng")
    make_task(lead="S-NV", deadline="31/03/2023", text="Cụ thể hóa, triển khai ngay Kế hoạch CCHC năm 2023")
    make_task(lead="S-XD", deadline="31/12/2099", text="Tăng cường tương tác với doanh nghiệp")
    run_2022, _ = ddci_runs
    plan = plan_create(unit=units["S-XD"], run=run_2022, codes=["i1"], by=None)
    plan_action_add(item=plan.items.get(), text="Công khai văn bản", owner="Văn phòng sở", deadline=datetime.date(2023, 6, 30), by=None)
    plan_submit(plan=plan, by=None)
    par = statistic_create(code="par-index-tinh", name_vi="Chỉ số CCHC của tỉnh", index_code="PAR", measure="score", by=None)
    statistic_value_set(statistic=par, year=2022, value=83.12, source="Bộ Nội vụ", by=None)
    statistic_value_set(statistic=par, year=2023, value=85.47, source="Bộ Nội vụ", by=None)
    target_create(title="Chỉ số CCHC của tỉnh (PAR INDEX) tăng và có sự chuyển biến so với năm 2022", source="national",
                  index_code="PAR", rule="increase", baseline_year=2022, target_year=2023, by=None)

    login("lanhdao")
    card = page.locator(".followup-card")
    expect(card).to_contain_text("Việc quá hạn")
    page.get_by_role("link", name="Mở bảng điều hành").click()
    expect(page.locator("h1")).to_have_text("Bảng điều hành")
    expect(page.locator("#count-overdue")).to_have_text("1")
    expect(page.locator("table.overdue")).to_contain_text("Sở Nội vụ")
    expect(page.locator("table.overdue")).not_to_contain_text("Sở Xây dựng")
    expect(page.locator("ul.without-plan")).to_contain_text("Sở Tài chính")
    expect(page.locator("ul.without-plan")).not_to_contain_text("Sở Xây dựng")
    expect(page.locator("ul.with-plan")).to_contain_text("Sở Xây dựng")
    target = page.locator("table.targets tbody tr").first
    expect(target.locator(".state")).to_have_text("Đạt")
    expect(target).to_contain_text("+2,35")
    expect(page.locator(".positions [data-index=PAR]")).to_contain_text("85,47")


def test_the_dashboard_and_a_plan_fit_a_phone(page, login, leader, ddci_runs, units, officers):
    """Seen on a 390 px phone: the dashboard's choice of result (a run's long title in a select)
    made the page 825 px wide, and a plan's "add a measure" row (four fields side by side) 550 px."""
    from chiso.frameworks.models import Framework

    Framework.objects.filter(code="DDCI-T").update(
        name_vi="Chỉ số năng lực cạnh tranh cấp xã, phường, đặc khu (DDCI) — khối sở, ban, ngành tỉnh Cao Bằng")
    run_2022, _ = ddci_runs
    plan = plan_create(unit=units["S-XD"], run=run_2022, codes=["i1", "i2"], by=None)
    page.set_viewport_size({"width": 390, "height": 844})
    login("lanhdao")
    page.goto("/followup/dashboard/")
    expect(page.locator("#d-run")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.clear_cookies()
    login("canbo.s-xd")
    page.goto(f"/followup/plans/{plan.pk}/")
    expect(page.get_by_role("button", name="Thêm giải pháp").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
