"""Background tasks of the surveys app: sending invitations and reminders, printing letters,
checking data quality, exporting. Each reports progress on its Job row (chiso.jobs)."""

import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from chiso.accounts.models import User
from chiso.jobs.imports import import_job_run
from chiso.jobs.services import job_run

from chiso.surveys.collection.importing import responses_import, responses_import_message
from chiso.surveys.fieldwork.exports import ExportError, survey_export
from chiso.surveys.fieldwork.frames import frame_import
from chiso.surveys.fieldwork.mailing import invitations_email, letters_pdf
from chiso.surveys.fieldwork.quality import quality_check
from chiso.surveys.models import Sample, Survey
from chiso.surveys.services import questionnaire_import

log = logging.getLogger(__name__)


def _target(name: str) -> tuple[Path, str]:
    relative = Path("exports") / name
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    return target, str(relative)


@task()
def invitations_send_task(job_id: int, sample_id: int, message_kind: str, base_url: str, user_id: int | None = None) -> None:
    def work(progress):
        sample = Sample.objects.select_related("survey").get(pk=sample_id)
        by = User.objects.get(pk=user_id) if user_id else None  # the person who started the job (checked again)
        return invitations_email(sample=sample, kind=message_kind, base_url=base_url, by=by, progress=progress)

    job_run(job_id, work)


@task()
def letters_task(job_id: int, sample_id: int, base_url: str, only_without_email: bool = False) -> None:
    def work(progress):
        sample = Sample.objects.select_related("survey").get(pk=sample_id)
        content, count = letters_pdf(sample=sample, base_url=base_url, only_without_email=only_without_email, progress=progress)
        target, relative = _target(f"letters-{sample.survey.code}-{timezone.localtime():%Y%m%d-%H%M%S}-{job_id}.pdf")
        target.write_bytes(content)
        return {"output_file": relative, "letters": count}

    job_run(job_id, work)


@task()
def quality_check_task(job_id: int, survey_id: int) -> None:
    def work(progress):
        return quality_check(survey=Survey.objects.get(pk=survey_id), progress=progress)

    job_run(job_id, work)


@task()
def export_task(job_id: int, survey_id: int, fmt: str, include_text: bool = False) -> None:
    def work(progress):
        survey = Survey.objects.get(pk=survey_id)
        suffix = "xlsx" if fmt == "xlsx" else f"{fmt}.zip"
        target, relative = _target(f"survey-{survey.code}-{timezone.localtime():%Y%m%d-%H%M%S}-{job_id}.{suffix}")
        try:
            survey_export(survey=survey, fmt=fmt, target=target, include_text=include_text, progress=progress)
        except ExportError as error:
            log.error("export of survey %s as %s failed: %s", survey.code, fmt, error)
            target.unlink(missing_ok=True)  # no half-written file left to download
            raise ValidationError(error.user_message) from None
        return {"output_file": relative}

    job_run(job_id, work)


# --- large imports, read, checked and written by a job (chiso.jobs.imports) ---------------------

def _import_run(job_id: int, folder: str, user_id: int | None, language: str, work) -> None:
    import_job_run(job_id, folder=folder, user_id=user_id, language=language, work=work)


@task()
def frame_import_task(job_id: int, folder: str, user_id: int | None, language: str, name: str, frame_kind: str,
                      duplicates: str) -> None:
    def work(*, files, by, progress):
        file_name, content = files[0]
        result = frame_import(name=name, file_name=file_name, content=content, kind=frame_kind, duplicates=duplicates,
                              by=by, progress=progress)
        return {"message": _("Frame imported: %(n)s entries.") % {"n": result.entries}, "notes": result.merged,
                "url": reverse("surveys:frames")}

    _import_run(job_id, folder, user_id, language, work)


@task()
def responses_import_task(job_id: int, folder: str, user_id: int | None, language: str, survey_id: int) -> None:
    def work(*, files, by, progress):
        survey = Survey.objects.select_related("period", "version").get(pk=survey_id)
        result = responses_import(survey=survey, files=files, by=by, progress=progress)
        message, notes = responses_import_message(result)
        return {"message": message, "notes": notes, "url": reverse("surveys:detail", args=[survey.code])}

    _import_run(job_id, folder, user_id, language, work)


@task()
def questionnaire_import_task(job_id: int, folder: str, user_id: int | None, language: str) -> None:
    def work(*, files, by, progress):
        file_name, content = files[0]
        result = questionnaire_import(file_name=file_name, content=content, by=by)
        if result.created:
            message = _("Questionnaire %(form)s version %(version)s imported.") % {
                "form": result.version.questionnaire.form_id, "version": result.version.version}
        else:
            message = _("This version was already imported; nothing changed.")
        return {"message": message, "url": reverse("surveys:questionnaire", args=[result.version.pk])}

    _import_run(job_id, folder, user_id, language, work)
