"""Drafts nobody can reach any more, removed by the daily housekeeping (`manage.py housekeeping`).

A draft is reached through a browser's reference, a signed cookie that lasts SESSION_COOKIE_AGE
(draft_cookies.py), or, for an invitation, through the invitation's link again. So:

- a draft without an invitation (an open link's, a paper form's) not saved for longer than the
  cookie lasts can never be opened again;
- an invitation's draft can be opened until its survey closes; it is kept a while after
  (DRAFTS_KEPT_AFTER_CLOSING) in case the secretariat extends the survey.

Unreachable drafts hold answers that will never be submitted; keeping them only keeps data.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from chiso.surveys.models import Draft

DRAFTS_KEPT_AFTER_CLOSING = datetime.timedelta(days=30)


def clear_expired_drafts(*, now: datetime.datetime | None = None) -> int:
    """Delete the drafts described above; the number deleted."""
    now = now or timezone.now()
    unreachable = Draft.objects.filter(invitation__isnull=True, updated_at__lt=now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE))
    closed = Draft.objects.filter(invitation__isnull=False, survey__closes_at__lt=now - DRAFTS_KEPT_AFTER_CLOSING)
    deleted = unreachable.delete()[1].get(Draft._meta.label, 0)
    deleted += closed.delete()[1].get(Draft._meta.label, 0)
    return deleted
