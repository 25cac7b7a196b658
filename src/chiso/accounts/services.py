"""Writes about accounts: the only way users are created or their role changes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.accounts.permissions import accounts_check
from chiso.audit.services import audit_record
from chiso.units.models import Unit

from .models import AppraisalBody, Role, User

USER_CREATED = "user.created"  # a stable audit code (never renamed: old records keep it)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    full_name: str = "",
    email: str = "",
    unit: Unit | None = None,
    appraisal_body: str = "",
    by,
) -> User:
    """A new account with its role (and unit, appraisal body). `by`: who creates it, an administrator
    (accounts.permissions.may_manage_accounts); None is the system (the demo loader, a command)."""
    accounts_check(by)
    if role == Role.UNIT_OFFICER and unit is None:
        raise ValidationError(_("A unit officer must belong to a unit."))
    if role != Role.UNIT_OFFICER and unit is not None:
        raise ValidationError(_("Only unit officers belong to a unit."))
    if appraisal_body and appraisal_body not in AppraisalBody.values:
        raise ValidationError(_("Unknown appraisal body."))
    user = User(
        username=username,
        role=role,
        full_name=full_name,
        email=email,
        unit=unit,
        appraisal_body=appraisal_body if role == Role.APPRAISER else "",
        # Only administrators enter Django's admin; everyone else works in chiso's pages.
        is_staff=role == Role.ADMINISTRATOR,
        is_superuser=role == Role.ADMINISTRATOR,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(event=USER_CREATED, obj=user, by=by, field="role", new=role, details={
        "username": username, "unit": unit.code if unit else "", "appraisal_body": user.appraisal_body,
    })
    return user
