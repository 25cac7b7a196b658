"""The progress of a background job: a page, and the fragment htmx polls."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from .models import Job


def _own_job(request, pk: int) -> Job:
    job = get_object_or_404(Job, pk=pk)
    # A job's output may hold any unit's data: only the person who started it sees it.
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied
    return job


@login_required
def job_detail(request, pk: int):
    job = _own_job(request, pk)
    template = "jobs/_status.html" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE or not job.output_file:
        raise Http404
    path = (Path(settings.MEDIA_ROOT) / job.output_file).resolve()
    if not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()) or not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
