"""PAR points typed the Vietnamese way (issue 18, point 6): 1.000 is a thousand, 1,5 one and a
half, 1.234,5 works, an ambiguous 1.5 is refused with a message showing how to write it (never
silently changed), and the inputs show 0,5 — never 0.5 or an exponent — and read it back exactly."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from chiso.assessments import forms
from chiso.assessments import services as s
from chiso.assessments.models import Assessment

from .conftest import appraise_all, assessment_of, claim_all, item_of

Status = Assessment.Status


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


@dataclass
class Reason:
    code: str
    name: str
    maximum: Decimal
    to_confirm: bool = False


@dataclass
class Rule:
    kind: str
    name: str
    cap: Decimal | None
    reasons: list


RULES = {"bonus": Rule("bonus", "Điểm thưởng", None, [Reason("bonus.big", "Thưởng lớn", Decimal("5000"))])}


def _bound(name, text):
    """(form, field name) with `text` typed in the points field of the form `name`."""
    if name == "bonus":
        return forms.BonusPenaltyForm({"r_bonus.big": text}, rules=RULES), "r_bonus.big"
    data = {"points": text, "lock_version": "0", "reason": "Theo biên bản"}
    return {"self": forms.SelfAssessForm, "appraise": forms.AppraiseForm, "council": forms.CouncilAdjustForm}[name](data), "points"


FORMS = ["self", "appraise", "council", "bonus"]  # the appraisal form serves round 1 and round 2


@pytest.mark.parametrize("name", FORMS)
@pytest.mark.parametrize(("text", "value"), [
    ("1.000", Decimal("1000")), ("1,5", Decimal("1.5")), ("1.234,5", Decimal("1234.5")), ("0,25", Decimal("0.25")), ("3", Decimal("3")),
])
def test_points_are_read_the_vietnamese_way(name, text, value):
    form, field = _bound(name, text)
    assert form.is_valid(), form.errors
    assert form.cleaned_data[field] == value and isinstance(form.cleaned_data[field], Decimal)


@pytest.mark.parametrize("name", FORMS)
def test_an_ambiguous_entry_is_refused_with_the_way_to_write_it(name):
    form, field = _bound(name, "1.5")
    assert not form.is_valid()
    message = " ".join(form.errors[field])
    assert "1,5" in message and "dấu phẩy" in message  # "write 1,5: in Vietnamese the comma marks decimals"
    for text, words in (("1,234.5", "1.234,5"), ("abc", "1.500"), ("1,255", "1.255"), ("0,125", "tối đa 2 chữ số thập phân"), ("-1", "không nhỏ hơn 0")):
        form, field = _bound(name, text)
        assert not form.is_valid() and words in " ".join(form.errors[field]), (text, form.errors)


@pytest.mark.parametrize("name", FORMS)
@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("0.5"), "0,5"), (Decimal("0.50"), "0,5"), (Decimal("0.25"), "0,25"), (Decimal("1234.5"), "1.234,5"),
    (Decimal("10"), "10"), (Decimal("1E+1"), "10"),  # never 1E+1
])
def test_the_inputs_show_vietnamese_numbers_that_read_back_exactly(name, value, expected):
    if name == "bonus":
        form, field = forms.BonusPenaltyForm(rules=RULES, initial={"r_bonus.big": value}), "r_bonus.big"
    else:
        form, field = {"self": forms.SelfAssessForm, "appraise": forms.AppraiseForm,
                       "council": forms.CouncilAdjustForm}[name](initial={"points": value, "lock_version": 0}), "points"
    assert form[field].value() == expected and f'value="{expected}"' in str(form[field])
    again, _field = _bound(name, expected)
    assert again.is_valid() and again.cleaned_data[field] == value


def test_the_bonus_form_shows_stored_plain_values_the_vietnamese_way():
    stored = type("A", (), {"bonus_penalty": {"bonus": {"bonus.big": "1.5"}}})()
    form = forms.BonusPenaltyForm(rules=RULES, initial=forms.BonusPenaltyForm.initial_from(stored))
    assert form["r_bonus.big"].value() == "1,5" and 'value="1,5"' in str(form["r_bonus.big"])


# --- through the pages ---------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_self_assessment_on_the_sheet(client, cycle, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = assessment_of(cycle, "S-A")
    item = item_of(a, "F1.2")
    client.force_login(people["officer"])
    url = reverse("assessments:item_self", args=[a.pk, item.pk])
    refused = client.post(url, {"points": "1.5", "lock_version": 0, "where": "sheet"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Hãy viết 1,5" in refused
    item.refresh_from_db()
    assert item.self_points is None and item.lock_version == 0  # nothing saved, nothing changed
    html = client.post(url, {"points": "0,25", "lock_version": 0, "where": "sheet"}, HTTP_HX_REQUEST="true").content.decode()
    item.refresh_from_db()
    assert item.self_points == Decimal("0.25") and 'value="0,25"' in html and "0.25" not in html
    # a thousand is a thousand: refused by the item's maximum, with the number as people write it
    html = client.post(url, {"points": "1.000", "lock_version": 1, "where": "sheet"}, HTTP_HX_REQUEST="true").content.decode()
    item.refresh_from_db()
    assert "1.000" in html and item.self_points == Decimal("0.25")
    page = client.get(reverse("assessments:item", args=[a.pk, item.pk])).content.decode()
    assert 'value="0,25"' in page


@pytestmark_db
def test_appraisal_rounds_council_and_bonus_through_the_pages(client, cycle, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    s.assessment_submit(assessment=a, by=people["officer"])
    client.force_login(people["expert"])
    f11 = item_of(a, "F1.1")
    url = reverse("assessments:item_appraise", args=[a.pk, f11.pk])
    client.post(url, {"points": "2.5", "lock_version": f11.lock_version, "comment": "Thiếu", "where": "sheet"}, HTTP_HX_REQUEST="true")
    f11.refresh_from_db()
    assert f11.appraised_points is None  # 2.5 refused, not read as 25 nor as 2,5
    html = client.post(url, {"points": "2,5", "lock_version": f11.lock_version, "comment": "Thiếu kế hoạch",
                                  "explanation_request": "Bổ sung kế hoạch", "where": "sheet"},
                       HTTP_HX_REQUEST="true").content.decode()
    f11.refresh_from_db()
    assert f11.appraised_points == Decimal("2.5") and 'value="2,5"' in html
    # round 2, after the unit's explanation
    s.assessment_explanation_request(assessment=a, by=people["expert"])
    s.item_explain(item=item_of(a, "F1.1"), by=people["officer"], explanation="Đã ban hành đúng hạn")
    s.assessment_explanation_submit(assessment=a, by=people["officer"])
    a.refresh_from_db()
    assert a.appraisal_round == 2
    f11.refresh_from_db()
    response = client.post(url, {"points": "3.0", "lock_version": f11.lock_version, "comment": "Đã giải trình"})
    f11.refresh_from_db()
    assert f11.round2_points is None and response.status_code == 302
    client.post(url, {"points": "3", "lock_version": f11.lock_version, "comment": "Đã giải trình"})
    f11.refresh_from_db()
    assert (f11.appraised_points, f11.round2_points) == (Decimal("2.5"), Decimal("3"))
    appraise_all(a, people["expert"], {"F1.1": Decimal("3")})
    s.assessment_appraisal_complete(assessment=a, by=people["expert"])
    # the council: one item's points and the bonus
    client.force_login(people["council"])
    f12 = item_of(a, "F1.2")
    council = reverse("assessments:item_council", args=[a.pk, f12.pk])
    client.post(council, {"points": "1.75", "lock_version": f12.lock_version, "reason": "Theo biên bản"})
    f12.refresh_from_db()
    assert f12.council_points is None
    client.post(council, {"points": "1,75", "lock_version": f12.lock_version, "reason": "Theo biên bản"})
    f12.refresh_from_db()
    assert f12.council_points == Decimal("1.75")
    page = client.get(reverse("assessments:item", args=[a.pk, f12.pk])).content.decode()
    assert 'value="1,75"' in page
    bonus = reverse("assessments:bonus", args=[a.pk])
    response = client.post(bonus, {"r_bonus.initiative": "1.5", "note": "QĐ 210"}, follow=True)
    a.refresh_from_db()
    assert a.bonus_penalty in (None, {}) and "Hãy viết 1,5" in response.content.decode()
    response = client.post(bonus, {"r_bonus.initiative": "1,5", "r_bonus.award": "0,5", "note": "QĐ 210"}, follow=True)
    a.refresh_from_db()
    assert a.bonus_points == Decimal("2") and a.bonus_penalty["bonus"] == {"bonus.initiative": "1.5", "bonus.award": "0.5"}
    html = response.content.decode()
    assert 'value="1,5"' in html and 'value="0,5"' in html


@pytest.mark.parametrize(("form_class", "field", "extra"), [
    (forms.ExtendForm, "working_days", {"reason": "Ốm"}),
    (forms.ScheduleChangeForm, "council_size", {"self_assessment_due": "31/01/2024 17:00", "quorum_percent": "50"}),
    (forms.ScheduleChangeForm, "explanation_days", {"self_assessment_due": "31/01/2024 17:00", "council_size": "9", "quorum_percent": "50"}),
])
def test_whole_numbers_are_never_read_as_another_number(form_class, field, extra):
    """Django's own integer field reads 1.000 as 1; here it is a thousand (refused by the maximum)."""
    form = form_class({**extra, field: "1.000"})
    assert not form.is_valid() and "không lớn hơn" in " ".join(form.errors[field])
    form = form_class({**extra, field: "1,5"})
    assert not form.is_valid() and "số nguyên" in " ".join(form.errors[field])
    form = form_class({**extra, field: "7"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data[field] == 7 and isinstance(form.cleaned_data[field], int)


def test_council_votes_are_whole_numbers_read_the_vietnamese_way():
    form = forms.DecisionForm({"votes_for": "1.000", "votes_against": "0", "votes_abstain": "0"}, assessments=Assessment.objects.none())
    form.is_valid()
    assert "không lớn hơn 999" in " ".join(form.errors["votes_for"])  # not one vote
    form = forms.DecisionForm({"votes_for": "5", "votes_against": "1.5"}, assessments=Assessment.objects.none())
    form.is_valid()
    assert form.cleaned_data["votes_for"] == 5 and "votes_against" in form.errors
