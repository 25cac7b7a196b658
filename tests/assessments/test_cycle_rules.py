"""Issue 19's rules, each with its refusals: who is in a cycle, units that never submit, withdrawing
a submission, explanation deadlines in working days, the second appraisal round, bonus and penalty
by the framework's reasons, a reason for every change of points, accepting claims in bulk, and the
one rule (actions_allowed) behind both the buttons and the services."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from chiso.assessments import queries as q
from chiso.assessments import services as s
from chiso.assessments.models import Assessment, Cycle, Question
from chiso.audit.models import AuditRecord
from chiso.audit.queries import history
from chiso.feedback.models import Holiday
from chiso.units.models import UnitSuccession

from .conftest import appraise_all, assessment_of, claim_all, item_of

Status = Assessment.Status
pytestmark = pytest.mark.django_db


def messages(error):
    return " ".join(error.value.messages)


def aware(*args):
    return timezone.make_aware(datetime.datetime(*args))


# --- 1. membership from validity and lineage ---------------------------------------------------------

@pytest.fixture
def reformed(make_unit, period, units):
    """Sở Kế hoạch và Đầu tư ended on 31/08/2023, merged into Sở Tài chính; Sở Cũ ended before 2023."""
    old = make_unit("S-KHDT", name_vi="Sở Kế hoạch và Đầu tư", valid_to=datetime.date(2023, 8, 31))
    UnitSuccession.objects.create(predecessor=old, successor=units[0], date=datetime.date(2023, 9, 1))
    lone = make_unit("S-LONE", name_vi="Ban Một Mình", valid_to=datetime.date(2023, 6, 30))
    make_unit("S-CU", name_vi="Sở Cũ", valid_to=datetime.date(2022, 12, 31))
    return old, lone


def test_a_cycle_takes_the_units_at_the_end_of_the_period_and_says_who_is_left_out(reformed, cycle):
    old, lone = reformed
    assert sorted(cycle.assessments.values_list("unit__code", flat=True)) == ["S-A", "S-B"]
    left = {o.unit.code: o.reason for o in q.cycle_left_out(cycle)}
    assert set(left) == {"S-KHDT", "S-LONE"}  # Sở Cũ ended before the period: not a candidate
    assert "31/08/2023" in left["S-KHDT"] and "Sở Tài chính" in left["S-KHDT"]
    assert "30/06/2023" in left["S-LONE"]
    assert "S-KHDT" in history(cycle).get(event=s.Event.CYCLE_CREATED).reason or "Kế hoạch" in history(cycle).get(event=s.Event.CYCLE_CREATED).reason


def test_the_secretariat_adds_and_excludes_units_with_a_reason(reformed, cycle, people):
    old, lone = reformed
    with pytest.raises(PermissionDenied):
        s.cycle_unit_add(cycle=cycle, unit=lone, by=people["expert"], reason="x")
    with pytest.raises(ValidationError):
        s.cycle_unit_add(cycle=cycle, unit=lone, by=people["secretariat"], reason=" ")
    added = s.cycle_unit_add(cycle=cycle, unit=lone, by=people["secretariat"], reason="Ban còn hoạt động 6 tháng, UBND tỉnh yêu cầu đánh giá")
    assert added.status == Status.DRAFT and added.items.count() == 4
    assert history(added).get(event=s.Event.INCLUDED).reason.startswith("Ban còn")
    assert [(r.event, r.new_value) for r in q.status_steps(added)] == [(s.Event.INCLUDED, Status.DRAFT)]
    b = assessment_of(cycle, "S-B")
    with pytest.raises(ValidationError):
        s.assessment_exclude(assessment=b, by=people["secretariat"], reason="")
    with pytest.raises(PermissionDenied):
        s.assessment_exclude(assessment=b, by=people["officer_b"], reason="x")
    s.assessment_exclude(assessment=b, by=people["secretariat"], reason="Giải thể theo quyết định 12/QĐ-UBND")
    b.refresh_from_db()
    assert b.status == Status.EXCLUDED and b.exclusion_reason.startswith("Giải thể")
    assert {o.unit.code for o in q.cycle_left_out(cycle)} == {"S-KHDT", "S-B"}
    assert "S-B" not in [r.assessment.unit.code for r in q.cycle_rows(cycle)]
    s.cycle_unit_add(cycle=cycle, unit=b.unit, by=people["secretariat"], reason="Quyết định giải thể bị thu hồi")
    assert Assessment.objects.get(pk=b.pk).status == Status.DRAFT
    # each step once on the status timeline, under its own code and with its reason
    assert [(r.event, r.old_value, r.new_value, r.reason[:8]) for r in q.status_steps(b)] == [
        (s.Event.TRANSITION, "", Status.DRAFT, ""), (s.Event.EXCLUDED, Status.DRAFT, Status.EXCLUDED, "Giải thể"),
        (s.Event.INCLUDED, Status.EXCLUDED, Status.DRAFT, "Quyết đị")]


def test_a_cycle_without_submissions_can_be_deleted_and_no_other(cycle, people):
    with pytest.raises(PermissionDenied):
        s.cycle_delete(cycle=cycle, by=people["officer"], reason="x")
    with pytest.raises(ValidationError):
        s.cycle_delete(cycle=cycle, by=people["secretariat"], reason="")
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    s.assessment_submit(assessment=a, by=people["officer"])
    with pytest.raises(ValidationError) as error:
        s.cycle_delete(cycle=cycle, by=people["secretariat"], reason="Mở nhầm")
    assert "nộp" in messages(error)
    s.item_self_assess(item=item_of(assessment_of(cycle, "S-B"), "F2.1"), by=people["officer_b"], points=Decimal("2"))
    Assessment.objects.filter(pk=assessment_of(cycle, "S-B").pk).update(status=Status.EXCLUDED)
    s.assessment_withdraw(assessment=a, by=people["officer"])  # no submission left: a draft and an excluded unit
    s.cycle_delete(cycle=cycle, by=people["secretariat"], reason="Mở nhầm")
    assert not Cycle.objects.filter(pk=cycle.pk).exists()


def test_deleting_an_untouched_cycle_keeps_its_record(par_version, period, blocks, units, people):
    cycle = s.cycle_create(version=par_version, period=period, block=blocks["department"], by=people["secretariat"],
                           self_assessment_due=timezone.now() + datetime.timedelta(days=3))
    pk = cycle.pk
    s.item_self_assess(item=item_of(assessment_of(cycle, "S-A"), "F2.1"), by=people["officer"], points=Decimal("2"))
    s.cycle_delete(cycle=cycle, by=people["secretariat"], reason="Mở nhầm khung")
    assert not Cycle.objects.filter(pk=pk).exists()
    record = AuditRecord.objects.get(event=s.Event.CYCLE_DELETED)
    assert record.reason == "Mở nhầm khung" and record.object_id == str(pk)


# --- 2. non-submission; publication with excluded units ---------------------------------------------

def test_a_unit_that_never_submits_is_closed_then_appraised(cycle, people):
    a = assessment_of(cycle, "S-B")
    s.item_self_assess(item=item_of(a, "F2.1"), by=people["officer_b"], points=Decimal("2"))
    before_due = cycle.self_assessment_due - datetime.timedelta(hours=1)
    with pytest.raises(ValidationError):  # the unit can still submit
        s.assessment_close_unsubmitted(assessment=a, by=people["secretariat"], reason="x", now=before_due)
    after_due = cycle.self_assessment_due + datetime.timedelta(hours=1)
    with pytest.raises(PermissionDenied):
        s.assessment_close_unsubmitted(assessment=a, by=people["expert"], reason="x", now=after_due)
    with pytest.raises(ValidationError):
        s.assessment_close_unsubmitted(assessment=a, by=people["secretariat"], reason="", now=after_due)
    s.assessment_close_unsubmitted(assessment=a, by=people["secretariat"], reason="Quá hạn, không nộp", now=after_due)
    a.refresh_from_db()
    assert a.status == Status.SUBMITTED and a.not_submitted and a.submitted_at is None
    assert history(a).get(event=s.Event.NOT_SUBMITTED).reason == "Quá hạn, không nộp"
    assert [(r.event, r.old_value, r.new_value) for r in q.status_steps(a)][-1] == (s.Event.NOT_SUBMITTED, Status.DRAFT, Status.SUBMITTED)
    # appraised on what it has: F2.1 claimed 2 is accepted; nothing else was claimed
    outcome = s.assessment_claims_accept(assessment=a, by=people["expert"])
    assert [i.code for i in outcome.accepted] == ["F2.1"] and [i.code for i in outcome.unclaimed] == ["F1.1", "F1.2"]
    with pytest.raises(ValidationError):  # 0 on an unclaimed item differs from "no claim": a reason
        s.item_appraise(item=item_of(a, "F1.1"), by=people["expert"], points=Decimal("0"))
    for code in ("F1.1", "F1.2"):
        s.item_appraise(item=item_of(a, code), by=people["expert"], points=Decimal("0"), comment="Không tự đánh giá")
    s.assessment_appraisal_complete(assessment=a, by=people["expert"])
    assert Assessment.objects.get(pk=a.pk).status == Status.APPRAISED


def test_the_framework_may_score_a_non_submission_zero(cycle, people):
    top = cycle.version.nodes.get(code="PAR")
    top.extra = {**top.extra, "non_submission": "zero"}
    top.save()
    a = assessment_of(cycle, "S-B")
    s.assessment_close_unsubmitted(assessment=a, by=people["secretariat"], reason="Không nộp",
                                   now=cycle.self_assessment_due + datetime.timedelta(minutes=1))
    a.refresh_from_db()
    assert a.status == Status.APPRAISED
    assert set(a.items.filter(part="self").values_list("appraised_points", flat=True)) == {Decimal("0")}
    assert history(a).filter(event=s.Event.APPRAISED, field="appraised_points").count() == 3
    assert [(r.event, r.new_value) for r in q.status_steps(a)][-1] == (s.Event.NOT_SUBMITTED, Status.APPRAISED)  # the step it made


def test_a_cycle_publishes_with_a_unit_excluded(cycle, people, survey_run):
    a, b = assessment_of(cycle, "S-A"), assessment_of(cycle, "S-B")
    claim_all(a, people["officer"])
    s.assessment_submit(assessment=a, by=people["officer"])
    appraise_all(a, people["expert"])
    s.assessment_appraisal_complete(assessment=a, by=people["expert"])
    s.council_decide(cycle=cycle, assessments=[a], by=people["council"], meeting_date=datetime.date(2024, 2, 1),
                     members_present=["A", "B", "C"], votes_for=3)
    s.survey_points_apply(cycle=cycle, run=survey_run, by=people["secretariat"])
    with pytest.raises(ValidationError) as error:
        s.cycle_results_compute(cycle=cycle, by=people["secretariat"])
    assert "Sở Tư pháp" in messages(error)
    s.assessment_exclude(assessment=b, by=people["secretariat"], reason="Sáp nhập trong năm")
    run = s.cycle_results_compute(cycle=cycle, by=people["secretariat"])
    s.cycle_publish(cycle=cycle, by=people["secretariat"])
    run.refresh_from_db()
    assert run.status == "published" and set(run.scores.values_list("unit__code", flat=True)) == {"S-A"}
    assert Assessment.objects.get(pk=b.pk).status == Status.EXCLUDED
    with pytest.raises(ValidationError):  # published: no more changes of membership
        s.assessment_include(assessment=b, by=people["secretariat"], reason="x")


# --- 3. withdraw to edit ---------------------------------------------------------------------------

def test_a_unit_withdraws_until_the_appraisal_starts(cycle, people):
    a = assessment_of(cycle, "S-A")
    officer = people["officer"]
    claim_all(a, officer)
    s.assessment_submit(assessment=a, by=officer)
    with pytest.raises(PermissionDenied):
        s.assessment_withdraw(assessment=a, by=people["officer_b"])
    with pytest.raises(ValidationError) as error:  # past the deadline: only the secretariat
        s.assessment_withdraw(assessment=a, by=officer, now=cycle.self_assessment_due + datetime.timedelta(hours=1))
    assert "thư ký" in messages(error).lower() or "secretariat" in messages(error).lower()
    s.assessment_withdraw(assessment=a, by=officer, reason="Sửa điểm F2.1")
    a.refresh_from_db()
    assert a.status == Status.DRAFT and a.submitted_at is None
    s.item_self_assess(item=item_of(a, "F2.1"), by=officer, points=Decimal("3"))
    s.assessment_submit(assessment=a, by=officer)
    s.assessment_withdraw(assessment=a, by=officer)
    s.assessment_submit(assessment=a, by=officer)
    assert history(a).filter(event=s.Event.WITHDRAWN).count() == 2
    s.assessment_appraisal_start(assessment=a, by=people["expert"])
    with pytest.raises(ValidationError):
        s.assessment_withdraw(assessment=a, by=officer)


# --- 4. explanation rounds with working-day deadlines --------------------------------------------------

@pytest.fixture
def questioned(cycle, people):
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    s.assessment_submit(assessment=a, by=people["officer"])
    s.item_appraise(item=item_of(a, "F1.1"), by=people["expert"], points=Decimal("2"), comment="Chậm 10 ngày",
                    explanation_request="Cung cấp văn bản ban hành kế hoạch")
    return a


def test_the_explanation_is_due_after_working_days_not_calendar_days(questioned, people):
    Holiday.objects.get_or_create(date=datetime.date(2026, 12, 9), defaults={"name_vi": "Nghỉ thử", "is_day_off": True})
    monday = aware(2026, 12, 7, 7, 10)
    s.assessment_explanation_request(assessment=questioned, by=people["expert"], now=monday)
    questioned.refresh_from_db()
    due = timezone.localtime(questioned.explanation_due)
    # Tue 8, (Wed 9 off), Thu 10, Fri 11, (weekend), Mon 14, Tue 15: the fifth working day
    assert due.date() == datetime.date(2026, 12, 15) and due.weekday() == 1
    assert q.working_days_left(questioned.explanation_due, monday) == 5
    assert q.due_state(questioned.explanation_due, aware(2026, 12, 14, 9)) == "soon"
    assert q.due_state(questioned.explanation_due, aware(2026, 12, 15, 9)) == "today"
    assert q.due_state(questioned.explanation_due, aware(2026, 12, 16, 9)) == "overdue"
    assert "15/12/2026" in q.status_steps(questioned).last().reason
    assert Question.objects.get(item__assessment=questioned).text == "Cung cấp văn bản ban hành kế hoạch"


def test_after_the_deadline_the_form_is_locked_until_the_secretariat_extends_it(questioned, people):
    s.assessment_explanation_request(assessment=questioned, by=people["expert"])
    Assessment.objects.filter(pk=questioned.pk).update(explanation_due=timezone.now() - datetime.timedelta(hours=1))
    a = Assessment.objects.get(pk=questioned.pk)
    officer = people["officer"]
    with pytest.raises(ValidationError) as error:
        s.item_explain(item=item_of(a, "F1.1"), by=officer, explanation="Đúng hạn")
    assert "gia hạn" in messages(error).lower()
    with pytest.raises(ValidationError):
        s.evidence_document_add(item=item_of(a, "F1.1"), by=officer, number="1/KH", date=datetime.date(2023, 1, 1))
    assert "explain" not in q.actions_allowed(officer, a) and "skip_explanation" in q.actions_allowed(people["expert"], a)
    with pytest.raises(PermissionDenied):
        s.assessment_explanation_extend(assessment=a, by=officer, working_days=3, reason="x")
    with pytest.raises(ValidationError):
        s.assessment_explanation_extend(assessment=a, by=people["secretariat"], working_days=3, reason="")
    s.assessment_explanation_extend(assessment=a, by=people["secretariat"], working_days=3, reason="Đơn vị có công văn xin gia hạn")
    a.refresh_from_db()
    assert a.explanation_due > timezone.now()
    assert history(a).get(event=s.Event.EXPLANATION_EXTENDED).reason == "Đơn vị có công văn xin gia hạn"
    s.item_explain(item=item_of(a, "F1.1"), by=officer, explanation="Kế hoạch ban hành đúng hạn")
    assert Question.objects.get(item__assessment=a, round=1).answer == "Kế hoạch ban hành đúng hạn"


def test_past_the_deadline_the_expert_team_goes_on_without_the_answer_only_with_a_reason(questioned, people):
    s.assessment_explanation_request(assessment=questioned, by=people["expert"])
    a = Assessment.objects.get(pk=questioned.pk)
    with pytest.raises(ValidationError):  # the unit still has time
        s.assessment_explanation_skip(assessment=a, by=people["expert"], reason="Quá hạn")
    Assessment.objects.filter(pk=a.pk).update(explanation_due=timezone.now() - datetime.timedelta(minutes=1))
    a = Assessment.objects.get(pk=a.pk)
    with pytest.raises(PermissionDenied):
        s.assessment_explanation_skip(assessment=a, by=people["officer"], reason="x")
    with pytest.raises(ValidationError):
        s.assessment_explanation_skip(assessment=a, by=people["expert"], reason="")
    s.assessment_explanation_skip(assessment=a, by=people["expert"], reason="Đơn vị không giải trình đúng hạn")
    a.refresh_from_db()
    assert a.status == Status.EXPLAINED and a.appraisal_round == 2
    assert q.status_steps(a).last().reason == "Đơn vị không giải trình đúng hạn"
    assert [question.answer for r in q.explanation_rounds(a) for question in r.questions] == [""]


def test_every_round_stays_with_question_answer_evidence_and_reply(questioned, people):
    expert, officer = people["expert"], people["officer"]
    s.assessment_explanation_request(assessment=questioned, by=expert)
    s.item_explain(item=item_of(questioned, "F1.1"), by=officer, explanation="Trả lời vòng 1")
    s.evidence_document_add(item=item_of(questioned, "F1.1"), by=officer, number="99/KH", date=datetime.date(2023, 1, 2))
    s.assessment_explanation_submit(assessment=questioned, by=officer)
    s.item_appraise(item=item_of(questioned, "F1.1"), by=expert, points=Decimal("2.5"), comment="Chấp nhận một phần",
                    explanation_request="Bổ sung sổ công văn đi")
    s.assessment_explanation_request(assessment=questioned, by=expert)
    s.item_explain(item=item_of(questioned, "F1.1"), by=officer, explanation="Trả lời vòng 2")
    s.assessment_explanation_submit(assessment=questioned, by=officer)
    rounds = q.explanation_rounds(questioned)
    assert [r.number for r in rounds] == [1, 2]
    first, second = rounds[0].questions[0], rounds[1].questions[0]
    assert (first.text, first.answer, first.reply) == ("Cung cấp văn bản ban hành kế hoạch", "Trả lời vòng 1", "Chấp nhận một phần")
    assert (second.text, second.answer) == ("Bổ sung sổ công văn đi", "Trả lời vòng 2")
    assert [e.doc_number for e in rounds[0].evidence] == ["99/KH"] and rounds[1].evidence == []


# --- 5. the second appraisal round -----------------------------------------------------------------

def test_round_two_points_are_kept_apart_from_round_one(questioned, people):
    expert, officer = people["expert"], people["officer"]
    s.assessment_explanation_request(assessment=questioned, by=expert)
    s.item_explain(item=item_of(questioned, "F1.1"), by=officer, explanation="Đúng hạn")
    s.assessment_explanation_submit(assessment=questioned, by=officer)
    s.item_appraise(item=item_of(questioned, "F1.1"), by=expert, points=Decimal("3"), comment="Đã giải trình đủ")
    s.item_appraise(item=item_of(questioned, "F2.1"), by=expert, points=Decimal("3"), comment="Thiếu 1 văn bản")
    item = item_of(questioned, "F1.1")
    assert (item.appraised_points, item.round2_points, item.final[0]) == (Decimal("2"), Decimal("3"), Decimal("3"))
    sheet = q.assessment_sheet(Assessment.objects.get(pk=questioned.pk))
    assert sheet.has_round2
    row = {r.node.code: r for r in sheet.rows}
    assert row["F1.1"].round1_differs and not row["F1.1"].round2_differs and row["F2.1"].round2_differs
    assert row["PAR"].appraised_total.points == pytest.approx(2)  # round 1: only F1.1 appraised
    assert row["PAR"].round2_total.points == pytest.approx(6)


# --- 6. bonus and penalty by the framework's reasons ---------------------------------------------

@pytest.fixture
def appraised_a(cycle, people):
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    s.assessment_submit(assessment=a, by=people["officer"])
    appraise_all(a, people["expert"])
    s.assessment_appraisal_complete(assessment=a, by=people["expert"])
    return a


def test_bonus_and_penalty_follow_the_framework_reasons_and_caps(appraised_a, people):
    rules = q.bonus_penalty_rules(appraised_a.cycle.version)
    assert rules["bonus"].cap == Decimal("2") and [r.code for r in rules["bonus"].reasons] == ["bonus.initiative", "bonus.award"]
    assert rules["bonus"].reasons[0].to_confirm and not rules["bonus"].reasons[1].to_confirm
    council = people["council"]
    for points, words in (
        ({"bonus.initiative": "2"}, "1,5"),  # above the reason's maximum
        ({"bonus.initiative": "1.5", "bonus.award": "1"}, "2"),  # above the cap of 2
        ({"bonus.other": "1"}, "bonus.other"),  # not a reason of the framework
        ({"penalty.late": "-1"}, ""),  # a penalty is a positive number deducted
    ):
        with pytest.raises(ValidationError) as error:
            s.assessment_bonus_penalty_set(assessment=appraised_a, by=council, points=points)
        assert words in messages(error)
    s.assessment_bonus_penalty_set(assessment=appraised_a, by=council, points={"bonus.initiative": "1.5", "bonus.award": "0.5",
                                                                               "penalty.late": "1"}, note="Biên bản 05")
    a = Assessment.objects.get(pk=appraised_a.pk)
    assert (a.bonus_points, a.penalty_points) == (Decimal("2"), Decimal("1"))
    assert a.bonus_penalty == {"bonus": {"bonus.initiative": "1.5", "bonus.award": "0.5"}, "penalty": {"penalty.late": "1"}}
    reasons = sorted(history(a).filter(event=s.Event.BONUS_PENALTY).values_list("reason", flat=True))
    assert reasons[0].startswith("Chậm báo cáo") and all(r.endswith("Biên bản 05") for r in reasons)
    # the total never passes the maximum plus the capped bonus
    top = q.assessment_sheet(a).rows[0].final_total
    assert top.points <= 10 + 2


# --- 7. a reason whenever points move away from the claim ---------------------------------------------

def test_points_away_from_the_claim_need_a_reason_in_every_round(appraised_a, people, cycle):
    b = assessment_of(cycle, "S-B")
    claim_all(b, people["officer_b"])
    s.assessment_submit(assessment=b, by=people["officer_b"])
    item = item_of(b, "F1.1")
    for points in ("2", "2.5"):  # down, and (from 3) down again
        with pytest.raises(ValidationError) as error:
            s.item_appraise(item=item, by=people["expert"], points=Decimal(points))
        assert "F1.1" in messages(error)
    s.item_appraise(item=item, by=people["expert"], points=Decimal("3"))  # the claim itself: no reason needed
    s.item_appraise(item=item, by=people["expert"], points=Decimal("2"), comment="Ban hành chậm")
    record = history(item).filter(field="appraised_points").last()
    assert (record.old_value, record.new_value, record.reason) == ("3", "2", "Ban hành chậm")
    with pytest.raises(ValidationError):
        s.item_council_adjust(item=item_of(appraised_a, "F2.1"), by=people["council"], points=Decimal("1"), reason="")


# --- 8. accept in bulk ----------------------------------------------------------------------------

def test_the_expert_team_accepts_claims_with_evidence_in_one_action(cycle, people):
    a = assessment_of(cycle, "S-A")
    officer = people["officer"]
    s.item_self_assess(item=item_of(a, "F1.1"), by=officer, points=Decimal("3"), evidence_explanation="Đang trình ký")
    s.item_self_assess(item=item_of(a, "F1.2"), by=officer, points=Decimal("2"))
    s.item_self_assess(item=item_of(a, "F2.1"), by=officer, points=Decimal("4"))
    s.assessment_submit(assessment=a, by=officer)
    with pytest.raises(PermissionDenied):
        s.assessment_claims_accept(assessment=a, by=people["council"])
    with pytest.raises(ValidationError):
        s.assessment_claims_accept(assessment=a, by=people["expert"], under="F9")
    outcome = s.assessment_claims_accept(assessment=a, by=people["expert"], under="F1")
    assert [i.code for i in outcome.accepted] == ["F1.2"] and [i.code for i in outcome.without_evidence] == ["F1.1"]
    outcome = s.assessment_claims_accept(assessment=a, by=people["expert"])
    assert [i.code for i in outcome.accepted] == ["F2.1"]  # F1.2 already appraised: left as it is
    records = history(a).filter(event=s.Event.CLAIM_ACCEPTED).order_by("pk")
    assert [(r.field, r.new_value, r.reason) for r in records] == [
        ("appraised_points", "2", s.REASON_ACCEPTED), ("appraised_points", "4", s.REASON_ACCEPTED)]
    assert Assessment.objects.get(pk=a.pk).status == Status.UNDER_APPRAISAL


# --- issue 16: one rule for buttons and refusals ---------------------------------------------------------

def test_actions_allowed_is_the_rule_the_services_follow(cycle, people):
    a = assessment_of(cycle, "S-A")
    assert q.actions_allowed(people["officer"], a) == {"self_assess", "submit"}
    assert q.actions_allowed(people["officer_b"], a) == set()
    assert q.actions_allowed(people["expert"], a) == set()
    assert q.actions_allowed(people["secretariat"], a) == {"reopen", "exclude"}  # close_unsubmitted only after the deadline
    late = cycle.self_assessment_due + datetime.timedelta(minutes=1)
    assert q.actions_allowed(people["officer"], a, late) == {"self_assess"}
    assert "close_unsubmitted" in q.actions_allowed(people["secretariat"], a, late)
    claim_all(a, people["officer"])
    s.assessment_submit(assessment=a, by=people["officer"])
    a.refresh_from_db()
    assert q.actions_allowed(people["officer"], a) == {"withdraw"}
    assert q.actions_allowed(people["expert"], a) == {"start", "appraise", "accept_claims"}
    for action in q.ACTIONS:
        for who in ("officer", "expert", "council", "secretariat", "leader"):
            refusal = q.action_refusal(people[who], a, action)
            assert (refusal is None) == (action in q.actions_allowed(people[who], a))
