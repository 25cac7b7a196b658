"""Reads about notices: a person's notices with the objects they are about (one query per kind of
object, not one per notice), the unread count of the menu, the latest for the home page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from .kinds import notices_load
from .models import Notice

HOME_LATEST = 5


def notices_of(user):
    return Notice.objects.filter(user=user)


def notices_unread(user):
    return Notice.objects.filter(user=user, read_at__isnull=True)


def notices_page(user, *, unread_only: bool = False, limit: int = 200) -> list[Notice]:
    notices = notices_unread(user) if unread_only else notices_of(user)
    return notices_load(notices[:limit])


def notices_latest_unread(user, limit: int = HOME_LATEST) -> list[Notice]:
    """What the home page lists: the newest unread notices."""
    return notices_load(notices_unread(user)[:limit])


def notices_nav_items(user) -> list[tuple[str, str]]:
    """The menu entry "Thông báo", with the number unread."""
    if not user.is_authenticated:
        return []
    unread = notices_unread(user).count()
    label = _("Notices (%(count)s)") % {"count": unread} if unread else _("Notices")
    return [(reverse("notices:list"), label)]
