"""Results pages: who sees what, Vietnamese numbers, downloads and the batch of PDFs."""

import pytest
from django.urls import NoReverseMatch, reverse

from chiso.accounts.models import Role
from chiso.jobs.models import Job
from chiso.results.queries import ranking_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(client, make_user):
    client.force_login(make_user("lanhdao", Role.LEADER))
    return client


def test_ranking_page_in_vietnamese_with_change_and_block_tabs(leader, sample):
    response = leader.get(reverse("results:ranking", args=[sample.ddci_2023.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    row = ranking_get(sample.ddci_2023).rows[0]
    assert f"{row.score:.2f}".replace(".", ",") in html
    assert "▲ 3" in html and "lên 3 bậc" in html  # S-A gained three places
    assert reverse("results:ranking", args=[sample.districts.pk]) in html  # the district block's tab
    assert reverse("results:scorecard", args=[sample.ddci_2023.pk, "S-A"]) in html
    assert '<img class="chart"' in html and "heat-4" in html
    assert "Kết quả" in html  # the navigation item


def test_sorting_links_change_the_order(leader, sample):
    response = leader.get(reverse("results:ranking", args=[sample.ddci_2023.pk]), {"sort": "name"})
    names = [r.unit.name_vi for r in response.context["rows"]]
    assert names == sorted(names) and response.context["sort"] == "name"


def test_drafts_for_the_secretariat_superseded_for_provincial_roles(client, make_user, sample):
    client.force_login(make_user("lanhdao", Role.LEADER))
    assert client.get(reverse("results:ranking", args=[sample.draft.pk])).status_code == 404
    superseded = client.get(reverse("results:ranking", args=[sample.superseded.pk])).content.decode()
    assert "Đã bị thay thế" in superseded or "thay thế" in superseded
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    draft = client.get(reverse("results:ranking", args=[sample.draft.pk]))
    assert draft.status_code == 200 and "Bản nháp" in draft.content.decode()
    client.force_login(make_user("canbo", Role.UNIT_OFFICER, unit=sample.units["S-B"]))
    assert client.get(reverse("results:ranking", args=[sample.superseded.pk])).status_code == 404
    assert client.get(reverse("results:scorecard", args=[sample.ddci_2023.pk, "S-B"])).status_code == 200


def test_scorecard_page_and_its_pdf(leader, sample):
    url = reverse("results:scorecard", args=[sample.par_2023.pk, "S-A"])
    html = leader.get(url).content.decode()
    assert "Sở Tài chính" in html and "% điểm tối đa" in html and "100,0" in html
    pdf = leader.get(reverse("results:scorecard_pdf", args=[sample.par_2023.pk, "S-A"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "2023-PAR-T-S-A.pdf" in pdf["Content-Disposition"]
    assert leader.get(reverse("results:scorecard", args=[sample.par_2023.pk, "H-1"])).status_code == 404


def test_reports_for_an_index_and_a_period(leader, sample):
    pdf = leader.get(reverse("results:report_pdf", args=["2023", "DDCI"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = leader.get(reverse("results:report_xlsx", args=["2023", "DDCI"]))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert leader.get(reverse("results:report_pdf", args=["2023", "NOPE"])).status_code == 404
    assert leader.get(reverse("results:run_workbook", args=[sample.ddci_2023.pk])).content.startswith(b"PK")


def test_the_batch_of_scorecards_starts_a_job_for_provincial_roles_only(client, make_user, sample, django_capture_on_commit_callbacks):
    client.force_login(make_user("canbo", Role.UNIT_OFFICER, unit=sample.units["S-B"]))
    url = reverse("results:scorecards_batch", args=[sample.par_2023.pk])
    assert client.post(url).status_code == 403
    client.force_login(make_user("phantich", Role.ANALYST))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("jobs:detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.output_file.endswith(".zip")


def test_the_index_lists_runs_by_period_with_filters(leader, sample):
    html = leader.get(reverse("results:index")).content.decode()
    assert reverse("results:ranking", args=[sample.communes.pk]) in html
    assert reverse("results:ranking", args=[sample.draft.pk]) not in html
    filtered = leader.get(reverse("results:index"), {"block": "commune"}).content.decode()
    assert reverse("results:ranking", args=[sample.communes.pk]) in filtered
    assert reverse("results:ranking", args=[sample.ddci_2023.pk]) not in filtered


def test_login_required(client, sample):
    response = client.get(reverse("results:ranking", args=[sample.ddci_2023.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_published_scorecard_links_to_an_improvement_plan(client, make_user, sample):
    try:
        start = reverse("followup:plan_new")
    except NoReverseMatch:
        pytest.skip("chiso.followup is not installed")
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    html = client.get(reverse("results:scorecard", args=[sample.ddci_2023.pk, "S-D"])).content.decode()
    assert f"{start}?run={sample.ddci_2023.pk}&amp;unit=S-D" in html
    client_draft = client.get(reverse("results:scorecard", args=[sample.superseded.pk, "S-D"])).content.decode()
    assert start not in client_draft  # plans start from the published result only


def test_the_plan_link_is_offered_only_to_who_may_file_the_plan(client, make_user, sample):
    """The unit's own officer files its plan (and the secretariat); a leader or another unit's
    officer reading the scorecard would only meet a refusal (seen: every scorecard offered it)."""
    from chiso.units.models import Unit

    try:
        start = reverse("followup:plan_new")
    except NoReverseMatch:
        pytest.skip("chiso.followup is not installed")
    url = reverse("results:scorecard", args=[sample.ddci_2023.pk, "S-D"])
    for user, offered in ((make_user("canbo.d", Role.UNIT_OFFICER, unit=Unit.objects.get(code="S-D")), True),
                          (make_user("canbo.a", Role.UNIT_OFFICER, unit=Unit.objects.get(code="S-A")), False),
                          (make_user("lanhdao", Role.LEADER), False)):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert (start in response.content.decode()) is offered, user.username
