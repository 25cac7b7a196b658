"""Recurring tasks — hằng tháng, hằng quý, hằng năm: the lead unit's report of a period moves the
due date to the next period's end; a task whose reports stopped is one period late, never years."""

import datetime

import pytest
from django.urls import reverse

from chiso.followup import deadlines, queries
from chiso.followup.deadlines import Deadline, deadline_parse, recurring_due, recurring_due_after_report
from chiso.followup.notifications import notices_for_deadlines
from chiso.followup.services import progress_report_create
from chiso.notices.models import Notice

D = datetime.date
NOTICE_DAY = D(2023, 3, 13)


@pytest.mark.parametrize("text, expected", [
    ("Hằng tháng", Deadline("monthly", D(2023, 3, 31))),
    ("hàng tháng", Deadline("monthly", D(2023, 3, 31))),
    ("Định kỳ hằng tháng", Deadline("monthly", D(2023, 3, 31))),
    ("Hằng năm", Deadline("yearly", D(2023, 12, 31))),
    ("hàng năm", Deadline("yearly", D(2023, 12, 31))),
    ("yearly", Deadline("yearly", D(2023, 12, 31))),
])
def test_monthly_and_yearly_reports_are_read(text, expected):
    assert deadline_parse(text, start=NOTICE_DAY) == expected


def test_period_ends():
    assert deadlines.period_end_of("monthly", D(2024, 2, 10)) == D(2024, 2, 29)
    assert deadlines.period_end_of("monthly", D(2023, 12, 5)) == D(2023, 12, 31)
    assert deadlines.period_end_of("yearly", D(2023, 5, 1)) == D(2023, 12, 31)


@pytest.mark.parametrize("kind, due, today, expected", [
    ("quarterly", D(2023, 3, 31), D(2025, 5, 10), D(2025, 3, 31)),  # reports stopped in 2023: one quarter late
    ("monthly", D(2023, 3, 31), D(2025, 5, 10), D(2025, 4, 30)),
    ("yearly", D(2022, 12, 31), D(2025, 5, 10), D(2024, 12, 31)),
    ("quarterly", D(2023, 3, 31), D(2023, 4, 3), D(2023, 3, 31)),  # the quarter just ended is still owed
    ("quarterly", D(2023, 6, 30), D(2023, 4, 3), D(2023, 6, 30)),  # not due yet
    ("date", D(2023, 3, 31), D(2025, 5, 10), D(2023, 3, 31)),  # a one-off deadline stays as it is
])
def test_a_recurring_task_owes_the_last_period_only(kind, due, today, expected):
    assert recurring_due(kind, due, today) == expected


@pytest.mark.parametrize("kind, due, reported, expected", [
    ("monthly", D(2023, 3, 31), D(2023, 3, 28), D(2023, 4, 30)),
    ("monthly", D(2023, 3, 31), D(2023, 4, 5), D(2023, 4, 30)),  # late, settles March
    ("yearly", D(2023, 12, 31), D(2024, 1, 10), D(2024, 12, 31)),
    ("quarterly", D(2023, 3, 31), D(2025, 5, 10), D(2025, 6, 30)),  # after a long silence: settles Q1/2025
])
def test_a_period_report_rolls_the_due_date_forward(kind, due, reported, expected):
    assert recurring_due_after_report(kind, due, reported) == expected


def test_only_the_lead_units_report_is_the_periods_report(make_task, officers):
    task = make_task(lead="S-XD", cooperating=["S-TP"], deadline="Hằng tháng")
    assert (task.deadline_kind, task.due_date) == ("monthly", D(2023, 3, 31))
    progress_report_create(task=task, by=officers["S-TP"], text="Phối hợp", percent=10, reported_on=D(2023, 3, 30))
    task.refresh_from_db()
    assert task.due_date == D(2023, 3, 31)
    progress_report_create(task=task, by=officers["S-XD"], text="Báo cáo tháng 3", percent=20, reported_on=D(2023, 3, 30))
    task.refresh_from_db()
    assert task.due_date == D(2023, 4, 30)


def test_the_dashboard_and_pages_never_show_years_overdue(make_task, officers, leader, client, monkeypatch):
    task = make_task(lead="S-XD", deadline="Hằng quý")
    monkeypatch.setattr(queries, "today_local", lambda: D(2025, 5, 10))
    client.force_login(leader)
    board = client.get(reverse("followup:dashboard"))
    overdue = {t.pk: t for t in board.context["overdue"]}
    assert overdue[task.pk].due_shown == D(2025, 3, 31) and overdue[task.pk].days_late == 40
    detail = client.get(reverse("followup:task", args=[task.pk])).content.decode()
    assert "31/03/2025" in detail and "31/03/2023" not in detail


def test_one_overdue_notice_per_missed_period_not_per_day(make_task, officers):
    task = make_task(lead="S-XD", deadline="Hằng quý")
    for day in (D(2023, 4, 3), D(2023, 4, 20), D(2023, 7, 2)):
        notices_for_deadlines(today=day, days=7)
    keys = sorted(Notice.objects.filter(kind="task.overdue", object_id=str(task.pk)).values_list("key", flat=True))
    assert keys == ["2023-03-31", "2023-06-30"]
