"""What each kind of notice says and where it leads, built when it is shown (in the reader's
language) from the object it is about. One catalogue for every app's notices: a new kind is a
code, a label, a text and a link here, and a `notice_send` call on the path of the change."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TASK = "followup.task"
FEEDBACK = "feedback.feedback"
ASSESSMENT = "assessments.assessment"


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # lazy text
    object_type: str
    text: Callable  # (obj, key) -> str
    link: Callable  # (obj) -> str
    related: tuple[str, ...] = ()  # select_related when the objects are loaded for a list


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "SHORT_DATE_FORMAT")


# --- follow-up tasks -------------------------------------------------------------------------

def _key_day(key: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(key)
    except ValueError:
        return None


def _task(task, key: str = "") -> dict:
    # A reminder's key is the due date it is about: a recurring task's next due date must not change it.
    return {"directive": task.directive.number, "number": task.number, "unit": task.lead_unit.name,
            "deadline": task.deadline_label, "due": _day(_key_day(key) or task.due_date)}


def _task_link(task) -> str:
    return reverse("followup:task", args=[task.pk])


TASK_TEXTS = {
    "task.assigned": lambda: _("New task %(number)s of %(directive)s for %(unit)s, deadline %(deadline)s."),
    "task.due_soon": lambda: _("Task %(number)s of %(directive)s is due on %(due)s."),
    "task.overdue": lambda: _("Task %(number)s of %(directive)s is overdue: it was due on %(due)s."),
    "task.awaiting": lambda: _("%(unit)s reports task %(number)s of %(directive)s done: confirm or send it back."),
    "task.confirmed": lambda: _("Task %(number)s of %(directive)s is confirmed as done."),
    "task.rejected": lambda: _("Task %(number)s of %(directive)s is not confirmed as done yet: see the note."),
    "task.reassigned": lambda: _("Task %(number)s of %(directive)s now rests with %(unit)s: the unit that had it has ended (lineage)."),
}
TASK_LABELS = {
    "task.assigned": gettext_lazy("Task assigned"),
    "task.due_soon": gettext_lazy("Deadline approaching"),
    "task.overdue": gettext_lazy("Task overdue"),
    "task.awaiting": gettext_lazy("Completion awaiting confirmation"),
    "task.confirmed": gettext_lazy("Completion confirmed"),
    "task.rejected": gettext_lazy("Completion not confirmed"),
    "task.reassigned": gettext_lazy("Task passed to the successor unit"),
}


# --- feedback --------------------------------------------------------------------------------

def _feedback_text(feedback, key: str) -> str:
    return _("Feedback %(number)s (%(title)s) is routed to %(unit)s: answer it by %(deadline)s.") % {
        "number": feedback.number, "title": feedback.title, "unit": feedback.unit.name if feedback.unit_id else "",
        "deadline": _day(feedback.deadline)}


# --- PAR Index assessment --------------------------------------------------------------------

def _assessment(assessment) -> dict:
    return {"cycle": assessment.cycle.title, "unit": assessment.unit.name, "round": assessment.explanation_round,
            "due": _day(assessment.explanation_due)}


PAR_TEXTS = {
    "par.explanation_requested": lambda: _("%(cycle)s: the expert team asks %(unit)s for explanations (round %(round)s), due %(due)s."),
    "par.explained": lambda: _("%(cycle)s: %(unit)s has sent its explanations; appraise round 2."),
    "par.appraised": lambda: _("%(cycle)s: the appraisal of %(unit)s is complete and awaits the council's decision."),
    "par.council_decided": lambda: _("%(cycle)s: the council has decided the points of %(unit)s."),
}
PAR_LABELS = {
    "par.explanation_requested": gettext_lazy("Explanation requested"),
    "par.explained": gettext_lazy("Explanations received"),
    "par.appraised": gettext_lazy("Appraisal complete"),
    "par.council_decided": gettext_lazy("Council decision"),
}


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    KINDS[kind.code] = kind


for _code, _text in TASK_TEXTS.items():
    register(Kind(_code, TASK_LABELS[_code], TASK, (lambda text: lambda task, key: text() % _task(task, key))(_text),
                  _task_link, ("directive", "lead_unit")))
register(Kind("feedback.routed", gettext_lazy("Feedback routed to your unit"), FEEDBACK, _feedback_text,
              lambda feedback: reverse("feedback:detail", args=[feedback.number]), ("unit",)))
for _code, _text in PAR_TEXTS.items():
    register(Kind(_code, PAR_LABELS[_code], ASSESSMENT, (lambda text: lambda a, key: text() % _assessment(a))(_text),
                  lambda a: reverse("assessments:detail", args=[a.pk]), ("cycle", "unit")))


def kind_label(code: str) -> str:
    kind = KINDS.get(code)
    return str(kind.label) if kind else code


# --- the object a notice is about ----------------------------------------------------------

def notices_load(notices) -> list:
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


def _object(notice):
    """The object the notice is about: loaded with the list (notices_load), else now."""
    if not hasattr(notice, "_object"):
        notices_load([notice])
    return notice._object


def notice_text(notice) -> str:
    kind, obj = KINDS.get(notice.kind), _object(notice)
    if kind is None or obj is None:  # the object was deleted since (a cycle removed, a task's directive …)
        return _("%(kind)s (no longer available)") % {"kind": kind_label(notice.kind)}
    return kind.text(obj, notice.key)


def notice_link(notice) -> str:
    kind, obj = KINDS.get(notice.kind), _object(notice)
    return kind.link(obj) if kind is not None and obj is not None else ""
