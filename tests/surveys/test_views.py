"""The pages through Django's client: respondent flow without JavaScript, htmx refresh, staff pages."""

import re
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiso.accounts.models import Role
from chiso.surveys.collection import draft_cookies
from chiso.surveys.models import Draft, HeldResponse, PaperEntryLog, QuestionnaireVersion, Response, Survey
from chiso.surveys.services import invitations_create, survey_close

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def shown(html):
    return re.findall(r'name="_shown" value="([^"]+)"', html)


def action(html):
    return re.search(r'<form method="post" action="(/s/r/[^"]+/p/[^"]+/)"', html).group(1)


@pytest.fixture
def respondent(ddci_survey):
    [(_invitation, token)] = invitations_create(survey=ddci_survey, labels=["a"], by=None)
    client = Client(HTTP_HOST="127.0.0.1")
    first = client.get(f"/s/{token}/", follow=True)
    return client, token, first


def test_the_link_swaps_the_token_for_a_session_reference_and_opens_in_vietnamese(respondent):
    client, token, first = respondent
    assert first.redirect_chain[0][0].startswith("/s/r/") and token not in first.redirect_chain[0][0]
    html = first.content.decode()
    assert '<html lang="vi">' in html and "Trang 1/" in html and "Giới thiệu" in html
    assert token not in html


def test_page_validation_messages_and_no_js_relevance(respondent):
    client, _token, first = respondent
    page = client.post(action(first.content.decode()), {"action": "next"}, follow=True)
    html = page.content.decode()
    assert "Thông tin doanh nghiệp" in html
    fields = shown(html)
    bad = client.post(action(html), {"_shown": fields, "action": "next", "loai_hinh": "tnhh", "so_lao_dong": "mười"})
    text = bad.content.decode()
    assert bad.status_code == 200 and "Câu hỏi này bắt buộc trả lời." in text and "Vui lòng nhập một số nguyên." in text
    assert 'aria-invalid="true"' in text and 'role="alert"' in text
    good = client.post(action(html), {"_shown": fields, "action": "next", "loai_hinh": "tnhh", "nganh_nghe": "du_lich", "so_lao_dong": "5", "nam_thanh_lap": "2001"}, follow=True)
    html = good.content.decode()
    assert "Sở Tài chính" in html and "Sở đã giải thể" not in html
    units = client.post(action(html), {"_shown": shown(html), "action": "next", "don_vi_lien_he": ["S-TC"], "hinh_thuc_lien_he": "truc_tuyen"}, follow=True)
    html = units.content.decode()
    assert "Đánh giá: Sở Tài chính" in html and "danh_gia[1]/ty_le_chi_phi" not in html
    rating = {address: "4" for address in shown(html)}
    rating.update({"danh_gia[1]/chi_phi_khong_chinh_thuc": "co", "danh_gia[1]/so_lan_di_lai": "1"})
    again = client.post(action(html), {"_shown": shown(html), "action": "next", "_calc:danh_gia[1]/ma_don_vi": "S-TC", **rating})
    text = again.content.decode()
    # Without JavaScript, the follow-up question appears on the same page instead of moving on.
    assert again.status_code == 200 and "danh_gia[1]/ty_le_chi_phi" in text and "Câu trả lời của bạn làm xuất hiện thêm câu hỏi" in text


def test_htmx_refresh_shows_a_newly_relevant_question_without_saving(respondent, ddci_survey, answers):
    client, _token, _first = respondent
    draft = Draft.objects.get()
    Draft.objects.filter(pk=draft.pk).update(answers=answers(units=("S-TC",)))
    ref = next(iter(draft_cookies.decode(client.cookies[draft_cookies.COOKIE_NAME].value)))
    fields = [f"danh_gia[1]/{n}" for n in ("minh_bach", "nang_dong", "canh_tranh", "so_lan_di_lai", "chi_phi_khong_chinh_thuc", "diem_chung")]
    fragment = client.post(f"/s/r/{ref}/p/r-danh_gia-1/refresh/", {"_shown": fields, "danh_gia[1]/chi_phi_khong_chinh_thuc": "co"}, HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert fragment.status_code == 200 and text.lstrip().startswith('<div id="page-fields">') and "danh_gia[1]/ty_le_chi_phi" in text
    assert Draft.objects.get().answers["danh_gia"][0]["chi_phi_khong_chinh_thuc"] == "khong"  # nothing saved


def test_review_then_double_submit_and_a_retry_store_one_response(respondent, answers):
    client, token, _first = respondent
    Draft.objects.update(answers=answers())
    ref = next(iter(draft_cookies.decode(client.cookies[draft_cookies.COOKIE_NAME].value)))
    review = client.get(f"/s/r/{ref}/review/").content.decode()
    assert "Xem lại câu trả lời" in review and "Sở Xây dựng" in review and "Nộp phiếu" in review
    key = re.search(r'name="submission_key" value="([^"]+)"', review).group(1)
    first = client.post(f"/s/r/{ref}/submit/", {"submission_key": key})
    second = client.post(f"/s/r/{ref}/submit/", {"submission_key": key})
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"] == "/s/done/"
    assert HeldResponse.objects.count() == 1  # written with its batch (test_anonymity_batches.py)
    reopened = client.get(f"/s/{token}/")
    assert "đã được dùng để gửi câu trả lời" in reopened.content.decode()


def test_submit_rechecks_and_shows_the_fields_message(respondent, answers):
    client, _token, _first = respondent
    Draft.objects.update(answers=answers(so_lao_dong="999999"))
    ref = next(iter(draft_cookies.decode(client.cookies[draft_cookies.COOKIE_NAME].value)))
    rejected = client.post(f"/s/r/{ref}/submit/", {"submission_key": "k"})
    assert rejected.status_code == 400 and "Số lao động phải từ 0 đến 100.000." in rejected.content.decode()
    assert Response.objects.count() == 0


def test_closed_unknown_and_foreign_session_links_are_polite(respondent, ddci_survey):
    client, token, _first = respondent
    ref = next(iter(draft_cookies.decode(client.cookies[draft_cookies.COOKIE_NAME].value)))
    stranger = Client(HTTP_HOST="127.0.0.1")
    assert stranger.get(f"/s/r/{ref}/").status_code == 403  # a reference is useless in another browser
    # a cookie copied and altered (another draft's key, say) is not read at all
    value = client.cookies[draft_cookies.COOKIE_NAME].value
    stranger.cookies[draft_cookies.COOKIE_NAME] = value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB")
    assert stranger.get(f"/s/r/{ref}/").status_code == 403
    forged = Client(HTTP_HOST="127.0.0.1")
    forged.cookies[draft_cookies.COOKIE_NAME] = signing.dumps({ref: {"draft": "x", "survey": 1, "channel": "web"}})
    assert forged.get(f"/s/r/{ref}/").status_code == 403  # signed, but not by this purpose's salt
    assert stranger.get("/s/this-token-does-not-exist/").status_code == 404
    survey_close(survey=ddci_survey, by=None)
    closed = client.get(f"/s/{token}/")
    assert closed.status_code == 200 and "Khảo sát đã kết thúc" in closed.content.decode()
    assert "Khảo sát đã kết thúc" in client.get(f"/s/r/{ref}/", follow=True).content.decode()


def test_a_code_typed_from_a_letter_opens_the_form(ddci_survey):
    [(_invitation, token)] = invitations_create(survey=ddci_survey, labels=["a"], by=None)
    client = Client(HTTP_HOST="127.0.0.1")
    assert client.post("/s/", {"code": "wrong"}).status_code == 400
    opened = client.post("/s/", {"code": f"  {token} "}, follow=True)
    assert "Giới thiệu" in opened.content.decode()


def test_open_link_survey_keeps_one_draft_per_browser(make_survey, ddci_version, departments):
    survey = make_survey(ddci_version, open_link=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.get(f"/s/open/{survey.open_key}/", follow=True)
    client.get(f"/s/open/{survey.open_key}/", follow=True)
    assert Draft.objects.count() == 1
    assert Client(HTTP_HOST="127.0.0.1").get("/s/open/wrong-key/").status_code == 404


def test_paper_entry_goes_through_the_same_form_for_the_secretariat_only(ddci_survey, make_user, answers):
    clerk = make_user("thuky", Role.SECRETARIAT)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(clerk)
    started = client.post(f"/surveys/{ddci_survey.code}/paper/", follow=True)
    assert "Nhập phiếu giấy" in started.content.decode()
    Draft.objects.update(answers=answers())
    ref = next(iter(draft_cookies.decode(client.cookies[draft_cookies.COOKIE_NAME].value)))
    done = client.post(f"/s/r/{ref}/submit/", {"submission_key": "paper-1"})
    assert done.status_code == 302 and HeldResponse.objects.get().channel == "paper"
    assert PaperEntryLog.objects.get().user == clerk
    officer = Client(HTTP_HOST="127.0.0.1")
    officer.force_login(make_user("canbo", Role.UNIT_OFFICER, unit=ddci_survey.period and __import__("chiso.units.models", fromlist=["Unit"]).Unit.objects.first()))
    assert officer.post(f"/surveys/{ddci_survey.code}/paper/").status_code == 403


def test_secretariat_uploads_a_bad_then_a_good_form_previews_and_starts_a_survey(make_user, departments, xlsform, period):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    bad = xlsform([("integer", "a", "A"), ("integr", "b", "B")])
    page = client.post("/surveys/questionnaires/upload/", {"file": SimpleUploadedFile("phieu.xlsx", bad)})
    text = page.content.decode()
    assert page.status_code == 400 and "phieu.xlsx" in text and "trang tính survey" in text and "dòng 3" in text and "integr" in text
    assert QuestionnaireVersion.objects.count() == 0
    good = (EXAMPLES / "ddci_departments.xlsx").read_bytes()
    preview = client.post("/surveys/questionnaires/upload/", {"file": SimpleUploadedFile("ddci.xlsx", good)}, follow=True)
    text = preview.content.decode()
    assert "Thông tin, quy định và thủ tục được công khai" in text and "count-selected(${don_vi_lien_he})" in text
    version = QuestionnaireVersion.objects.get()
    exported = client.get(f"/surveys/questionnaires/{version.pk}/xlsform.xlsx")
    assert exported.status_code == 200 and exported.content.startswith(b"PK")
    created = client.post(
        "/surveys/new/",
        {"code": "ddci-2023", "title_vi": "DDCI 2023", "period": period.pk, "version": version.pk, "opens_at": "2023-01-01T08:00", "closes_at": "2030-01-01T17:00"},
        follow=True,
    )
    assert created.status_code == 200 and Survey.objects.filter(code="ddci-2023").exists()
    links = client.post("/surveys/ddci-2023/invitations/", {"labels": "DN-1\nDN-2"}).content.decode()
    tokens = re.findall(r"/s/([A-Za-z0-9_\-]{16,})/", links)
    assert len(set(tokens)) == 2
    extended = client.post("/surveys/ddci-2023/action/extend/", {"closes_at": "2031-01-01T17:00", "reason": "thêm thời gian"}, follow=True)
    assert "2031" in extended.content.decode()


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.ANALYST, Role.LEADER])
def test_the_survey_operation_menu_links_only_to_pages_the_role_may_open(role, make_user, ddci_survey):
    """The menu asks the permissions module (`may`), as the views do: it had its own role rules."""
    client = Client()
    client.force_login(make_user("nguoidung", role))
    page = client.get(f"/surveys/{ddci_survey.code}/monitor/").content.decode()
    menu = page.split('class="operation-nav"')[1].split("</nav>")[0]
    links = re.findall(r'href="([^"]+)"', menu)
    assert len(links) >= 2
    for link in links:
        assert client.get(link).status_code == 200, link
    if role == Role.LEADER:  # answers are not a leader's: the link is not offered
        assert f"/surveys/{ddci_survey.code}/responses/" not in links
