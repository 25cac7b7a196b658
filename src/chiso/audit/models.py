"""The one audit model. A record names what it is about by a path of references
(`/assessments.cycle:3/assessments.assessment:17/assessments.item:402/`), so an object's history
is every record whose path passes through it, whatever app wrote it, and a record outlives the
object it describes (a deleted cycle keeps its trail)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import events


def ref(obj: models.Model) -> str:
    """`assessments.item:402` — how a record names an object."""
    return f"{obj._meta.label_lower}:{obj.pk}"


class AppendOnly(TypeError):
    """Audit records are never changed or deleted."""


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit records are append-only")

    def delete(self):
        raise AppendOnly("audit records are append-only")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnly("audit records are append-only")


class AuditRecord(models.Model):
    """Nhật ký — one change: who, when, what, old value, new value, why. Never changed or deleted
    (the database refuses too: see migration 0002)."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    event = models.CharField(_("event"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64)
    path = models.CharField(_("path"), max_length=400, db_index=True)
    field = models.CharField(_("field"), max_length=60, blank=True)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    request_id = models.CharField(_("request"), max_length=36, blank=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit records are append-only")

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%d/%m/%Y %H:%M} {self.event}"

    @property
    def event_label(self) -> str:
        return events.event_label(self.event)
