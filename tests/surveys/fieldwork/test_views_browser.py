"""The survey operation in a real Chromium: frame, sample, invitations, monitoring, a quality decision."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from chiso.accounts.models import Role
from chiso.surveys.models import QualityDecision, SampleMember

from tests.surveys.conftest import ddci_answers, frame_csv, store_response, tax_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _frame(tmp_path, wrong=False):
    rows = [[tax_code(i), f"Công ty Trình duyệt {i}", "Công ty TNHH", "1010" if i % 2 else "4711", "nhỏ", "Xã A", "", f"b{i}@example.vn", ""]
            for i in range(1, 13)]
    if wrong:
        rows[3][0] = "0100109107"
    path = tmp_path / ("sai.csv" if wrong else "khung.csv")
    path.write_bytes(frame_csv(rows))
    return path


def test_the_secretariat_imports_a_frame_draws_a_sample_sends_invitations_and_monitors(page, login, make_user, ddci_survey, tmp_path):
    make_user("thuky", Role.SECRETARIAT)
    login("thuky")
    page.goto("/surveys/frames/upload/")
    page.get_by_label("Tên khung mẫu").fill("Doanh nghiệp thử")
    page.get_by_label("Tệp (CSV hoặc XLSX)").set_input_files(str(_frame(tmp_path, wrong=True)))
    page.locator("main form.stacked button[type=submit]").click()
    expect(page.locator(".problems")).to_contain_text("dòng 5, cột Mã số thuế")
    expect(page.locator(".problems")).to_contain_text("chữ số kiểm tra")
    page.get_by_label("Tệp (CSV hoặc XLSX)").set_input_files(str(_frame(tmp_path)))
    page.locator("main form.stacked button[type=submit]").click()
    expect(page.locator("table")).to_contain_text("Doanh nghiệp thử")

    page.goto(f"/surveys/{ddci_survey.code}/sample/")
    page.get_by_label("Khung mẫu").select_option(label="Doanh nghiệp thử")
    page.get_by_label("Ngành (ngành cấp 1 VSIC)").check()
    page.get_by_label("Tổng cỡ mẫu").fill("6")
    page.get_by_label("Số khởi tạo ngẫu nhiên (seed)").fill("11")
    page.get_by_role("button", name="Chọn mẫu", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Đã chọn mẫu: 6 doanh nghiệp, số khởi tạo 11")
    expect(page.locator("table.strata")).to_contain_text("C")

    page.goto(f"/surveys/{ddci_survey.code}/contact/")
    page.get_by_role("button", name="Gửi thư mời qua email").click()
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))
    expect(page.locator("body")).to_contain_text("Đã xong", timeout=15_000)
    assert len(mail.outbox) == 6 and SampleMember.objects.filter(emailed_at__isnull=False).count() == 6

    page.goto(f"/surveys/{ddci_survey.code}/monitor/")
    expect(page.locator("h1")).to_contain_text("Theo dõi")
    expect(page.locator("table.monitor-strata")).to_contain_text("< 5")
    expect(page.locator("table.monitor-units")).to_contain_text("dưới mức tối thiểu")


def test_an_analyst_checks_quality_and_excludes_a_duplicate_with_a_reason(page, login, make_user, ddci_survey):
    make_user("phantich", Role.ANALYST)
    for key in ("a", "b"):
        store_response(ddci_survey, ddci_answers(), key=key)
    login("phantich")
    page.goto(f"/surveys/{ddci_survey.code}/quality/")
    page.get_by_role("button", name="Kiểm tra lại các phiếu").click()
    expect(page.locator("body")).to_contain_text("Đã xong", timeout=15_000)
    page.goto(f"/surveys/{ddci_survey.code}/quality/")
    row = page.locator("table.flags tbody tr").first
    expect(row).to_contain_text("Trùng lặp")
    row.get_by_label("Lý do").fill("Phiếu nhập hai lần")
    row.get_by_role("button", name="Quyết định").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi nhận quyết định")
    expect(page.locator("table.flags")).to_contain_text("Phiếu nhập hai lần")
    decision = QualityDecision.objects.get()
    assert not decision.include and decision.by.username == "phantich"


def test_the_analysis_settings_fit_a_phone(page, login, make_user, ddci_survey):
    """Their YAML examples (<pre>) made the page 807 px wide on a 390 px phone."""
    make_user("thuky", Role.SECRETARIAT)
    login("thuky")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/surveys/{ddci_survey.code}/analysis/")
    expect(page.locator("main pre").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_yaml_settings_are_edited_in_a_fixed_width_font_across_the_column(page, login, make_user, ddci_survey):
    """YAML's meaning is its indentation: the rules were typed in the page's proportional font, in a
    box of 40 characters on a 1280 px screen."""
    make_user("phantich", Role.ANALYST)
    login("phantich")
    page.goto(f"/surveys/{ddci_survey.code}/analysis/")
    for name in ("quality", "weighting"):
        box = page.locator(f"textarea[name={name}]")
        assert "mono" in box.evaluate("t => getComputedStyle(t).fontFamily").lower()
        assert box.bounding_box()["width"] >= 600
