"""Writes about notices: the one door every app calls on the path of a change (`notice_send`),
and marking notices read. A notice is a person's to-do line, not a change of the object, so
these leave no audit record; the change that caused the notice has written its own."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from chiso.accounts.models import AppraisalBody, Role, User
from chiso.accounts.permissions import may_send_assessment_notices
from chiso.assessments.models import Affiliation, Assessment
from chiso.assessments.queries import status_steps

from .kinds import KINDS
from .models import Notice


def _ref(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def notice_send(*, users: Iterable, kind: str, obj: models.Model, key: str = "") -> int:
    """Tell each person once about an event: a second call for the same (person, kind, object, key)
    adds nothing. Returns how many notices are new."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of notice: {kind}")  # a programming error, never a user's
    object_type, object_id = _ref(obj)
    if KINDS[kind].object_type != object_type:
        raise ValueError(f"a {kind} notice is about a {KINDS[kind].object_type}, not a {object_type}")
    created = 0
    for user in {u.pk: u for u in users if u is not None and u.is_active}.values():
        _notice, new = Notice.objects.get_or_create(user=user, kind=kind, object_type=object_type, object_id=object_id, key=str(key))
        created += new
    return created


def notices_settle(*, kinds: Iterable[str], obj: models.Model) -> int:
    """The work a notice asked for is done (a completion confirmed, explanations sent): its
    notices to everyone are marked read."""
    object_type, object_id = _ref(obj)
    return Notice.objects.filter(kind__in=list(kinds), object_type=object_type, object_id=object_id,
                                 read_at__isnull=True).update(read_at=timezone.now())


def notices_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """A person marks their own notices read (all, or the ones chosen)."""
    notices = Notice.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        notices = notices.filter(pk__in=list(ids))
    return notices.update(read_at=timezone.now())


def unit_officers(units: Iterable) -> models.QuerySet:
    return User.objects.filter(role=Role.UNIT_OFFICER, unit__in=list(units), is_active=True)


# --- PAR Index assessment ----------------------------------------------------------------------

def _entries(assessment, status: str) -> int:
    """How many times the assessment has entered `status` (its status timeline): the key that tells
    a second explanation round, or an appraisal completed again after a reopening, from the first."""
    return status_steps(assessment).filter(new_value=status).count()


def par_notices(*, assessment, by) -> int:
    """Tell whoever has the next step of a PAR assessment, after its transition to the current status:

    - explanation requested → the unit's officers;
    - explained (the unit sent its answers) → the expert team, but members tied to the unit;
    - appraised → the appraisal council;
    - council decided → the unit's officers and the secretariat.

    The person who made the step is not told. Call it right after the transition, once per step.
    """
    if not may_send_assessment_notices(by, assessment):
        raise PermissionDenied
    status = assessment.status
    Status = Assessment.Status
    users: Iterable = ()
    if status == Status.EXPLANATION_REQUESTED:
        kind, users = "par.explanation_requested", unit_officers([assessment.unit])
    elif status == Status.EXPLAINED:
        kind = "par.explained"
        tied = Affiliation.objects.filter(unit=assessment.unit).values("user")
        users = (User.objects.filter(role=Role.APPRAISER, is_active=True).exclude(appraisal_body=AppraisalBody.COUNCIL)
                 .exclude(pk__in=tied))
        notices_settle(kinds=["par.explanation_requested"], obj=assessment)
    elif status == Status.APPRAISED:
        kind = "par.appraised"
        users = User.objects.filter(role=Role.APPRAISER, appraisal_body=AppraisalBody.COUNCIL, is_active=True)
        notices_settle(kinds=["par.explained"], obj=assessment)
    elif status == Status.COUNCIL_DECIDED:
        kind = "par.council_decided"
        users = [*unit_officers([assessment.unit]), *User.objects.filter(role=Role.SECRETARIAT, is_active=True)]
        notices_settle(kinds=["par.appraised"], obj=assessment)
    else:
        return 0
    by_pk = getattr(by, "pk", None)
    return notice_send(users=[u for u in users if u.pk != by_pk], kind=kind, obj=assessment,
                       key=str(_entries(assessment, status)))
