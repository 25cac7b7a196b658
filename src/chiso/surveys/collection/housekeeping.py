"""Drafts nobody can reach any more, removed by the daily housekeeping (`manage.py housekeeping`).

A draft is reached through a browser's reference, a signed cookie that lasts SESSION_COOKIE_AGE
(draft_cookies.py), or, for an invitation, through the invitation's link again. So:

- a draft without an invitation (an open link's, a paper form's) not saved for longer than the
  cookie lasts can never be opened again;
- an invitation's draft can be opened until its survey closes; it is kept a while after
  (DRAFTS_KEPT_AFTER_CLOSING) in case the secretariat extends the survey.

Unreachable drafts hold answers that will never be submitted; keeping them only keeps data.
The same goes for the files respondents uploaded (photos, recordings, documents): a file that no
response, draft, response waiting for its batch or paper entry names any more — its draft was
deleted, or the respondent replaced it before sending — is deleted too, once it is old enough
that no page save can still be on its way to name it (MEDIA_GRACE).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from chiso.surveys.models import Draft, HeldResponse, PaperEntry, Response, Survey

from .media import answer_strings, media_folder

DRAFTS_KEPT_AFTER_CLOSING = datetime.timedelta(days=30)
MEDIA_GRACE = datetime.timedelta(hours=6)  # a file is stored, then its page's answers saved, in one request


def clear_expired_drafts(*, now: datetime.datetime | None = None) -> int:
    """Delete the drafts described above; the number deleted."""
    now = now or timezone.now()
    unreachable = Draft.objects.filter(invitation__isnull=True, updated_at__lt=now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE))
    closed = Draft.objects.filter(invitation__isnull=False, survey__closes_at__lt=now - DRAFTS_KEPT_AFTER_CLOSING)
    deleted = unreachable.delete()[1].get(Draft._meta.label, 0)
    deleted += closed.delete()[1].get(Draft._meta.label, 0)
    return deleted


def clear_unnamed_media(*, now: datetime.datetime | None = None) -> int:
    """Delete the uploaded files no answers name (see above); the number deleted."""
    now = now or timezone.now()
    deleted = 0
    for survey in Survey.objects.all():
        folder = media_folder(survey)
        if not folder.is_dir():
            continue
        old_enough = now.timestamp() - MEDIA_GRACE.total_seconds()
        candidates = {p.name: p for p in folder.iterdir() if p.is_file() and p.stat().st_mtime < old_enough}
        if not candidates:
            continue
        for answers in _answers_of(survey):
            for text in answer_strings(answers):
                candidates.pop(text, None)
            if not candidates:
                break
        for path in candidates.values():
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


def _answers_of(survey: Survey):
    """The answers of everything of the survey that may name a file (sealed fields are opened by
    their field), streamed."""
    yield from Response.objects.filter(survey=survey).values_list("answers", flat=True).iterator(chunk_size=500)
    for model in (HeldResponse, Draft):
        for row in model.objects.filter(survey=survey).only("answers").iterator(chunk_size=500):
            yield row.answers
    yield from PaperEntry.objects.filter(paper_form__survey=survey).values_list("answers", flat=True).iterator(chunk_size=500)
