"""Background work of the frame every page shares: the daily housekeeping."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task

from chiso.surveys.collection.housekeeping import clear_expired_drafts, clear_unnamed_media


def housekeeping() -> dict:
    """Expired sessions, unreachable survey drafts and the uploaded files no answers name any more
    deleted; how many of each."""
    sessions = 0
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        sessions = Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]
    else:  # another engine clears its own way, as `manage.py clearsessions` does
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    drafts = clear_expired_drafts()  # first: the files of the drafts it deletes go next
    return {"sessions": sessions, "drafts": drafts, "media": clear_unnamed_media()}


@task()
def housekeeping_task() -> dict:
    return housekeeping()
