"""Repeats the respondent adds entries to (no repeat_count), and strict time and dateTime answers.

The form is tests/surveys/data/danh_sach_thu_tuc.xlsx (built by build_thu_tuc.py): "did you do any
procedure?", then a list of procedures (name, days, a time and a date-time each; at most five by
a constraint with position()), a one-entry repeat with jr:noAddRemove, and a comment.
"""

import csv
import datetime
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.test import Client

from chiso.accounts.models import Role
from chiso.surveys.collection import draft_cookies
from chiso.surveys.collection.entries import addresses_allowed
from chiso.surveys.collection.evaluation import MAX_ENTRIES, Evaluation, first_entries, normalise_input
from chiso.surveys.collection.formdef import Element, FormDef
from chiso.surveys.collection.pages import display_value, entry_markers, pages_relevant, widgets
from chiso.surveys.collection.xlsform import xlsform_parse, xlsform_write
from chiso.surveys.fieldwork.exports import survey_export
from chiso.surveys.models import Draft, HeldResponse
from chiso.surveys.services import SubmissionRejected, invitations_create, questionnaire_import, response_submit

pytestmark = pytest.mark.django_db

FORM = Path(__file__).resolve().parents[1] / "data" / "danh_sach_thu_tuc.xlsx"


@pytest.fixture
def thu_tuc_version(blocks):
    return questionnaire_import(file_name=FORM.name, content=FORM.read_bytes(), by=None).version


@pytest.fixture
def thu_tuc_survey(make_survey, thu_tuc_version):
    return make_survey(thu_tuc_version, code="thu-tuc")


@pytest.fixture
def form(thu_tuc_version) -> FormDef:
    return thu_tuc_version.form


def shown(html):
    return re.findall(r'name="_shown" value="([^"]+)"', html)


def start(survey, client=None):
    """A respondent's browser that followed its invitation: (client, ref)."""
    [(_invitation, token)] = invitations_create(survey=survey, labels=["DN-1"], by=None)
    client = client or Client(HTTP_HOST="127.0.0.1")
    client.get(f"/s/{token}/", follow=True)
    ref = next(iter(draft_cookies.decode(client.cookies[draft_cookies.COOKIE_NAME].value)))
    return client, ref


def post(client, ref, key, fields, **values):
    data = {"_shown": fields, **values}
    return client.post(f"/s/r/{ref}/p/{key}/", data)


# --- the engine -----------------------------------------------------------------------------

def test_a_list_never_started_gets_one_entry_and_an_emptied_one_stays_empty(form):
    answers = {"da_lam": "co"}
    assert first_entries(form, answers) is True
    assert answers["thu_tuc"] == [{}] and answers["nguoi_tra_loi"] == [{}]  # noAddRemove starts with one too
    emptied = {"thu_tuc": [], "nguoi_tra_loi": [{}]}
    assert first_entries(form, emptied) is False and emptied["thu_tuc"] == []
    # the evaluation itself reads answers as they are: no entry appears in a stored record
    evaluation = Evaluation(form, {"da_lam": "khong"})
    assert "thu_tuc" not in evaluation.answers and evaluation.entries["thu_tuc"] == 0
    assert evaluation.clean() == {"da_lam": "khong"}


def test_a_list_is_relevant_before_it_has_entries(form):
    assert Evaluation(form, {"da_lam": "co"}).relevant["thu_tuc"] is True
    assert Evaluation(form, {"da_lam": "khong"}).relevant["thu_tuc"] is False
    no = Evaluation(form, {"da_lam": "khong", "thu_tuc": [{"ten": "Cấp phép xây dựng"}]})
    assert no.relevant["thu_tuc[1]"] is False and "thu_tuc" not in no.clean()  # answers to an irrelevant list are dropped


def test_every_entry_is_checked_required_and_a_constraint_with_position(form):
    entries = [{"ten": f"Thủ tục {i}", "so_ngay": "3"} for i in range(1, 7)]
    entries[1] = {"so_ngay": "400"}
    evaluation = Evaluation(form, {"da_lam": "co", "thu_tuc": entries, "nguoi_tra_loi": [{}]})
    errors = evaluation.errors()
    assert errors == {
        "thu_tuc[2]/ten": "Câu hỏi này bắt buộc trả lời.",
        "thu_tuc[2]/so_ngay": "Số ngày từ 0 đến 365.",
        "thu_tuc[6]/ten": "Vui lòng liệt kê tối đa 5 thủ tục.",  # position(..) <= 5
    }
    assert evaluation.label(form.elements["ten"], "thu_tuc[4]/ten") == "Tên thủ tục thứ 4"


def test_the_lists_page_has_add_and_remove_buttons_and_the_fixed_one_has_none(form):
    answers = {"da_lam": "co", "thu_tuc": [{"ten": "A"}, {"ten": "B"}], "nguoi_tra_loi": [{}]}
    evaluation = Evaluation(form, answers)
    pages = {page.key: page for page in pages_relevant(evaluation)}
    assert list(pages) == ["q-da_lam", "r-thu_tuc", "r-nguoi_tra_loi", "q-gop_y"]
    assert pages["r-thu_tuc"].title(evaluation) == "Thủ tục đã làm"
    kinds = [(w.kind, w.address) for w in widgets(pages["r-thu_tuc"], evaluation) if w.kind in ("group", "entry_end", "entries")]
    assert kinds == [
        ("group", "thu_tuc[1]"), ("entry_end", "thu_tuc[1]"), ("group", "thu_tuc[2]"), ("entry_end", "thu_tuc[2]"), ("entries", "thu_tuc"),
    ]
    fixed = [w.kind for w in widgets(pages["r-nguoi_tra_loi"], evaluation)]
    assert "entries" not in fixed and "entry_end" not in fixed
    # an irrelevant list has no page; an emptied relevant one keeps its page, to add to it again
    assert "r-thu_tuc" not in [p.key for p in pages_relevant(Evaluation(form, {"da_lam": "khong"}))]
    emptied = Evaluation(form, {"da_lam": "co", "thu_tuc": []})
    page = next(p for p in pages_relevant(emptied) if p.key == "r-thu_tuc")
    assert [(w.kind, w.count) for w in widgets(page, emptied)] == [("entries", 0)]


NESTED = [
    ("begin_group", "ho_so", "Hồ sơ", ""),
    ("text", "ma_ho_so", "Mã hồ sơ", ""),
    ("begin_repeat", "giay_to", "Giấy tờ", ""),  # a list inside a group page
    ("text", "loai", "Loại giấy tờ", ""),
    ("end_repeat", "", "", ""),
    ("end_group", "", "", ""),
    ("integer", "so_chi_nhanh", "Số chi nhánh", ""),
    ("begin_repeat", "chi_nhanh", "Chi nhánh", "${so_chi_nhanh}"),  # counted: a page per entry
    ("text", "dia_chi", "Địa chỉ", ""),
    ("begin_repeat", "nhan_vien", "Nhân viên", ""),  # a list inside each counted entry
    ("text", "ho_ten", "Họ tên", ""),
    ("end_repeat", "", "", ""),
    ("end_repeat", "", "", ""),
]


@pytest.fixture
def nested_survey(make_survey, xlsform, blocks):
    content = xlsform(NESTED, survey_header=("type", "name", "label", "repeat_count"), settings={"form_id": "long_nhau", "version": "1"})
    return make_survey(questionnaire_import(file_name="long_nhau.xlsx", content=content, by=None).version, code="long-nhau")


def test_lists_inside_a_group_and_inside_counted_entries(nested_survey):
    form = nested_survey.version.form
    answers = {"so_chi_nhanh": "2", "chi_nhanh": [{}, {"nhan_vien": []}]}
    assert first_entries(form, answers) and answers == {"so_chi_nhanh": "2", "chi_nhanh": [{"nhan_vien": [{}]}, {"nhan_vien": []}], "giay_to": [{}]}
    evaluation = Evaluation(form, answers)
    pages = {page.key: page for page in pages_relevant(evaluation)}
    assert list(pages) == ["g-ho_so", "q-so_chi_nhanh", "r-chi_nhanh-1", "r-chi_nhanh-2"]
    assert sorted(entry_markers(pages["g-ho_so"], evaluation)) == ["giay_to", "giay_to[1]"]
    assert sorted(entry_markers(pages["r-chi_nhanh-1"], evaluation)) == ["chi_nhanh[1]/nhan_vien", "chi_nhanh[1]/nhan_vien[1]"]
    assert sorted(entry_markers(pages["r-chi_nhanh-2"], evaluation)) == ["chi_nhanh[2]/nhan_vien"]
    posted = ["chi_nhanh[1]/nhan_vien[1]/ho_ten", "chi_nhanh[1]/nhan_vien[2]/ho_ten", "chi_nhanh[2]/nhan_vien[1]/ho_ten",
              "chi_nhanh[3]/dia_chi", "chi_nhanh[3]/nhan_vien[1]/ho_ten", "chi_nhanh[3]/nhan_vien[2]/ho_ten", "khong_co[1]/x", "ma_ho_so"]
    assert addresses_allowed(form, answers, posted) == ["chi_nhanh[1]/nhan_vien[1]/ho_ten", "chi_nhanh[3]/dia_chi", "chi_nhanh[3]/nhan_vien[1]/ho_ten", "ma_ho_so"]


def test_adding_to_nested_lists_through_the_pages(nested_survey):
    client, ref = start(nested_survey)
    page = client.get(f"/s/r/{ref}/p/g-ho_so/").content.decode()
    assert shown(page) == ["ma_ho_so", "giay_to[1]/loai"]
    post(client, ref, "g-ho_so", shown(page), action="add:giay_to", ma_ho_so="HS-1", **{"giay_to[1]/loai": "Giấy phép"})
    assert Draft.objects.get().answers["giay_to"] == [{"loai": "Giấy phép"}, {}]
    page = client.get(f"/s/r/{ref}/p/q-so_chi_nhanh/").content.decode()
    # a count that grows creates entries, and each new entry's list starts with one entry
    assert post(client, ref, "q-so_chi_nhanh", shown(page), action="next", so_chi_nhanh="2")["Location"].endswith("/p/r-chi_nhanh-1/")
    assert Draft.objects.get().answers["chi_nhanh"] == [{"nhan_vien": [{}]}, {"nhan_vien": [{}]}]
    page = client.get(f"/s/r/{ref}/p/r-chi_nhanh-1/").content.decode()
    assert 'value="add:chi_nhanh[1]/nhan_vien"' in page and 'value="remove:chi_nhanh[1]/nhan_vien[1]"' in page
    added = post(client, ref, "r-chi_nhanh-1", shown(page), action="add:chi_nhanh[1]/nhan_vien", **{"chi_nhanh[1]/nhan_vien[1]/ho_ten": "Lan"})
    assert added["Location"].endswith("#f-chi_nhanh-1-nhan_vien-2")
    assert Draft.objects.get().answers["chi_nhanh"][0]["nhan_vien"] == [{"ho_ten": "Lan"}, {}]
    post(client, ref, "r-chi_nhanh-1", [], action="remove:chi_nhanh[1]/nhan_vien[1]")
    assert Draft.objects.get().answers["chi_nhanh"][0]["nhan_vien"] == [{}]


# --- time and dateTime --------------------------------------------------------------------------

@pytest.mark.parametrize(
    "raw, stored",
    [
        ("14:30", "14:30:00"),  # what <input type=time> sends
        ("14:30:15", "14:30:15"),
        ("9:05", "09:05:00"),
        ("00:00", "00:00:00"),
        ("23:59:59", "23:59:59"),
        ("14:30:00.000+07:00", "14:30:00"),  # ODK Collect / Enketo
        (datetime.time(8, 15), "08:15:00"),  # an Excel time cell
    ],
)
def test_a_time_is_stored_as_hh_mm_ss(raw, stored):
    element = Element(name="t", type="time", raw={})
    assert normalise_input(element, raw) == stored


@pytest.mark.parametrize("raw", ["25:00", "12:60", "12:30abc", "24:00", "12", "1230", "12:3", "noon", "12:30:61"])
def test_a_time_out_of_range_or_with_trailing_text_is_refused(form, raw):
    evaluation = Evaluation(form, {"da_lam": "co", "thu_tuc": [{"ten": "A", "gio_nop": raw}], "nguoi_tra_loi": [{}]})
    assert evaluation.errors() == {"thu_tuc[1]/gio_nop": "Vui lòng nhập giờ theo dạng giờ:phút (hh:mm), từ 00:00 đến 23:59."}


@pytest.mark.parametrize(
    "raw, stored",
    [
        ("2025-03-13T14:30", "2025-03-13T14:30:00"),  # what <input type=datetime-local> sends
        ("2025-03-13T14:30:15", "2025-03-13T14:30:15"),
        ("2025-03-13 14:30", "2025-03-13T14:30:00"),
        ("2025-03-13T14:30:00.000+07:00", "2025-03-13T14:30:00"),  # ODK, Vietnam's offset
        ("2025-03-13T07:30:00Z", "2025-03-13T14:30:00"),  # in UTC: shown in Vietnam's time
        ("13/03/2025 14:30", "2025-03-13T14:30:00"),  # typed from a paper form
        (datetime.datetime(2025, 3, 13, 14, 30), "2025-03-13T14:30:00"),
    ],
)
def test_a_datetime_is_stored_as_iso_with_seconds(raw, stored):
    element = Element(name="d", type="datetime", raw={})
    assert normalise_input(element, raw) == stored


@pytest.mark.parametrize("raw", ["2025-03-13", "2025-03-13T25:00", "2025-02-30T10:00", "2025-03-13T14:30abc", "13/03/2025", "hôm qua"])
def test_a_datetime_that_is_not_one_is_refused(form, raw):
    evaluation = Evaluation(form, {"da_lam": "co", "thu_tuc": [{"ten": "A", "luc_nhan": raw}], "nguoi_tra_loi": [{}]})
    assert evaluation.errors() == {"thu_tuc[1]/luc_nhan": "Vui lòng nhập ngày và giờ theo dạng ngày/tháng/năm giờ:phút (dd/mm/yyyy hh:mm)."}


def test_time_and_datetime_inputs_round_trip_between_the_browser_and_odk(thu_tuc_survey):
    client, ref = start(thu_tuc_survey)
    Draft.objects.update(answers={"da_lam": "co", "thu_tuc": [{"ten": "A", "gio_nop": "14:30:00.000+07:00", "luc_nhan": "2025-03-13T14:30:00.000+07:00"}]})
    html = client.get(f"/s/r/{ref}/p/r-thu_tuc/").content.decode()
    assert re.search(r'name="thu_tuc\[1\]/gio_nop" value="14:30"[^>]*\s+type="time"', html)
    assert re.search(r'name="thu_tuc\[1\]/luc_nhan" value="2025-03-13T14:30"[^>]*\s+type="datetime-local"', html)
    # the browser sends the inputs' values back: the same answers are stored, in ODK's form
    values = {"thu_tuc[1]/ten": "A", "thu_tuc[1]/gio_nop": "14:30", "thu_tuc[1]/luc_nhan": "2025-03-13T14:30"}
    assert post(client, ref, "r-thu_tuc", shown(html), action="next", **values).status_code == 302
    entry = Draft.objects.get().answers["thu_tuc"][0]
    assert entry["gio_nop"] == "14:30:00" and entry["luc_nhan"] == "2025-03-13T14:30:00"
    bad = post(client, ref, "r-thu_tuc", shown(html), action="next", **{**values, "thu_tuc[1]/gio_nop": "25:00"})
    assert bad.status_code == 200 and "từ 00:00 đến 23:59" in bad.content.decode()
    review = client.get(f"/s/r/{ref}/review/").content.decode()
    assert "13/03/2025 14:30" in review


def test_the_review_shows_times_the_way_people_write_them(form):
    evaluation = Evaluation(form, {"da_lam": "co", "thu_tuc": [{"ten": "A", "gio_nop": "07:05:00", "luc_nhan": "2025-12-01T16:45:30"}]})
    page = next(p for p in pages_relevant(evaluation) if p.key == "r-thu_tuc")
    shown_values = {w.address: display_value(w) for w in widgets(page, evaluation) if w.kind in ("time", "datetime")}
    assert shown_values == {"thu_tuc[1]/gio_nop": "07:05", "thu_tuc[1]/luc_nhan": "01/12/2025 16:45:30"}


# --- the pages, without JavaScript ------------------------------------------------------------

def test_add_and_remove_save_the_page_first_and_keep_the_answers(thu_tuc_survey):
    client, ref = start(thu_tuc_survey)
    first = client.get(f"/s/r/{ref}/p/q-da_lam/").content.decode()
    assert post(client, ref, "q-da_lam", shown(first), action="next", da_lam="co")["Location"].endswith("/p/r-thu_tuc/")
    page = client.get(f"/s/r/{ref}/p/r-thu_tuc/").content.decode()
    assert "Thủ tục đã làm (1)" in page and "Thêm một mục" in page and "Xóa mục này" in page
    assert shown(page) == ["thu_tuc[1]/ten", "thu_tuc[1]/so_ngay", "thu_tuc[1]/gio_nop", "thu_tuc[1]/luc_nhan"]
    # Enter in a text box submits the first button of the form: a hidden Continue, not a remove
    assert page.index('value="next"') < page.index('value="remove:thu_tuc[1]"')

    added = post(client, ref, "r-thu_tuc", shown(page), action="add:thu_tuc", **{"thu_tuc[1]/ten": "Cấp phép xây dựng", "thu_tuc[1]/so_ngay": "20"})
    assert added.status_code == 302 and added["Location"].endswith("/p/r-thu_tuc/#f-thu_tuc-2")
    # the draft keeps what the form computed too (stt is the entry's position)
    assert Draft.objects.get().answers["thu_tuc"] == [{"stt": "1", "ten": "Cấp phép xây dựng", "so_ngay": "20", "gio_nop": "", "luc_nhan": ""}, {}]
    page = client.get(f"/s/r/{ref}/p/r-thu_tuc/").content.decode()
    assert 'value="Cấp phép xây dựng"' in page and "Tên thủ tục thứ 2" in page and 'id="f-thu_tuc-2"' in page

    fields = shown(page)
    added = post(client, ref, "r-thu_tuc", fields, action="add:thu_tuc", **{"thu_tuc[1]/ten": "Cấp phép xây dựng", "thu_tuc[2]/ten": "Đăng ký kinh doanh"})
    page = client.get(f"/s/r/{ref}/p/r-thu_tuc/").content.decode()
    removed = post(client, ref, "r-thu_tuc", shown(page), action="remove:thu_tuc[1]",
                   **{"thu_tuc[1]/ten": "Cấp phép xây dựng", "thu_tuc[2]/ten": "Đăng ký kinh doanh", "thu_tuc[3]/ten": "Thuế"})
    assert removed.status_code == 302 and removed["Location"].endswith("#f-thu_tuc")
    assert [e.get("ten") for e in Draft.objects.get().answers["thu_tuc"]] == ["Đăng ký kinh doanh", "Thuế"]

    # nothing is checked on add or remove; Continue checks each entry
    page = client.get(f"/s/r/{ref}/p/r-thu_tuc/").content.decode()
    checked = post(client, ref, "r-thu_tuc", shown(page), action="next", **{"thu_tuc[1]/ten": "Đăng ký kinh doanh", "thu_tuc[2]/ten": ""})
    assert checked.status_code == 200 and "Câu hỏi này bắt buộc trả lời." in checked.content.decode()
    done = post(client, ref, "r-thu_tuc", shown(page), action="next", **{"thu_tuc[1]/ten": "Đăng ký kinh doanh", "thu_tuc[2]/ten": "Thuế"})
    assert done.status_code == 302 and done["Location"].endswith("/p/r-nguoi_tra_loi/")


def test_the_last_entry_can_be_removed_and_the_list_stays_empty(thu_tuc_survey):
    client, ref = start(thu_tuc_survey)
    Draft.objects.update(answers={"da_lam": "co"})
    page = client.get(f"/s/r/{ref}/p/r-thu_tuc/").content.decode()
    assert "Thủ tục đã làm (1)" in page  # as Enketo: one entry to start with
    post(client, ref, "r-thu_tuc", shown(page), action="remove:thu_tuc[1]")
    assert Draft.objects.get().answers["thu_tuc"] == []
    page = client.get(f"/s/r/{ref}/p/r-thu_tuc/").content.decode()
    assert "Chưa có mục nào." in page and "Thêm một mục" in page and shown(page) == []
    assert post(client, ref, "r-thu_tuc", [], action="next")["Location"].endswith("/p/r-nguoi_tra_loi/")
    review = client.get(f"/s/r/{ref}/review/").content.decode()
    assert "(không có mục nào)" in review


def test_at_most_fifty_entries_and_forged_buttons_change_nothing(thu_tuc_survey):
    client, ref = start(thu_tuc_survey)
    Draft.objects.update(answers={"da_lam": "co", "thu_tuc": [{"ten": str(i)} for i in range(MAX_ENTRIES)], "nguoi_tra_loi": [{}]})
    page = client.get(f"/s/r/{ref}/p/r-thu_tuc/").content.decode()
    assert "Danh sách đã có số mục tối đa (50)." in page and 'value="add:thu_tuc"' not in page
    refused = post(client, ref, "r-thu_tuc", [], action="add:thu_tuc")
    assert refused.status_code == 200 and "Một danh sách có tối đa 50 mục." in refused.content.decode()
    assert len(Draft.objects.get().answers["thu_tuc"]) == MAX_ENTRIES

    Draft.objects.update(answers={"da_lam": "co", "thu_tuc": [{"ten": "A"}], "nguoi_tra_loi": [{}]})
    for action, key in [("add:nguoi_tra_loi", "r-nguoi_tra_loi"), ("remove:nguoi_tra_loi[1]", "r-nguoi_tra_loi"),  # jr:noAddRemove
                        ("add:thu_tuc", "q-gop_y"), ("remove:thu_tuc[7]", "r-thu_tuc"), ("add:gop_y", "q-gop_y")]:
        response = post(client, ref, key, [], action=action)
        assert response.status_code == 200 and "Danh sách này vừa thay đổi" in response.content.decode(), action
    answers = Draft.objects.get().answers
    assert answers["thu_tuc"] == [{"ten": "A", "stt": "1"}] and answers["nguoi_tra_loi"] == [{}]
    # a posted address past the list's entries does not create them
    post(client, ref, "r-thu_tuc", ["thu_tuc[1]/ten", "thu_tuc[900]/ten"], action="save", **{"thu_tuc[1]/ten": "B", "thu_tuc[900]/ten": "X"})
    assert [e.get("ten") for e in Draft.objects.get().answers["thu_tuc"]] == ["B"]


def test_the_review_lists_each_entry_and_submit_rechecks_them(thu_tuc_survey):
    client, ref = start(thu_tuc_survey)
    Draft.objects.update(answers={"da_lam": "co", "thu_tuc": [{"ten": "Cấp phép xây dựng", "so_ngay": "20"}, {"so_ngay": "3"}], "nguoi_tra_loi": [{}]})
    review = client.get(f"/s/r/{ref}/review/").content.decode()
    assert '<h3 class="entry-legend">Thủ tục đã làm (1)</h3>' in review and '<h3 class="entry-legend">Thủ tục đã làm (2)</h3>' in review
    assert "Cấp phép xây dựng" in review and "Còn 1 câu trả lời cần bạn xem lại" in review
    draft = Draft.objects.get()
    with pytest.raises(SubmissionRejected) as rejected:
        response_submit(survey_id=thu_tuc_survey.pk, draft_key=draft.key, client_key="k1")
    assert rejected.value.errors == {"thu_tuc[2]/ten": "Câu hỏi này bắt buộc trả lời."}

    Draft.objects.update(answers={"da_lam": "co", "thu_tuc": [{"ten": "Cấp phép xây dựng", "so_ngay": "20"}, {"ten": "Thuế", "gio_nop": "08:00"}], "nguoi_tra_loi": [{"chuc_vu": "Giám đốc"}]})
    review = client.get(f"/s/r/{ref}/review/").content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', review).group(1)
    assert client.post(f"/s/r/{ref}/submit/", {"submission_key": key}).status_code == 302
    answers = HeldResponse.objects.get().answers  # what its batch will write (test_anonymity_batches.py)
    assert answers["thu_tuc"] == [{"stt": "1", "ten": "Cấp phép xây dựng", "so_ngay": 20}, {"stt": "2", "ten": "Thuế", "gio_nop": "08:00:00"}]
    assert answers["nguoi_tra_loi"] == [{"chuc_vu": "Giám đốc"}]


def test_staff_see_a_stored_response_entry_by_entry(thu_tuc_survey, store, make_user):
    listed = store(thu_tuc_survey, {"da_lam": "co", "thu_tuc": [{"ten": "Cấp phép xây dựng"}, {"ten": "Thuế", "gio_nop": "08:00"}]}, key="a")
    emptied = store(thu_tuc_survey, {"da_lam": "co", "thu_tuc": []}, key="b")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(make_user("phantich", Role.ANALYST))
    html = client.get(f"/surveys/{thu_tuc_survey.code}/responses/{listed.pk}/").content.decode()
    assert '<h3 class="entry-legend">Thủ tục đã làm (2)</h3>' in html and "Thuế" in html and "08:00" in html
    html = client.get(f"/surveys/{thu_tuc_survey.code}/responses/{emptied.pk}/").content.decode()
    assert "(không có mục nào)" in html and "entry-legend" not in html


def test_paper_entry_adds_entries_through_the_same_pages(thu_tuc_survey, make_user):
    clerk = make_user("thuky", Role.SECRETARIAT)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(clerk)
    client.post(f"/surveys/{thu_tuc_survey.code}/paper/", follow=True)
    ref = next(iter(draft_cookies.decode(client.cookies[draft_cookies.COOKIE_NAME].value)))
    page = client.get(f"/s/r/{ref}/p/q-da_lam/").content.decode()
    post(client, ref, "q-da_lam", shown(page), action="next", da_lam="co")
    page = client.get(f"/s/r/{ref}/p/r-thu_tuc/").content.decode()
    assert "Nhập phiếu giấy" in page
    post(client, ref, "r-thu_tuc", shown(page), action="add:thu_tuc", **{"thu_tuc[1]/ten": "Thủ tục A"})
    page = client.get(f"/s/r/{ref}/p/r-thu_tuc/").content.decode()
    assert post(client, ref, "r-thu_tuc", shown(page), action="next", **{"thu_tuc[1]/ten": "Thủ tục A", "thu_tuc[2]/ten": "Thủ tục B"}).status_code == 302
    review = client.get(f"/s/r/{ref}/review/").content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', review).group(1)
    assert client.post(f"/s/r/{ref}/submit/", {"submission_key": key}).status_code == 302
    response = HeldResponse.objects.get()
    assert response.channel == "paper" and [e["ten"] for e in response.answers["thu_tuc"]] == ["Thủ tục A", "Thủ tục B"]


def test_htmx_refresh_keeps_the_entries_and_saves_nothing(thu_tuc_survey):
    client, ref = start(thu_tuc_survey)
    Draft.objects.update(answers={"da_lam": "co", "thu_tuc": [{"ten": "A"}, {"ten": "B"}]})
    fragment = client.post(f"/s/r/{ref}/p/r-thu_tuc/refresh/", {"_shown": ["thu_tuc[1]/ten", "thu_tuc[2]/ten"], "thu_tuc[2]/ten": "C"}, HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert text.lstrip().startswith('<div id="page-fields">') and 'value="add:thu_tuc"' in text and 'value="remove:thu_tuc[2]"' in text
    assert [e["ten"] for e in Draft.objects.get().answers["thu_tuc"]] == ["A", "B"]


# --- exports ----------------------------------------------------------------------------------

def test_an_export_has_a_table_with_one_row_per_entry(thu_tuc_survey, store, tmp_path):
    store(thu_tuc_survey, {"da_lam": "co", "thu_tuc": [{"ten": "Cấp phép xây dựng", "so_ngay": "20", "gio_nop": "14:30"}, {"ten": "Thuế", "so_ngay": "2"}]}, key="a")
    store(thu_tuc_survey, {"da_lam": "khong"}, key="b")
    store(thu_tuc_survey, {"da_lam": "co", "thu_tuc": [{"ten": "Đăng ký kinh doanh", "luc_nhan": "2025-03-13T14:30"}]}, key="c")
    target = survey_export(survey=thu_tuc_survey, fmt="csv", target=tmp_path / "x.zip")
    with zipfile.ZipFile(target) as archive:
        assert "thu_tuc.csv" in archive.namelist()
        rows = list(csv.DictReader(io.StringIO(archive.read("thu_tuc.csv").decode("utf-8-sig"))))
        responses = list(csv.DictReader(io.StringIO(archive.read("responses.csv").decode("utf-8-sig"))))
    assert len(responses) == 3 and len(rows) == 3
    assert sorted(r["so_ngay"] for r in rows) == ["", "2", "20"]  # integers as people write them, not 2.0
    assert {r["response_id"] for r in rows} <= {r["response_id"] for r in responses}
    assert sorted(r["gio_nop"] for r in rows) == ["", "", "14:30:00"]
    assert sorted(r["luc_nhan"] for r in rows) == ["", "", "2025-03-13T14:30:00"]


def test_the_form_goes_back_to_xlsform_with_its_add_remove_setting(form, thu_tuc_version):
    again = xlsform_parse("lai.xlsx", xlsform_write(thu_tuc_version.survey)).survey
    repeats = {e["name"]: e for e in again["children"] if e.get("type") == "repeat"}
    assert repeats["nguoi_tra_loi"].get("control", {}).get("jr:noAddRemove") == "true()"
    assert not repeats["thu_tuc"].get("control", {}).get("jr:noAddRemove")


def test_a_repeat_may_carry_the_files_name():
    parsed = xlsform_parse("thu_tuc.xlsx", FORM.read_bytes())  # the repeat thu_tuc, in thu_tuc.xlsx
    assert "thu_tuc" in [e["name"] for e in parsed.survey["children"]]


def test_submit_sees_a_never_opened_list_as_the_review_does(thu_tuc_survey):
    """One empty entry, as on the pages: its required question must be answered, or the entry removed."""
    client, ref = start(thu_tuc_survey)
    Draft.objects.update(answers={"da_lam": "co", "nguoi_tra_loi": [{}]})  # the list of procedures never opened
    assert "Còn 1 câu trả lời cần bạn xem lại" in client.get(f"/s/r/{ref}/review/").content.decode()
    draft = Draft.objects.get()
    with pytest.raises(SubmissionRejected) as rejected:
        response_submit(survey_id=thu_tuc_survey.pk, draft_key=draft.key, client_key="k1")
    assert list(rejected.value.errors) == ["thu_tuc[1]/ten"] and not HeldResponse.objects.exists()
    Draft.objects.update(answers={"da_lam": "co", "thu_tuc": [], "nguoi_tra_loi": [{}]})  # removed by the respondent
    response_submit(survey_id=thu_tuc_survey.pk, draft_key=draft.key, client_key="k2")
    assert HeldResponse.objects.get().answers.get("thu_tuc", []) == []
