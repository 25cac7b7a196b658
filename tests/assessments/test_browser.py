"""The whole journey in Chromium with four roles: the unit officer self-assesses with evidence and
submits; the expert team appraises by criterion and asks for an explanation; the unit explains;
the team takes a second look; the council decides; the secretariat brings in the survey points,
computes and publishes. The audit trail is checked along the way."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from chiso.assessments import services as s
from chiso.assessments.queries import status_steps
from chiso.audit.queries import history
from chiso.assessments.models import Assessment
from chiso.indices.models import IndexRun

from .conftest import appraise_all, assessment_of, claim_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = Assessment.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def codes(assessment, code):
    return list(history(assessment).filter(event=code).order_by("pk").values_list("field", "new_value"))


def logout(page):
    page.click("header button:has-text('Đăng xuất')")


@pytest.fixture
def other_unit_appraised(cycle, people):
    """Sở Tư pháp goes through the services to the council, so the council decides both units."""
    b = assessment_of(cycle, "S-B")
    claim_all(b, people["officer_b"])
    s.assessment_submit(assessment=b, by=people["officer_b"])
    appraise_all(b, people["expert"], {"F2.1": Decimal("3")})
    s.assessment_appraisal_complete(assessment=b, by=people["expert"])
    return b


def test_par_assessment_from_self_assessment_to_publication(menu, page, login, cycle, people, other_unit_appraised, survey_run, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    a = assessment_of(cycle, "S-A")

    # --- the unit officer: scores, sees the totals grow, attaches evidence, submits
    login("canbo.a")
    menu("Đánh giá CCHC")
    page.click("#due >> text=Sở Tài chính")
    expect(page.locator("h1")).to_have_text("Sở Tài chính")
    row = page.locator("tr[data-code='F1.2']")
    row.locator("input[name=points]").fill("0,3")
    row.locator("button").click()
    expect(page.locator("tr[data-code='F1.2'] .par-error")).to_contain_text("bước 0,25")
    page.locator("tr[data-code='F1.2'] input[name=points]").fill("1,75")
    page.locator("tr[data-code='F1.2'] button").click()
    expect(page.locator("tr[data-code='F1.2'] .par-saved")).to_be_visible()
    expect(page.locator("#t-self-F1")).to_contain_text("1,75")
    page.locator("tr[data-code='F2.1'] input[name=points]").fill("4")
    page.locator("tr[data-code='F2.1'] button").click()
    expect(page.locator("#t-self-PAR")).to_contain_text("5,75")
    page.locator("tr[data-code='F1.1'] input[name=points]").fill("3")
    page.locator("tr[data-code='F1.1'] button").click()
    expect(page.locator("#self-total")).to_have_text("8,75")
    page.reload()
    expect(page.locator("#submit")).to_contain_text("F1.1")  # evidence required
    page.click("tr[data-code='F1.1'] >> text=0 tài liệu")
    pdf = tmp_path / "ke-hoach-cchc-2023.pdf"
    pdf.write_bytes(PDF)
    page.set_input_files("#upload-form input[type=file]", str(pdf))
    page.click("#upload-form button")
    expect(page.locator("#evidence")).to_contain_text("ke-hoach-cchc-2023.pdf")
    fake = tmp_path / "bao-cao.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 300)
    page.set_input_files("#upload-form input[type=file]", str(fake))
    page.click("#upload-form button")
    expect(page.locator("#upload-error")).to_contain_text("bao-cao.pdf")
    page.fill("#id_number", "12/KH-STC")
    page.fill("#id_date", "15/01/2023")
    page.fill("#id_title", "Kế hoạch cải cách hành chính năm 2023")
    page.click("#document-form button")
    expect(page.locator("#evidence")).to_contain_text("12/KH-STC")
    page.click("main >> text=Sở Tài chính")
    page.check("#submit input[name=confirm]")
    page.click("#submit button")
    expect(page.locator(".messages")).to_contain_text("Đã nộp")
    assert codes(a, s.Event.EVIDENCE_ADDED)[0][1].startswith("ke-hoach-cchc-2023.pdf")
    assert ("status", "submitted") in codes(a, s.Event.TRANSITION)
    logout(page)

    # --- the expert team: by criterion across units, a question, then the rest on the unit's sheet
    login("thamdinh")
    menu("Đánh giá CCHC")
    page.click(f"main table a:has-text(\"{cycle.title}\")")
    page.click("text=Thẩm định theo tiêu chí")
    expect(page.locator("h2")).to_contain_text("F1.1")
    sa = page.locator("#criterion tr[data-unit='S-A']")
    expect(sa).to_contain_text("ke-hoach-cchc-2023.pdf")
    expect(page.locator("#criterion tr[data-unit='S-B']")).to_contain_text("Đã thẩm định")
    sa.locator("input[name=points]").fill("2")
    sa.locator("textarea[name=comment]").fill("Kế hoạch ban hành chậm")
    sa.locator("textarea[name=explanation_request]").fill("Đề nghị cung cấp văn bản ban hành kế hoạch đúng hạn")
    sa.locator("button").click()
    expect(page.locator("#criterion tr[data-unit='S-A'] .par-saved")).to_be_visible()
    page.click("#criterion tr[data-unit='S-A'] >> text=Sở Tài chính")
    for code in ("F1.2", "F2.1"):
        page.locator(f"tr[data-code='{code}'] .par-appraise button").click()
        expect(page.locator(f"tr[data-code='{code}'] .par-saved")).to_be_visible()
    page.reload()
    page.click("#appraisal >> text=Yêu cầu đơn vị giải trình")
    expect(page.locator(".messages")).to_contain_text("Đã gửi yêu cầu giải trình")
    logout(page)

    # --- the unit explains
    login("canbo.a")
    menu("Đánh giá CCHC")
    expect(page.locator("#due")).to_contain_text("Giải trình theo yêu cầu")
    page.click("#due >> text=Sở Tài chính")
    expect(page.locator("#rounds")).to_contain_text("Đề nghị cung cấp văn bản")
    page.click("#rounds >> text=F1.1")
    page.fill("#id_explanation", "Kế hoạch 12/KH-STC ban hành ngày 15/01/2023, đúng hạn của UBND tỉnh.")
    page.click("#explain-form button")
    expect(page.locator(".messages")).to_contain_text("Đã lưu giải trình")
    page.click("main >> text=Sở Tài chính")
    page.click("#rounds button")
    expect(page.locator(".messages")).to_contain_text("Đã gửi giải trình")
    logout(page)

    # --- the second look, then the appraisal is complete
    login("thamdinh")
    page.goto(f"/assessments/{a.pk}/")
    row = page.locator("tr[data-code='F1.1']")
    row.locator("input[name=points]").fill("3")
    row.locator("textarea[name=comment]").fill("Đã giải trình thỏa đáng")
    row.locator(".par-appraise button").click()
    expect(page.locator("tr[data-code='F1.1'] .par-saved")).to_be_visible()
    page.reload()
    page.check("#appraisal form:has-text('Hoàn thành thẩm định') input[name=confirm]")
    page.click("#appraisal >> text=Hoàn thành thẩm định")
    expect(page.locator(".messages")).to_contain_text("Đã hoàn thành thẩm định")
    assert [v for f, v in codes(a, s.Event.APPRAISED) if f == "appraised_points"][:1] == ["2"]
    assert [v for f, v in codes(a, s.Event.REAPPRAISED) if f == "round2_points"] == ["3"]  # round 2; round 1 kept
    logout(page)

    # --- the council: differences highlighted, the decision with quorum and vote
    login("hoidong")
    page.goto(f"/assessments/cycle/{cycle.pk}/council/")
    expect(page.locator("#board tr[data-unit='S-B'] td.differs").first).to_be_visible()  # F2.1: 4 claimed → 3
    page.fill("#id_meeting_date", "01/02/2024")
    page.fill("#id_minutes_number", "05/BB-HĐTĐ")
    page.fill("#id_members_present", "Ông A\nBà B")
    page.fill("#id_votes_for", "2")
    page.check("#id_confirm")
    page.click("#decision-form button")
    expect(page.locator(".problems")).to_contain_text("Không đủ túc số")
    page.fill("#id_members_present", "Ông A\nBà B\nÔng C")
    page.fill("#id_votes_for", "3")
    page.check("#id_confirm")
    page.click("#decision-form button")
    expect(page.locator(".messages")).to_contain_text("khóa điểm")
    logout(page)

    # --- the secretariat: survey points, results, publication
    login("thuky")
    page.goto(f"/assessments/cycle/{cycle.pk}/")
    page.select_option("#id_run", str(survey_run.pk))
    page.click("text=Cập nhật điểm điều tra")
    expect(page.locator(".messages")).to_contain_text("2 thay đổi")
    page.click("text=Tính kết quả")
    expect(page.locator(".messages")).to_contain_text("Đã tính kết quả")
    page.check("#id_confirm")
    page.click("#publish button")
    expect(page.locator(".messages")).to_contain_text("Đã công bố")
    expect(page.locator("#units tr[data-unit='S-A']")).to_contain_text("1")
    run = IndexRun.objects.get(version=cycle.version)
    assert run.status == IndexRun.Status.PUBLISHED
    a.refresh_from_db()
    assert a.status == Status.PUBLISHED
    assert list(status_steps(a).values_list("new_value", flat=True)) == [
        "draft", "submitted", "under_appraisal", "explanation_requested", "explained", "appraised", "council_decided", "published"]
    page.click("#units >> text=Sở Tài chính")
    page.click("text=Nhật ký mọi thay đổi")
    expect(page.locator("#events")).to_contain_text("Kế hoạch ban hành chậm")
    expect(page.locator("#events")).to_contain_text("Đã công bố")

    # --- on a phone the wide sheets scroll inside themselves; the page never scrolls sideways
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (f"/assessments/{a.pk}/", f"/assessments/cycle/{cycle.pk}/", f"/assessments/cycle/{cycle.pk}/council/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
