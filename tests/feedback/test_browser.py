"""The filer's journey on a phone and the unit's journey at a desk, in a real Chromium."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chiso.feedback.models import Feedback, Rating
from chiso.feedback.services import feedback_route
from chiso.units.models import Period
from tests.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}


@pytest.fixture
def contexts(browser, live_server):
    """Browser contexts opened by a test, closed before the live server stops."""
    opened = []

    def new(**options):
        context = browser.new_context(base_url=live_server.url, **{"locale": "vi-VN", **options})
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield new
    for context in opened:
        context.close()


def staff_page(contexts, username):
    return log_in(contexts().new_page(), username)


def test_a_business_files_anonymously_the_unit_answers_and_the_business_rates_it(contexts, defaults, units, staff, make_unit, tmp_path):
    make_unit("NHNN", block="central_agency", name_vi="Ngân hàng Nhà nước Việt Nam - Chi nhánh tỉnh Cao Bằng")  # the demo's longest name
    evidence = tmp_path / "bien-ban.pdf"
    evidence.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    phone = contexts(**PHONE).new_page()
    phone.goto("/gopy/")
    phone.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
    phone.get_by_label("Lĩnh vực").select_option(label="Thủ tục hành chính, hồ sơ")
    # A long unit name in the select made the form wider than the phone (a fieldset's min-content).
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_label("Cơ quan, đơn vị liên quan (nếu biết)").select_option(label="Sở Tài chính")
    phone.get_by_label("Tiêu đề").fill("Hồ sơ hoàn thuế bị trả lại nhiều lần")
    phone.get_by_label("Nội dung phản ánh và đề xuất").fill("Hồ sơ bị trả lại ba lần, mỗi lần một yêu cầu khác nhau.")
    phone.set_input_files("input[type=file]", str(evidence))
    phone.get_by_role("button", name="Gửi", exact=True).click()
    expect(phone.locator(".problems")).to_contain_text("hoặc chọn “Gửi ẩn danh”")  # no contact and not anonymous
    phone.get_by_label("Gửi ẩn danh", exact=False).check()
    phone.set_input_files("input[type=file]", str(evidence))
    phone.get_by_role("button", name="Gửi", exact=True).click()
    expect(phone.locator("h1")).to_have_text("Phản ánh, kiến nghị của ông/bà đã được tiếp nhận")
    code = phone.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    feedback = Feedback.objects.get()
    assert feedback.anonymous and feedback.attachments.count() == 1

    secretariat = staff_page(contexts, "thuky")
    secretariat.locator("nav.site-nav summary", has_text="Theo dõi").click()  # the follow-up menu group
    secretariat.locator("nav.site-nav").get_by_role("link", name="Phản ánh, kiến nghị").click()
    secretariat.get_by_role("link", name=feedback.number).click()
    expect(secretariat.locator("#feedback-state")).to_have_text("Đã tiếp nhận, chờ chuyển xử lý")
    secretariat.get_by_label("Đơn vị chủ trì xử lý").select_option(label="Sở Tài chính")  # suggested by the filer
    secretariat.get_by_role("button", name="Chuyển xử lý").click()
    expect(secretariat.locator(".messages")).to_contain_text("Đã chuyển Sở Tài chính")
    expect(secretariat.locator("#feedback-deadline")).to_contain_text("10 ngày làm việc")

    officer = staff_page(contexts, "canbo.tc")
    officer.goto("/feedback/")
    officer.get_by_role("link", name=feedback.number).click()
    expect(officer.locator("#filer-contact")).to_have_count(0)
    officer.get_by_label("Trả lời").fill("Sở đã rà soát và hướng dẫn bổ sung một lần; hồ sơ được giải quyết trong 3 ngày.")
    officer.get_by_role("button", name="Gửi câu trả lời").click()
    expect(officer.locator("#feedback-state")).to_have_text("Đã trả lời")
    expect(officer.locator("main")).to_contain_text("đúng hạn")

    secretariat.reload()
    secretariat.get_by_label("Tóm tắt nội dung để công khai").fill("Doanh nghiệp phản ánh hồ sơ hoàn thuế bị trả lại nhiều lần.")
    secretariat.get_by_role("button", name="Công khai", exact=True).click()
    expect(secretariat.locator(".messages")).to_contain_text("Câu trả lời đã được công khai.")

    phone.goto("/gopy/tra-cuu/")
    phone.get_by_label("Mã tra cứu").fill(code.lower())
    phone.get_by_role("button", name="Tra cứu").click()
    expect(phone).not_to_have_url(re.compile(code))
    expect(phone.locator(".answer")).to_contain_text("hướng dẫn bổ sung một lần")
    phone.get_by_label("Hài lòng", exact=True).check()
    phone.get_by_role("button", name="Gửi đánh giá").click()
    expect(phone.locator(".messages")).to_contain_text("đánh giá đã được ghi nhận")
    assert list(Rating.objects.values_list("score", flat=True)) == [4]
    phone.goto("/gopy/cong-khai/")
    phone.get_by_role("link", name="Hồ sơ hoàn thuế bị trả lại nhiều lần").click()
    expect(phone.locator("main")).to_contain_text("Doanh nghiệp phản ánh hồ sơ hoàn thuế bị trả lại nhiều lần.")


def test_a_unit_officer_sees_what_is_overdue_and_answers_it_late(contexts, file_feedback, units, staff):
    today = timezone.localdate()
    Period.objects.create(code=str(today.year), year=today.year, name_vi=f"Năm {today.year}",
                          start_date=datetime.date(today.year, 1, 1), end_date=datetime.date(today.year, 12, 31))
    late, _ = file_feedback(title="Chậm cấp giấy phép xây dựng", today=today - datetime.timedelta(days=40), contact={"name": "Bà Lan", "phone": "0912000111"})
    fresh, _ = file_feedback(title="Hỏi về lệ phí trước bạ", today=today)
    feedback_route(feedback=late, unit=units["tc"], by=staff["secretariat"], today=today - datetime.timedelta(days=39))
    feedback_route(feedback=fresh, unit=units["tc"], by=staff["secretariat"], today=today)

    officer = staff_page(contexts, "canbo.tc")
    officer.goto("/feedback/")
    officer.get_by_role("link", name="Quá hạn", exact=True).click()
    expect(officer.locator("tbody tr")).to_have_count(1)
    expect(officer.locator("tbody")).to_contain_text("Chậm cấp giấy phép xây dựng")
    expect(officer.locator("tbody .overdue")).to_have_count(1)
    officer.get_by_role("link", name=late.number).click()
    expect(officer.locator("main")).not_to_contain_text("Bà Lan")
    expect(officer.locator("main")).not_to_contain_text("0912000111")
    officer.get_by_label("Trả lời").fill("Sở xin lỗi vì chậm trả lời; giấy phép đã được cấp.")
    officer.get_by_role("button", name="Gửi câu trả lời").click()
    expect(officer.locator("main")).to_contain_text("quá hạn")

    officer.goto("/feedback/")
    officer.get_by_role("link", name=fresh.number).click()
    officer.get_by_label("Trả lời").fill("Mức lệ phí trước bạ theo quy định hiện hành.")
    officer.get_by_role("button", name="Gửi câu trả lời").click()
    expect(officer.locator("main .ontime")).to_have_text("đúng hạn")

    leader = staff_page(contexts, "lanhdao")
    leader.goto("/feedback/figures/")
    row = leader.locator("#feedback-figures tbody tr", has_text="Sở Tài chính")
    expect(row.locator("td").nth(1)).to_have_text("2")  # feedback
    expect(row.locator("td").nth(3)).to_have_text("1")  # late
    expect(row.locator("td").nth(5)).to_have_text("50,0")  # on time %
