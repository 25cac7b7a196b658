"""Who may do what with an assessment. Services and views both ask here.

The secretariat (and administrators) run cycles; the expert team (Tổ chuyên viên) appraises;
the appraisal council (Hội đồng thẩm định) decides; a unit officer works on their own unit's
assessment only. An appraiser tied to a unit (Affiliation) does not appraise it.
"""

from __future__ import annotations

from chiso.accounts.models import AppraisalBody, Role
from chiso.accounts.permissions import MANAGING_ROLES, PROVINCIAL_ROLES

from .models import Affiliation, Assessment


def is_secretariat(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in MANAGING_ROLES)


def is_expert(user) -> bool:
    """A member of the expert team. An appraiser with no body named counts as one."""
    return user.is_authenticated and user.role == Role.APPRAISER and user.appraisal_body != AppraisalBody.COUNCIL


def is_council(user) -> bool:
    return user.is_authenticated and user.role == Role.APPRAISER and user.appraisal_body == AppraisalBody.COUNCIL


def is_officer_of(user, unit) -> bool:
    return user.is_authenticated and user.role == Role.UNIT_OFFICER and user.unit_id == unit.pk


def has_conflict(user, unit) -> bool:
    return Affiliation.objects.filter(user=user, unit=unit).exists()


def conflicted_unit_ids(user) -> set[int]:
    return set(Affiliation.objects.filter(user=user).values_list("unit_id", flat=True))


def can_view(user, assessment: Assessment) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.role in PROVINCIAL_ROLES:
        return True
    return is_officer_of(user, assessment.unit)


def can_view_evidence(user, assessment: Assessment) -> bool:
    """Evidence files are the unit's internal documents: the unit, the appraisers and the secretariat."""
    return is_officer_of(user, assessment.unit) or is_secretariat(user) or (
        user.is_authenticated and user.role == Role.APPRAISER
    )


def can_appraise(user, assessment: Assessment) -> bool:
    return is_expert(user) and not has_conflict(user, assessment.unit)
