"""The pages a person uses, in a real headless Chromium (Debian's), against a live server."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from chiso.accounts.models import Role
from chiso.units.models import Period, Unit
from tests.conftest import logged_in_context

# Transactional, so that the live server's thread sees the rows the test writes.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {
    Role.SECRETARIAT: "Thư ký",
    Role.APPRAISER: "Thẩm định",
    Role.UNIT_OFFICER: "Cán bộ đơn vị",
    Role.LEADER: "Lãnh đạo",
    Role.ANALYST: "Phân tích",
    Role.ADMINISTRATOR: "Quản trị",
}


@pytest.fixture
def units(make_unit, period):
    return make_unit("S-TC", name_vi="Sở Tài chính"), make_unit("S-TP", name_vi="Sở Tư pháp")


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_logs_in_to_its_home_page_in_vietnamese(page, login, make_user, units, role):
    make_user("nguoidung", role, unit=units[0] if role == Role.UNIT_OFFICER else None)
    login("nguoidung")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h2").first).to_have_text("Việc cần bạn chú ý")
    expect(page.locator(".role")).to_contain_text(ROLES[role])
    if role == Role.UNIT_OFFICER:
        expect(page.locator("main")).to_contain_text("Sở Tài chính")
        expect(page.locator("main")).not_to_contain_text("Sở Tư pháp")
    else:
        expect(page.locator(".card .figure").first).to_have_text("2")


def test_wrong_password_is_refused_politely(page, login, make_user, db):
    make_user("thuky", Role.SECRETARIAT)
    login("thuky", "not-the-password")
    expect(page.locator(".problems")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_unit_import_with_a_bad_file_names_row_and_column_then_a_good_file_imports(menu, page, login, make_user, blocks, period, tmp_path):
    make_user("thuky", Role.SECRETARIAT)
    bad = tmp_path / "donvi.csv"
    bad.write_text("code,name_vi,block,valid_from\nS-TC,Sở Tài chính,department,31/02/2023\nS-TP,Sở Tư pháp,department,\n", encoding="utf-8-sig")
    login("thuky")
    menu("Nhập đơn vị")
    page.set_input_files("input[type=file]", str(bad))
    page.click("main button[type=submit]")
    problems = page.locator(".problems")
    expect(problems).to_contain_text("donvi.csv")
    expect(problems).to_contain_text("dòng 2")
    expect(problems).to_contain_text("cột valid_from")
    assert Unit.objects.count() == 0  # all or nothing
    good = tmp_path / "donvi-dung.csv"
    good.write_text(bad.read_text(encoding="utf-8-sig").replace("31/02/2023", "01/01/2023"), encoding="utf-8")
    page.set_input_files("input[type=file]", str(good))
    page.click("main button[type=submit]")
    expect(page.locator(".message.success")).to_contain_text("2")
    expect(page.locator("section[data-block=department] tbody tr")).to_have_count(2)


def test_officer_is_refused_another_units_page(page, login, make_user, units):
    make_user("canbo", Role.UNIT_OFFICER, unit=units[0])
    login("canbo")
    response = page.goto("/units/S-TP/")
    assert response.status == 403
    response = page.goto("/units/S-TC/")
    assert response.status == 200
    expect(page.locator("h1")).to_have_text("Sở Tài chính")


def test_language_switch_to_english_and_back(page, login, make_user, units):
    make_user("lanhdao", Role.LEADER)
    login("lanhdao")
    page.click("button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h2").first).to_have_text("What needs your attention")
    page.click("button[value=vi]")
    expect(page.locator("html")).to_have_attribute("lang", "vi")


def test_period_switcher(page, login, make_user, units):
    Period.objects.create(code="2025", year=2025, name_vi="Năm 2025", start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 12, 31))
    make_user("thuky", Role.SECRETARIAT)
    login("thuky")
    expect(page.locator("#period-select")).to_have_value("2025")
    page.select_option("#period-select", "2023")
    page.wait_for_load_state()
    expect(page.locator("#period-select")).to_have_value("2023")
    expect(page.locator("main")).to_contain_text("31/12/2023")


def test_every_field_is_in_the_pages_font(page, login, make_user, units):
    """Dates, numbers and text areas kept the browser's own fonts (smaller; monospace) beside text fields."""
    make_user("thuky", Role.SECRETARIAT)
    login("thuky")
    page.goto("/surveys/new/")
    body = page.evaluate("getComputedStyle(document.body).fontFamily")
    for selector in ("input[type=text]", "input[type=datetime-local]", "select"):
        field = page.locator(f"main {selector}").first
        assert field.evaluate("f => getComputedStyle(f).fontFamily") == body, selector
        assert field.evaluate("f => getComputedStyle(f).fontSize") == page.evaluate("getComputedStyle(document.body).fontSize"), selector


def test_on_a_phone_the_header_and_menu_leave_most_of_the_screen_to_the_page(page, login, make_user, units):
    """They took 420 px of a 900 px phone screen for a unit officer before any content."""
    make_user("canbo.tc", Role.UNIT_OFFICER, unit=units[0], full_name="Đàm Thị Tài (Sở Tài chính)")
    page.set_viewport_size({"width": 390, "height": 900})
    login("canbo.tc")
    assert page.evaluate("document.querySelector('main').getBoundingClientRect().top") < 300
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_a_phone_a_list_keeps_its_names_readable(page, login, make_user, make_unit, period):
    """A list's names ran a word a line on a 390 px phone (the units list, the PAR cycles, the runs,
    the feedback...): a name keeps 10rem and the table scrolls in its box."""
    make_unit("S-BQLKKT", name_vi="Ban Quản lý Khu kinh tế tỉnh Cao Bằng")
    make_unit("S-LDTBXH", name_vi="Sở Lao động - Thương binh và Xã hội")
    make_user("thuky", Role.SECRETARIAT)
    page.set_viewport_size({"width": 390, "height": 844})
    login("thuky")
    page.goto("/units/")
    name = page.locator("main td", has_text="Ban Quản lý Khu kinh tế tỉnh Cao Bằng").first
    assert name.bounding_box()["width"] >= 155
    code = page.locator("main td", has_text="S-BQLKKT").first  # a code stays on one line, not broken at its hyphen
    assert code.evaluate("c => { const r = document.createRange(); r.selectNodeContents(c); return r.getClientRects().length; }") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("browser_locale, shown", [("en-US", "1 tháng 3, 2023"), ("vi-VN", "")])
def test_a_date_picked_in_a_us_browser_is_also_written_in_words(browser, live_server, make_user, units,
                                                                 browser_locale, shown):
    """An English (US) Chromium shows the 1st of March as 03/01/2023, which a Vietnamese reader
    takes for the 3rd of January: there the date follows in words. A day-first browser needs none."""
    make_user("thuky", Role.SECRETARIAT)
    context, page = logged_in_context(browser, live_server, "thuky", locale=browser_locale)
    page.goto("/followup/directives/new/")
    page.get_by_label("Ngày ban hành").fill("2023-03-01")
    words = page.locator(".date-in-words")
    if shown:
        expect(words).to_have_text(shown)
    else:
        expect(words).to_have_count(0)
    page.goto("/surveys/new/")
    page.fill("#id_opens_at", "2025-03-01T08:30")  # a date and a time: 03/01/2025, 08:30 AM
    if shown:
        expect(page.locator("#id_opens_at + .date-in-words")).to_have_text("1 tháng 3, 2025 · 08:30")
    else:
        expect(words).to_have_count(0)
    context.close()


def test_a_fields_help_sits_under_the_field(page, login, make_user, units):
    """On a phone the help ("Như trên văn bản, ví dụ 511/TB-UBND") ran on after the field and wrapped around it."""
    make_user("thuky", Role.SECRETARIAT)
    page.set_viewport_size({"width": 390, "height": 844})
    login("thuky")
    page.goto("/followup/directives/new/")
    field, help_text = page.locator("#id_number"), page.locator("#id_number ~ .helptext").first
    assert help_text.bounding_box()["y"] >= field.bounding_box()["y"] + field.bounding_box()["height"]


def test_export_shows_progress_then_a_download(page, login, make_user, units):
    make_user("phantich", Role.ANALYST)
    login("phantich")
    page.goto("/units/")
    page.click("text=Xuất ra Excel")
    expect(page.locator(".job-state")).to_have_text("Đã xong", timeout=15_000)
    with page.expect_download() as download:
        page.click("text=Tải xuống")
    assert download.value.suggested_filename.endswith(".xlsx")
