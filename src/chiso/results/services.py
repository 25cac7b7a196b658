"""Writes of the results app: starting the batch of scorecard PDFs (the only state it changes
is the job row that reports progress)."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiso.indices.models import IndexRun
from chiso.jobs.models import Job
from chiso.jobs.services import job_start

from .tasks import scorecards_batch_task


def scorecards_batch_start(*, run: IndexRun, by) -> Job:
    title = _("Scorecards (PDF) — %(run)s") % {"run": run.title}
    return job_start(kind="results.scorecards", title=title, by=by, task=scorecards_batch_task,
                     run_id=run.pk, language=get_language() or "vi")
