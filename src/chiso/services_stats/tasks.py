"""Background task: a large confirmed import of one-stop-shop statistics, with progress."""

from django.core.exceptions import ValidationError
from django.urls import reverse
from django_tasks import task

from chiso.jobs.services import job_run


@task()
def service_stats_import_task(job_id: int, token: str, user_id: int) -> None:
    def work(progress):
        from chiso.accounts.models import User
        from chiso.core.pending_imports import pending_drop, pending_load
        from chiso.core.tabular import ImportFailed
        from chiso.units.models import Period

        from .importing import service_stats_import
        from .models import SourceFormat
        from .views import PENDING_KIND, import_message

        user = User.objects.get(pk=user_id)
        pending = pending_load(token=token, kind=PENDING_KIND, by=user)
        params = pending.params
        progress(0, params.get("size") or 1)
        try:
            record = service_stats_import(
                period=Period.objects.get(pk=params["period"]), file_name=pending.file_name, content=pending.content,
                source_format=SourceFormat.objects.filter(pk=params["source_format"]).first(),
                replace_period=params["replace_period"], expected=pending.fingerprint, by=user, progress=progress)
        except ImportFailed as failure:
            raise ValidationError(" ".join(str(p) for p in failure.problems[:5])) from None
        pending_drop(token)
        return {"import": record.pk, "url": reverse("services_stats:imports"), "message": import_message(record)}

    job_run(job_id, work)
