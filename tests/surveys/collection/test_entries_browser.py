"""A list the respondent fills (a repeat without repeat_count) in a real Chromium: with htmx and
without JavaScript. The form is tests/surveys/data/danh_sach_thu_tuc.xlsx."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from chiso.surveys.models import Draft, Invitation, Response
from chiso.surveys.services import invitations_create, questionnaire_import, responses_flush

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM = Path(__file__).resolve().parents[1] / "data" / "danh_sach_thu_tuc.xlsx"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}


@pytest.fixture
def link(live_server, make_survey, blocks):
    version = questionnaire_import(file_name=FORM.name, content=FORM.read_bytes(), by=None).version
    survey = make_survey(version, code="thu-tuc")
    [(_invitation, token)] = invitations_create(survey=survey, labels=["DN-7"], by=None)
    return f"{live_server.url}/s/{token}/"


def entries(page):
    return page.locator("h2.entry-legend")


def test_a_respondent_adds_two_entries_removes_one_goes_back_resumes_and_submits(browser, link):
    day_one = browser.new_context(**PHONE)
    page = day_one.new_page()
    page.goto(link)
    page.get_by_label("Có", exact=True).check()
    page.get_by_role("button", name="Tiếp tục").click()

    expect(page.locator("h1")).to_have_text("Thủ tục đã làm")
    expect(entries(page)).to_have_text(["Thủ tục đã làm (1)"])  # one entry to start with, as in Enketo
    page.get_by_label("Tên thủ tục thứ 1").fill("Cấp phép xây dựng")
    page.locator("#f-thu_tuc-1-so_ngay").fill("20")
    page.locator("#f-thu_tuc-1-gio_nop").fill("08:30")
    expect(page.locator("#f-thu_tuc-1-gio_nop")).to_have_attribute("type", "time")
    expect(page.locator("#f-thu_tuc-1-luc_nhan")).to_have_attribute("type", "datetime-local")

    page.get_by_role("button", name="Thêm một mục").click()
    expect(page).to_have_url(re.compile(r"/p/r-thu_tuc/#f-thu_tuc-2$"))
    expect(entries(page)).to_have_count(2)
    expect(page.get_by_label("Tên thủ tục thứ 1")).to_have_value("Cấp phép xây dựng")  # the page was saved first
    expect(page.locator("#f-thu_tuc-1-gio_nop")).to_have_value("08:30")
    page.get_by_label("Tên thủ tục thứ 2").fill("Đăng ký kinh doanh")
    page.get_by_role("button", name="Thêm một mục").click()
    expect(entries(page)).to_have_count(3)
    page.get_by_label("Tên thủ tục thứ 3").fill("Hoàn thuế")
    page.locator("#f-thu_tuc-3-luc_nhan").fill("2025-03-13T14:30")

    remove_second = page.get_by_role("button", name="Xóa mục này Thủ tục đã làm (2)")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))  # no
    remove_second.click()
    expect(entries(page)).to_have_count(3)
    assert asked == ["Xóa mục này cùng các câu trả lời trong đó?"]
    page.once("dialog", lambda dialog: dialog.accept())
    remove_second.click()
    expect(entries(page)).to_have_count(2)
    expect(page.get_by_label("Tên thủ tục thứ 2")).to_have_value("Hoàn thuế")
    expect(page.locator("#f-thu_tuc-2-luc_nhan")).to_have_value("2025-03-13T14:30")

    page.get_by_role("button", name="Quay lại").click()
    expect(page.get_by_label("Có", exact=True)).to_be_checked()
    day_one.close()

    day_two = browser.new_context(**PHONE)
    page = day_two.new_page()
    page.goto(link)  # the same link, another day
    expect(page.locator("h1")).to_have_text("Thủ tục đã làm")
    expect(entries(page)).to_have_text(["Thủ tục đã làm (1)", "Thủ tục đã làm (2)"])
    expect(page.get_by_label("Tên thủ tục thứ 1")).to_have_value("Cấp phép xây dựng")
    expect(page.get_by_label("Tên thủ tục thứ 2")).to_have_value("Hoàn thuế")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("h1")).to_have_text("Người trả lời")
    expect(page.get_by_role("button", name="Thêm một mục")).to_have_count(0)  # jr:noAddRemove
    page.get_by_label("Chức vụ của người trả lời").fill("Giám đốc")
    page.get_by_role("button", name="Tiếp tục").click()
    page.get_by_role("button", name="Tiếp tục").click()  # no comment

    expect(page.locator("h1")).to_have_text("Xem lại câu trả lời")
    expect(page.locator("h3.entry-legend")).to_have_text(["Thủ tục đã làm (1)", "Thủ tục đã làm (2)", "Người trả lời (1)"])
    expect(page.locator("main")).to_contain_text("13/03/2025 14:30")
    page.locator("#submit-button").click()
    expect(page.locator("h1")).to_have_text("Cảm ơn bạn! Câu trả lời của bạn đã được ghi nhận.")
    day_two.close()

    responses_flush(survey=Invitation.objects.get().survey, force=True)  # its batch
    answers = Response.objects.get().answers
    assert answers["thu_tuc"] == [
        {"stt": "1", "ten": "Cấp phép xây dựng", "so_ngay": 20, "gio_nop": "08:30:00"},
        {"stt": "2", "ten": "Hoàn thuế", "luc_nhan": "2025-03-13T14:30:00"},
    ]
    assert answers["nguoi_tra_loi"] == [{"chuc_vu": "Giám đốc"}]
    assert Invitation.objects.get().status == Invitation.Status.COMPLETED


def test_adding_and_removing_work_without_javascript(browser, link):
    context = browser.new_context(java_script_enabled=False, **PHONE)
    page = context.new_page()
    page.goto(link)
    page.get_by_label("Có", exact=True).check()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("h1")).to_have_text("Thủ tục đã làm")
    page.get_by_label("Tên thủ tục thứ 1").fill("Cấp phép xây dựng")
    page.get_by_role("button", name="Thêm một mục").click()
    expect(entries(page)).to_have_count(2)
    expect(page.get_by_label("Tên thủ tục thứ 1")).to_have_value("Cấp phép xây dựng")
    page.get_by_label("Tên thủ tục thứ 2").fill("Đăng ký kinh doanh")
    page.get_by_role("button", name="Xóa mục này Thủ tục đã làm (1)").click()  # no question asked without JavaScript
    expect(entries(page)).to_have_text(["Thủ tục đã làm (1)"])
    expect(page.get_by_label("Tên thủ tục thứ 1")).to_have_value("Đăng ký kinh doanh")
    # Enter in a text box means Continue, not the remove button that comes first on the page
    page.get_by_label("Tên thủ tục thứ 1").press("Enter")
    expect(page.locator("h1")).to_have_text("Người trả lời")
    assert Draft.objects.get().answers["thu_tuc"] == [{"ten": "Đăng ký kinh doanh", "so_ngay": "", "gio_nop": "", "luc_nhan": "", "stt": "1"}]
    context.close()
