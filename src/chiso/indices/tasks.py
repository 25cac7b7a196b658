"""Background tasks of index runs: the analyses of how sure each rank is."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django_tasks import task

from chiso.accounts.models import User
from chiso.jobs.services import job_run
from chiso.surveys.fieldwork.sampling_error import run_sampling_compute

from .analysis import run_audit_compute, run_comparison_compute, run_sensitivity_compute
from .models import IndexRun
from .uncertainty import run_uncertainty_compute


def _analyse(job_id: int, run_id: int, user_id: int | None, compute) -> None:
    """Run `compute(run=…, by=…)` as the job; its ValueError is a readable refusal for the person."""
    def work(progress):
        run = IndexRun.objects.get(pk=run_id)
        progress(0, 1)
        try:
            analysis = compute(run=run, by=User.objects.filter(pk=user_id).first())
        except ValueError as error:
            raise ValidationError(str(error)) from None
        progress(1, 1)
        return {"uncertainty": analysis.pk, "run": run_id, "url": reverse("indices:detail", args=[run_id])}

    job_run(job_id, work)


@task()
def run_uncertainty_task(job_id: int, run_id: int, user_id: int | None = None) -> None:
    _analyse(job_id, run_id, user_id, run_uncertainty_compute)


@task()
def run_sampling_task(job_id: int, run_id: int, user_id: int | None = None) -> None:
    """Bootstrap over the respondents of the surveys that fed the run (chiso.surveys.fieldwork.sampling_error)."""
    _analyse(job_id, run_id, user_id, run_sampling_compute)


def _workbench(job_id: int, run_id: int, user_id: int | None, compute, page: str, **kwargs) -> None:
    """Run one of the analyst's analyses (chiso.indices.analysis) as the job; the result opens its page."""
    def work(progress):
        run = IndexRun.objects.get(pk=run_id)
        progress(0, 1)
        try:
            analysis = compute(run=run, by=User.objects.filter(pk=user_id).first(), **kwargs)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        progress(1, 1)
        return {"analysis": analysis.pk, "run": run_id, "url": f"{reverse(page, args=[run_id])}?show={analysis.pk}"}

    job_run(job_id, work)


@task()
def run_audit_task(job_id: int, run_id: int, user_id: int | None = None) -> None:
    _workbench(job_id, run_id, user_id, run_audit_compute, "indices:audit")


@task()
def run_sensitivity_task(job_id: int, run_id: int, user_id: int | None = None) -> None:
    _workbench(job_id, run_id, user_id, run_sensitivity_compute, "indices:audit")


@task()
def run_comparison_task(job_id: int, run_id: int, user_id: int | None = None, spec: dict | None = None) -> None:
    _workbench(job_id, run_id, user_id, run_comparison_compute, "indices:compare", spec=spec or {})
