"""The one way to write the audit trail. Every service that changes state calls `audit_record()`
inside its own transaction, so the change and its record commit or fail together."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Iterable

from django.db import models
from django.utils import timezone

from .context import current_request_id
from .models import AuditRecord, ref


def value_text(value: Any) -> str:
    """How a value is kept in the trail: exact and language-neutral (0.25, 2025-03-13, N/A stays N/A)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes") if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def audit_record(
    *, event: str, obj: models.Model, by, parents: Iterable[models.Model] = (), field: str = "",
    old: Any = None, new: Any = None, reason: str = "", details: dict | None = None,
    at: datetime.datetime | None = None,
) -> AuditRecord:
    """Record one change of `obj` (with the objects it belongs to, outermost first, in `parents`)."""
    return AuditRecord.objects.create(**_fields(
        event=event, obj=obj, by=by, parents=parents, field=field, old=old, new=new, reason=reason,
        details=details, at=at,
    ))


def audit_record_many(entries: Iterable[dict]) -> list[AuditRecord]:
    """Several records at once (a bulk action, the demo): each entry takes `audit_record`'s arguments."""
    return AuditRecord.objects.bulk_create([AuditRecord(**_fields(**entry)) for entry in entries], batch_size=500)


def _fields(*, event, obj, by, parents=(), field="", old=None, new=None, reason="", details=None, at=None) -> dict:
    path = "/" + "".join(f"{ref(o)}/" for o in (*parents, obj))
    return {
        "event": event, "object_type": obj._meta.label_lower, "object_id": str(obj.pk), "path": path,
        "field": field, "old_value": value_text(old), "new_value": value_text(new), "reason": reason or "",
        "details": details or {}, "by": _user(by), "at": at or timezone.now(), "request_id": current_request_id(),
    }


def _user(by):
    """A person, or None for the system (a scheduled check, a migration)."""
    return by if getattr(by, "pk", None) and getattr(by, "is_authenticated", False) else None
