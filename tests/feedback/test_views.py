"""Staff pages: who may route, answer, publish; the figures page; attachments behind permissions."""

import datetime

from django.test import Client

from chiso.feedback.models import Feedback
from chiso.feedback.services import feedback_route
from chiso.indices.models import IndicatorValue
from chiso.jobs.models import Job

from .test_public import PDF


def login(user):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def test_the_secretariat_routes_and_the_officer_answers_through_the_pages(file_feedback, units, staff):
    feedback, _ = file_feedback()
    secretariat = login(staff["secretariat"])
    page = secretariat.get(f"/feedback/{feedback.number}/").content.decode()
    assert "Chuyển đơn vị chủ trì xử lý" in page
    response = secretariat.post(f"/feedback/{feedback.number}/route/", {"unit": units["tc"].pk}, follow=True)
    assert "Đã chuyển Sở Tài chính" in response.content.decode()
    officer = login(staff["officer"])
    assert feedback.number in officer.get("/feedback/").content.decode()
    assert officer.post(f"/feedback/{feedback.number}/route/", {"unit": units["xd"].pk}).status_code == 403
    other = login(staff["other_officer"])
    assert other.post(f"/feedback/{feedback.number}/answer/", {"text": "x"}).status_code == 404
    done = officer.post(f"/feedback/{feedback.number}/answer/", {"text": "Sở đã giải quyết."}, follow=True)
    assert "Câu trả lời của đơn vị đã được ghi nhận." in done.content.decode()
    assert Feedback.objects.get(pk=feedback.pk).state == Feedback.State.ANSWERED


def test_split_and_merge_from_the_page(file_feedback, units, staff):
    first, _ = file_feedback()
    second, _ = file_feedback()
    client = login(staff["secretariat"])
    client.post(f"/feedback/{first.number}/split/", {"unit_1": units["tc"].pk, "text_1": "a", "unit_2": units["xd"].pk, "text_2": "b"})
    assert Feedback.objects.filter(parent=first).count() == 2
    response = client.post(f"/feedback/{second.number}/merge/", {"into": "pa-2023-00001"}, follow=True)
    assert "chỉ gộp vào phản ánh đang được xử lý" in response.content.decode().lower()  # the split one cannot take it
    assert Feedback.objects.get(pk=second.pk).state == Feedback.State.RECEIVED


def test_figures_page_and_indicator_values(file_feedback, units, staff, period, qd766):
    feedback, _ = file_feedback()
    feedback_route(feedback=feedback, unit=units["tc"], by=staff["secretariat"], today=datetime.date(2023, 3, 2))
    client = login(staff["secretariat"])
    html = client.get("/feedback/figures/").content.decode()
    assert "Sở Tài chính" in html and "Số liệu phản ánh, kiến nghị theo đơn vị" in html
    client.post("/feedback/figures/indicators/", follow=True)
    assert IndicatorValue.objects.filter(framework__code="QD766", unit=units["tc"], code="G5.1").exists()
    leader = login(staff["leader"])
    assert leader.get("/feedback/figures/").status_code == 200
    assert leader.post("/feedback/figures/indicators/").status_code == 403


def test_attachments_are_served_only_to_those_who_see_the_feedback(file_feedback, units, staff):
    feedback, _ = file_feedback(attachments=[("don.pdf", PDF)])
    attachment = feedback.attachments.get()
    officer = login(staff["officer"])
    assert officer.get(f"/feedback/attachment/{attachment.pk}/").status_code == 404  # not routed yet
    feedback_route(feedback=feedback, unit=units["tc"], by=staff["secretariat"])
    response = officer.get(f"/feedback/attachment/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "Tệp đính kèm 1.pdf" in response["Content-Disposition"] or "T%E1%BB%87p" in response["Content-Disposition"]
    assert Client(HTTP_HOST="127.0.0.1").get(f"/feedback/attachment/{attachment.pk}/").status_code == 302  # log in first
    assert login(staff["other_officer"]).get(f"/feedback/attachment/{attachment.pk}/").status_code == 404


def test_escalation_runs_as_a_background_job(file_feedback, units, staff, django_capture_on_commit_callbacks):
    feedback, _ = file_feedback()
    feedback_route(feedback=feedback, unit=units["tc"], by=staff["secretariat"], today=datetime.date(2023, 3, 1))
    client = login(staff["secretariat"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/feedback/escalate/")
    job = Job.objects.get(kind="feedback_escalate")
    assert response.status_code == 302 and job.status == Job.Status.DONE and job.result["escalated"] == [feedback.number]
