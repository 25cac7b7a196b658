"""The response browser: filters by GET parameters, server-side pages, a summary per question, and
the anonymity threshold k for the roles below the analyst (docs/security.md)."""

import datetime
import re

import pytest
from django.test import Client

from chiso.accounts.models import Role
from chiso.surveys.fieldwork import browsing
from chiso.surveys.models import QualityFlag

from tests.surveys.conftest import ddci_answers, store_response

pytestmark = pytest.mark.django_db

DAY1, DAY2 = datetime.date(2025, 5, 2), datetime.date(2025, 5, 20)


@pytest.fixture
def browsed(ddci_survey):
    """12 responses: 7 in tourism (3 of them on paper), 5 in trade (rating S-TP only, on the second day)."""
    responses = []
    for i in range(7):
        entries = [{"minh_bach": "4" if i < 5 else "2", "nang_dong": "3", "canh_tranh": "5", "so_lan_di_lai": "2",
                    "chi_phi_khong_chinh_thuc": "khong", "diem_chung": "7"} for _ in range(2)]
        responses.append(store_response(ddci_survey, ddci_answers(nganh_nghe="du_lich", so_lao_dong=str(10 + i), danh_gia=entries), key=f"d{i}",
                                        day=DAY1, channel="paper" if i < 3 else "web"))
    for i in range(5):
        responses.append(store_response(ddci_survey, ddci_answers(units=("S-TP",), nganh_nghe="thuong_mai", so_lao_dong=str(100 + i)),
                                        key=f"t{i}", day=DAY2))
    QualityFlag.objects.create(response=responses[0], code=QualityFlag.Code.SPEEDER, reason="Nhanh")
    return ddci_survey


def _client(make_user, role, name="nguoi"):
    client = Client()
    client.force_login(make_user(name, role))
    return client


def _page(client, survey, **params):
    response = client.get(f"/surveys/{survey.code}/responses/", params)
    return response, response.content.decode()


def _rows(html):
    return re.findall(r'<a href="/surveys/[^/]+/responses/([0-9a-f-]{36})/">', html)


def _summary(html, key):
    section = re.search(rf'data-question="{key}">(.*?)</section>', html, re.S).group(1)
    return {label.strip(): count.strip() for label, count in re.findall(r"<tr><td>([^<]*)</td>\s*<td class=\"num\">([^<]*)</td>", section)}


def test_the_analyst_filters_by_a_choice_date_channel_flag_and_unit(browsed, make_user):
    client = _client(make_user, Role.ANALYST)
    _response, html = _page(client, browsed)
    assert len(_rows(html)) == 12 and "12 phiếu phù hợp" in html
    _response, html = _page(client, browsed, answer="nganh_nghe=du_lich")
    assert len(_rows(html)) == 7
    _response, html = _page(client, browsed, day_from="10/05/2025", day_to="31/05/2025")  # dates typed dd/mm/yyyy
    assert len(_rows(html)) == 5
    _response, html = _page(client, browsed, channel="paper")
    assert len(_rows(html)) == 3
    _response, html = _page(client, browsed, flag="speeder")
    assert len(_rows(html)) == 1
    _response, html = _page(client, browsed, flag="none")
    assert len(_rows(html)) == 11
    _response, html = _page(client, browsed, unit="S-XD")
    assert len(_rows(html)) == 7
    _response, html = _page(client, browsed, unit="S-TP", answer="nganh_nghe=du_lich")
    assert _rows(html) == [] and "0 phiếu phù hợp" in html and "Không có phiếu nào phù hợp" in html


def test_pages_are_cut_on_the_server_and_keep_the_filters(browsed, make_user, monkeypatch):
    monkeypatch.setattr(browsing, "PAGE_SIZE", 5)
    client = _client(make_user, Role.ANALYST)
    _response, first = _page(client, browsed, answer="nganh_nghe=du_lich")
    _response, second = _page(client, browsed, answer="nganh_nghe=du_lich", page="2")
    assert len(_rows(first)) == 5 and len(_rows(second)) == 2 and not set(_rows(first)) & set(_rows(second))
    assert "Trang 1 / 2" in first and "Trang 2 / 2" in second
    assert "answer=nganh_nghe%3Ddu_lich&amp;page=2" in first  # the next page keeps the filter
    _response, beyond = _page(client, browsed, page="9")
    assert len(_rows(beyond)) == 2 and "Trang 3 / 3" in beyond  # a page past the last shows the last


def test_the_summary_counts_choices_numbers_and_one_entry_per_rated_unit(browsed, make_user):
    client = _client(make_user, Role.ANALYST)
    _response, html = _page(client, browsed)
    assert _summary(html, "nganh_nghe")["Du lịch, lưu trú, ăn uống"] == "7" and _summary(html, "nganh_nghe")["Thương mại, dịch vụ"] == "5"
    assert '<svg role="img"' in html  # the bars, drawn by the results' chart code
    assert "58,3&nbsp;%" in html  # 7 of 12, the sign never on a line of its own in a narrow column
    ratings = _summary(html, "minh_bach")  # two entries each for the 7, one each for the 5
    assert sum(int(v) for v in ratings.values()) == 7 * 2 + 5
    _response, html = _page(client, browsed, unit="S-TP")
    ratings = _summary(html, "minh_bach")  # only the entries about S-TP
    assert sum(int(v) for v in ratings.values()) == 5


def test_below_the_analyst_no_group_under_k_is_shown(browsed, make_user):
    secretariat = _client(make_user, Role.SECRETARIAT, "thuky")
    analyst = _client(make_user, Role.ANALYST, "phantich")
    # k = 5: three paper responses are a group under k
    _response, html = _page(secretariat, browsed, channel="paper")
    assert _rows(html) == [] and 'id="browse-hidden"' in html and "data-question" not in html
    _response, html = _page(analyst, browsed, channel="paper")
    assert len(_rows(html)) == 3
    # 7 tourism: 5 rated transparency 4 and 2 rated it 2 (twice each, per unit): 10 and 4 entries
    _response, html = _page(secretariat, browsed, answer="nganh_nghe=du_lich")
    assert len(_rows(html)) == 7
    ratings = _summary(html, "minh_bach")
    assert ratings["Không đồng ý"] == "&lt; 5" and ratings["Đồng ý"] == "10"  # 4 is under k (as are the zeros)
    assert "Nhỏ nhất" not in html  # no single response's smallest or largest number
    assert _summary(analyst.get(f"/surveys/{browsed.code}/responses/", {"answer": "nganh_nghe=du_lich"}).content.decode(), "minh_bach")["Không đồng ý"] == "4"


def test_bad_filters_get_a_vietnamese_message_not_an_error(browsed, make_user):
    client = _client(make_user, Role.ANALYST)
    response, html = _page(client, browsed, day_from="20/05/2025", day_to="01/05/2025")
    assert response.status_code == 400 and "Ngày kết thúc trước ngày bắt đầu" in html
    response, html = _page(client, browsed, channel="fax", answer="khong_co=1")
    assert response.status_code == 400 and _rows(html) == []


def test_the_leader_and_unit_officers_are_refused(browsed, make_user):
    assert _page(_client(make_user, Role.LEADER, "lanhdao"), browsed)[0].status_code == 403


def test_the_monitoring_page_draws_responses_per_day(browsed, make_user):
    html = _client(make_user, Role.LEADER, "lanhdao").get(f"/surveys/{browsed.code}/monitor/").content.decode()
    assert '<svg role="img"' in html and "Biểu đồ đường số phiếu được ghi mỗi ngày trong 2 ngày" in html
