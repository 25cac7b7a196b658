"""Trying a form (the secretariat's test mode) and long choice lists, through Django's client."""

import re

import pytest
from django.test import Client

from chiso.accounts.models import Role
from chiso.surveys.collection.evaluation import Evaluation
from chiso.surveys.collection.formdef import FormDef
from chiso.surveys.collection.pages import pages_relevant, widgets
from chiso.surveys.collection.xlsform import xlsform_parse
from chiso.surveys.models import Draft, HeldResponse, Invitation, Response, SurveyDay
from chiso.surveys.services import questionnaire_import
from chiso.units.models import Unit

COMMUNES = [("xa", f"x{i:02d}", name) for i, name in enumerate(
    ["Thục Phán", "Hòa An", "Đông Khê", "Nguyên Bình", "Quảng Uyên"] + [f"Xã số {n}" for n in range(1, 61)])]


def shown(html):
    return re.findall(r'name="_shown" value="([^"]+)"', html)


def action(html):
    return re.search(r'<form method="post" action="(/surveys/try/[^"]+/p/[^"]+/)"', html).group(1)


@pytest.fixture
def long_form(blocks, xlsform):
    rows = [
        ("begin_group", "co_so", "Cơ sở", ""),
        ("select_one xa", "xa_phuong", "Xã, phường", ""),
        ("integer", "so_lao_dong", "Số lao động", ""),
        ("text", "ly_do", "Vì sao đông lao động?", "${so_lao_dong} > 100"),
        ("end_group", "", "", ""),
        ("begin_group", "y_kien", "Ý kiến", ""),
        ("text", "gop_y", "Góp ý", ""),
        ("end_group", "", "", ""),
    ]
    content = xlsform(rows, COMMUNES, settings={"form_id": "thu_nghiem", "version": "1", "form_title": "Thử nghiệm"},
                      survey_header=("type", "name", "label", "relevant"))
    return questionnaire_import(file_name="thu_nghiem.xlsx", content=content, by=None).version


@pytest.fixture
def secretariat(make_user, period):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    return client


def test_the_secretariat_tries_a_version_with_relevance_checks_and_review_and_nothing_is_stored(secretariat, long_form):
    first = secretariat.get(f"/surveys/questionnaires/{long_form.pk}/try/", follow=True)
    html = first.content.decode()
    assert first.status_code == 200 and 'id="trial-banner"' in html and "Cơ sở" in html
    # a list over 50 choices is one select (searchable with JavaScript), not 65 radio buttons
    assert 'class="long-list"' in html and html.count('type="radio"') == 0 and ">Thục Phán</option>" in html
    page = action(html)
    bad = secretariat.post(page, {"_shown": shown(html), "action": "next", "xa_phuong": "x00", "so_lao_dong": "1.5"})
    assert bad.status_code == 200 and "1.000" in bad.content.decode()  # refused, with how to write it
    more = secretariat.post(page, {"_shown": shown(html), "action": "next", "xa_phuong": "x00", "so_lao_dong": "1.000"})
    assert "Vì sao đông lao động?" in more.content.decode()  # relevance without JavaScript, as on the web form
    html = more.content.decode()
    done = secretariat.post(page, {"_shown": shown(html), "action": "next", "xa_phuong": "x00", "so_lao_dong": "1.000", "ly_do": "Mùa vụ"}, follow=True)
    html = done.content.decode()
    assert "Góp ý" in html
    review = secretariat.post(action(html), {"_shown": shown(html), "action": "next", "gop_y": ""}, follow=True)
    text = review.content.decode()
    assert "1.000" in text and "Thục Phán" in text and "Mùa vụ" in text
    checked = secretariat.post(f"/surveys/try/v{long_form.pk}/review/")
    assert checked.status_code == 200 and 'id="trial-checked"' in checked.content.decode()
    assert not Draft.objects.exists() and not Response.objects.exists() and not HeldResponse.objects.exists()
    assert not SurveyDay.objects.exists() and not Invitation.objects.exists()


def test_trying_a_survey_uses_its_period_units_and_stores_nothing(secretariat, ddci_survey):
    first = secretariat.get(f"/surveys/{ddci_survey.code}/try/", follow=True)
    assert first.status_code == 200 and "Giới thiệu" in first.content.decode()
    html = first.content.decode()
    business = secretariat.post(action(html), {"_shown": shown(html), "action": "next"}, follow=True)
    html = business.content.decode()
    units = secretariat.post(action(html), {"_shown": shown(html), "action": "next", "loai_hinh": "tnhh", "nganh_nghe": "du_lich",
                                            "so_lao_dong": "12", "nam_thanh_lap": "2001"}, follow=True)
    html = units.content.decode()
    assert "Sở Tài chính" in html and "Sở đã giải thể" not in html
    assert not Draft.objects.exists() and not Response.objects.exists() and not SurveyDay.objects.exists()
    # starting again forgets the answers
    again = secretariat.get(f"/surveys/{ddci_survey.code}/try/", follow=True).content.decode()
    business = secretariat.post(action(again), {"_shown": shown(again), "action": "next"}, follow=True).content.decode()
    assert 'value="12"' not in business


def test_only_the_secretariat_tries_forms(make_user, long_form, ddci_survey):
    officer = Client(HTTP_HOST="127.0.0.1")
    officer.force_login(make_user("canbo", Role.UNIT_OFFICER, unit=Unit.objects.first()))
    assert officer.get(f"/surveys/questionnaires/{long_form.pk}/try/").status_code == 403
    assert officer.get(f"/surveys/try/s-{ddci_survey.code}/p/start/").status_code == 403
    anonymous = Client(HTTP_HOST="127.0.0.1")
    assert anonymous.get(f"/surveys/{ddci_survey.code}/try/").status_code in (302, 403)


def test_a_long_list_escapes_its_labels_and_keeps_script_values_plain(blocks, xlsform):
    choices = [("l", f"c{i}", f"Lựa chọn {i}") for i in range(60)] + [("l", "xss", "<b>\"đậm\"</b>")]
    form = FormDef(xlsform_parse("l.xlsx", xlsform([("select_multiple l", "nhieu", "Nhiều")], choices)).survey)
    evaluation = Evaluation(form, {"nhieu": "c1 xss"})
    [widget] = widgets(pages_relevant(evaluation)[0], evaluation)
    assert widget.kind == "long_list"
    html = str(widget.options_html)
    assert '<option value="xss" selected>&lt;b&gt;&quot;đậm&quot;&lt;/b&gt;</option>' in html and '<option value="c1" selected>' in html
    assert html.count(" selected") == 2
