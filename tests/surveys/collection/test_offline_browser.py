"""The enumerator app in a real Chromium: forms collected with the network off, sent once when it returns."""

import re

import pytest
from playwright.sync_api import expect

from chiso.accounts.models import Role
from chiso.surveys.models import HeldResponse, OfflineKey, Response
from chiso.surveys.services import questionnaire_import, survey_close

from tests.surveys.conftest import xlsform_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ("type", "name", "label", "required", "relevant", "constraint", "constraint_message")
ROWS = [
    ("integer", "so_lao_dong", "Số lao động hiện nay", "yes", "", ". >= 0 and . <= 1000", "Số lao động từ 0 đến 1.000."),
    ("select_one co_khong", "hai_long", "Doanh nghiệp có hài lòng không?", "yes", "", "", ""),
    ("text", "ly_do", "Vì sao chưa hài lòng?", "yes", "${hai_long} = 'khong'", "", ""),
]
CHOICES = [("co_khong", "co", "Có"), ("co_khong", "khong", "Không")]


@pytest.fixture
def field_survey(make_survey):
    content = xlsform_bytes(ROWS, CHOICES, settings={"form_id": "thuc_dia", "version": "1"}, survey_header=HEADER)
    version = questionnaire_import(file_name="thuc_dia.xlsx", content=content, by=None).version
    return make_survey(version, code="thuc-dia")


def wait_until_kept(page) -> None:
    """The service worker is active for the app's pages and the device keeps the page and its form.
    (Active, not necessarily controlling this very page yet: Chromium may hand a page loaded before
    the worker's activation to it later, and the offline reload below goes through it either way.)"""
    kept = page.evaluate(
        """async () => {
            for (let i = 0; i < 900; i++) {  // up to 90 s: a busy machine serves the precache slowly
                const cache = await caches.open("chiso-enumerator-v1");
                const registration = await navigator.serviceWorker.getRegistration();
                if (registration && registration.active && registration.active.state === "activated"
                    // looked up as the worker looks it up offline: a kept page varies by cookie and language
                    && await cache.match(location.pathname, {ignoreVary: true}) && localStorage.getItem("chiso.offline.form.thuc-dia")) return true;
                await new Promise(r => setTimeout(r, 100));
            }
            const cache = await caches.open("chiso-enumerator-v1");
            const registration = await navigator.serviceWorker.getRegistration();
            return JSON.stringify({active: !!(registration && registration.active), controller: !!navigator.serviceWorker.controller,
                                   kept: (await cache.keys()).map(r => r.url),
                                   form: !!localStorage.getItem("chiso.offline.form.thuc-dia")});
        }"""
    )
    assert kept is True, kept


def test_an_enumerator_collects_two_forms_offline_and_they_are_sent_once_when_the_network_returns(page, login, make_user, field_survey):
    page.context.set_default_timeout(30_000)  # a busy machine; the app itself answers at once
    make_user("dieutra", Role.SECRETARIAT)
    login("dieutra")
    page.goto("/surveys/enumerator/")
    expect(page.locator("link[rel=manifest]")).to_have_count(1)
    page.get_by_role("link", name="Khảo sát DDCI thử").click()
    expect(page.get_by_label("Số lao động hiện nay")).to_be_visible()
    expect(page.locator("#offline-pending")).to_have_text("0 chờ gửi")
    wait_until_kept(page)

    context = page.context
    context.set_offline(True)
    page.reload()  # the page, its script and its form come from the device
    assert page.evaluate("navigator.onLine") is False
    expect(page.locator("#offline-network")).to_have_text("Mất mạng: phiếu được giữ trên máy này")
    expect(page.locator("h1")).to_have_text("Khảo sát DDCI thử")

    # the device applies the form's rules: required, the constraint, and a question shown only when relevant
    page.get_by_label("Số lao động hiện nay").fill("5000")
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.locator("#offline-summary")).to_contain_text("Một số câu trả lời cần sửa")
    expect(page.locator("fieldset.question", has_text="hài lòng")).to_contain_text("Câu hỏi này bắt buộc trả lời.")
    expect(page.locator(".question", has_text="Số lao động")).to_contain_text("Số lao động từ 0 đến 1.000.")
    expect(page.locator("#offline-pending")).to_have_text("0 chờ gửi")
    expect(page.get_by_label("Vì sao chưa hài lòng?")).to_be_hidden()

    page.get_by_label("Số lao động hiện nay").fill("35")
    page.get_by_label("Không").check()
    expect(page.get_by_label("Vì sao chưa hài lòng?")).to_be_visible()
    page.get_by_label("Vì sao chưa hài lòng?").fill("Thủ tục còn chậm.")
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.locator("#offline-pending")).to_have_text("1 chờ gửi")
    expect(page.get_by_label("Số lao động hiện nay")).to_have_value("")  # a new form

    page.get_by_label("Số lao động hiện nay").fill("1.000")  # a thousand, written the Vietnamese way
    page.get_by_label("Có", exact=True).check()
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.locator("#offline-pending")).to_have_text("2 chờ gửi")
    page.get_by_role("button", name="Gửi ngay").click()  # nothing can go: they stay
    expect(page.locator("#offline-pending")).to_have_text("2 chờ gửi")
    waiting = page.evaluate("JSON.parse(localStorage.getItem('chiso.offline.outbox.thuc-dia'))")
    assert [w["answers"] for w in waiting] == [
        {"so_lao_dong": "35", "hai_long": "khong", "ly_do": "Thủ tục còn chậm."},
        {"so_lao_dong": "1.000", "hai_long": "co"},
    ]
    assert not HeldResponse.objects.exists() and not OfflineKey.objects.exists()

    context.set_offline(False)  # the network returns: the app sends by itself
    expect(page.locator("#offline-pending")).to_have_text("0 chờ gửi", timeout=15_000)
    expect(page.locator("#offline-message")).to_have_text("Đã gửi 2 phiếu.")
    expect(page.locator("#offline-network")).to_have_text("Đang có mạng")
    assert HeldResponse.objects.count() == 2 and OfflineKey.objects.count() == 2

    survey_close(survey=field_survey, by=None)  # the batch is written
    assert sorted(r.answers["so_lao_dong"] for r in Response.objects.all()) == [35, 1000]
    assert Response.objects.get(answers__so_lao_dong=35).answers["ly_do"] == "Thủ tục còn chậm."

    # the device never heard the answer and sends the first form again, same key: nothing new
    resent = page.evaluate(
        """async (item) => {
            const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
            const response = await fetch(document.getElementById("offline-app").dataset.submitUrl, {
                method: "POST", headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: JSON.stringify({key: item.key, version: item.version, answers: item.answers})});
            return [response.status, await response.json()];
        }""",
        waiting[0],
    )
    assert resent == [200, {"status": "duplicate"}]
    assert Response.objects.count() == 2 and not HeldResponse.objects.exists()


def test_an_answer_the_server_refuses_stays_on_the_device_to_be_corrected(page, login, make_user, field_survey):
    page.context.set_default_timeout(30_000)  # a busy machine; the app itself answers at once
    make_user("dieutra", Role.SECRETARIAT)
    login("dieutra")
    page.goto("/surveys/enumerator/thuc-dia/")
    expect(page.get_by_label("Số lao động hiện nay")).to_be_visible()
    # a form saved on a device that could not read the rule: the server refuses it
    page.evaluate(
        """() => localStorage.setItem("chiso.offline.outbox.thuc-dia", JSON.stringify([
            {key: "k-sai", version: %d, answers: {so_lao_dong: "5000", hai_long: "co"}}]))""" % field_survey.version_id
    )
    page.get_by_role("button", name="Gửi ngay").click()
    refused = page.locator("#offline-refused")
    expect(refused).to_contain_text("Máy chủ từ chối: Số lao động từ 0 đến 1.000.")
    expect(page.locator("#offline-pending")).to_have_text("0 chờ gửi")
    assert not HeldResponse.objects.exists()

    refused.get_by_role("button", name="Sửa").click()
    expect(page.get_by_label("Số lao động hiện nay")).to_have_value("5000")
    expect(page.locator(".question", has_text="Số lao động")).to_contain_text("Số lao động từ 0 đến 1.000.")
    page.get_by_label("Số lao động hiện nay").fill("50")
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.locator("#offline-pending")).to_have_text("0 chờ gửi")
    expect(refused).to_be_hidden()
    expect(page.locator("#offline-message")).to_have_text(re.compile("Đã gửi 1 phiếu"))
    assert HeldResponse.objects.get().answers == {"so_lao_dong": 50, "hai_long": "co"}


def test_the_ddci_form_offline_one_section_per_unit_picked(page, login, make_user, ddci_survey):
    page.context.set_default_timeout(30_000)
    make_user("dieutra", Role.SECRETARIAT)
    login("dieutra")
    page.goto(f"/surveys/enumerator/{ddci_survey.code}/")
    expect(page.get_by_label("Số lao động hiện nay")).to_be_visible()
    page.context.set_offline(True)

    page.locator("fieldset.question", has_text="Loại hình").get_by_label("Công ty cổ phần").check()
    page.locator("fieldset.question", has_text="Lĩnh vực hoạt động chính").get_by_label("Du lịch, lưu trú, ăn uống").check()
    page.get_by_label("Số lao động hiện nay").fill("35")
    page.get_by_label("Năm thành lập").fill("2009")
    for name in ("Sở Tài chính", "Sở Xây dựng", "Sở Tư pháp"):
        page.get_by_label(name).check()
    page.get_by_label("Sở Tư pháp").uncheck()
    page.locator("fieldset.question", has_text="Hình thức liên hệ").get_by_label("Trực tuyến qua Cổng Dịch vụ công").check()
    entries = page.locator(".offline-entry")
    expect(entries).to_have_count(2)
    expect(entries.nth(0).locator("h2")).to_have_text("Đánh giá: Sở Tài chính")
    expect(entries.nth(1).locator(".note")).to_have_text("Đánh giá của doanh nghiệp về Sở Xây dựng")
    for index, informal in ((0, "Có"), (1, "Không")):
        entry = entries.nth(index)
        entry.locator("fieldset", has_text="công khai đầy đủ").get_by_label("Đồng ý", exact=True).check()
        entry.locator("fieldset", has_text="chủ động, linh hoạt").get_by_label("Trung lập", exact=True).check()
        entry.locator("fieldset", has_text="ưu ái").get_by_label("Hoàn toàn đồng ý", exact=True).check()
        entry.get_by_label("Số lần doanh nghiệp phải đi lại").fill("2")
        entry.locator("fieldset", has_text="chi phí không chính thức").get_by_label(informal, exact=True).check()
        entry.locator("fieldset", has_text="Điểm đánh giá chung").get_by_label("8", exact=True).check()
    follow_up = entries.nth(0).get_by_label("Chi phí không chính thức khoảng bao nhiêu phần trăm")
    expect(follow_up).to_be_visible()  # relevant: the informal charge was "Có"
    expect(entries.nth(1).get_by_label("Chi phí không chính thức khoảng bao nhiêu phần trăm")).to_be_hidden()
    follow_up.fill("150")
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(entries.nth(0).locator(".question", has_text="bao nhiêu phần trăm")).to_contain_text("Tỷ lệ phải từ 0 đến 100%.")
    follow_up.fill("1,5")
    # a unit picked and taken away again: each unit keeps its own answers
    page.get_by_label("Sở Tư pháp").check()
    expect(entries).to_have_count(3)
    expect(entries.nth(1).locator("h2")).to_have_text("Đánh giá: Sở Tư pháp")
    page.get_by_label("Sở Tư pháp").uncheck()
    expect(entries.nth(0).get_by_label("Chi phí không chính thức khoảng bao nhiêu phần trăm")).to_have_value("1,5")
    page.get_by_role("button", name="Lưu phiếu").click()
    expect(page.locator("#offline-pending")).to_have_text("1 chờ gửi")

    page.context.set_offline(False)
    expect(page.locator("#offline-pending")).to_have_text("0 chờ gửi", timeout=15_000)
    held = HeldResponse.objects.get()
    assert held.rated_units == ["S-TC", "S-XD"]
    assert held.answers["danh_gia"][0]["ty_le_chi_phi"] == 1.5 and "ty_le_chi_phi" not in held.answers["danh_gia"][1]
    assert [e["diem_chung"] for e in held.answers["danh_gia"]] == [8, 8] and held.answers["so_lao_dong"] == 35
