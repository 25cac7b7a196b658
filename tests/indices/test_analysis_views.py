"""The analyst's pages on a run: buttons, background jobs, the audit and comparison pages."""

import pytest
from django.urls import reverse

from chiso.accounts.models import Role
from chiso.indices.models import IndexRun, RunAnalysis, RunUncertainty
from chiso.indices.services import run_create
from chiso.jobs.models import Job

from .test_analysis import run, secretariat  # noqa: F401  (the fixtures)


@pytest.fixture
def analyst_client(client, make_user):
    client.force_login(make_user("phantich", Role.ANALYST))
    return client


def _post(client, name, run, capture, data=None):
    with capture(execute=True):
        return client.post(reverse(name, args=[run.pk]), data or {})


def test_the_run_page_offers_the_analyst_the_audit_comparisons_and_uncertainty(analyst_client, run):
    html = analyst_client.get(reverse("indices:detail", args=[run.pk])).content.decode()
    assert reverse("indices:audit", args=[run.pk]) in html and reverse("indices:compare", args=[run.pk]) in html
    assert reverse("indices:uncertainty", args=[run.pk]) in html
    assert reverse("indices:publish", args=[run.pk]) not in html


def test_the_analyst_starts_uncertainty_audit_sensitivity_and_a_comparison(analyst_client, run, django_capture_on_commit_callbacks):
    before = (run.input_checksum, run.result_checksum)
    response = _post(analyst_client, "indices:uncertainty", run, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and RunUncertainty.objects.filter(run=run).count() == 1
    response = _post(analyst_client, "indices:audit_start", run, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind="run_audit")
    assert response.url == reverse("jobs:detail", args=[job.pk]) and job.status == Job.Status.DONE
    audit = RunAnalysis.objects.get(kind="audit")
    assert job.result["url"] == f"{reverse('indices:audit', args=[run.pk])}?show={audit.pk}"
    page = analyst_client.get(reverse("indices:audit", args=[run.pk])).content.decode()
    assert 'id="cronbach"' in page and "<svg" in page and "Cronbach" in page
    _post(analyst_client, "indices:sensitivity", run, django_capture_on_commit_callbacks)
    assert Job.objects.get(kind="run_sensitivity").status == Job.Status.DONE
    assert "Trọng số ±25 %" in analyst_client.get(reverse("indices:audit", args=[run.pk])).content.decode()
    response = _post(analyst_client, "indices:compare", run, django_capture_on_commit_callbacks,
                     {"normalisation": "current", "weights": "current", "aggregation": "copeland"})
    assert response.status_code == 302 and Job.objects.get(kind="run_comparison").status == Job.Status.DONE
    comparison = RunAnalysis.objects.get(kind="comparison")
    page = analyst_client.get(reverse("indices:compare", args=[run.pk])).content.decode()
    assert 'id="comparison"' in page and "Copeland" in page and 'data-unit="S-1"' in page
    assert f"?show={comparison.pk}" in page
    run = IndexRun.objects.get(pk=run.pk)
    assert (run.input_checksum, run.result_checksum) == before


def test_a_comparison_that_cannot_run_fails_its_job_in_words(analyst_client, run, django_capture_on_commit_callbacks):
    _post(analyst_client, "indices:compare", run, django_capture_on_commit_callbacks,
          {"normalisation": "minmax", "weights": "current", "aggregation": "gmean"})
    job = Job.objects.get(kind="run_comparison")
    assert job.status == Job.Status.FAILED
    assert job.message.startswith("Không tính được tổ hợp lựa chọn này") and "trung bình nhân" in job.message  # the engine's words, translated
    assert "geometric mean" not in job.message
    assert not RunAnalysis.objects.exists()


def test_bad_choices_are_refused_on_the_form(analyst_client, run):
    response = analyst_client.post(reverse("indices:compare", args=[run.pk]),
                                   {"normalisation": "current", "weights": "bod", "aggregation": "mpi"})
    assert response.status_code == 400 and not Job.objects.exists()
    assert analyst_client.post(reverse("indices:compare", args=[run.pk]), {"weights": "x"}).status_code == 400


@pytest.mark.parametrize("role", [Role.LEADER, Role.APPRAISER])
def test_other_provincial_roles_may_not_analyse(client, make_user, run, role):
    client.force_login(make_user("someone", role))
    for name in ("indices:audit", "indices:compare"):
        assert client.get(reverse(name, args=[run.pk])).status_code == 403
    for name in ("indices:audit_start", "indices:sensitivity", "indices:uncertainty", "indices:compare"):
        assert client.post(reverse(name, args=[run.pk])).status_code == 403
    assert reverse("indices:audit", args=[run.pk]) not in client.get(reverse("indices:detail", args=[run.pk])).content.decode()
    assert not Job.objects.exists()


def test_the_analyst_does_not_see_a_draft(analyst_client, run, secretariat):
    draft = run_create(version=run.version, period=run.period, block=run.block, by=secretariat)
    assert analyst_client.get(reverse("indices:audit", args=[draft.pk])).status_code == 403
    assert analyst_client.post(reverse("indices:uncertainty", args=[draft.pk])).status_code == 403


def test_an_index_that_adds_up_points_is_not_offered_the_audit_it_cannot_have(analyst_client, run):
    assert 'id="audit-start"' in analyst_client.get(reverse("indices:audit", args=[run.pk])).content.decode()
    IndexRun.objects.filter(pk=run.pk).update(steps_log=[s for s in run.steps_log if s[0] != "aggregate"])  # as a points index's run
    page = analyst_client.get(reverse("indices:audit", args=[run.pk])).content.decode()
    assert 'id="audit-start"' not in page and 'id="sensitivity-start"' not in page
    assert "không áp dụng cho chỉ số cộng điểm" in page  # and it says why
