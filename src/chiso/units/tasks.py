"""Background tasks of the units app."""

from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from chiso.jobs.imports import import_job_run
from chiso.jobs.services import job_run

from .exporting import units_workbook
from .importing import import_message, units_import


@task()
def units_export_task(job_id: int) -> None:
    def work(progress):
        content = units_workbook(progress)
        relative = Path("exports") / f"units-{timezone.localtime():%Y%m%d-%H%M%S}-{job_id}.xlsx"
        target = Path(settings.MEDIA_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        return {"output_file": str(relative)}

    job_run(job_id, work)


@task()
def units_import_task(job_id: int, folder: str, user_id: int | None, language: str) -> None:
    """A large unit or lineage list, read, checked and written by the job (chiso.jobs.imports)."""
    def work(*, files, by, progress):
        summary = units_import(files=files, by=by, progress=progress)
        return {"message": import_message(summary), "notes": [str(w) for w in summary.warnings],
                "url": reverse("units:list")}

    import_job_run(job_id, folder=folder, user_id=user_id, language=language, work=work)
