"""Background tasks of the assessments app: e-mail reminders, and every unit's PDF report at once."""

import io
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from chiso.jobs.services import job_run

from .models import Cycle
from .reports import unit_pdf
from .services import reminders_send


@task()
def reminders_task(job_id: int, base_url: str = "") -> None:
    def work(progress):
        sent = reminders_send(base_url=base_url)
        progress(1, 1)
        return {"sent": sent}

    job_run(job_id, work)


@task()
def unit_reports_task(job_id: int, cycle_id: int) -> None:
    def work(progress):
        cycle = Cycle.objects.get(pk=cycle_id)
        assessments = list(cycle.assessments.select_related("unit", "cycle__version", "cycle__period"))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for done, assessment in enumerate(assessments, start=1):
                archive.writestr(f"{assessment.unit.code}.pdf", unit_pdf(assessment))
                progress(done, len(assessments))
        relative = Path("exports") / f"par-{cycle.pk}-{timezone.localtime():%Y%m%d-%H%M%S}-{job_id}.zip"
        target = Path(settings.MEDIA_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(buffer.getvalue())
        return {"output_file": str(relative)}

    job_run(job_id, work)
