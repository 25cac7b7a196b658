from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin, ReadOnlyInline

from .models import Framework, FrameworkVersion, Node


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_vi", "method"]
    list_filter = ["method"]
    search_fields = ["code", "name_vi", "name_en"]


class NodeInline(ReadOnlyInline):
    model = Node
    fields = ["code", "parent_code", "level", "type", "name_vi", "weight", "max_points", "direction"]
    extra = 0
    show_change_link = True


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(ReadOnlyAdmin):
    list_display = ["framework", "number", "label", "legal_basis", "applies_from", "applies_to", "frozen_at"]
    list_filter = ["framework", "applies_from"]
    search_fields = ["framework__code", "framework__name_vi", "label", "legal_basis"]
    readonly_fields = ["content_hash", "frozen_at", "created_at", "created_by"]
    inlines = [NodeInline]


@admin.register(Node)
class NodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_vi", "version", "level", "type", "weight", "max_points"]
    list_filter = ["version__framework", "type", "level", "evidence_required"]
    search_fields = ["code", "name_vi", "name_en", "guidance"]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or not obj.version.is_frozen)
