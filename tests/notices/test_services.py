"""One door for every app's notices: notice_send is idempotent per person, kind, object and key;
feedback routed to a unit and each step of a PAR assessment reach the people who act next."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from chiso.assessments import services as assessment_services
from chiso.assessments.models import Assessment
from chiso.audit.services import audit_record
from chiso.feedback.services import feedback_route, feedback_split
from chiso.notices.models import Notice
from chiso.notices.services import notice_send, notices_mark_read, par_notices

pytestmark = pytest.mark.django_db


def kinds_of(user):
    return sorted(Notice.objects.filter(user=user).values_list("kind", flat=True))


def test_a_notice_is_sent_once_per_person_kind_object_and_key(task, people):
    officer = people["officer"]
    assert kinds_of(officer) == ["task.assigned"]  # task_create told the lead unit
    assert notice_send(users=[officer], kind="task.assigned", obj=task) == 0
    assert notice_send(users=[officer, officer], kind="task.due_soon", obj=task, key="2023-12-31") == 1
    assert notice_send(users=[officer], kind="task.due_soon", obj=task, key="2023-12-31") == 0
    assert notice_send(users=[officer], kind="task.due_soon", obj=task, key="2024-03-31") == 1
    with pytest.raises(ValueError):
        notice_send(users=[officer], kind="no.such.kind", obj=task)
    with pytest.raises(ValueError):  # a task kind about a unit is a programming error
        notice_send(users=[officer], kind="task.assigned", obj=officer.unit)


def test_the_text_is_built_when_shown_in_the_readers_language(task, people):
    notice = Notice.objects.get(user=people["officer"], kind="task.assigned")
    with translation.override("vi"):
        assert notice.message == "Nhiệm vụ mới số 1 tại 511/TB-UBND giao Sở Tài chính chủ trì, thời hạn 31/12/2023."
    with translation.override("en"):
        assert notice.message.startswith("New task 1 of 511/TB-UBND for ")
    assert notice.link == f"/followup/tasks/{task.pk}/"


def test_a_notice_of_a_deleted_object_still_reads(task, people):
    notice = Notice.objects.get(user=people["officer"], kind="task.assigned")
    notice.object_id = "999999"
    notice.save()
    with translation.override("vi"):
        assert "không còn tồn tại" in notice.message and notice.link == ""


def test_feedback_routed_to_a_unit_reaches_its_officers_once(feedback, units, people):
    feedback_route(feedback=feedback, unit=units["S-TC"], by=people["secretariat"], today=datetime.date(2023, 3, 2))
    notice = Notice.objects.get(kind="feedback.routed")
    assert notice.user == people["officer"] and notice.link == f"/feedback/{feedback.number}/"
    with translation.override("vi"):
        assert feedback.number in notice.message and "Sở Tài chính" in notice.message
    feedback_route(feedback=feedback, unit=units["S-XD"], by=people["secretariat"], today=datetime.date(2023, 3, 3))
    assert kinds_of(people["other_officer"]) == ["feedback.routed"]
    assert Notice.objects.filter(kind="feedback.routed").count() == 2


def test_a_split_tells_each_units_officers(feedback, units, people):
    parts = feedback_split(feedback=feedback, parts=[(units["S-TC"], "Phần tài chính"), (units["S-XD"], "Phần xây dựng")],
                           by=people["secretariat"], today=datetime.date(2023, 3, 2))
    told = {(n.user.username, n.object_id) for n in Notice.objects.filter(kind="feedback.routed").select_related("user")}
    assert told == {("canbo.tc", str(parts[0].pk)), ("canbo.xd", str(parts[1].pk))}


def test_each_par_step_reaches_whoever_acts_next(cycle, people):
    officer, expert, council, secretariat = people["officer"], people["expert"], people["council"], people["secretariat"]
    a = cycle.assessments.get(unit__code="S-TC")
    item = a.items.get(code="F1.1")
    assessment_services.item_self_assess(item=item, by=officer, points=Decimal("4"))
    assessment_services.assessment_submit(assessment=a, by=officer)
    assessment_services.item_appraise(item=a.items.get(code="F1.1"), by=expert, points=Decimal("3"), comment="Thiếu văn bản",
                                      explanation_request="Đề nghị cung cấp văn bản rà soát")
    assessment_services.assessment_explanation_request(assessment=a, by=expert)
    assert kinds_of(officer) == ["par.explanation_requested"]
    assert kinds_of(people["other_officer"]) == []  # another unit's officer hears nothing
    requested = Notice.objects.get(kind="par.explanation_requested")
    assert requested.link == f"/assessments/{a.pk}/"
    with translation.override("vi"):
        assert "Sở Tài chính" in requested.message and "giải trình" in requested.message

    assessment_services.item_explain(item=a.items.get(code="F1.1"), by=officer, explanation="Văn bản 12/BC-STC đã gửi")
    assessment_services.assessment_explanation_submit(assessment=a, by=officer)
    assert kinds_of(expert) == ["par.explained"]
    assert Notice.objects.get(kind="par.explanation_requested").read_at is not None  # the work asked for is done

    assessment_services.item_appraise(item=a.items.get(code="F1.1"), by=expert, points=Decimal("4"))
    assessment_services.assessment_appraisal_complete(assessment=a, by=expert)
    assert kinds_of(council) == ["par.appraised"]
    assert kinds_of(expert) == ["par.explained"]  # the one who completed it is not told

    assessment_services.council_decide(cycle=cycle, assessments=[a], by=council, meeting_date=datetime.date(2023, 12, 20),
                                       members_present=["Ông A"], votes_for=1)
    assert kinds_of(officer) == ["par.council_decided", "par.explanation_requested"]
    assert kinds_of(secretariat) == ["par.council_decided"]
    assert par_notices(assessment=a, by=council) == 0  # called again for the same step: nothing new


def test_par_notices_tell_a_second_round_apart(cycle, people):
    a = cycle.assessments.get(unit__code="S-TC")
    for _round in (1, 2):
        a.status = Assessment.Status.EXPLANATION_REQUESTED
        audit_record(event="assessment.transition", obj=a, by=None, field="status", old="under_appraisal", new=a.status)
        par_notices(assessment=a, by=None)
    assert sorted(Notice.objects.filter(kind="par.explanation_requested").values_list("key", flat=True)) == ["1", "2"]


def test_marking_read_touches_only_ones_own(task, people):
    notice_send(users=[people["other_officer"]], kind="task.assigned", obj=task)
    assert notices_mark_read(user=people["officer"]) == 1
    assert Notice.objects.filter(user=people["other_officer"], read_at__isnull=True).count() == 1


def test_par_notices_are_sent_only_for_someone_who_sees_the_assessment(cycle, people):
    """accounts.permissions.may_send_assessment_notices: another unit's officer is refused; the
    system (None) and the provincial roles pass."""
    a = cycle.assessments.get(unit__code="S-TC")
    a.status = Assessment.Status.EXPLANATION_REQUESTED
    with pytest.raises(PermissionDenied):
        par_notices(assessment=a, by=people["other_officer"])
    assert not Notice.objects.filter(kind="par.explanation_requested").exists()
    assert par_notices(assessment=a, by=people["expert"]) == 1
