"""Thông báo — one notice to one person about one object of any app: a task assigned, an
explanation requested, a feedback routed to the unit. The words are not stored: the kind
(`kinds.py`) builds them when the notice is shown, in the reader's language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .kinds import kind_label, notice_link, notice_text


class Notice(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=40)  # a code of kinds.KINDS: "task.assigned", "feedback.routed"
    # The object the notice is about, named as the audit trail names it ("followup.task", "42").
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=40)
    key = models.CharField(_("key"), max_length=60, blank=True)  # which occurrence (a due date, a round): never twice
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "object_type", "object_id", "key"], name="one_notice_per_object_event"),
        ]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind} · {self.object_type}:{self.object_id}"

    @property
    def message(self) -> str:
        return notice_text(self)

    @property
    def link(self) -> str:
        return notice_link(self)

    @property
    def label(self) -> str:
        return kind_label(self.kind)
