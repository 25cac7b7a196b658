"""Status rules: a task is overdue from 00:00 in Asia/Ho_Chi_Minh on the day after it was due,
in the stored rows, in the database annotation and on the page alike."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from chiso.followup.models import Task
from chiso.followup.queries import today_local, with_state
from chiso.followup.services import progress_report_create, task_cancel, task_completion_confirm

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc)


@pytest.fixture
def clock(monkeypatch):
    def set_to(text):
        monkeypatch.setattr(timezone, "now", lambda: utc(text))

    return set_to


def test_overdue_from_midnight_in_ho_chi_minh_not_utc(make_task, clock, client, officers):
    task = make_task(lead="S-XD", deadline="31/03/2023")
    clock("2023-03-31T16:59:59")  # 23:59:59 on 31/03 in Hà Nội time
    assert today_local() == datetime.date(2023, 3, 31)
    assert task.state(today_local()) == "not_started"
    assert with_state(Task.objects.all(), today_local()).get().state == "not_started"
    clock("2023-03-31T17:00:00")  # 00:00 on 01/04 in Hà Nội, still 31/03 in UTC
    assert today_local() == datetime.date(2023, 4, 1)
    assert task.state(today_local()) == "overdue"
    assert with_state(Task.objects.all(), today_local()).get().state == "overdue"
    client.force_login(officers["S-XD"])
    page = client.get(reverse("followup:tasks"), {"state": "overdue"})
    assert [t.pk for t in page.context["tasks"]] == [task.pk]
    assert 'data-state="overdue"' in page.content.decode()


def test_a_task_in_progress_past_its_deadline_is_overdue_until_confirmed_done(make_task, clock, officers, secretariat):
    task = make_task(lead="S-XD", deadline="Quý I/2023")
    clock("2023-04-10T03:00:00")
    report = progress_report_create(task=task, by=officers["S-XD"], text="Xong", percent=100, ask_completion=True,
                                    evidence_link="https://sxd.caobang.gov.vn/bc")
    task.refresh_from_db()
    assert task.state(today_local()) == "overdue"  # asking is not being done
    task_completion_confirm(report=report, by=secretariat)
    task.refresh_from_db()
    assert task.state(today_local()) == "done" and task.completed_late


def test_done_and_cancelled_tasks_are_never_overdue(make_task, clock, secretariat):
    cancelled = make_task(deadline="31/03/2023")
    task_cancel(task=cancelled, by=secretariat, reason="Không còn phù hợp")
    clock("2024-01-01T00:00:00")
    assert with_state(Task.objects.all(), today_local()).get().state == "cancelled"


def test_a_quarterly_task_is_overdue_when_a_quarter_ends_without_a_report(make_task, clock, officers):
    task = make_task(lead="S-XD", deadline="hằng quý")
    clock("2023-03-30T02:00:00")
    progress_report_create(task=task, by=officers["S-XD"], text="Báo cáo quý I", percent=25)
    task.refresh_from_db()
    clock("2023-06-30T16:59:00")
    assert task.state(today_local()) == "in_progress"
    clock("2023-06-30T17:00:00")
    assert task.state(today_local()) == "overdue"
