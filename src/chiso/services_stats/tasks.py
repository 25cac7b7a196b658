"""Background task: a large confirmed import of one-stop-shop statistics, with progress
(chiso.jobs.imports keeps the file and runs it in the language of the person who confirmed it)."""

from django.urls import reverse
from django_tasks import task

from chiso.jobs.imports import import_job_run
from chiso.units.models import Period

from .importing import import_message, service_stats_import
from .models import SourceFormat


@task()
def service_stats_import_task(job_id: int, folder: str, user_id: int | None, language: str, period_id: int,
                              source_format_id: int | None, replace_period: bool, expected: str) -> None:
    def work(*, files, by, progress):
        ((file_name, content),) = files
        record = service_stats_import(
            period=Period.objects.get(pk=period_id), file_name=file_name, content=content,
            source_format=SourceFormat.objects.filter(pk=source_format_id).first(), replace_period=replace_period,
            expected=expected, by=by, progress=progress)
        return {"message": import_message(record), "url": reverse("services_stats:imports")}

    import_job_run(job_id, folder=folder, user_id=user_id, language=language, work=work)
