"""Start background work and report its progress on the Job row that pages poll.

A task function takes `job_id` and calls `job_progress` as it goes; `job_run` wraps it so
that a failure is recorded as a message for the user (the traceback goes to the log only);
a ValidationError raised by the work is a readable refusal and its own message is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Job

log = logging.getLogger(__name__)


def job_start(*, kind: str, title: str, by, task, **task_kwargs) -> Job:
    """Create the status row, then enqueue `task(job_id=…, **task_kwargs)` once it is committed."""
    job = Job.objects.create(kind=kind, title=title, created_by=by if getattr(by, "pk", None) else None)

    def enqueue():
        result = task.enqueue(job_id=job.pk, **task_kwargs)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))

    transaction.on_commit(enqueue, robust=False)
    return job


def job_progress(*, job_id: int, done: int, total: int | None = None, message: str = "") -> None:
    fields = {"done": done, "status": Job.Status.RUNNING}
    if total is not None:
        fields["total"] = total
    if message:
        fields["message"] = message
    Job.objects.filter(pk=job_id).update(**fields)


def job_run(job_id: int, work: Callable[[Callable[..., None]], dict]) -> None:
    """Run `work(progress)` for a job; it returns the result dict (may name `output_file`, a file to
    download, and `url`, the page that shows the result)."""
    Job.objects.filter(pk=job_id).update(status=Job.Status.RUNNING)

    def progress(done: int, total: int | None = None, message: str = "") -> None:
        job_progress(job_id=job_id, done=done, total=total, message=message)

    try:
        result = work(progress) or {}
    except ValidationError as error:  # a readable refusal (bad input, nothing to do): say it as it is
        # Several messages (an import's problems by file, sheet, row and column) are listed one by one.
        problems = {"problems": error.messages} if len(error.messages) > 1 else {}
        Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, message=" ".join(error.messages)[:1000], result=problems,
                                             updated_at=timezone.now())
        return
    except Exception:
        log.exception("job %s failed", job_id)
        job = Job.objects.get(pk=job_id)
        job.status = Job.Status.FAILED
        job.message = _("The job failed. The administrator can find the details in the server log (job %(id)s).") % {
            "id": job_id
        }
        job.save(update_fields=["status", "message", "updated_at"])
        return
    job = Job.objects.get(pk=job_id)
    job.status = Job.Status.DONE
    job.done = job.total or job.done
    job.output_file = result.pop("output_file", "")
    job.result = result
    job.save()
