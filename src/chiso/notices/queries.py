"""Reads about notices: a person's notices with the objects they are about (one query per kind of
object, not one per notice), the unread count of the menu, the latest for the home page."""

from __future__ import annotations

from collections import defaultdict

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _

from .kinds import KINDS
from .models import Notice

HOME_LATEST = 5


def notices_of(user):
    return Notice.objects.filter(user=user)


def notices_unread(user):
    return Notice.objects.filter(user=user, read_at__isnull=True)


def notices_load(notices) -> list[Notice]:
    """Attach to each notice the object it is about (`_object`, None when it is gone)."""
    notices = list(notices)
    wanted: dict[str, set[str]] = defaultdict(set)
    related: dict[str, set[str]] = defaultdict(set)
    for notice in notices:
        wanted[notice.object_type].add(notice.object_id)
        kind = KINDS.get(notice.kind)
        if kind is not None:
            related[notice.object_type].update(kind.related)
    found: dict[tuple[str, str], object] = {}
    for object_type, ids in wanted.items():
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            continue
        objects = model._default_manager.select_related(*sorted(related[object_type])).filter(pk__in=list(ids))
        found.update({(object_type, str(obj.pk)): obj for obj in objects})
    for notice in notices:
        notice._object = found.get((notice.object_type, notice.object_id))
    return notices


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
