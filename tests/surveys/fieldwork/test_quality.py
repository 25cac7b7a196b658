"""Data quality: each flag with its reason, and the analyst's decisions with who and why."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from chiso.accounts.models import Role
from chiso.audit.queries import history as audit_history
from chiso.surveys.models import QualityDecision, QualityFlag, SurveyAnalysis
from chiso.surveys.fieldwork.quality import decisions_in_force, excluded_ids, quality_check, response_decide
from chiso.surveys.services import survey_analysis_set

from tests.surveys.conftest import ddci_answers

pytestmark = pytest.mark.django_db


def _entry(likert="4", visits="2", score="7", informal="khong"):
    return {"minh_bach": likert, "nang_dong": likert, "canh_tranh": likert, "so_lan_di_lai": visits,
            "chi_phi_khong_chinh_thuc": informal, "diem_chung": score}


def _answers(n, units=("S-TC", "S-XD"), **more):
    """Answers that differ from one another in several places (so that they are not duplicates)."""
    entries = [_entry(likert=str(2 + (n + i) % 3), visits=str((n * 3 + i) % 7), score=str(3 + (n * 5 + i) % 7)) for i, _u in enumerate(units)]
    fields = {"danh_gia": entries, "so_lao_dong": str(10 + n), "nam_thanh_lap": str(1990 + n % 30), **more}
    return ddci_answers(units=units, **fields)


def _flags(response):
    return {f.code: f.reason for f in QualityFlag.objects.filter(response=response)}


def test_speeders_straight_liners_duplicates_and_out_of_range_are_flagged_with_reasons(ddci_survey, store):
    SurveyAnalysis.objects.create(survey=ddci_survey, quality={"ranges": {"so_lao_dong": [0, 1000]}})
    normal = [store(ddci_survey, _answers(n), key=f"n{n}", duration=600 + 10 * n) for n in range(24)]
    speeder = store(ddci_survey, _answers(40), key="speeder", duration=90)
    paper_fast = store(ddci_survey, _answers(41), key="paper", duration=60, channel="paper")
    straight = store(ddci_survey, ddci_answers(units=("S-TC", "S-TP", "S-XD"), danh_gia=[_entry("5") for _ in range(3)]), key="straight", duration=500)
    copy = store(ddci_survey, _answers(3), key="copy", duration=620)
    near = store(ddci_survey, _answers(5, so_lao_dong="999"), key="near", duration=610)
    huge = store(ddci_survey, _answers(42, so_lao_dong="4500"), key="huge", duration=640)
    result = quality_check(survey=ddci_survey)
    assert result["responses"] == 30
    # 90 seconds are kept as their bucket, 1 to 2 minutes (docs/security.md)
    assert "Answered" not in _flags(speeder)["speeder"] and "trong 1 phút," in _flags(speeder)["speeder"]  # in words
    assert "speeder" not in _flags(paper_fast)  # typing a paper form is not answering it
    assert "6" in _flags(straight)["straight_lining"] or "9" in _flags(straight)["straight_lining"]
    assert str(normal[3].pk)[:8] in _flags(copy)["duplicate"] and str(copy.pk)[:8] in _flags(normal[3])["duplicate"]
    assert "so_lao_dong" in _flags(near)["duplicate"] and str(normal[5].pk)[:8] in _flags(near)["duplicate"]
    assert "4.500" in _flags(huge)["out_of_range"] and "1.000" in _flags(huge)["out_of_range"]  # written the Vietnamese way
    assert not _flags(normal[10])
    # checking again replaces the flags, never duplicates them
    quality_check(survey=ddci_survey)
    assert QualityFlag.objects.filter(response=copy, code="duplicate").count() == 1


def test_outliers_without_a_set_range_and_inconsistent_answers_by_rule(ddci_survey, store):
    SurveyAnalysis.objects.create(survey=ddci_survey, quality={"rules": [
        {"when": "${nam_thanh_lap} >= 2024 and ${so_lao_dong} > 200", "message": "Mới thành lập mà đông lao động"},
        {"when": "${chi_phi_khong_chinh_thuc} = 'khong' and ${diem_chung} <= 2", "message": "Điểm rất thấp mà không có chi phí"},
    ]})
    for n in range(25):
        store(ddci_survey, _answers(n), key=f"n{n}")
    odd = store(ddci_survey, _answers(30, nam_thanh_lap="2024", so_lao_dong="9000"), key="odd")
    low = store(ddci_survey, _answers(31, danh_gia=[_entry(score="1"), _entry(score="8")]), key="low")
    quality_check(survey=ddci_survey)
    flags = _flags(odd)
    assert "Mới thành lập mà đông lao động" in flags["inconsistent"]
    assert "9.000" in flags["out_of_range"] and re.search(r"từ -?\d+(,\d+)? đến \d+(,\d+)?\)", flags["out_of_range"])
    assert "Điểm rất thấp mà không có chi phí" in _flags(low)["inconsistent"]


def test_a_rule_on_a_question_that_does_not_exist_is_refused_clearly(ddci_survey, store, make_user):
    store(ddci_survey, _answers(1), key="a")
    SurveyAnalysis.objects.create(survey=ddci_survey, quality={"rules": [{"when": "${khong_co} > 1"}, {"when": "${so_lao_dong} > ("}]})
    with pytest.raises(ValidationError) as error:
        quality_check(survey=ddci_survey)
    assert any("khong_co" in m for m in error.value.messages) and len(error.value.messages) >= 2
    assert not QualityFlag.objects.exists()
    client = Client()
    client.force_login(make_user("phantich", Role.ANALYST))
    page = client.post(f"/surveys/{ddci_survey.code}/analysis/", {"min_cell": 5, "min_answers_per_unit": 30,
                                                                 "quality": "rules:\n  - when: \"${khong_co} > 1\"\n", "weighting": ""})
    assert page.status_code == 400 and "khong_co" in page.content.decode()


def test_analysis_settings_change_through_one_door_with_their_trail(ddci_survey, make_user):
    client = Client()
    client.force_login(make_user("phantich", Role.ANALYST))
    page = client.post(f"/surveys/{ddci_survey.code}/analysis/", {"min_cell": 7, "min_answers_per_unit": 20, "quality": "", "weighting": ""})
    assert page.status_code == 302 and SurveyAnalysis.objects.get(survey=ddci_survey).min_cell == 7
    [record] = audit_history(ddci_survey).filter(event="survey.analysis_changed")
    assert record.by.username == "phantich" and '"min_cell": 7' in record.new_value
    client.post(f"/surveys/{ddci_survey.code}/analysis/", {"min_cell": 7, "min_answers_per_unit": 20, "quality": "", "weighting": ""})
    assert audit_history(ddci_survey).filter(event="survey.analysis_changed").count() == 1  # nothing changed, nothing recorded
    survey_analysis_set(survey=ddci_survey, by=make_user("thuky", Role.SECRETARIAT), min_cell=5, min_answers_per_unit=20, quality={}, weighting={})
    latest = audit_history(ddci_survey).filter(event="survey.analysis_changed").order_by("-pk").first()
    assert latest.old_value == '{"min_cell": 7}' and latest.new_value == '{"min_cell": 5}'
    with pytest.raises(PermissionDenied):
        survey_analysis_set(survey=ddci_survey, by=make_user("lanhdao", Role.LEADER), min_cell=2, min_answers_per_unit=1, quality={}, weighting={})


def test_decisions_are_kept_with_who_and_why_and_the_latest_is_in_force(ddci_survey, store, make_user):
    analyst = make_user("phantich", Role.ANALYST)
    response = store(ddci_survey, _answers(1), key="a")
    with pytest.raises(ValidationError):
        response_decide(response=response, include=False, reason="  ", by=analyst)
    response_decide(response=response, include=False, reason="Trả lời quá nhanh", by=analyst)
    assert excluded_ids(ddci_survey) == {response.pk}
    response_decide(response=response, include=True, reason="Đã gọi điện xác minh", by=analyst)
    assert decisions_in_force(ddci_survey) == {response.pk: True} and excluded_ids(ddci_survey) == set()
    history = list(QualityDecision.objects.filter(response=response).values_list("include", "reason", "by__username"))
    assert history == [(True, "Đã gọi điện xác minh", "phantich"), (False, "Trả lời quá nhanh", "phantich")]


def test_the_quality_page_runs_the_check_and_records_decisions(ddci_survey, store, make_user, django_capture_on_commit_callbacks):
    for n in range(2):
        store(ddci_survey, _answers(1), key=f"same{n}")
    client = Client()
    client.force_login(make_user("phantich", Role.ANALYST))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/surveys/{ddci_survey.code}/quality/check/").status_code == 302
    page = client.get(f"/surveys/{ddci_survey.code}/quality/").content.decode()
    assert "Trùng lặp" in page and "Loại khỏi phân tích" in page or "Loại" in page
    flagged = QualityFlag.objects.filter(response__survey=ddci_survey).first().response
    response = client.post(f"/surveys/{ddci_survey.code}/quality/{flagged.pk}/decide/", {"include": "0", "reason": "Nhập trùng"})
    assert response.status_code == 302
    assert QualityDecision.objects.get().reason == "Nhập trùng"
    client.force_login(make_user("lanhdao", Role.LEADER))
    assert client.get(f"/surveys/{ddci_survey.code}/quality/").status_code == 403
