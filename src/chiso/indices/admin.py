from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin

from .models import ExternalResult, IndexRun, IndicatorValue, RunAnalysis, RunScore, RunUncertainty


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdmin):
    list_display = ["unit", "code", "value", "not_applicable", "period", "framework", "source"]
    list_filter = ["framework", "period", "not_applicable"]
    search_fields = ["code", "unit__code", "unit__name_vi", "source"]


@admin.register(IndexRun)
class IndexRunAdmin(ReadOnlyAdmin):
    """Runs change only through chiso's pages (publish, supersede); here they are read."""

    list_display = ["title", "status", "period", "block", "version", "published_at"]
    list_filter = ["status", "period", "block", "version__framework"]
    search_fields = ["title", "reason", "input_checksum", "result_checksum"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RunScore)
class RunScoreAdmin(ReadOnlyAdmin):
    list_display = ["run", "unit", "code", "value", "rank", "band"]
    list_filter = ["run__period", "code"]
    search_fields = ["unit__code", "unit__name_vi", "code"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExternalResult)
class ExternalResultAdmin(ReadOnlyAdmin):
    list_display = ["index_code", "year", "province", "score", "rank", "tier"]
    list_filter = ["index_code", "year"]
    search_fields = ["province"]


@admin.register(RunUncertainty)
class RunUncertaintyAdmin(ReadOnlyAdmin):
    list_display = ["run", "kind", "replications", "seed", "created_at"]
    list_filter = ["kind"]
    search_fields = ["run__title"]
    readonly_fields = [f.name for f in RunUncertainty._meta.fields]


@admin.register(RunAnalysis)
class RunAnalysisAdmin(ReadOnlyAdmin):
    list_display = ["run", "kind", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["run__title"]
