"""A PAR cycle end to end in Chromium, as issue 19 walks it: the secretariat opens the cycle (and sees
who is left out); the unit submits, withdraws, resubmits; the expert team accepts claims in bulk and
asks a question (round 1); the unit explains before the working-day deadline; round 2; the council
gives a bonus within the framework's cap and decides; the secretariat publishes; the DOCX and PDF
documents download, and the DOCX opens in python-docx with the official heading and the table."""

import datetime
import importlib.util
import io
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from docx import Document
from playwright.sync_api import expect

from chiso.assessments import services as s
from chiso.assessments.models import Assessment, Cycle
from chiso.audit.queries import history
from chiso.units.models import UnitSuccession

# The PAR test framework, units and people of tests/assessments/conftest.py, shared with this journey.
_spec = importlib.util.spec_from_file_location("par_fixtures", Path(__file__).resolve().parents[1] / "assessments" / "conftest.py")
_par = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_par)
par_version, units, people, survey_run, cycle = _par.par_version, _par.units, _par.people, _par.survey_run, _par.cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = Assessment.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def logout(page):
    page.click("header button:has-text('Đăng xuất')")


def confirm_and_click(page, form: str, button: str):
    page.check(f"{form} input[name=confirm]")
    page.click(f"{form} button:has-text('{button}')")


def test_par_cycle_from_opening_to_published_documents(page, login, par_version, period, blocks, units, people, make_unit,
                                                       survey_run, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    page.set_default_timeout(60_000)  # a long journey on a shared machine
    ended = make_unit("S-CU", name_vi="Sở Cũ Đã Sáp Nhập", valid_to=datetime.date(2023, 6, 30))
    UnitSuccession.objects.create(predecessor=ended, successor=units[0], date=datetime.date(2023, 7, 1))

    # --- the secretariat opens the cycle; the unit that ended mid-year is left out for its successor
    login("thuky")
    page.goto("/assessments/new/")
    page.select_option("#id_version", str(par_version.pk))
    page.select_option("#id_period", str(period.pk))
    page.select_option("#id_block", str(blocks["department"].pk))
    due = timezone.localtime(timezone.now() + datetime.timedelta(days=10))
    page.fill("#id_self_assessment_due", due.strftime("%d/%m/%Y %H:%M"))
    page.fill("#id_council_size", "5")
    page.click("main form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Sở Cũ Đã Sáp Nhập")
    expect(page.locator("#left-out")).to_contain_text("30/06/2023")
    cycle = Cycle.objects.get()
    assert sorted(cycle.assessments.values_list("unit__code", flat=True)) == ["S-A", "S-B"]
    logout(page)
    b = cycle.assessments.get(unit__code="S-B")  # Sở Tư pháp goes to the council through the services
    for item in b.items.filter(part="self").select_related("node"):
        s.item_self_assess(item=item, by=people["officer_b"], points=Decimal(str(item.node.max_points)))
        if item.node.evidence_required:
            s.evidence_document_add(item=item, by=people["officer_b"], number="3/KH", date=datetime.date(2023, 1, 3))
    s.assessment_submit(assessment=b, by=people["officer_b"])
    s.assessment_claims_accept(assessment=b, by=people["expert"])
    s.assessment_appraisal_complete(assessment=b, by=people["expert"])

    # --- the unit scores, submits, withdraws to correct, submits again
    a = cycle.assessments.get(unit__code="S-A")
    login("canbo.a")
    page.goto(f"/assessments/{a.pk}/")
    for code, points in (("F1.1", "3"), ("F1.2", "2"), ("F2.1", "3")):
        page.locator(f"tr[data-code='{code}'] input[name=points]").fill(points)
        page.locator(f"tr[data-code='{code}'] button").click()
        expect(page.locator(f"tr[data-code='{code}'] .par-saved")).to_be_visible()
    page.click("tr[data-code='F1.1'] >> text=0 tài liệu")
    page.fill("#id_number", "12/KH-STC")
    page.fill("#id_date", "15/01/2023")
    page.click("#document-form button")
    page.click("main >> text=Sở Tài chính")
    page.click("#submit button")  # the confirmation box is required: nothing is sent
    assert Assessment.objects.get(pk=a.pk).status == Status.DRAFT
    confirm_and_click(page, "#submit", "Nộp")
    expect(page.locator(".messages")).to_contain_text("Đã nộp")
    page.click("#withdraw button")
    expect(page.locator(".messages")).to_contain_text("Đã rút lại")
    page.locator("tr[data-code='F2.1'] input[name=points]").fill("4")
    page.locator("tr[data-code='F2.1'] button").click()
    expect(page.locator("tr[data-code='F2.1'] .par-saved")).to_be_visible()
    page.reload()
    confirm_and_click(page, "#submit", "Nộp")
    expect(page.locator(".messages")).to_contain_text("Đã nộp")
    assert history(a).filter(event=s.Event.WITHDRAWN).count() == 1
    logout(page)

    # --- round 1: accept the claims in bulk, lower one with its reason, ask a question
    login("thamdinh")
    page.goto(f"/assessments/{a.pk}/")
    confirm_and_click(page, "#accept-form", "Chấp nhận")
    expect(page.locator(".messages")).to_contain_text("Đã chấp nhận 3")
    row = page.locator("tr[data-code='F2.1']")
    row.locator("input[name=points]").fill("3")
    row.locator(".par-appraise button").click()
    expect(page.locator("tr[data-code='F2.1'] .par-error")).to_contain_text("lý do")  # away from the claim: a reason
    row = page.locator("tr[data-code='F2.1']")
    row.locator("input[name=points]").fill("3")
    row.locator("textarea[name=comment]").fill("Thiếu 1 văn bản rà soát")
    row.locator("textarea[name=explanation_request]").fill("Đề nghị cung cấp kết quả rà soát văn bản")
    row.locator(".par-appraise button").click()
    expect(page.locator("tr[data-code='F2.1'] .par-saved")).to_be_visible()
    page.reload()
    page.click("#appraisal button:has-text('Yêu cầu đơn vị giải trình')")
    expect(page.locator(".messages")).to_contain_text("Đã gửi yêu cầu giải trình")
    expect(page.locator("#explanation-due")).to_contain_text("ngày làm việc")
    logout(page)

    # --- the unit explains within the working-day deadline
    login("canbo.a")
    page.goto(f"/assessments/{a.pk}/")
    expect(page.locator("#rounds")).to_contain_text("Đề nghị cung cấp kết quả rà soát văn bản")
    page.click("#rounds >> text=F2.1")
    page.fill("#id_explanation", "Kết quả rà soát tại Báo cáo 45/BC-STC.")
    page.click("#explain-form button")
    page.click("main >> text=Sở Tài chính")
    page.click("#rounds button")
    expect(page.locator(".messages")).to_contain_text("Đã gửi giải trình")
    logout(page)

    # --- round 2: round 1 stays; the reply shows under the answer; complete
    login("thamdinh")
    page.goto(f"/assessments/{a.pk}/")
    row = page.locator("tr[data-code='F2.1']")
    row.locator(".col-round2 input[name=points]").fill("4")
    row.locator(".col-round2 textarea[name=comment]").fill("Chấp nhận giải trình")
    row.locator(".col-round2 .par-appraise button").click()
    expect(page.locator("tr[data-code='F2.1'] .par-saved")).to_be_visible()
    page.reload()
    expect(page.locator("tr[data-code='F2.1'] td.col-appraised")).to_contain_text("3")
    expect(page.locator("#rounds")).to_contain_text("Chấp nhận giải trình")
    # The reason under the points reads as prose: from the start of the line, not bold like the points.
    reason = page.locator("tr[data-code='F2.1'] .par-comment").first
    assert reason.evaluate("c => [getComputedStyle(c).textAlign, getComputedStyle(c).fontWeight]") == ["start", "400"]
    # On a phone it keeps 8rem instead of a word a line.
    page.set_viewport_size({"width": 390, "height": 844})
    assert reason.bounding_box()["width"] >= 125
    page.set_viewport_size({"width": 1280, "height": 720})
    confirm_and_click(page, "#appraisal form:has-text('Hoàn thành thẩm định')", "Hoàn thành thẩm định")
    expect(page.locator(".messages")).to_contain_text("Đã hoàn thành thẩm định")
    logout(page)

    # --- the council: a bonus within the framework's cap, then the decision
    login("hoidong")
    page.goto(f"/assessments/{a.pk}/")
    page.fill("#id_r_bonus\\.initiative", "1,5")
    page.fill("#id_r_bonus\\.award", "1")
    page.click("#bonus-form button")
    expect(page.locator(".messages")).to_contain_text("tối đa 2")  # 2,5 above the cap of 2
    expect(page.locator("#id_r_bonus\\.initiative")).to_have_value("1,5")  # a refusal keeps what was typed
    expect(page.locator("#id_r_bonus\\.award")).to_have_value("1")
    page.fill("#id_r_bonus\\.initiative", "1")
    page.fill("#id_r_bonus\\.award", "1")
    page.click("#bonus-form button")
    expect(page.locator("#bonus-penalty")).to_contain_text("2")
    page.goto(f"/assessments/cycle/{cycle.pk}/council/")
    expect(page.locator("#board tr[data-unit='S-A'] td.differs").first).to_be_visible()
    page.fill("#id_meeting_date", "01/02/2024")
    page.fill("#id_members_present", "Ông A\nBà B\nÔng C")
    page.fill("#id_votes_for", "3")
    page.check("#id_confirm")
    page.click("#decision-form button")
    expect(page.locator(".messages")).to_contain_text("khóa điểm")
    logout(page)

    # --- the secretariat publishes through the cycle
    login("thuky")
    page.goto(f"/assessments/cycle/{cycle.pk}/")
    page.select_option("#id_run", str(survey_run.pk))
    page.click("text=Cập nhật điểm điều tra")
    page.click("text=Tính kết quả")
    expect(page.locator(".messages")).to_contain_text("Đã tính kết quả")
    page.click("#publish button")  # not confirmed: refused by the browser
    assert Assessment.objects.get(pk=a.pk).status == Status.COUNCIL_DECIDED
    page.check("#publish #id_confirm")
    page.click("#publish button")
    expect(page.locator(".messages")).to_contain_text("Đã công bố")
    assert Assessment.objects.get(pk=a.pk).status == Status.PUBLISHED

    # --- the documents: DOCX opened with python-docx, PDF
    response = page.request.get(f"/assessments/{a.pk}/phu-luc.docx")
    assert response.ok
    document = Document(io.BytesIO(response.body()))
    heading = "\n".join(c.text for row in document.tables[0].rows for c in row.cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading and "Độc lập - Tự do - Hạnh phúc" in heading and "Số:" in heading
    table = document.tables[1]
    assert [c.text for c in table.rows[0].cells][3:7] == ["Tự đánh giá", "Thẩm định lần 1", "Thẩm định lần 2", "Điểm cuối cùng"]
    f21 = next(r for r in table.rows if r.cells[1].text == "Rà soát văn bản")
    assert [c.text for c in f21.cells[3:7]] == ["4,00", "3,00", "4,00", "4,00"]
    for kind in ("to-trinh", "bao-cao"):
        response = page.request.get(f"/assessments/cycle/{cycle.pk}/{kind}.docx")
        assert response.ok
        text = "\n".join(p.text for p in Document(io.BytesIO(response.body())).paragraphs)
        assert ("TỜ TRÌNH" if kind == "to-trinh" else "BÁO CÁO") in text
    ranking = Document(io.BytesIO(page.request.get(f"/assessments/cycle/{cycle.pk}/bao-cao.docx").body())).tables[1]
    assert [r.cells[0].text for r in ranking.rows[1:]] == ["1", "2"]
    response = page.request.get(f"/assessments/{a.pk}/report.pdf")
    assert response.ok and response.body().startswith(b"%PDF")


def test_an_upload_above_the_limit_gets_a_413_page_from_the_server(live_server, client, cycle, people, settings, tmp_path):
    """Under Django's own server (runserver's): a Vietnamese 413 page, not "A server error occurred"."""
    settings.MEDIA_ROOT = tmp_path
    settings.CHISO_EVIDENCE_MAX_BYTES = 100_000
    a = cycle.assessments.get(unit__code="S-A")
    item = a.items.get(code="F1.1")
    client.force_login(people["officer"])
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    boundary = "----chiso"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"lon.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + PDF + b"0" * 300_000 + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{live_server.url}/assessments/{a.pk}/items/{item.pk}/upload/", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"})
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=30)
    assert error.value.code == 413
    page = error.value.read().decode()
    assert "vượt" in page and "97,7\xa0KB" in page and "A server error occurred" not in page
    assert not a.items.get(code="F1.1").evidence.exists()
