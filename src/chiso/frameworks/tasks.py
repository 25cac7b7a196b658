"""Background tasks of frameworks: a large framework file, read, checked and stored by a job."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from chiso.jobs.imports import import_job_run

from .services import framework_import


def import_message(outcome) -> str:
    """What an import did, for the person who ran it."""
    if outcome.created:
        return _("Imported as %(version)s.") % {"version": outcome.version}
    return _("This is the same as %(version)s: nothing changed.") % {"version": outcome.version}


@task()
def framework_import_task(job_id: int, folder: str, user_id: int | None, language: str, framework_code: str | None) -> None:
    def work(*, files, by, progress):
        file_name, content = files[0]
        outcome = framework_import(file_name=file_name, content=content, by=by, framework_code=framework_code)
        version = outcome.version
        return {"message": import_message(outcome), "notes": list(outcome.warnings),
                "url": reverse("frameworks:detail", kwargs={"framework_code": version.framework.code, "number": version.number})}

    import_job_run(job_id, folder=folder, user_id=user_id, language=language, work=work)
