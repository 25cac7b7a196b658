"""The daily digest: notices for approaching and passed deadlines, then one e-mail per person
with everything new since the last digest — a digest rather than a flood.

Run once a day (cron: `python manage.py followup_digest`, or the background task). Running it
twice on a day adds nothing and sends nothing new: each notice exists once per task and due
date, and is e-mailed once.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Notice, Task
from .queries import OPEN, reminder_days, today_local
from .services import notices_create, unit_officers


@dataclass
class DigestSummary:
    due_soon: int = 0
    overdue: int = 0
    emails: int = 0


def notices_for_deadlines(*, today: datetime.date, days: int) -> tuple[int, int]:
    """Notices to the lead unit's officers: a deadline within `days`, or passed. Once per due date."""
    soon = overdue = 0
    tasks = Task.objects.filter(status__in=OPEN, due_date__lte=today + datetime.timedelta(days=days)).select_related("lead_unit")
    for task in tasks:
        kind = Notice.Kind.OVERDUE if task.due_date < today else Notice.Kind.DUE_SOON
        created = notices_create(users=unit_officers([task.lead_unit]), kind=kind, task=task, key=task.due_date.isoformat())
        if kind == Notice.Kind.OVERDUE:
            overdue += created
        else:
            soon += created
    return soon, overdue


def _base_url() -> str:
    return getattr(settings, "CHISO_BASE_URL", "").rstrip("/")


@transaction.atomic
def notices_digest(*, today: datetime.date | None = None, days: int | None = None, base_url: str | None = None,
                   progress=None) -> DigestSummary:
    today = today or today_local()
    days = reminder_days() if days is None else days
    summary = DigestSummary()
    with translation.override(settings.LANGUAGE_CODE):
        summary.due_soon, summary.overdue = notices_for_deadlines(today=today, days=days)
        pending = (
            Notice.objects.filter(emailed_at__isnull=True, read_at__isnull=True, user__is_active=True)
            .exclude(user__email="")
            .select_related("user", "task__directive", "task__lead_unit")
            .order_by("user_id", "kind", "task__due_date")
        )
        by_user: dict = defaultdict(list)
        for notice in pending:
            by_user[notice.user].append(notice)
        messages = []
        for number, (user, notices) in enumerate(by_user.items(), start=1):
            subject = ngettext(
                "chiso: %(count)s follow-up notice on %(day)s", "chiso: %(count)s follow-up notices on %(day)s", len(notices)
            ) % {"count": len(notices), "day": date_format(today, "SHORT_DATE_FORMAT")}
            body = render_to_string("followup/digest_email.txt", {"user": user, "notices": notices, "base_url": (base_url if base_url is not None else _base_url()).rstrip("/"), "today": today})
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
            if progress:
                progress(number, len(by_user))
        if messages:
            send_mass_mail(messages, fail_silently=False)
        sent = [n.pk for notices in by_user.values() for n in notices]
        Notice.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
        summary.emails = len(messages)
    return summary


def digest_message(summary: DigestSummary) -> str:
    return _("%(soon)s reminders, %(overdue)s overdue notices, %(emails)s e-mails sent.") % {
        "soon": summary.due_soon, "overdue": summary.overdue, "emails": summary.emails}
