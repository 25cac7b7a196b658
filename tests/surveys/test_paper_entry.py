"""Paper forms: numbers (số phiếu), double entry by two clerks, settlement by a third, "next form"."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from chiso.accounts.models import Role
from chiso.audit.models import AuditRecord
from chiso.surveys.collection import draft_cookies
from chiso.surveys.collection.answers import answers_differences
from chiso.surveys.collection.pages import pages_relevant
from chiso.surveys.models import Draft, HeldResponse, PaperEntry, PaperForm, Response
from chiso.surveys.queries import paper_form_differences
from chiso.surveys.services import (
    evaluation_for,
    paper_form_settle,
    paper_form_start,
    response_submit,
    responses_flush,
    survey_paper_double_entry_set,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerks(make_user):
    return [make_user(name, Role.SECRETARIAT) for name in ("nhaplieu1", "nhaplieu2", "doichieu")]


@pytest.fixture
def double(ddci_survey, clerks):
    return survey_paper_double_entry_set(survey=ddci_survey, required=True, by=clerks[2])


def type_form(survey, number, clerk, answers, key):
    draft = paper_form_start(survey=survey, number=number, by=clerk)
    Draft.objects.filter(pk=draft.pk).update(answers=answers)
    return response_submit(survey_id=survey.pk, draft_key=draft.key, client_key=key, by=clerk)


def test_a_form_typed_twice_with_a_difference_waits_for_a_third_person_and_counts_only_when_settled(double, clerks, answers):
    first, second, third = clerks
    type_form(double, "0042", first, answers(), "a")
    assert PaperForm.objects.get().status == "typing" and not HeldResponse.objects.exists()
    submission = type_form(double, "0042", second, answers(so_lao_dong="21"), "b")
    form = PaperForm.objects.get()
    assert submission.paper_form.pk == form.pk and form.status == "to_settle" and form.differences == 1
    assert [row["address"] for row in paper_form_differences(form)] == ["so_lao_dong"]
    assert [(row["first"], row["second"]) for row in paper_form_differences(form)] == [("12", "21")]
    # An unsettled form is not counted: nothing is held, closing writes nothing, exports are empty.
    responses_flush(survey=double, force=True)
    assert not HeldResponse.objects.exists() and Response.objects.count() == 0
    exporter = Client(HTTP_HOST="127.0.0.1")
    exporter.force_login(third)
    exported = b"".join(exporter.get(f"/surveys/{double.code}/export/responses.csv").streaming_content).decode("utf-8-sig")
    assert len(exported.strip().splitlines()) == 1  # the header only
    # Neither clerk may settle their own double entry.
    for clerk in (first, second):
        with pytest.raises(PermissionDenied):
            paper_form_settle(paper_form=form, chosen={"so_lao_dong": "2"}, by=clerk)
    with pytest.raises(ValidationError):
        paper_form_settle(paper_form=form, chosen={}, by=third)  # every difference needs a choice
    paper_form_settle(paper_form=form, chosen={"so_lao_dong": "2"}, by=third)
    form.refresh_from_db()
    assert form.status == "settled" and form.settled_by == third
    held = HeldResponse.objects.get()
    assert held.channel == "paper" and str(held.answers["so_lao_dong"]) == "21"
    responses_flush(survey=double, force=True)
    assert Response.objects.count() == 1
    # Nothing keeps the form's number, its clerks or its entries next to the answers.
    assert not PaperEntry.objects.exists()
    assert "0042" not in str(Response.objects.values().get())
    record = AuditRecord.objects.get(event="paper_form.settled")
    assert record.by == third and record.new_value == "1" and "21" not in record.old_value + record.new_value + str(record.details)


def test_a_value_typed_from_the_paper_settles_when_both_clerks_were_wrong(double, clerks, answers):
    first, second, third = clerks
    type_form(double, "7", first, answers(so_lao_dong="11"), "a")
    type_form(double, "7", second, answers(so_lao_dong="13"), "b")
    paper_form_settle(paper_form=PaperForm.objects.get(), chosen={}, typed={"so_lao_dong": "12"}, by=third)
    assert str(HeldResponse.objects.get().answers["so_lao_dong"]) == "12"


def test_two_entries_that_agree_count_at_once_and_one_clerk_cannot_type_both(double, clerks, answers):
    first, second, _third = clerks
    type_form(double, "0001", first, answers(), "a")
    with pytest.raises(ValidationError, match="người khác"):
        paper_form_start(survey=double, number="0001", by=first)
    type_form(double, "0001", second, answers(), "b")
    assert PaperForm.objects.get().status == "settled" and HeldResponse.objects.count() == 1 and not PaperEntry.objects.exists()
    with pytest.raises(ValidationError):
        paper_form_start(survey=double, number="0001", by=_third)  # a settled number is not typed again


def test_double_entry_needs_a_number_and_a_number_is_typed_once_without_it(ddci_survey, clerks, answers, make_user):
    survey_paper_double_entry_set(survey=ddci_survey, required=True, by=clerks[0])
    with pytest.raises(ValidationError):
        paper_form_start(survey=ddci_survey, number="", by=clerks[0])
    with pytest.raises(PermissionDenied):
        survey_paper_double_entry_set(survey=ddci_survey, required=False, by=make_user("lanhdao", Role.LEADER))
    survey_paper_double_entry_set(survey=ddci_survey, required=False, by=clerks[0])
    type_form(ddci_survey, "15", clerks[0], answers(), "a")
    assert PaperForm.objects.get().status == "settled" and HeldResponse.objects.count() == 1
    with pytest.raises(ValidationError):
        paper_form_start(survey=ddci_survey, number="15", by=clerks[1])
    assert AuditRecord.objects.filter(event="survey.paper_double_entry").count() == 2  # on, off


def test_differences_are_found_field_by_field_inside_lists(answers):
    one = answers()
    other = answers()
    other["danh_gia"][1]["minh_bach"] = "2"
    assert answers_differences(one, other) == ["danh_gia[2]/minh_bach"]
    assert answers_differences({"a": ""}, {"a": None}) == []


def test_after_saving_next_form_opens_an_empty_one(double, clerks, answers):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(clerks[0])
    assert "Số phiếu" in client.get(f"/surveys/{double.code}/paper/").content.decode()
    refused = client.post(f"/surveys/{double.code}/paper/", {"number": ""}, follow=True)
    assert "nhập hai lần" in refused.content.decode() and not Draft.objects.exists()
    client.post(f"/surveys/{double.code}/paper/", {"number": "A-1"})
    Draft.objects.update(answers=answers())
    ref = next(iter(draft_cookies.decode(client.cookies[draft_cookies.COOKIE_NAME].value)))
    saved = client.post(f"/s/r/{ref}/submit/", {"submission_key": "p1"}, follow=True)
    html = saved.content.decode()
    assert saved.redirect_chain[-1][0] == f"/surveys/{double.code}/paper/" and "Đã lưu lần nhập phiếu số A-1" in html
    assert 'name="number"' in html  # the next form's number, empty
    opened = client.post(f"/surveys/{double.code}/paper/", {"number": "A-2"}, follow=True)
    assert opened.status_code == 200 and "Nhập phiếu giấy" in opened.content.decode()
    [draft] = Draft.objects.all()
    assert draft.answers == {} and draft.paper_entry.paper_form.number == "A-2"


def test_the_settle_page_shows_differences_and_refuses_the_clerks(double, clerks, answers, make_user):
    first, second, third = clerks
    type_form(double, "9", first, answers(), "a")
    type_form(double, "9", second, answers(nam_thanh_lap="2011"), "b")
    form = PaperForm.objects.get()
    own = Client(HTTP_HOST="127.0.0.1")
    own.force_login(first)
    assert "người khác đối chiếu" in own.get(f"/surveys/{double.code}/paper/{form.pk}/settle/").content.decode()
    assert own.post(f"/surveys/{double.code}/paper/{form.pk}/settle/", {"pick-nam_thanh_lap": "1"}).status_code == 400
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(third)
    page = client.get(f"/surveys/{double.code}/paper/{form.pk}/settle/").content.decode()
    assert 'data-address="nam_thanh_lap"' in page and "2010" in page and "2011" in page
    done = client.post(f"/surveys/{double.code}/paper/{form.pk}/settle/", {"pick-nam_thanh_lap": "1"}, follow=True)
    assert "Đã đối chiếu phiếu số 9" in done.content.decode()
    assert str(HeldResponse.objects.get().answers["nam_thanh_lap"]) == "2010"
    officer = Client(HTTP_HOST="127.0.0.1")
    officer.force_login(make_user("phantich", Role.ANALYST))
    assert officer.get(f"/surveys/{double.code}/paper/").status_code == 403


def test_paper_entry_shows_a_whole_section_per_page_the_web_form_one_department_per_page(ddci_survey, clerks, answers):
    evaluation = evaluation_for(survey=ddci_survey, version=ddci_survey.version, answers=answers())
    web = [p.key for p in pages_relevant(evaluation)]
    paper = [p.key for p in pages_relevant(evaluation, whole_sections=True)]
    assert "r-danh_gia-1" in web and "r-danh_gia-2" in web and "r-danh_gia" in paper and len(paper) == len(web) - 1
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(clerks[0])
    client.post(f"/surveys/{ddci_survey.code}/paper/", {"number": "5"})
    full = answers()
    Draft.objects.update(answers={k: v for k, v in full.items() if k != "danh_gia"})
    ref = next(iter(draft_cookies.decode(client.cookies[draft_cookies.COOKIE_NAME].value)))
    html = client.get(f"/s/r/{ref}/p/r-danh_gia/").content.decode()
    assert 'name="danh_gia[1]/minh_bach"' in html and 'name="danh_gia[2]/minh_bach"' in html
    values = {f"danh_gia[{i}]/{k}": v for i, entry in enumerate(full["danh_gia"], start=1) for k, v in entry.items()}
    shown = list(values)
    page = client.post(f"/s/r/{ref}/p/r-danh_gia/", {**values, "_shown": shown, "action": "next"})
    assert page.status_code == 302, page.content.decode()[:2000]
    saved = Draft.objects.get().answers["danh_gia"]
    assert [str(e["minh_bach"]) for e in saved] == ["4", "4"] and [str(e["diem_chung"]) for e in saved] == ["7", "7"]


def test_a_number_left_unsaved_and_cleared_away_can_be_typed_again(ddci_survey, clerks):
    paper_form_start(survey=ddci_survey, number="3", by=clerks[0])
    with pytest.raises(ValidationError):
        paper_form_start(survey=ddci_survey, number="3", by=clerks[1])  # being typed
    Draft.objects.all().delete()  # housekeeping clears the abandoned draft
    draft = paper_form_start(survey=ddci_survey, number="3", by=clerks[1])
    assert draft.paper_entry.clerk == clerks[1] and PaperEntry.objects.count() == 1
