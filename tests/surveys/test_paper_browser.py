"""In Chromium: two clerks type the same paper form with one difference; a third settles it."""

import pytest
from playwright.sync_api import expect

from chiso.accounts.models import Role
from chiso.surveys.models import HeldResponse, PaperForm
from chiso.surveys.services import questionnaire_import, survey_paper_double_entry_set

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def small_survey(make_survey, xlsform, blocks):
    content = xlsform(
        [("begin_group", "thong_tin", "Thông tin doanh nghiệp"), ("integer", "so_lao_dong", "Số lao động"),
         ("text", "nganh", "Ngành nghề"), ("end_group", "", "")],
        settings={"form_id": "phieu_giay", "version": "1"},
    )
    version = questionnaire_import(file_name="phieu.xlsx", content=content, by=None).version
    return make_survey(version, code="phieu-giay")


def _type(page, number: str, workers: str, sector: str) -> None:
    page.goto("/surveys/phieu-giay/paper/")
    page.get_by_label("Số phiếu").fill(number)
    page.get_by_role("button", name="Nhập phiếu").click()
    expect(page.locator(".badge.paper")).to_have_text("Nhập phiếu giấy")
    page.get_by_label("Số lao động").fill(workers)
    page.get_by_label("Ngành nghề").fill(sector)
    page.get_by_role("button", name="Tiếp tục").click()
    page.locator("#submit-button").click()
    expect(page.locator(".message.success")).to_contain_text(f"Đã lưu lần nhập phiếu số {number}")
    expect(page.get_by_label("Số phiếu")).to_have_value("")  # the next form, empty


def test_two_clerks_type_a_form_with_one_difference_and_a_third_settles_it(page, login, make_user, small_survey):
    for name in ("nhaplieu1", "nhaplieu2", "doichieu"):
        make_user(name, Role.SECRETARIAT)
    survey_paper_double_entry_set(survey=small_survey, required=True, by=None)

    login("nhaplieu1")
    _type(page, "0042", "12", "Du lịch")
    page.context.clear_cookies()
    login("nhaplieu2")
    _type(page, "0042", "21", "Du lịch")
    expect(page.locator("#to-settle tr[data-number='0042']")).to_contain_text("1")
    expect(page.locator("#to-settle")).to_contain_text("Bạn đã nhập phiếu này")
    assert not HeldResponse.objects.exists()

    page.context.clear_cookies()
    login("doichieu")
    page.goto("/surveys/phieu-giay/paper/")
    page.locator("#to-settle").get_by_role("link", name="Đối chiếu").click()
    row = page.locator("tr[data-address='so_lao_dong']")
    expect(row).to_contain_text("12")
    expect(row).to_contain_text("21")
    expect(page.locator("tr[data-address]")).to_have_count(1)  # the sector agreed
    row.get_by_label("21").check()
    page.get_by_role("button", name="Xác nhận đối chiếu").click()
    expect(page.locator(".message.success")).to_contain_text("Đã đối chiếu phiếu số 0042")
    expect(page.locator("#to-settle")).to_have_count(0)
    assert PaperForm.objects.get().status == "settled"
    assert str(HeldResponse.objects.get().answers["so_lao_dong"]) == "21"
