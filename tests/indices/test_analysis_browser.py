"""In Chromium, as the analyst (phantich): from a run's page to its statistical audit, a sensitivity
analysis, a comparison with other choices and the rank uncertainty, each a background job; at phone
width too. The run never changes."""

import pytest
from playwright.sync_api import expect

from chiso.accounts.models import Role
from chiso.indices.models import IndexRun, RunAnalysis

from .test_analysis import run, secretariat  # noqa: F401  (the fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_result(page):
    expect(page.locator(".job-state")).to_have_text("Đã xong")
    page.click("text=Xem kết quả")


def test_the_analyst_audits_compares_and_analyses_uncertainty_in_the_browser(page, login, make_user, run):
    before = (run.input_checksum, run.result_checksum)
    make_user("phantich", Role.ANALYST)
    login("phantich")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"/runs/{run.pk}/")
    expect(page.locator("#analysis-links")).to_be_visible()
    expect(page.locator("form[action$='/publish/']")).to_have_count(0)

    page.click("#analysis-links >> text=Đánh giá thống kê")
    expect(page.locator("#no-audit")).to_be_visible()
    page.click("#audit-start")
    _open_result(page)
    expect(page.locator("h1")).to_contain_text("Đánh giá thống kê")
    expect(page.locator("#findings")).to_contain_text("Bỏ P")  # the drop-one finding, in Vietnamese
    expect(page.locator("#cronbach tbody tr")).to_have_count(3)
    expect(page.locator("figure.chart-box svg[role=img]").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # wide tables scroll inside their box

    page.click("#sensitivity-start")
    _open_result(page)
    expect(page.locator("#sensitivity-table")).to_contain_text("Trọng số ±25 %")
    expect(page.locator("#sensitivity-table")).to_contain_text("Chuẩn hóa")

    page.click("text=So sánh phương án")
    page.select_option("#id_aggregation", label="Copeland (đếm số lần hơn từng cặp) ở mọi cấp")
    page.click("#compare-form button[type=submit]")
    _open_result(page)
    expect(page.locator("h2").first).to_contain_text("Copeland")
    table = page.locator("#comparison")
    expect(table.locator("tbody tr")).to_have_count(8)
    expect(table.locator("tbody tr").first).to_have_attribute("data-unit", "S-1")
    expect(table.locator(".change-up, .change-down").first).to_be_visible()  # some units move
    expect(page.locator("main")).to_contain_text("đơn vị đổi hạng")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.click("text=Đánh giá thống kê")
    page.click("text=Phân tích độ bất định thứ hạng")
    _open_result(page)
    expect(page.locator("#results td.rank-interval").first).to_be_visible()

    run = IndexRun.objects.get(pk=run.pk)
    assert (run.input_checksum, run.result_checksum, run.status) == (*before, IndexRun.Status.PUBLISHED)
    assert sorted(RunAnalysis.objects.values_list("kind", flat=True)) == ["audit", "comparison", "sensitivity"]
