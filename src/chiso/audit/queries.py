"""Reading the audit trail: an object's history is every record whose path passes through it."""

from __future__ import annotations

from django.db import models

from .models import AuditRecord, ref


def history(obj: models.Model):
    """Every record about `obj` or anything inside it, oldest first."""
    return AuditRecord.objects.filter(path__contains=f"/{ref(obj)}/").select_related("by").order_by("at", "pk")


def history_of(objs) -> models.QuerySet:
    """The records about any of `objs` (one query)."""
    query = models.Q(pk__in=[])
    for obj in objs:
        query |= models.Q(path__contains=f"/{ref(obj)}/")
    return AuditRecord.objects.filter(query).select_related("by").order_by("at", "pk")
