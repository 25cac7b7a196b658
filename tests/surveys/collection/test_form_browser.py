"""Trying a form and a long choice list in a real Chromium, on a phone and a desktop, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from chiso.accounts.models import Role
from chiso.surveys.models import Draft, Response
from chiso.surveys.services import questionnaire_import

from tests.conftest import logged_in_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN"}
COMMUNES = [("xa", f"x{i:02d}", name) for i, name in enumerate(
    ["Thục Phán", "Hòa An", "Đông Khê", "Nguyên Bình", "Quảng Uyên"] + [f"Xã số {n}" for n in range(1, 61)])]


@pytest.fixture
def version(blocks, xlsform, make_user, period):
    make_user("thuky", Role.SECRETARIAT)
    rows = [
        ("begin_group", "co_so", "Cơ sở", ""),
        ("select_one xa", "xa_phuong", "Xã, phường", ""),
        ("integer", "so_lao_dong", "Số lao động", ""),
        ("text", "ly_do", "Vì sao đông lao động?", "${so_lao_dong} > 100"),
        ("end_group", "", "", ""),
    ]
    content = xlsform(rows, COMMUNES, settings={"form_id": "thu_nghiem", "version": "1", "form_title": "Thử nghiệm"},
                      survey_header=("type", "name", "label", "relevant"))
    return questionnaire_import(file_name="thu_nghiem.xlsx", content=content, by=None).version


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_secretariat_tries_the_form_and_searches_a_long_list_ignoring_accents(browser, live_server, version, device):
    ctx, page = logged_in_context(browser, live_server, "thuky", **device)
    page.goto(f"/surveys/questionnaires/{version.pk}/")
    page.locator("#try-form").click()
    expect(page.locator("#trial-banner")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Cơ sở")
    search = page.locator("#f-xa_phuong-search")
    expect(search).to_be_visible()
    search.fill("thuc phan")
    options = page.locator("#f-xa_phuong option")
    expect(options).to_have_count(2)  # "—" and Thục Phán
    expect(options.nth(1)).to_have_text("Thục Phán")
    page.locator("#f-xa_phuong").select_option("x00")
    search.fill("")
    expect(options).to_have_count(66)
    expect(page.locator("#f-xa_phuong")).to_have_value("x00")  # the choice stays
    page.locator("#f-so_lao_dong").fill("1.000")
    page.locator("#f-so_lao_dong").blur()
    expect(page.get_by_label("Vì sao đông lao động?")).to_be_visible()  # live relevance (htmx), nothing saved
    page.get_by_label("Vì sao đông lao động?").fill("Mùa vụ")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("h1")).to_have_text("Xem lại câu trả lời")
    expect(page.locator("main")).to_contain_text("Thục Phán")
    expect(page.locator("main")).to_contain_text("1.000")
    page.locator("#submit-button").click()
    expect(page.locator("#trial-checked")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= device["viewport"]["width"], "the page scrolls sideways"
    assert not Draft.objects.exists() and not Response.objects.exists()
    ctx.close()


def test_without_javascript_the_long_list_is_a_plain_select(browser, live_server, version):
    ctx, page = logged_in_context(browser, live_server, "thuky", java_script_enabled=False, **PHONE)
    page.goto(f"/surveys/questionnaires/{version.pk}/try/")
    expect(page.locator("#trial-banner")).to_be_visible()
    expect(page.locator("#f-xa_phuong-search")).to_have_count(0)
    expect(page.locator("select#f-xa_phuong option")).to_have_count(66)
    page.locator("#f-xa_phuong").select_option(label="Đông Khê")
    page.locator("#f-so_lao_dong").fill("1,5")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#error-summary")).to_contain_text("không có phần thập phân")  # refused: decimals in a whole-number field
    page.locator("#f-so_lao_dong").fill("12")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page).to_have_url(re.compile(r"/surveys/try/v\d+/review/$"))
    expect(page.locator("main")).to_contain_text("Đông Khê")
    ctx.close()
