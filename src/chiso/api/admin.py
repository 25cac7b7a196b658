from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are made by their owners on the API tokens page (the raw key is shown once there)."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__username", "user__full_name"]
    readonly_fields = ["key_hash", "prefix", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False
