"""A respondent's whole journey on a phone, and the secretariat's upload, in a real Chromium."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from chiso.accounts.models import Role
from chiso.surveys.models import Draft, Invitation, QuestionnaireVersion, Response
from chiso.surveys.services import invitations_create, survey_close

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}


def question(page, text):
    return page.locator("fieldset.question", has_text=text)


def rate(page, score="8", informal="Không"):
    question(page, "công khai đầy đủ").get_by_label("Đồng ý", exact=True).check()
    question(page, "chủ động, linh hoạt").get_by_label("Trung lập", exact=True).check()
    question(page, "ưu ái").get_by_label("Hoàn toàn đồng ý", exact=True).check()
    page.get_by_label("Số lần doanh nghiệp phải đi lại").fill("2")
    question(page, "chi phí không chính thức").get_by_label(informal, exact=True).check()
    question(page, "Điểm đánh giá chung").get_by_label(score, exact=True).check()


def test_a_business_answers_on_a_phone_stops_half_way_resumes_next_day_and_submits_once(browser, live_server, ddci_survey):
    [(invitation, token)] = invitations_create(survey=ddci_survey, labels=["DN-042"], by=None)
    link = f"{live_server.url}/s/{token}/"

    day_one = browser.new_context(**PHONE)
    page = day_one.new_page()
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/s/r/[^/]+/p/q-gioi_thieu/$"))  # the token is gone from the address bar
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Giới thiệu")
    expect(page.locator(".progress-line")).to_contain_text("Trang 1/")
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.locator("h1")).to_have_text("Thông tin doanh nghiệp")
    refreshes = []  # htmx asks the server again only when a question others depend on changes
    page.on("request", lambda request: refreshes.append(request.url) if request.url.endswith("/refresh/") else None)
    page.get_by_role("button", name="Tiếp tục").click()  # nothing answered: the page says what is missing
    expect(page.locator("#error-summary")).to_contain_text("Câu hỏi này bắt buộc trả lời.")
    question(page, "Loại hình doanh nghiệp").get_by_label("Công ty cổ phần").check()
    # keyboard: move to an option and pick it with the space bar
    question(page, "Lĩnh vực hoạt động chính").get_by_label("Du lịch, lưu trú, ăn uống").focus()
    page.keyboard.press("Space")
    page.get_by_label("Số lao động hiện nay").fill("35")
    page.get_by_label("Năm thành lập").fill("2009")
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.locator("h1")).to_have_text("Sở, ban, ngành đã liên hệ")
    assert refreshes == []  # nothing on the business page changes another question
    for name in ("Sở Tài chính", "Sở Tư pháp", "Sở Xây dựng"):
        page.get_by_label(name).check()
    question(page, "Hình thức liên hệ").get_by_label("Trực tuyến qua Cổng Dịch vụ công").check()
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.locator("h1")).to_have_text("Đánh giá: Sở Tài chính")
    expect(page.locator(".note")).to_contain_text("Đánh giá của doanh nghiệp về Sở Tài chính")
    expect(page.get_by_label("Chi phí không chính thức khoảng bao nhiêu phần trăm")).to_have_count(0)
    rate(page, informal="Có")
    # htmx shows the follow-up question as soon as "Có" is picked, without leaving the page
    follow_up = page.get_by_label("Chi phí không chính thức khoảng bao nhiêu phần trăm")
    expect(follow_up).to_be_visible()
    assert [url for url in refreshes if "/p/r-danh_gia-1/" in url] == [refreshes[-1]]  # the informal charge only
    follow_up.fill("1,5")
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.locator("h1")).to_have_text("Đánh giá: Sở Tư pháp")
    question(page, "công khai đầy đủ").get_by_label("Không đồng ý", exact=True).check()
    page.get_by_role("button", name="Lưu và trả lời tiếp sau").click()
    expect(page.locator("h1")).to_have_text("Câu trả lời của bạn đã được lưu")
    day_one.close()  # the browser is closed
    assert Invitation.objects.get().status == Invitation.Status.IN_PROGRESS

    day_two = browser.new_context(**PHONE)
    page = day_two.new_page()
    page.goto(link)  # the same link, the next day
    expect(page.locator("h1")).to_have_text("Đánh giá: Sở Tư pháp")
    expect(question(page, "công khai đầy đủ").get_by_label("Không đồng ý", exact=True)).to_be_checked()
    rate(page, score="5")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("h1")).to_have_text("Đánh giá: Sở Xây dựng")
    rate(page, score="9")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("h1")).to_have_text("Ý kiến chung")
    page.get_by_label("Góp ý khác cho chính quyền tỉnh").fill("Đề nghị công khai thời hạn giải quyết.")
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.locator("h1")).to_have_text("Xem lại câu trả lời")
    review = page.locator("main")
    expect(review).to_contain_text("Đánh giá: Sở Xây dựng")
    expect(review).to_contain_text("1,5")
    expect(review).to_contain_text("Đề nghị công khai thời hạn giải quyết.")
    page.locator("#submit-button").dblclick()  # an impatient double click
    expect(page.locator("h1")).to_have_text("Cảm ơn bạn! Câu trả lời của bạn đã được ghi nhận.")

    assert Response.objects.count() == 0  # held for its batch; closing the survey writes it
    survey_close(survey=Invitation.objects.get().survey, by=None)
    assert Response.objects.count() == 1
    response = Response.objects.get()
    assert response.rated_units == ["S-TC", "S-TP", "S-XD"]
    assert [e["diem_chung"] for e in response.answers["danh_gia"]] == [8, 5, 9]
    assert response.answers["danh_gia"][0]["ty_le_chi_phi"] == 1.5
    assert Invitation.objects.get().status == Invitation.Status.COMPLETED and not Draft.objects.exists()

    page.goto(link)  # the link is spent
    expect(page.locator("h1")).to_have_text("Câu trả lời của bạn đã được ghi nhận")
    day_two.close()


def test_the_basics_work_without_javascript(browser, live_server, ddci_survey):
    [(_invitation, token)] = invitations_create(survey=ddci_survey, labels=["x"], by=None)
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}/")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("h1")).to_have_text("Thông tin doanh nghiệp")
    page.get_by_label("Số lao động hiện nay").fill("nhiều")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#error-summary")).to_contain_text("Vui lòng nhập một số nguyên.")
    context.close()


def test_the_secretariat_uploads_a_broken_form_then_a_good_one_and_previews_it(menu, page, login, make_user, ddci_survey, tmp_path, xlsform):
    make_user("thuky", Role.SECRETARIAT)
    broken = tmp_path / "phieu-loi.xlsx"
    broken.write_bytes(xlsform([("integer", "a", "A", ""), ("integer", "b", "B", "${a} > (1")], survey_header=("type", "name", "label", "relevant")))
    login("thuky")
    menu("Khảo sát")
    page.click("text=Tải lên biểu mẫu XLSForm")
    page.set_input_files("input[type=file]", str(broken))
    page.click("main button[type=submit]")
    problems = page.locator(".problems")
    expect(problems).to_contain_text("phieu-loi.xlsx")
    expect(problems).to_contain_text("trang tính survey")
    expect(problems).to_contain_text("dòng 3")
    expect(problems).to_contain_text("${a} > (1")
    versions = QuestionnaireVersion.objects.count()
    page.set_input_files("input[type=file]", str(EXAMPLES / "ddci_communes.xlsx"))
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("Khảo sát DDCI 2025 – Đánh giá các xã, phường")
    expect(page.locator(".form-preview")).to_contain_text("Trong 12 tháng qua, doanh nghiệp đã liên hệ giải quyết công việc với xã, phường nào?")
    expect(page.locator(".form-preview")).to_contain_text("nhom = ${nganh_nghe}")
    assert QuestionnaireVersion.objects.count() == versions + 1


def test_the_secretariat_closes_and_extends_and_types_in_a_paper_form(page, login, make_user, ddci_survey, browser, live_server):
    [(_invitation, token)] = invitations_create(survey=ddci_survey, labels=["DN-1"], by=None)
    make_user("thuky", Role.SECRETARIAT)
    login("thuky")
    page.goto(f"/surveys/{ddci_survey.code}/")
    page.get_by_role("button", name="Đóng ngay").click()
    expect(page.locator(".message.success")).to_contain_text("Đã đóng khảo sát")

    respondent = browser.new_context(**PHONE)
    phone = respondent.new_page()
    phone.goto(f"{live_server.url}/s/{token}/")
    expect(phone.locator("h1")).to_have_text("Khảo sát đã kết thúc")

    page.fill("#id_closes_at", "2031-12-31T17:00")
    page.get_by_role("button", name="Gia hạn").click()
    expect(page.locator(".message.success")).to_contain_text("2031")
    phone.goto(f"{live_server.url}/s/{token}/")
    expect(phone.locator("h1")).to_have_text("Giới thiệu")
    respondent.close()

    page.get_by_role("button", name="Nhập một phiếu giấy").click()
    expect(page.locator(".badge.paper")).to_have_text("Nhập phiếu giấy")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("h1")).to_have_text("Thông tin doanh nghiệp")
    page.get_by_label("Số lao động hiện nay").fill("-3")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#error-summary")).to_contain_text("Số lao động phải từ 0 đến 100.000.")


def test_a_cascading_question_says_its_choices_come_with_the_answer_above(browser, live_server, make_survey, make_unit):
    """"Ngành cụ thể" (its choices filtered by the sector) stood empty under its star until a sector
    was picked: it now says the choices come once the questions above are answered."""
    from chiso.surveys.services import questionnaire_import

    make_unit("X-A", block="commune", name_vi="Xã A")
    path = EXAMPLES / "ddci_communes.xlsx"
    survey = make_survey(questionnaire_import(file_name=path.name, content=path.read_bytes(), by=None).version)
    [(_invitation, token)] = invitations_create(survey=survey, labels=["DN-1"], by=None)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{token}/")
    page.get_by_role("button", name="Tiếp tục").click()
    detail = question(page, "Ngành cụ thể")
    expect(detail).to_contain_text("Các lựa chọn sẽ hiện ra khi bạn trả lời các câu hỏi phía trên.")
    question(page, "Lĩnh vực hoạt động chính").get_by_label("Thương mại, dịch vụ").check()
    expect(detail.get_by_label("Bán lẻ")).to_be_visible()
    expect(detail).not_to_contain_text("Các lựa chọn sẽ hiện ra")
    context.close()
