"""The daily digest: tasks of ended units passed on through the lineage, notices for approaching
and passed deadlines, then one e-mail per person with every notice new since the last digest — of
every kind, not only follow-up's (chiso.notices.digest) — a digest rather than a flood.

Run once a day (cron: `python manage.py followup_digest`, or the background task). Running it
twice on a day adds nothing and sends nothing new: each notice exists once per task and due
date, and is e-mailed once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from chiso.notices.digest import notices_email
from chiso.notices.services import notice_send, unit_officers

from .models import Task
from .queries import OPEN, reminder_days, today_local
from .services import tasks_hand_over


@dataclass
class DigestSummary:
    due_soon: int = 0
    overdue: int = 0
    emails: int = 0
    handed_over: int = 0


def notices_for_deadlines(*, today: datetime.date, days: int) -> tuple[int, int]:
    """Notices to the lead unit's officers: a deadline within `days`, or passed. Once per due date
    (for a recurring task, the period owed today: one notice per missed period, not one per day)."""
    soon = overdue = 0
    tasks = Task.objects.filter(status__in=OPEN, due_date__lte=today + datetime.timedelta(days=days)).select_related("lead_unit")
    for task in tasks:
        due = task.due_on(today)
        kind = "task.overdue" if due < today else "task.due_soon"
        created = notice_send(users=unit_officers([task.lead_unit]), kind=kind, obj=task, key=due.isoformat())
        if kind == "task.overdue":
            overdue += created
        else:
            soon += created
    return soon, overdue


@transaction.atomic
def notices_digest(*, today: datetime.date | None = None, days: int | None = None, base_url: str | None = None,
                   progress=None) -> DigestSummary:
    today = today or today_local()
    days = reminder_days() if days is None else days
    summary = DigestSummary()
    summary.handed_over = len(tasks_hand_over(today=today, by=None))
    summary.due_soon, summary.overdue = notices_for_deadlines(today=today, days=days)
    summary.emails = notices_email(today=today, base_url=base_url, progress=progress)
    return summary


def digest_message(summary: DigestSummary) -> str:
    return _("%(soon)s reminders, %(overdue)s overdue notices, %(emails)s e-mails sent.") % {
        "soon": summary.due_soon, "overdue": summary.overdue, "emails": summary.emails}
