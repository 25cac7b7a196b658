"""Background tasks of index runs."""

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
        analysis = run_uncertainty_compute(run=run, by=User.objects.filter(pk=user_id).first())
        progress(1, 1)
        return {"uncertainty": analysis.pk, "run": run_id}

    job_run(job_id, work)
