from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin

from .models import RateTarget, ServiceStat, SourceFormat, StatImport


@admin.register(SourceFormat)
class SourceFormatAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "sheet", "updated_at"]
    search_fields = ["code", "name"]


@admin.register(RateTarget)
class RateTargetAdmin(ReadOnlyAdmin):
    list_display = ["measure", "minimum", "strict", "period", "block", "source"]
    list_filter = ["measure", "period", "block"]
    search_fields = ["source"]


@admin.register(StatImport)
class StatImportAdmin(ReadOnlyAdmin):
    """Imports are a record: read-only."""

    list_display = ["period", "file_name", "rows", "imported_by", "imported_at"]
    list_filter = ["period"]
    search_fields = ["file_name", "period__name_vi"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceStat)
class ServiceStatAdmin(StatImportAdmin):
    list_display = ["unit", "period", "received_online_full", "received_online_partial", "processed_late", "synced"]
    list_filter = ["period", "unit__block"]
    search_fields = ["unit__name_vi", "unit__code"]
