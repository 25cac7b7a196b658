"""Notices on the page at once, e-mail once a day: reminders before deadlines, overdue tasks,
reports awaiting confirmation — one digest per person, never the same notice twice."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from chiso.notices.models import Notice
from chiso.followup.notifications import notices_digest
from chiso.followup.services import progress_report_create
from chiso.jobs.models import Job

pytestmark = pytest.mark.django_db
D = datetime.date


def test_the_digest_reminds_before_the_deadline_and_after_it_once(make_task, officers, settings):
    settings.CHISO_BASE_URL = "https://chiso.caobang.gov.vn"
    soon = make_task(lead="S-XD", deadline="10/04/2023", text="Nhiệm vụ sắp đến hạn")
    late = make_task(lead="S-XD", deadline="31/03/2023", text="Nhiệm vụ quá hạn")
    make_task(lead="S-TP", deadline="31/12/2023", text="Nhiệm vụ còn xa")
    summary = notices_digest(today=D(2023, 4, 3), days=7)
    assert (summary.due_soon, summary.overdue) == (1, 1)
    assert Notice.objects.filter(object_id=str(soon.pk), kind="task.due_soon", user=officers["S-XD"]).exists()
    assert Notice.objects.filter(object_id=str(late.pk), kind="task.overdue", user=officers["S-XD"]).exists()
    # One e-mail per person, with everything new: the assignments and the two deadline notices.
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"s-xd@example.vn", "s-tp@example.vn"}
    body = by_recipient["s-xd@example.vn"].body
    assert "quá hạn" in body and "10/04/2023" in body
    assert f"https://chiso.caobang.gov.vn{reverse('followup:task', args=[late.pk])}" in body
    assert "4" in by_recipient["s-xd@example.vn"].subject
    mail.outbox.clear()
    again = notices_digest(today=D(2023, 4, 3), days=7)
    assert (again.due_soon, again.overdue, again.emails) == (0, 0, 0) and mail.outbox == []


def test_reminder_days_are_configurable(make_task, officers, settings):
    make_task(lead="S-XD", deadline="10/04/2023")
    settings.CHISO_FOLLOWUP_REMINDER_DAYS = 3
    assert notices_digest(today=D(2023, 4, 3)).due_soon == 0
    settings.CHISO_FOLLOWUP_REMINDER_DAYS = 10
    assert notices_digest(today=D(2023, 4, 3)).due_soon == 1


def test_a_report_awaiting_confirmation_reaches_the_secretariat_in_the_digest(make_task, officers, secretariat):
    task = make_task(lead="S-XD", deadline="31/12/2023")
    progress_report_create(task=task, by=officers["S-XD"], text="Xong", percent=100, ask_completion=True,
                           evidence_link="https://sxd.caobang.gov.vn/bc")
    notices_digest(today=D(2023, 4, 3), days=7)
    to_secretariat = [m for m in mail.outbox if m.to == ["thuky@example.vn"]]
    assert len(to_secretariat) == 1 and "Sở Xây dựng" in to_secretariat[0].body


def test_read_notices_and_people_without_an_address_get_no_mail(make_task, officers, client):
    officers["S-TP"].email = ""
    officers["S-TP"].save()
    make_task(lead="S-TP", cooperating=["S-XD"])
    client.force_login(officers["S-XD"])
    client.post(reverse("notices:list"))  # marks all as read
    notices_digest(today=D(2023, 3, 14), days=7)
    assert mail.outbox == []


def test_the_command_and_the_background_task(make_task, officers, secretariat, client, capsys, django_capture_on_commit_callbacks):
    make_task(lead="S-XD", deadline="31/03/2023")
    call_command("followup_digest", "--today", "2023-04-03", "--days", "7", "--base-url", "https://chiso.example.vn/")
    assert "1" in capsys.readouterr().out and len(mail.outbox) == 1
    assert "https://chiso.example.vn/followup/tasks/" in mail.outbox[0].body
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("followup:digest"))
    job = Job.objects.get(kind="followup_digest")
    assert response.status_code == 302 and job.status == "done"
