"""Issue 20 in a real Chromium: the location button (static JavaScript, strict CSP) and a photo sent from the page."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from chiso.surveys.models import Draft
from chiso.surveys.services import questionnaire_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_location_button_fills_the_field_and_a_photo_is_kept(browser, live_server, make_survey, xlsform, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rows = [("begin_group", "g", "Nơi và ảnh", "field-list"), ("geopoint", "vi_tri", "Vị trí", ""), ("image", "anh", "Ảnh", ""),
            ("end_group", "", "", ""), ("text", "ghi_chu", "Ghi chú", "")]
    content = xlsform(rows, settings={"form_id": "co_so", "version": "1"}, survey_header=("type", "name", "label", "appearance"))
    version = questionnaire_import(file_name="co_so.xlsx", content=content, by=None).version
    survey = make_survey(version, code="co-so", open_link=True, anonymous=False)
    picture = tmp_path / "bien.png"
    Image.new("RGB", (4, 4), (0, 90, 200)).save(picture, format="PNG")

    ctx = browser.new_context(base_url=live_server.url, locale="vi-VN", geolocation={"latitude": 21.0285, "longitude": 105.8542},
                              permissions=["geolocation"])
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"/s/open/{survey.open_key}/")
    button = page.get_by_role("button", name="Dùng vị trí hiện tại của tôi")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("input.geopoint")).to_have_value(re.compile(r"^21\.028500 105\.854200"))
    page.set_input_files("input[type=file]", str(picture))
    with page.expect_navigation():
        page.get_by_role("button", name="Tiếp tục").click()
    answers = Draft.objects.get().answers
    assert answers["vi_tri"].startswith("21.028500 105.854200") and answers["anh"].endswith(".png")
    assert (tmp_path / "surveys" / "co-so" / answers["anh"]).is_file()
    assert not [e for e in errors if "Content Security Policy" in e], errors
    ctx.close()
