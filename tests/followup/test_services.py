"""Directives, tasks, progress and confirmation: the rules, the notices and the audit trail."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from chiso.audit.queries import history
from chiso.followup.importing import tasks_import
from chiso.followup.models import ProgressReport, Task
from chiso.notices.models import Notice
from chiso.followup.services import (
    directive_create,
    progress_report_create,
    task_cancel,
    task_completion_confirm,
    task_completion_reject,
    task_create,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def vietnamese():
    with translation.override("vi"):
        yield


def test_a_task_is_assigned_and_the_units_officers_are_told(make_task, officers):
    task = make_task(lead="S-XD", cooperating=["S-TC"], deadline="Quý II/2023")
    assert task.deadline_kind == "quarter" and task.due_date == datetime.date(2023, 6, 30)
    told = set(Notice.objects.filter(object_id=str(task.pk), kind="task.assigned").values_list("user__username", flat=True))
    assert told == {"canbo.s-xd", "canbo.s-tc"}
    assert history(task).filter(event="task.created").exists()
    assert "Quý II/2023" in Notice.objects.filter(object_id=str(task.pk)).first().message


def test_a_deadline_before_the_directive_is_refused_and_nothing_is_saved(notice, units, officers):
    with pytest.raises(ValidationError) as error:
        task_create(directive=notice, text="Nhiệm vụ", lead_unit=units["S-XD"], deadline="01/03/2023", by=None)
    assert "01/03/2023" in str(error.value) and "13/03/2023" in str(error.value)
    with pytest.raises(ValidationError):
        task_create(directive=notice, text="Nhiệm vụ", lead_unit=units["S-XD"], deadline="Quý IV/2022", by=None)
    assert Task.objects.count() == 0 and Notice.objects.count() == 0


def test_a_task_without_a_lead_unit_is_refused(notice):
    with pytest.raises(ValidationError) as error:
        task_create(directive=notice, text="Nhiệm vụ", lead_unit=None, deadline="31/12/2023", by=None)
    assert "đơn vị chủ trì" in " ".join(error.value.message_dict["lead_unit"])
    assert Task.objects.count() == 0


def test_a_quarterly_task_is_first_due_at_the_end_of_the_directive_quarter(make_task):
    task = make_task(deadline="hằng quý")
    assert task.deadline_kind == "quarterly" and task.due_date == datetime.date(2023, 3, 31)


def test_a_unit_cannot_report_on_another_units_task(make_task, officers):
    task = make_task(lead="S-XD")
    with pytest.raises(PermissionDenied) as refusal:
        progress_report_create(task=task, by=officers["S-TP"], text="Đã làm", percent=50)
    assert "Sở Tư pháp" in str(refusal.value) and "đơn vị mình" in str(refusal.value)
    assert ProgressReport.objects.count() == 0
    task.refresh_from_db()
    assert task.status == "not_started" and task.percent == 0


def test_progress_by_the_lead_and_a_cooperating_unit(make_task, officers):
    task = make_task(lead="S-XD", cooperating=["S-TC"])
    progress_report_create(task=task, by=officers["S-TC"], text="Đã phối hợp rà soát", percent=20)
    task.refresh_from_db()
    assert task.status == "in_progress" and task.percent == 0  # only the lead unit speaks for the task's progress
    progress_report_create(task=task, by=officers["S-XD"], text="Đã dự thảo kế hoạch", percent=60)
    task.refresh_from_db()
    assert task.percent == 60
    with pytest.raises(ValidationError) as error:
        progress_report_create(task=task, by=officers["S-TC"], text="Xong", percent=100, evidence_link="https://x.vn/a",
                               ask_completion=True)
    assert "ask_completion" in error.value.message_dict


def test_completion_needs_100_percent_evidence_and_the_assigning_sides_confirmation(make_task, officers, secretariat, leader):
    task = make_task(lead="S-XD")
    with pytest.raises(ValidationError) as error:
        progress_report_create(task=task, by=officers["S-XD"], text="Xong", percent=90, ask_completion=True)
    assert "100%" in str(error.value)
    with pytest.raises(ValidationError) as error:
        progress_report_create(task=task, by=officers["S-XD"], text="Xong", percent=100, ask_completion=True)
    assert "tài liệu kiểm chứng" in str(error.value)
    report = progress_report_create(
        task=task, by=officers["S-XD"], text="Đã ban hành kế hoạch", percent=100, ask_completion=True,
        evidence=SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.4 test"), reported_on=datetime.date(2023, 3, 30),
    )
    assert report.review == "pending" and report.evidence.name.endswith(".pdf")
    assert Notice.objects.filter(kind="task.awaiting", user=secretariat).exists()
    with pytest.raises(PermissionDenied):
        task_completion_confirm(report=report, by=officers["S-XD"])
    task_completion_confirm(report=report, by=leader, note="Đạt")
    task.refresh_from_db()
    assert task.status == "done" and task.completed_on == datetime.date(2023, 3, 30) and not task.completed_late
    assert Notice.objects.filter(kind="task.confirmed", user=officers["S-XD"]).exists()
    assert not Notice.objects.filter(kind="task.awaiting", read_at__isnull=True).exists()
    with pytest.raises(ValidationError):
        progress_report_create(task=task, by=officers["S-XD"], text="Thêm", percent=100)
    assert list(history(task).values_list("event", flat=True).order_by("pk")) == [
        "task.created", "task.completion_asked", "task.completion_confirmed"]


def test_sending_back_needs_a_note_and_reopens_the_request(make_task, officers, secretariat):
    task = make_task(lead="S-XD")
    report = progress_report_create(task=task, by=officers["S-XD"], text="Xong", percent=100, ask_completion=True,
                                    evidence_link="https://sxd.caobang.gov.vn/ke-hoach")
    with pytest.raises(ValidationError):
        task_completion_reject(report=report, by=secretariat, note="")
    task_completion_reject(report=report, by=secretariat, note="Thiếu phụ lục giải pháp")
    task.refresh_from_db()
    report.refresh_from_db()
    assert task.status == "in_progress" and task.completion_requested_at is None and report.review == "rejected"
    assert Notice.objects.filter(kind="task.rejected", user=officers["S-XD"]).exists()
    again = progress_report_create(task=task, by=officers["S-XD"], text="Bổ sung phụ lục", percent=100, ask_completion=True,
                                   evidence_link="https://sxd.caobang.gov.vn/ke-hoach-v2")
    assert again.review == "pending"


def test_a_quarterly_task_moves_its_due_date_with_each_report(make_task, officers):
    task = make_task(lead="S-XD", deadline="hằng quý")
    progress_report_create(task=task, by=officers["S-XD"], text="Quý I", percent=25, reported_on=datetime.date(2023, 3, 28))
    task.refresh_from_db()
    assert task.due_date == datetime.date(2023, 6, 30)


def test_cancel_needs_a_reason_and_is_recorded(make_task, secretariat):
    task = make_task()
    with pytest.raises(ValidationError):
        task_cancel(task=task, by=secretariat, reason=" ")
    task_cancel(task=task, by=secretariat, reason="Đã gộp vào nhiệm vụ 4")
    assert history(task).get(event="task.cancelled").reason == "Đã gộp vào nhiệm vụ 4"


def test_directive_numbers_are_unique(notice):
    with pytest.raises(ValidationError):
        directive_create(number="511/tb-ubnd", date=datetime.date(2023, 3, 13), issuer="UBND tỉnh", summary="Trùng", by=None)


def test_only_the_assigning_side_records_directives_assigns_and_cancels(notice, make_task, units, officers, secretariat, leader,
                                                                     tasks_workbook):
    """accounts.permissions.may_manage_followup: the secretariat (and None, the system); a unit
    officer or a leader is refused before anything is written."""
    task = make_task()
    for person in (officers["S-XD"], leader):
        with pytest.raises(PermissionDenied):
            directive_create(number="12/KH-UBND", date=datetime.date(2023, 4, 1), issuer="UBND tỉnh", summary="Kế hoạch", by=person)
        with pytest.raises(PermissionDenied):
            make_task(by=person)
        with pytest.raises(PermissionDenied):
            task_cancel(task=task, by=person, reason="Không còn phù hợp")
        with pytest.raises(PermissionDenied):
            tasks_import(directive=notice, file_name="nhiem-vu.xlsx", content=tasks_workbook([(1, "Rà soát", "Sở Tư pháp", "", "31/12/2023")]),
                         by=person)
    assert Task.objects.filter(directive=notice).count() == 1 and Task.objects.get(pk=task.pk).status == Task.Status.NOT_STARTED
    assert directive_create(number="12/KH-UBND", date=datetime.date(2023, 4, 1), issuer="UBND tỉnh", summary="Kế hoạch",
                            by=secretariat).created_by == secretariat
