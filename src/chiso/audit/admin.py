from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin

from .models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "event", "object_type", "object_id", "field", "old_value", "new_value", "by")
    list_filter = ("event", "object_type")
    search_fields = ("path", "reason")
