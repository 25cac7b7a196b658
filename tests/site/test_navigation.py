"""The main menu: grouped by what a person does, each role sees only what it may open."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from chiso.accounts.models import Role


def _groups(client):
    return [(str(g.label), [str(label) for _url, label in g.items]) for g in client.get(reverse("home")).context["nav_groups"]]


@pytest.mark.django_db
def test_the_secretariat_sees_groups_and_an_officer_a_short_menu(client, make_user, make_unit, blocks):
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    groups = dict(_groups(client))
    assert list(groups)[:5] == ["Trang chủ", "Dữ liệu", "Đánh giá", "Kết quả", "Theo dõi"]
    assert groups["Dữ liệu"] == ["Đơn vị", "Nhập đơn vị", "Kỳ đánh giá", "Bộ chỉ số", "Khung mẫu"]
    assert "Khảo sát" in groups["Đánh giá"] and "Tính chỉ số" in groups["Đánh giá"]
    client.force_login(make_user("canbo", Role.UNIT_OFFICER, unit=make_unit("S-TC")))
    groups = dict(_groups(client))
    assert groups["Dữ liệu"] == ["Đơn vị của tôi"]  # one link: shown as that link, not a menu
    assert "Khảo sát" not in groups["Đánh giá"] and "Tính chỉ số" not in groups["Đánh giá"]
    html = client.get(reverse("home")).content.decode()
    assert "<summary" in html and reverse("units:import") not in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_menu_group_opens_by_keyboard_and_closes_with_escape(page, login, make_user, blocks):
    make_user("thuky", Role.SECRETARIAT)
    login("thuky")
    surveys = page.locator("nav.site-nav").get_by_role("link", name="Khảo sát", exact=True)
    expect(surveys).to_be_hidden()
    page.locator("nav.site-nav summary", has_text="Đánh giá").focus()
    page.keyboard.press("Enter")
    expect(surveys).to_be_visible()
    page.keyboard.press("Escape")
    expect(surveys).to_be_hidden()
    page.locator("nav.site-nav summary", has_text="Dữ liệu").click()
    page.locator("nav.site-nav summary", has_text="Đánh giá").click()  # one open at a time
    expect(page.locator("nav.site-nav details[open]")).to_have_count(1)
    surveys.click()
    expect(page).to_have_url(re.compile(r"/surveys/$"))
    expect(page.locator("nav.site-nav summary.current")).to_have_text("Đánh giá")
