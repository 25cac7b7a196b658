"""In Chromium, as a leader would: the DDCI ranking, a department's scorecard, its PDF."""

import subprocess

import pytest
from playwright.sync_api import expect

from chiso.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ranking_to_scorecard_to_pdf(menu, page, login, make_user, sample, tmp_path):
    make_user("lanhdao", Role.LEADER)
    login("lanhdao")
    menu("Kết quả")
    page.click(f"a[href='/results/runs/{sample.ddci_2023.pk}/']")
    expect(page.locator("h1")).to_contain_text("DDCI thử")
    first = page.locator("#ranking tbody tr").first
    expect(first).to_have_attribute("data-unit", "S-A")
    expect(first).to_contain_text("▲ 3")  # from last to first since 2022
    expect(page.locator("#ranking tbody tr").last).to_have_attribute("data-unit", "S-D")
    page.click("#ranking th >> text=Đơn vị")  # sort by name: Sở Y tế comes last
    expect(page.locator("#ranking tbody tr").last).to_have_attribute("data-unit", "S-C")
    page.click("#ranking tbody tr[data-unit='S-D'] a")
    expect(page.locator(".scorecard h1")).to_have_text("Sở Xây dựng")
    expect(page.locator(".scorecard svg[role=img]").first).to_be_visible()
    expect(page.locator(".key-figures")).to_contain_text("4")
    with page.expect_download() as download:
        page.click("text=Tải phiếu kết quả (PDF)")
    path = tmp_path / "phieu.pdf"
    download.value.save_as(path)
    assert download.value.suggested_filename == "2023-DDCI-T-S-D.pdf"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    assert "Sở Xây dựng" in text and "Năm chỉ tiêu yếu nhất" in text and "Tính minh bạch" in text
