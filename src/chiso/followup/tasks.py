"""Background tasks of follow-up: the daily digest."""

from django_tasks import task

from chiso.jobs.services import job_run

from .notifications import digest_message, notices_digest


@task()
def followup_digest_task(job_id: int) -> None:
    def work(progress):
        summary = notices_digest(progress=progress)
        return {"message": digest_message(summary), "emails": summary.emails}

    job_run(job_id, work)
