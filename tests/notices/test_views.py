"""Thông báo: the page, the menu entry with the unread count, each role's home page listing the
newest unread notices, and the daily e-mail carrying every kind."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from chiso.assessments.models import Assessment
from chiso.feedback.services import feedback_route
from chiso.followup.notifications import notices_digest
from chiso.notices.models import Notice
from chiso.notices.services import notice_send, par_notices

pytestmark = pytest.mark.django_db


def nav(client):
    return {str(label): url for url, label in client.get(reverse("home")).context["nav_items"]}


def test_the_officer_sees_new_work_at_once_on_the_home_page_and_in_the_menu(task, feedback, units, people, client):
    feedback_route(feedback=feedback, unit=units["S-TC"], by=people["secretariat"], today=datetime.date(2023, 3, 2))
    client.force_login(people["officer"])
    assert nav(client)["Thông báo (2)"] == reverse("notices:list")
    home = client.get(reverse("home"))
    page = home.content.decode()
    assert [n.kind for n in home.context["notices"]] == ["feedback.routed", "task.assigned"]
    assert feedback.number in page and "511/TB-UBND" in page
    assert "sẽ hiển thị tại đây" not in page  # the promise is kept by real items


def test_the_home_page_of_every_role_lists_its_unread_notices(task, people, client):
    for role in ("secretariat", "leader", "expert", "council"):
        notice_send(users=[people[role]], kind="task.awaiting", obj=task, key="1")
        client.force_login(people[role])
        response = client.get(reverse("home"))
        assert [n.kind for n in response.context["notices"]] == ["task.awaiting"], role
        assert "Sở Tài chính" in response.content.decode()


def test_the_page_lists_marks_read_and_opens(task, people, client):
    officer = people["officer"]
    notice_send(users=[officer], kind="task.due_soon", obj=task, key="2023-12-31")
    client.force_login(officer)
    page = client.get(reverse("notices:list"))
    assert page.status_code == 200 and len(page.context["notices"]) == 2 and page.context["unread"] == 2
    opened = Notice.objects.get(kind="task.due_soon")
    response = client.post(reverse("notices:open", args=[opened.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("followup:task", args=[task.pk])
    opened.refresh_from_db()
    assert opened.read_at is not None
    assert [n.kind for n in client.get(reverse("notices:list") + "?show=unread").context["notices"]] == ["task.assigned"]
    client.post(reverse("notices:list"))
    assert not Notice.objects.filter(user=officer, read_at__isnull=True).exists()
    assert nav(client)["Thông báo"] == reverse("notices:list")


def test_nobody_opens_anothers_notice(task, people, client):
    notice = Notice.objects.get(user=people["officer"])
    client.force_login(people["other_officer"])
    assert client.post(reverse("notices:open", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_old_follow_up_notices_address_leads_to_the_page(people, client):
    client.force_login(people["officer"])
    assert client.get(reverse("followup:notices"))["Location"] == reverse("notices:list")


def test_the_daily_digest_carries_every_kind(task, feedback, cycle, units, people, settings):
    settings.CHISO_BASE_URL = "https://chiso.caobang.gov.vn"
    feedback_route(feedback=feedback, unit=units["S-TC"], by=people["secretariat"], today=datetime.date(2023, 3, 2))
    assessment = cycle.assessments.get(unit__code="S-TC")
    assessment.status = Assessment.Status.EXPLANATION_REQUESTED
    par_notices(assessment=assessment, by=None)
    mail.outbox.clear()  # feedback's own e-mail at routing
    summary = notices_digest(today=datetime.date(2023, 3, 14), days=7)
    to_officer = [m for m in mail.outbox if m.to == ["tc@example.vn"]]
    assert summary.emails == 1 and len(to_officer) == 1
    body = to_officer[0].body
    assert "511/TB-UBND" in body and feedback.number in body and "giải trình" in body
    assert f"https://chiso.caobang.gov.vn/assessments/{assessment.pk}/" in body
    assert f"https://chiso.caobang.gov.vn/feedback/{feedback.number}/" in body
    assert to_officer[0].subject.startswith("chiso: 3 thông báo")
    mail.outbox.clear()
    assert notices_digest(today=datetime.date(2023, 3, 14), days=7).emails == 0 and mail.outbox == []
