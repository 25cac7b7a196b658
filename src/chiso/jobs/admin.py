from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin

from .models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "done", "total", "created_by", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "kind", "message"]
    readonly_fields = [f.name for f in Job._meta.fields]
