"""Background tasks of index runs."""

from django.core.exceptions import ValidationError
from django_tasks import task

from chiso.jobs.services import job_run

from .models import IndexRun
from .uncertainty import run_uncertainty_compute


@task()
def run_uncertainty_task(job_id: int, run_id: int, user_id: int | None = None) -> None:
    def work(progress):
        from chiso.accounts.models import User

        run = IndexRun.objects.get(pk=run_id)
        progress(0, 1)
        try:
            analysis = run_uncertainty_compute(run=run, by=User.objects.filter(pk=user_id).first())
        except ValueError as error:
            raise ValidationError(str(error)) from None
        progress(1, 1)
        return {"uncertainty": analysis.pk, "run": run_id}

    job_run(job_id, work)


@task()
def run_sampling_task(job_id: int, run_id: int, user_id: int | None = None) -> None:
    """Bootstrap over the respondents of the surveys that fed the run (chiso.surveys.bootstrap)."""
    def work(progress):
        from chiso.accounts.models import User
        from chiso.surveys.bootstrap import run_sampling_compute

        run = IndexRun.objects.get(pk=run_id)
        progress(0, 1)
        try:
            analysis = run_sampling_compute(run=run, by=User.objects.filter(pk=user_id).first())
        except ValueError as error:
            raise ValidationError(str(error)) from None
        progress(1, 1)
        return {"uncertainty": analysis.pk, "run": run_id}

    job_run(job_id, work)
