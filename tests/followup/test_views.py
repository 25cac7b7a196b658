"""Pages: who sees what, clear refusals, forms that say what is wrong, the leader's home card."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chiso.followup.models import ImprovementPlan, ProgressReport, Statistic, Task
from chiso.followup.services import statistic_create, statistic_value_set

pytestmark = pytest.mark.django_db


def test_an_officer_sees_only_the_tasks_of_their_unit(make_task, officers, client):
    own = make_task(lead="S-XD", text="Nhiệm vụ của Sở Xây dựng")
    cooperating = make_task(lead="S-NV", cooperating=["S-XD"], text="Nhiệm vụ phối hợp")
    other = make_task(lead="S-TP", text="Nhiệm vụ của Sở Tư pháp")
    client.force_login(officers["S-XD"])
    listing = client.get(reverse("followup:tasks"))
    assert {t.pk for t in listing.context["tasks"]} == {own.pk, cooperating.pk}
    assert client.get(reverse("followup:task", args=[other.pk])).status_code == 403
    for name in ("followup:directives", "followup:dashboard", "followup:targets", "followup:statistics"):
        assert client.get(reverse(name)).status_code == 403


def test_a_report_on_another_units_task_is_refused_with_the_reason(make_task, officers, client):
    task = make_task(lead="S-TP")
    client.force_login(officers["S-XD"])
    response = client.post(reverse("followup:task_report", args=[task.pk]), {"text": "Đã làm", "percent": "50"})
    assert response.status_code == 403
    assert "Sở Xây dựng không chủ trì hay phối hợp nhiệm vụ này" in response.content.decode()
    assert ProgressReport.objects.count() == 0


def test_reporting_with_evidence_and_confirming_through_the_pages(make_task, officers, secretariat, client):
    task = make_task(lead="S-XD")
    client.force_login(officers["S-XD"])
    missing = client.post(reverse("followup:task_report", args=[task.pk]), {"text": "Xong", "percent": "100", "ask_completion": "on"})
    assert missing.status_code == 400 and "tài liệu kiểm chứng" in missing.content.decode()
    evidence = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minh chung", content_type="application/pdf")
    client.post(reverse("followup:task_report", args=[task.pk]),
                {"text": "Đã ban hành kế hoạch", "percent": "100", "ask_completion": "on", "evidence": evidence})
    report = ProgressReport.objects.get()
    download = client.get(reverse("followup:evidence", args=[report.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 minh chung"
    client.force_login(officers["S-TP"])
    assert client.get(reverse("followup:evidence", args=[report.pk])).status_code == 404
    client.force_login(secretariat)
    page = client.get(reverse("followup:task", args=[task.pk])).content.decode()
    assert "Xác nhận hoàn thành" in page
    client.post(reverse("followup:report_review", args=[report.pk]), {"action": "confirm", "note": "Đạt"})
    task.refresh_from_db()
    assert task.status == "done"


def test_the_task_form_says_what_is_wrong_in_vietnamese(notice, units, secretariat, client):
    client.force_login(secretariat)
    response = client.post(reverse("followup:task_new", args=[notice.pk]), {"text": "Nhiệm vụ thử", "deadline": "01/03/2023"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "đơn vị chủ trì" in html and "trước ngày ban hành" in html
    assert Task.objects.count() == 0
    response = client.post(reverse("followup:task_new", args=[notice.pk]),
                           {"text": "Nhiệm vụ thử", "deadline": "Quý II/2023", "lead_unit": units["S-XD"].pk,
                            "cooperating_units": [units["S-TC"].pk]})
    assert response.status_code == 302 and Task.objects.get().deadline_kind == "quarter"


def test_the_scorecard_link_opens_a_plan_with_the_weakest_first(ddci_runs, units, officers, client):
    run_2022, _ = ddci_runs
    client.force_login(officers["S-XD"])
    url = f"{reverse('followup:plan_new')}?run={run_2022.pk}&unit=S-XD"
    page = client.get(url)
    assert page.status_code == 200
    first_two = [choice.node.code for choice, _field in page.context["rows"][:2]]
    assert set(first_two) == {"i1", "i3"}
    response = client.post(url, {"codes": ["i1", "i3"], "target_i1": "45,5", "title": ""})
    plan = ImprovementPlan.objects.get()
    assert response["Location"] == reverse("followup:plan", args=[plan.pk])
    assert plan.items.get(code="i1").target_value == 45.5  # typed the Vietnamese way
    assert client.get(url)["Location"] == reverse("followup:plan", args=[plan.pk])  # a second visit opens it
    client.force_login(officers["S-TP"])
    refused = client.get(f"{reverse('followup:plan_new')}?run={run_2022.pk}&unit=S-XD")
    assert refused.status_code == 403
    assert client.get(reverse("followup:plan", args=[plan.pk])).status_code == 403


def test_plan_actions_through_the_page(ddci_runs, units, officers, client):
    run_2022, _ = ddci_runs
    client.force_login(officers["S-XD"])
    client.post(f"{reverse('followup:plan_new')}?run={run_2022.pk}&unit=S-XD", {"codes": ["i1"]})
    plan = ImprovementPlan.objects.get()
    item = plan.items.get()
    client.post(reverse("followup:plan_submit", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.submitted_at is None
    client.post(reverse("followup:plan_action_add", args=[item.pk]),
                {"text": "Công khai văn bản", "owner": "Văn phòng sở", "deadline": "2023-06-30"})
    client.post(reverse("followup:plan_submit", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.submitted_at is not None and item.actions.get().deadline == datetime.date(2023, 6, 30)


def test_year_on_year_is_computed_not_typed(secretariat, client):
    firms = statistic_create(code="doanh-nghiep-moi", name_vi="Doanh nghiệp thành lập mới", unit_of_measure="doanh nghiệp", by=None)
    statistic_value_set(statistic=firms, year=2021, value=143, source="Thông báo 511/TB-UBND", by=None)
    statistic_value_set(statistic=firms, year=2022, value=171, source="Thông báo 511/TB-UBND", by=None)
    client.force_login(secretariat)
    html = client.get(reverse("followup:statistics")).content.decode()
    assert "+28 (+19,58&nbsp;%)" in html and "143 (2021)" in html  # a sign never broken from its number


def test_the_leader_home_has_the_follow_up_card_and_the_dashboard(make_task, leader, secretariat, client, period):
    make_task(lead="S-XD", deadline="31/03/2023")
    client.force_login(leader)
    home = client.get(reverse("home")).content.decode()
    assert reverse("followup:dashboard") in home and "Việc quá hạn" in home
    dashboard = client.get(reverse("followup:dashboard"))
    assert dashboard.status_code == 200 and dashboard.context["counts"]["overdue"] == 1
    client.force_login(secretariat)
    assert "Mở bảng điều hành" not in client.get(reverse("home")).content.decode()


def test_statistics_and_targets_are_entered_by_the_secretariat_only(leader, secretariat, client):
    client.force_login(leader)
    assert client.post(reverse("followup:statistics"), {"form": "statistic", "s-code": "x", "s-name_vi": "X"}).status_code == 403
    client.force_login(secretariat)
    client.post(reverse("followup:statistics"), {"form": "statistic", "s-code": "ho-so-truc-tuyen", "s-name_vi": "Tỷ lệ hồ sơ trực tuyến",
                                                 "s-unit_of_measure": "%", "s-higher_is_better": "on"})
    response = client.post(reverse("followup:targets"), {
        "title": "Tỷ lệ hồ sơ trực tuyến ≥ 98 %", "source": "statistic", "measure": "score",
        "statistic": str(Statistic.objects.get(code="ho-so-truc-tuyen").pk),
        "target_year": "2025", "rule": "at_least", "amount": "98"})
    assert response.status_code == 302
    empty = client.post(reverse("followup:targets"), {"title": "Thiếu", "source": "national", "measure": "score",
                                                      "target_year": "2025", "rule": "increase"})
    assert empty.status_code == 400 and "Nothing was saved" not in empty.content.decode()


def test_nav_has_follow_up_for_everyone_and_notices_when_unread(make_task, officers, client):
    make_task(lead="S-XD")
    client.force_login(officers["S-XD"])
    nav = dict((str(label), url) for url, label in client.get(reverse("home")).context["nav_items"])
    assert nav["Theo dõi, đôn đốc"] == reverse("followup:tasks")
    assert nav["Thông báo (1)"] == reverse("notices:list")
