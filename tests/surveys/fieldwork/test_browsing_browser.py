"""The response browser in a real Chromium: the analyst filters by a choice and sees the chart."""

import pytest
from playwright.sync_api import expect

from chiso.accounts.models import Role

from tests.surveys.conftest import ddci_answers, store_response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_analyst_filters_responses_by_a_choice_and_sees_the_chart(page, login, make_user, ddci_survey):
    make_user("phantich", Role.ANALYST)
    for i in range(3):
        store_response(ddci_survey, ddci_answers(nganh_nghe="du_lich"), key=f"d{i}")
    for i in range(2):
        store_response(ddci_survey, ddci_answers(nganh_nghe="thuong_mai"), key=f"t{i}")
    login("phantich")
    page.goto(f"/surveys/{ddci_survey.code}/responses/")
    expect(page.locator("#browse-total")).to_contain_text("5 phiếu phù hợp")
    page.get_by_label("Câu trả lời cho một câu hỏi").select_option("nganh_nghe=du_lich")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.locator("#browse-total")).to_contain_text("3 phiếu phù hợp")
    expect(page.locator("table.responses tbody tr")).to_have_count(3)
    section = page.locator('section[data-question="nganh_nghe"]')
    expect(section.locator("svg[role=img]")).to_be_visible()  # the bars, drawn on the server
    expect(section.locator("figcaption")).to_contain_text("Biểu đồ thanh các câu trả lời")
    expect(section.locator("table.summary")).to_contain_text("100,0 %")  # numbers the Vietnamese way
    assert "answer=nganh_nghe%3Ddu_lich" in page.url
