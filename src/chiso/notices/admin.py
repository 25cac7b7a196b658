from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin

from .models import Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "object_type", "object_id", "key", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__full_name", "object_id"]
