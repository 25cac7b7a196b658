"""Background tasks of follow-up: the daily digest."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from chiso.jobs.imports import import_job_run
from chiso.jobs.services import job_run

from .importing import tasks_import
from .models import Directive
from .notifications import digest_message, notices_digest


@task()
def followup_digest_task(job_id: int) -> None:
    def work(progress):
        summary = notices_digest(progress=progress)
        return {"message": digest_message(summary), "emails": summary.emails}

    job_run(job_id, work)


@task()
def tasks_import_task(job_id: int, folder: str, user_id: int | None, language: str, directive_id: int) -> None:
    """A large table of a directive's tasks, read, checked and written by the job (chiso.jobs.imports)."""
    def work(*, files, by, progress):
        directive = Directive.objects.get(pk=directive_id)
        file_name, content = files[0]
        count = tasks_import(directive=directive, file_name=file_name, content=content, by=by, progress=progress)
        return {"message": _("%(count)s tasks imported and assigned.") % {"count": count},
                "url": reverse("followup:directive", args=[directive.pk])}

    import_job_run(job_id, folder=folder, user_id=user_id, language=language, work=work)
