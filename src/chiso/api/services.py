"""Writes of the API app: making and revoking tokens for machine clients."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.audit.services import audit_record

from .models import ApiToken, token_hash

TOKEN_PREFIX = "chiso_"


class TokenEvent:
    """Stable audit codes of API tokens (never renamed: old records keep them)."""

    CREATED = "api_token.created"
    REVOKED = "api_token.revoked"


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the raw token is returned once and never stored."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name, such as the program that will use it."))
    if not user.is_active:
        raise PermissionDenied
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[: len(TOKEN_PREFIX) + 6], key_hash=token_hash(raw))
    audit_record(event=TokenEvent.CREATED, obj=token, parents=(user,), by=user, new=f"{token.name} ({token.prefix}…)")
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    if token.user_id != by.pk and not by.is_superuser:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(event=TokenEvent.REVOKED, obj=token, parents=(token.user,), by=by, field="revoked_at",
                     new=token.revoked_at)
    return token
