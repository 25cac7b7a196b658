"""Background tasks of the units app."""

from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from chiso.jobs.services import job_run

from .exporting import units_workbook


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
