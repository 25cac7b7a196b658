"""In Chromium, as a journalist would, without logging in: published rankings, a commune's
scorecard across the 2025 reform, the open data; never a draft or a superseded run."""

import pytest
from playwright.sync_api import expect

from tests.results.sample import SUPERSEDED_VALUE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_portal_shows_published_results_only(page, sample):
    page.goto("/public/")
    expect(page.locator("h1")).to_have_text("Kết quả đã công bố")
    links = page.locator("main a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    for hidden in (sample.draft, sample.superseded):
        assert f"/public/runs/{hidden.pk}/" not in links
    assert f"/public/runs/{sample.communes.pk}/" in links
    page.click(f"a[href='/public/runs/{sample.ddci_2023.pk}/']")
    rows = page.locator("#ranking tbody tr")
    expect(rows).to_have_count(4)
    # The corrected publication: S-C's score is the republished one, not the superseded one.
    expect(page.locator("#ranking tbody tr[data-unit='S-C']")).not_to_contain_text(str(SUPERSEDED_VALUE) + ",00")
    page.goto(f"/public/runs/{sample.communes.pk}/")
    page.click("#ranking tbody tr[data-unit='X-2'] a")
    expect(page.locator(".scorecard h1")).to_have_text("Xã Hà Quảng")
    expect(page.locator(".scorecard table.trend")).to_contain_text("Huyện Hòa An")  # through its lineage
    page.goto(f"/public/runs/{sample.draft.pk}/")
    expect(page.locator("body")).not_to_contain_text("DDCI thử — Sở, ban, ngành — Năm 2025")
    page.goto("/public/data/")
    expect(page.locator("main table")).not_to_contain_text("Năm 2025 — Sở")
    expect(page.locator("main")).to_contain_text("/api/v1/openapi.json")


def test_the_ranking_on_a_phone_keeps_room_for_names_and_scrolls_in_its_box(page, sample):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/public/runs/{sample.ddci_2023.pk}/")
    name = page.locator("#ranking tbody tr[data-unit='S-A'] th")
    assert name.bounding_box()["width"] >= 140  # two short lines, not a word a line
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_scorecard_on_a_phone_is_no_wider_than_the_phone(page, sample):
    """Its one-column grid was as wide as its widest table or chart (425 px on a 390 px phone)."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/public/runs/{sample.ddci_2023.pk}/")
    page.click("#ranking tbody tr[data-unit='S-A'] a")
    expect(page.locator(".scorecard h1")).to_have_text("Sở Tài chính")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Each pillar's name keeps 10rem beside its six number columns (it ran a word a line).
    pillar = page.locator(".scorecard tbody th[scope=row]", has_text="Chi phí không chính thức").first
    assert pillar.bounding_box()["width"] >= 155
