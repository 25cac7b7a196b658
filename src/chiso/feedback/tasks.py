"""Background tasks of the feedback app."""

from django_tasks import task

from chiso.jobs.services import job_run

from .services import feedback_escalate


@task()
def feedback_escalate_task(job_id: int) -> None:
    def work(progress):
        done = feedback_escalate()
        progress(len(done), len(done))
        return {"escalated": [f.number for f, _level in done]}

    job_run(job_id, work)
