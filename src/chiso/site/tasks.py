"""Background work of the frame every page shares: the daily housekeeping."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks import task

from chiso.surveys.collection.housekeeping import clear_expired_drafts


def housekeeping() -> dict:
    """Expired sessions and unreachable survey drafts deleted; how many of each."""
    sessions = 0
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        sessions = Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]
    else:  # another engine clears its own way, as `manage.py clearsessions` does
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return {"sessions": sessions, "drafts": clear_expired_drafts()}


@task()
def housekeeping_task() -> dict:
    return housekeeping()
