from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin

from .models import AuditRecord
from .services import audit_record


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "event", "object_type", "object_id", "field", "old_value", "new_value", "by")
    list_filter = ("event", "object_type")
    search_fields = ("path", "reason")


class AuditedAdmin(admin.ModelAdmin):
    """For the few reference tables edited in the admin (user accounts, the holiday calendar,
    feedback types): every save and delete leaves an audit record with the fields changed."""

    def save_model(self, request, obj, form, change):
        old = {}
        if change:
            before = type(obj)._base_manager.filter(pk=obj.pk).first()
            old = {name: getattr(before, name, None) for name in form.changed_data} if before else {}
        super().save_model(request, obj, form, change)
        for name in form.changed_data if change else ["__created__"]:
            if name == "password":
                audit_record(event="admin.changed", obj=obj, by=request.user, field=name, new="***")
            elif name == "__created__":
                audit_record(event="admin.added", obj=obj, by=request.user, new=str(obj))
            else:
                audit_record(event="admin.changed", obj=obj, by=request.user, field=name, old=old.get(name),
                             new=getattr(obj, name, None))

    def delete_model(self, request, obj):
        audit_record(event="admin.deleted", obj=obj, by=request.user, old=str(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
