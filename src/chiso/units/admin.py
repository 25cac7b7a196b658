"""Units and periods in the admin, to look at: they change on chiso's own pages (services.py)."""

from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin, ReadOnlyInline


from .models import Block, Period, Province, Unit, UnitSuccession


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_vi", "name_en"]
    search_fields = ["code", "name_vi", "name_en"]


@admin.register(Block)
class BlockAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_vi", "name_en", "order", "valid_from", "valid_to"]
    search_fields = ["code", "name_vi", "name_en"]


class SuccessionInline(ReadOnlyInline):
    model = UnitSuccession
    fk_name = "successor"


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "official_code", "name_vi", "block", "parent", "valid_from", "valid_to"]
    list_filter = ["block", "valid_from", "valid_to"]
    search_fields = ["code", "official_code", "name_vi", "name_en"]
    inlines = [SuccessionInline]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(ReadOnlyAdmin):
    list_display = ["predecessor", "successor", "date", "kind", "share"]
    list_filter = ["kind", "date"]
    search_fields = ["predecessor__code", "predecessor__name_vi", "successor__code", "successor__name_vi"]


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_vi", "year", "start_date", "end_date", "closed_at"]
    search_fields = ["code", "name_vi"]
    list_filter = ["year"]
