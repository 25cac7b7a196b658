from django.contrib import admin

from .models import Block, Period, Province, Unit, UnitSuccession


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en"]
    search_fields = ["code", "name_vi", "name_en"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en", "order", "valid_from", "valid_to"]
    search_fields = ["code", "name_vi", "name_en"]


class SuccessionInline(admin.TabularInline):
    model = UnitSuccession
    fk_name = "successor"
    autocomplete_fields = ["predecessor"]
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "block", "parent", "valid_from", "valid_to"]
    list_filter = ["block", "valid_from", "valid_to"]
    search_fields = ["code", "name_vi", "name_en"]
    autocomplete_fields = ["parent"]
    inlines = [SuccessionInline]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "date", "kind", "share"]
    list_filter = ["kind", "date"]
    search_fields = ["predecessor__code", "predecessor__name_vi", "successor__code", "successor__name_vi"]
    autocomplete_fields = ["predecessor", "successor"]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "year", "start_date", "end_date"]
    search_fields = ["code", "name_vi"]
    list_filter = ["year"]
