"""Every transition of an assessment, every refusal, and the audit record each one leaves."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chiso.assessments import services as s
from chiso.assessments.queries import status_steps
from chiso.audit.models import AuditRecord
from chiso.audit.queries import history
from chiso.assessments.models import Assessment, CouncilDecision, Item
from chiso.indices.models import IndexRun, IndicatorValue, RunScore

from .conftest import appraise_all, assessment_of, claim_all, item_of

Status = Assessment.Status
pytestmark = pytest.mark.django_db


def last_event(assessment, code=None):
    events = history(assessment)
    if code:
        events = events.filter(event=code)
    return events.order_by("-at", "-pk").first()


def messages(error):
    return " ".join(error.value.messages)


def transitions(assessment):
    return list(status_steps(assessment).values_list("old_value", "new_value", "by__username"))


def decide(cycle, people, assessments, **kwargs):
    kwargs.setdefault("members_present", ["Ông A", "Bà B", "Ông C"])
    kwargs.setdefault("votes_for", 3)
    return s.council_decide(cycle=cycle, assessments=assessments, by=people["council"],
                            meeting_date=datetime.date(2024, 2, 1), minutes_number="05/BB-HĐTĐ", **kwargs)


# --- cycle ------------------------------------------------------------------------------------

def test_cycle_creates_an_assessment_per_active_unit_with_its_items(cycle, make_unit):
    assert cycle.assessments.count() == 2
    a = assessment_of(cycle, "S-A")
    assert [(i.code, i.part) for i in a.items.order_by("order")] == [
        ("F1.1", "self"), ("F1.2", "self"), ("F1.3", "survey"), ("F2.1", "self")]
    assert a.status == Status.DRAFT
    assert transitions(a) == [("", "draft", "thuky")]
    assert cycle.version.is_frozen
    assert history(cycle).filter(event=s.Event.CYCLE_CREATED).count() == 1


def test_only_the_secretariat_opens_a_cycle_and_only_once(par_version, period, blocks, units, people):
    due = timezone.now() + datetime.timedelta(days=3)
    with pytest.raises(PermissionDenied):
        s.cycle_create(version=par_version, period=period, block=blocks["department"], by=people["expert"], self_assessment_due=due)
    with pytest.raises(ValidationError) as error:
        s.cycle_create(version=par_version, period=period, block=blocks["district"], by=people["secretariat"], self_assessment_due=due)
    assert "department" in messages(error)
    s.cycle_create(version=par_version, period=period, block=blocks["department"], by=people["secretariat"], self_assessment_due=due)
    with pytest.raises(ValidationError) as error:
        s.cycle_create(version=par_version, period=period, block=blocks["department"], by=people["secretariat"], self_assessment_due=due)
    assert "đã có" in messages(error).lower()


def test_schedule_changes_are_recorded(cycle, people):
    new_due = cycle.self_assessment_due + datetime.timedelta(days=2)
    s.cycle_schedule_set(cycle=cycle, by=people["secretariat"], self_assessment_due=new_due, appraisal_due=cycle.appraisal_due,
                         council_due=cycle.council_due, explanation_days=7, council_size=7, quorum_percent=50, reason="Lùi hạn")
    events = history(cycle).filter(event=s.Event.SCHEDULE_SET)
    assert {e.field for e in events} == {"self_assessment_due", "explanation_days", "council_size"}
    assert events.get(field="council_size").old_value == "5" and events.get(field="council_size").new_value == "7"
    with pytest.raises(PermissionDenied):
        s.cycle_schedule_set(cycle=cycle, by=people["officer"], self_assessment_due=new_due, appraisal_due=None,
                             council_due=None, explanation_days=7, council_size=7, quorum_percent=50)


# --- self-assessment -----------------------------------------------------------------------------

def test_self_assessment_checks_maximum_step_and_not_applicable(cycle, people):
    a = assessment_of(cycle, "S-A")
    officer = people["officer"]
    with pytest.raises(ValidationError) as error:
        s.item_self_assess(item=item_of(a, "F1.1"), by=officer, points=Decimal("3.5"))
    assert "từ 0 đến 3" in messages(error)
    with pytest.raises(ValidationError) as error:
        s.item_self_assess(item=item_of(a, "F1.2"), by=officer, points=Decimal("0.3"))
    assert "0,25" in messages(error)
    with pytest.raises(ValidationError) as error:
        s.item_self_assess(item=item_of(a, "F1.1"), by=officer, points=None, not_applicable=True)
    assert "không áp dụng" in messages(error).lower()
    with pytest.raises(ValidationError):
        s.item_self_assess(item=item_of(a, "F1.3"), by=officer, points=Decimal("1"))  # a survey item
    with pytest.raises(ValidationError):
        s.item_self_assess(item=item_of(a, "F1.2"), by=officer, points="-1")
    assert not history(a).filter(event=s.Event.SELF_ASSESSED).exists()

    s.item_self_assess(item=item_of(a, "F1.2"), by=officer, points="1,75", note="Đã kiểm tra 4 phòng")
    s.item_self_assess(item=item_of(a, "F1.2"), by=officer, points=None, not_applicable=True, note="Đã kiểm tra 4 phòng")
    item = item_of(a, "F1.2")
    assert item.self_na and item.self_points is None and item.lock_version == 2
    events = history(item).order_by("pk")
    assert [(e.field, e.old_value, e.new_value, e.by.username) for e in events] == [
        ("self_points", "", "1.75", "canbo.a"), ("self_note", "", "Đã kiểm tra 4 phòng", "canbo.a"),
        ("self_points", "1.75", "N/A", "canbo.a")]


def test_an_officer_cannot_touch_another_units_assessment(cycle, people):
    b = assessment_of(cycle, "S-B")
    with pytest.raises(PermissionDenied):
        s.item_self_assess(item=item_of(b, "F2.1"), by=people["officer"], points=Decimal("1"))
    with pytest.raises(PermissionDenied):
        s.assessment_submit(assessment=b, by=people["officer"])
    with pytest.raises(PermissionDenied):
        s.evidence_document_add(item=item_of(b, "F1.1"), by=people["officer"], number="1/QĐ", date=datetime.date(2023, 1, 1))
    with pytest.raises(PermissionDenied):
        s.item_self_assess(item=item_of(b, "F2.1"), by=people["expert"], points=Decimal("1"))
    assert item_of(b, "F2.1").self_points is None


def test_submission_needs_every_item_and_evidence_or_an_explanation(cycle, people):
    a = assessment_of(cycle, "S-A")
    officer = people["officer"]
    with pytest.raises(ValidationError) as error:
        s.assessment_submit(assessment=a, by=officer)
    assert "F1.1" in messages(error) and "F1.3" not in messages(error)
    s.item_self_assess(item=item_of(a, "F1.1"), by=officer, points=Decimal("3"))
    s.item_self_assess(item=item_of(a, "F1.2"), by=officer, points=Decimal("2"))
    s.item_self_assess(item=item_of(a, "F2.1"), by=officer, points=Decimal("4"))
    with pytest.raises(ValidationError) as error:
        s.assessment_submit(assessment=a, by=officer)
    assert "tài liệu kiểm chứng" in messages(error).lower() and "F1.1" in messages(error)
    s.item_self_assess(item=item_of(a, "F1.1"), by=officer, points=Decimal("3"),
                       evidence_explanation="Kế hoạch đang trình ký, sẽ bổ sung")
    s.assessment_submit(assessment=a, by=officer)
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED and a.submitted_by == officer
    assert transitions(a)[-1] == ("draft", "submitted", "canbo.a")
    with pytest.raises(ValidationError):
        s.item_self_assess(item=item_of(a, "F2.1"), by=officer, points=Decimal("3"))  # submitted: fixed


def test_late_submission_only_after_the_secretariat_reopens(cycle, people):
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    late = cycle.self_assessment_due + datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        s.assessment_submit(assessment=a, by=people["officer"], now=late)
    assert "hạn" in messages(error)
    with pytest.raises(PermissionDenied):
        s.assessment_reopen(assessment=a, by=people["officer"], reason="xin nộp muộn", until=late + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        s.assessment_reopen(assessment=a, by=people["secretariat"], reason="", until=late + datetime.timedelta(days=1))
    until = timezone.now() + datetime.timedelta(days=15)
    s.assessment_reopen(assessment=a, by=people["secretariat"], reason="Đơn vị có văn bản xin nộp muộn", until=until)
    event = last_event(a, s.Event.REOPENED)
    assert event.field == "late_until" and event.reason == "Đơn vị có văn bản xin nộp muộn" and event.by == people["secretariat"]
    s.assessment_submit(assessment=a, by=people["officer"], now=late)
    assert Assessment.objects.get(pk=a.pk).status == Status.SUBMITTED


def test_evidence_files_are_checked_from_their_content(cycle, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = item_of(assessment_of(cycle, "S-A"), "F1.1")
    officer = people["officer"]
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    evidence = s.evidence_file_add(item=item, by=officer, name="ke-hoach.pdf", chunks=[pdf])
    stored = tmp_path / evidence.file_path
    assert stored.read_bytes() == pdf and stored.parent.parent.parent.name == "evidence"
    assert "ke-hoach" not in stored.name and evidence.content_type == "application/pdf"
    with pytest.raises(ValidationError) as error:
        s.evidence_file_add(item=item, by=officer, name="bao-cao.pdf", chunks=[b"MZ\x90\x00" + b"\x00" * 100])
    assert "bao-cao.pdf" in messages(error)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    with pytest.raises(ValidationError) as error:
        s.evidence_file_add(item=item, by=officer, name="anh.pdf", chunks=[png])
    assert "PNG" in messages(error)
    settings.CHISO_EVIDENCE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        s.evidence_file_add(item=item, by=officer, name="lon.pdf", chunks=[pdf, b"0" * 600, b"0" * 600])
    assert "1000" in messages(error) or "1,0" in messages(error) or "KB" in messages(error)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [stored.name]  # nothing left behind
    s.evidence_remove(evidence=evidence, by=officer, reason="Nhầm tệp")
    events = history(item).order_by("pk")
    assert [(e.event, e.reason) for e in events] == [(s.Event.EVIDENCE_ADDED, ""), (s.Event.EVIDENCE_REMOVED, "Nhầm tệp")]
    assert stored.exists()  # the file stays for the record


def test_document_references_need_a_number_and_a_date(cycle, people):
    item = item_of(assessment_of(cycle, "S-A"), "F1.1")
    with pytest.raises(ValidationError):
        s.evidence_document_add(item=item, by=people["officer"], number="", date=datetime.date(2023, 1, 1))
    with pytest.raises(ValidationError):
        s.evidence_document_add(item=item, by=people["officer"], number="15/QĐ-UBND", date=None)
    evidence = s.evidence_document_add(item=item, by=people["officer"], number="15/QĐ-UBND", date=datetime.date(2023, 1, 5), title="Kế hoạch")
    assert str(evidence) == "15/QĐ-UBND (05/01/2023) Kế hoạch"
    assert last_event(item.assessment, s.Event.EVIDENCE_ADDED).new_value == str(evidence)


# --- appraisal and explanation -------------------------------------------------------------------

@pytest.fixture
def submitted(cycle, people):
    for code, officer in (("S-A", people["officer"]), ("S-B", people["officer_b"])):
        a = assessment_of(cycle, code)
        claim_all(a, officer)
        s.assessment_submit(assessment=a, by=officer)
    return cycle


def test_the_whole_appraisal_with_an_explanation_round(submitted, people):
    a = assessment_of(submitted, "S-A")
    expert, officer = people["expert"], people["officer"]
    with pytest.raises(PermissionDenied):
        s.item_appraise(item=item_of(a, "F1.1"), by=people["council"], points=Decimal("2"))
    with pytest.raises(PermissionDenied):
        s.item_appraise(item=item_of(a, "F1.1"), by=officer, points=Decimal("2"))
    s.item_appraise(item=item_of(a, "F1.1"), by=expert, points=Decimal("2"), comment="Kế hoạch ban hành chậm 10 ngày",
                    explanation_request="Đề nghị cung cấp văn bản ban hành kế hoạch")
    a.refresh_from_db()
    assert a.status == Status.UNDER_APPRAISAL
    with pytest.raises(ValidationError) as error:
        s.assessment_appraisal_complete(assessment=a, by=expert)
    assert "F1.2" in messages(error)
    s.assessment_explanation_request(assessment=a, by=expert)
    a.refresh_from_db()
    assert a.status == Status.EXPLANATION_REQUESTED and a.explanation_round == 1 and a.explanation_due > timezone.now()
    with pytest.raises(ValidationError):
        s.item_explain(item=item_of(a, "F2.1"), by=officer, explanation="không được hỏi")
    with pytest.raises(ValidationError):
        s.assessment_explanation_submit(assessment=a, by=officer)
    with pytest.raises(ValidationError):
        s.item_self_assess(item=item_of(a, "F1.1"), by=officer, points=Decimal("3"))
    s.item_explain(item=item_of(a, "F1.1"), by=officer, explanation="Kế hoạch 12/KH-STC ban hành đúng hạn ngày 15/01")
    s.evidence_document_add(item=item_of(a, "F1.1"), by=officer, number="12/KH-STC", date=datetime.date(2023, 1, 15))
    with pytest.raises(ValidationError):  # new evidence only on the items asked about
        s.evidence_document_add(item=item_of(a, "F2.1"), by=officer, number="9/BC", date=datetime.date(2023, 1, 15))
    first = item_of(a, "F1.1").evidence.order_by("pk").first()
    with pytest.raises(ValidationError):  # what was appraised stays
        s.evidence_remove(evidence=first, by=officer, reason="thay thế")
    s.assessment_explanation_submit(assessment=a, by=officer)
    a.refresh_from_db()
    assert a.status == Status.EXPLAINED
    # the second look: the expert team accepts the explanation
    s.item_appraise(item=item_of(a, "F1.1"), by=expert, points=Decimal("3"), comment="Đã giải trình")
    appraise_all(a, expert, {"F1.1": Decimal("3"), "F2.1": Decimal("3")})
    s.assessment_appraisal_complete(assessment=a, by=expert)
    assert [t[1] for t in transitions(a)] == ["draft", "submitted", "under_appraisal", "explanation_requested", "explained", "appraised"]
    assert [t[2] for t in transitions(a)][-4:] == ["thamdinh", "thamdinh", "canbo.a", "thamdinh"]
    # after the explanation the points are round 2's; round 1 stays
    f11 = item_of(a, "F1.1")
    assert (f11.appraised_points, f11.round2_points, f11.final) == (Decimal("2"), Decimal("3"), (Decimal("3"), False))
    assert [(e.old_value, e.new_value) for e in history(f11).filter(field="appraised_points")] == [("", "2")]
    assert [(e.event, e.new_value, e.reason) for e in history(f11).filter(field="round2_points")] == [
        (s.Event.REAPPRAISED, "3", "Đã giải trình")]
    assert history(item_of(a, "F1.1")).filter(event=s.Event.EXPLAINED).get().new_value.startswith("Kế hoạch 12/KH-STC")


def test_an_appraiser_does_not_appraise_a_unit_they_belong_to(submitted, people, units):
    s.affiliation_declare(user=people["expert"], unit=units[0], by=people["secretariat"], note="Nguyên cán bộ Sở Tài chính")
    a = assessment_of(submitted, "S-A")
    with pytest.raises(PermissionDenied):
        s.item_appraise(item=item_of(a, "F2.1"), by=people["expert"], points=Decimal("4"))
    with pytest.raises(PermissionDenied):
        s.assessment_appraisal_start(assessment=a, by=people["expert"])
    s.item_appraise(item=item_of(a, "F2.1"), by=people["expert2"], points=Decimal("4"))
    s.item_appraise(item=item_of(assessment_of(submitted, "S-B"), "F2.1"), by=people["expert"], points=Decimal("4"))


def test_an_affiliation_and_its_removal_are_on_the_units_trail(people, units):
    secretariat, expert = people["secretariat"], people["expert"]
    with pytest.raises(PermissionDenied):
        s.affiliation_declare(user=expert, unit=units[0], by=expert)
    affiliation = s.affiliation_declare(user=expert, unit=units[0], by=secretariat, note="Nguyên cán bộ")
    s.affiliation_declare(user=expert, unit=units[0], by=secretariat, note="Nguyên cán bộ")  # the same: nothing changes
    s.affiliation_declare(user=expert, unit=units[0], by=secretariat, note="Nguyên Phó Giám đốc")
    s.affiliation_remove(affiliation=affiliation, by=secretariat)
    assert [(r.event, r.field, r.old_value, r.new_value) for r in history(units[0])] == [
        (s.Event.AFFILIATION_DECLARED, "user", "", expert.username),
        (s.Event.AFFILIATION_DECLARED, "note", "Nguyên cán bộ", "Nguyên Phó Giám đốc"),
        (s.Event.AFFILIATION_REMOVED, "user", expert.username, "")]


def test_two_appraisers_saving_the_same_item_lose_nothing(submitted, people):
    item = item_of(assessment_of(submitted, "S-A"), "F2.1")
    opened = item.lock_version
    s.item_appraise(item=item, by=people["expert"], points=Decimal("3"), comment="Thiếu 1 báo cáo", expected_version=opened)
    with pytest.raises(s.ConcurrentEdit) as error:
        s.item_appraise(item=item, by=people["expert2"], points=Decimal("4"), comment="Đủ", expected_version=opened)
    assert "thamdinh" in messages(error) and "chưa được lưu" in messages(error)
    item.refresh_from_db()
    assert item.appraised_points == Decimal("3") and item.appraisal_comment == "Thiếu 1 báo cáo"
    assert history(item).filter(event=s.Event.APPRAISED, field="appraised_points").count() == 1


# --- council, survey points, results, publication, reopening --------------------------------------

@pytest.fixture
def appraised(submitted, people):
    for code, points in (("S-A", {"F2.1": Decimal("3")}), ("S-B", {"F1.2": Decimal("1")})):
        a = assessment_of(submitted, code)
        appraise_all(a, people["expert"], points)
        s.assessment_appraisal_complete(assessment=a, by=people["expert"])
    return submitted


def test_council_needs_a_quorum_and_a_majority_then_locks_the_points(appraised, people):
    cycle = appraised
    assessments = list(cycle.assessments.all())
    with pytest.raises(PermissionDenied):
        decide(cycle, {"council": people["expert"]}, assessments)
    with pytest.raises(ValidationError) as error:
        decide(cycle, people, assessments, members_present=["Ông A", "Bà B"], votes_for=2)  # 2 of 5: no quorum
    assert "2" in messages(error) and "5" in messages(error)
    with pytest.raises(ValidationError):
        decide(cycle, people, assessments, votes_for=1, votes_against=2)  # not adopted
    with pytest.raises(ValidationError):
        decide(cycle, people, assessments, votes_for=3, votes_against=1)  # more votes than members present
    a = assessment_of(cycle, "S-A")
    s.item_council_adjust(item=item_of(a, "F2.1"), by=people["council"], points=Decimal("4"), reason="Hội đồng chấp nhận giải trình")
    s.assessment_bonus_penalty_set(assessment=a, by=people["council"], points={"bonus.initiative": Decimal("0.5")}, note="Sáng kiến cấp tỉnh")
    decision = decide(cycle, people, assessments)
    assert CouncilDecision.objects.get().members_present == ["Ông A", "Bà B", "Ông C"]
    a.refresh_from_db()
    assert a.status == Status.COUNCIL_DECIDED and a.decision == decision and a.is_locked
    assert "05/BB-HĐTĐ" in last_event(a, s.Event.TRANSITION).reason
    assert item_of(a, "F2.1").final == (Decimal("4"), False)
    for attempt in (
        lambda: s.item_appraise(item=item_of(a, "F2.1"), by=people["expert"], points=Decimal("1")),
        lambda: s.item_council_adjust(item=item_of(a, "F2.1"), by=people["council"], points=Decimal("1"), reason="x"),
        lambda: s.item_self_assess(item=item_of(a, "F2.1"), by=people["officer"], points=Decimal("1")),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert item_of(a, "F2.1").final == (Decimal("4"), False)


def test_quorum_is_configurable():
    assert not s.quorum_reached(present=2, total=4, quorum_percent=50)
    assert s.quorum_reached(present=3, total=4, quorum_percent=50)
    assert not s.quorum_reached(present=3, total=4, quorum_percent=75)


def test_the_trail_writes_a_survey_score_the_vietnamese_way(appraised, people, survey_run):
    """The reason of a converted survey point is read in the unit's history: "F1.3 = 66,9", not 66.9."""
    RunScore.objects.filter(run=survey_run, code="F1.3", unit__code="S-A").update(value=66.9)
    s.survey_points_apply(cycle=appraised, run=survey_run, by=people["secretariat"])
    assert last_event(assessment_of(appraised, "S-A"), s.Event.CONVERTED).reason.endswith("F1.3 = 66,9")


def test_survey_points_results_publication_and_reopening(appraised, people, survey_run):
    cycle = appraised
    secretariat = people["secretariat"]
    decide(cycle, people, list(cycle.assessments.all()))
    with pytest.raises(ValidationError) as error:
        s.cycle_results_compute(cycle=cycle, by=secretariat)
    assert "Sở Tài chính" in messages(error)  # survey points missing
    with pytest.raises(PermissionDenied):
        s.survey_points_apply(cycle=cycle, run=survey_run, by=people["expert"])
    outcome = s.survey_points_apply(cycle=cycle, run=survey_run, by=secretariat)
    assert outcome.changed == 2 and not outcome.missing
    a, b = assessment_of(cycle, "S-A"), assessment_of(cycle, "S-B")
    assert item_of(a, "F1.3").external_points == Decimal("0.80") and item_of(b, "F1.3").external_points == Decimal("0.50")
    assert last_event(a, s.Event.CONVERTED).reason.endswith("F1.3 = 80")
    assert s.survey_points_apply(cycle=cycle, run=survey_run, by=secretariat).unchanged == 2

    run = s.cycle_results_compute(cycle=cycle, by=secretariat)
    assert run.status == IndexRun.Status.DRAFT
    value = IndicatorValue.objects.get(framework=cycle.version.framework, unit=a.unit, code="F2.1", period=cycle.period)
    assert value.value == 3.0 and value.source.startswith("Điểm Hội đồng thẩm định")
    assert IndicatorValue.objects.get(framework=cycle.version.framework, unit=a.unit, code="F1.3").source.startswith("Điểm quy đổi")
    top = {sc.unit.code: sc for sc in RunScore.objects.filter(run=run, code="PAR")}
    # S-A: 3 + 2 + 0.8 + 3 = 8.8 of 10; S-B: 3 + 1 + 0.5 + 4 = 8.5
    assert top["S-A"].value == pytest.approx(88.0) and top["S-A"].rank == 1 and top["S-A"].band == "B"
    assert top["S-B"].value == pytest.approx(85.0) and top["S-B"].rank == 2
    assert RunScore.objects.get(run=run, unit=a.unit, code="F1").value == pytest.approx(5.8 / 6 * 100)

    with pytest.raises(PermissionDenied):
        s.cycle_publish(cycle=cycle, by=people["council"])
    s.cycle_publish(cycle=cycle, by=secretariat)
    run.refresh_from_db()
    assert run.status == IndexRun.Status.PUBLISHED
    a.refresh_from_db()
    assert a.status == Status.PUBLISHED and transitions(a)[-1][1:] == ("published", "thuky")
    with pytest.raises(ValidationError):
        s.item_council_adjust(item=item_of(a, "F2.1"), by=people["council"], points=Decimal("4"), reason="x")

    # nothing changes after publication except through an explicit, recorded reopening
    with pytest.raises(ValidationError):
        s.assessment_reopen(assessment=a, by=secretariat, reason="  ")
    s.assessment_reopen(assessment=a, by=secretariat, reason="Thanh tra phát hiện sai sót tiêu chí 2.1")
    a.refresh_from_db()
    assert a.status == Status.UNDER_APPRAISAL and a.decision is None
    assert last_event(a, s.Event.REOPENED).reason == "Thanh tra phát hiện sai sót tiêu chí 2.1"
    # one change, one record: the reopening is the status step itself
    assert [(r.event, r.old_value, r.new_value) for r in status_steps(a)][-2:] == [
        (s.Event.TRANSITION, "council_decided", "published"), (s.Event.REOPENED, "published", "under_appraisal")]
    s.item_appraise(item=item_of(a, "F2.1"), by=people["expert"], points=Decimal("2"), comment="Sau thanh tra")
    s.assessment_appraisal_complete(assessment=a, by=people["expert"])
    a.refresh_from_db()
    s.item_council_adjust(item=item_of(a, "F2.1"), by=people["council"], points=Decimal("2"), reason="Theo kết luận thanh tra")
    decide(cycle, people, [a])
    second = s.cycle_results_compute(cycle=cycle, by=secretariat)
    with pytest.raises(ValidationError):
        s.cycle_publish(cycle=cycle, by=secretariat)  # publishing again needs a reason
    s.cycle_publish(cycle=cycle, by=secretariat, reason="Điều chỉnh theo kết luận thanh tra")
    run.refresh_from_db()
    second.refresh_from_db()
    assert run.status == IndexRun.Status.SUPERSEDED and second.supersedes == run
    assert RunScore.objects.get(run=second, unit=a.unit, code="PAR").value == pytest.approx(78.0)  # F2.1: 3 → 2


def test_publication_refuses_points_changed_after_computing(appraised, people, survey_run):
    cycle = appraised
    decide(cycle, people, list(cycle.assessments.all()))
    s.survey_points_apply(cycle=cycle, run=survey_run, by=people["secretariat"])
    s.cycle_results_compute(cycle=cycle, by=people["secretariat"])
    item = item_of(assessment_of(cycle, "S-A"), "F1.3")
    Item.objects.filter(pk=item.pk).update(updated_at=timezone.now() + datetime.timedelta(seconds=5))
    with pytest.raises(ValidationError) as error:
        s.cycle_publish(cycle=cycle, by=people["secretariat"])
    assert "tính lại" in messages(error).lower()


def test_audit_events_cannot_be_changed_or_deleted(cycle):
    event = history(cycle).first()
    event.new_value = "sửa"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        history(cycle).update(new_value="x")
    with pytest.raises(TypeError):
        history(cycle).delete()


def test_refused_access_is_recorded(cycle, people):
    b = assessment_of(cycle, "S-B")
    s.access_refusal_record(assessment=b, by=people["officer"], action="submit")
    event = last_event(b, s.Event.ACCESS_REFUSED)
    assert event.by == people["officer"] and event.new_value == "submit"


# --- reminders ---------------------------------------------------------------------------------

def test_reminders_go_once_a_day_to_who_has_something_due(cycle, people, mailoutbox):
    assert s.reminders_send(now=cycle.self_assessment_due - datetime.timedelta(days=9), days_ahead=3) == 0  # not due yet
    now = cycle.self_assessment_due - datetime.timedelta(days=1)
    assert s.reminders_send(now=now, days_ahead=3) == 2  # both units' officers
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == ["a@example.vn", "b@example.vn"]
    assert "Sở Tài chính" in [m for m in mailoutbox if m.to == ["a@example.vn"]][0].body
    assert s.reminders_send(now=now, days_ahead=3) == 0  # not twice the same day
    assert AuditRecord.objects.filter(event=s.Event.REMINDER_SENT).count() == 2


# --- every transition refuses the wrong person and the wrong moment, and leaves no trace then ---

TRANSITIONS = [
    # (service, the right person, the status it needs)
    (s.assessment_submit, "officer", Status.DRAFT),
    (s.assessment_withdraw, "officer", Status.SUBMITTED),
    (s.assessment_appraisal_start, "expert", Status.SUBMITTED),
    (s.assessment_explanation_request, "expert", Status.UNDER_APPRAISAL),
    (s.assessment_explanation_submit, "officer", Status.EXPLANATION_REQUESTED),
    (s.assessment_appraisal_complete, "expert", Status.UNDER_APPRAISAL),
]
PEOPLE = ["officer", "officer_b", "expert", "council", "secretariat", "leader"]


@pytest.mark.parametrize("service, right, needs", TRANSITIONS, ids=[t[0].__name__ for t in TRANSITIONS])
def test_transitions_refuse_the_wrong_person_and_the_wrong_moment(cycle, people, service, right, needs):
    a = assessment_of(cycle, "S-A")
    before = AuditRecord.objects.count()
    for who in PEOPLE:
        if who == right:
            continue
        with pytest.raises(PermissionDenied):
            service(assessment=a, by=people[who])
    if needs != Status.DRAFT:  # a draft: the right person at the wrong moment
        with pytest.raises((ValidationError, PermissionDenied)):
            service(assessment=a, by=people[right])
    else:
        Assessment.objects.filter(pk=a.pk).update(status=Status.APPRAISED)
        with pytest.raises(ValidationError):
            service(assessment=a, by=people[right])
    assert AuditRecord.objects.count() == before
    assert Assessment.objects.get(pk=a.pk).status in (Status.DRAFT, Status.APPRAISED)


def test_the_expert_team_can_start_an_appraisal_explicitly(cycle, people):
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    s.assessment_submit(assessment=a, by=people["officer"])
    s.assessment_appraisal_start(assessment=a, by=people["expert"])
    assert transitions(a)[-1] == ("submitted", "under_appraisal", "thamdinh")
    with pytest.raises(ValidationError):
        s.assessment_appraisal_start(assessment=a, by=people["expert"])
    with pytest.raises(ValidationError):
        s.assessment_submit(assessment=a, by=people["officer"])


@pytest.mark.parametrize("who", ["officer", "expert", "secretariat", "leader"])
def test_only_the_council_decides_adjusts_and_sets_bonus(appraised, people, who):
    a = assessment_of(appraised, "S-A")
    before = AuditRecord.objects.count()
    with pytest.raises(PermissionDenied):
        decide(appraised, {"council": people[who]}, [a])
    with pytest.raises(PermissionDenied):
        s.item_council_adjust(item=item_of(a, "F2.1"), by=people[who], points=Decimal("1"), reason="x")
    with pytest.raises(PermissionDenied):
        s.assessment_bonus_penalty_set(assessment=a, by=people[who], points={"bonus.award": Decimal("1")}, note="x")
    assert AuditRecord.objects.count() == before


@pytest.mark.parametrize("who", ["officer", "expert", "council", "leader"])
def test_only_the_secretariat_applies_survey_points_computes_publishes_and_reopens(appraised, people, survey_run, who):
    a = assessment_of(appraised, "S-A")
    before = AuditRecord.objects.count()
    for attempt in (
        lambda: s.survey_points_apply(cycle=appraised, run=survey_run, by=people[who]),
        lambda: s.cycle_results_compute(cycle=appraised, by=people[who]),
        lambda: s.cycle_publish(cycle=appraised, by=people[who]),
        lambda: s.assessment_reopen(assessment=a, by=people[who], reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert AuditRecord.objects.count() == before
