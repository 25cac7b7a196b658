"""Background tasks of the results app: every scorecard of a run as PDFs in one ZIP."""

from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django_tasks import task

from chiso.indices.models import IndexRun
from chiso.jobs.services import job_run

from .reports import scorecards_zip


@task()
def scorecards_batch_task(job_id: int, run_id: int, language: str = "vi") -> None:
    def work(progress):
        run = IndexRun.objects.select_related("version__framework", "period", "block").get(pk=run_id)
        with translation.override(language):
            content = scorecards_zip(run, progress)
        relative = Path("exports") / f"scorecards-{run.pk}-{timezone.localtime():%Y%m%d-%H%M%S}-{job_id}.zip"
        target = Path(settings.MEDIA_ROOT) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        return {"output_file": str(relative), "run": run.pk}

    job_run(job_id, work)
