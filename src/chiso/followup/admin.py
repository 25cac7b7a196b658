"""Follow-up in Django's admin: for looking things up; changes go through the pages (and their audit trail)."""

from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin, ReadOnlyInline

from .models import (
    Directive,
    ImprovementPlan,
    PlanAction,
    PlanItem,
    ProgressReport,
    Statistic,
    StatisticValue,
    Target,
    Task,
)


@admin.register(Directive)
class DirectiveAdmin(ReadOnlyAdmin):
    list_display = ["number", "date", "issuer"]
    search_fields = ["number", "summary", "issuer"]


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["directive", "number", "lead_unit", "deadline_kind", "deadline", "due_date", "status", "percent"]
    list_filter = ["status", "deadline_kind", "directive"]
    search_fields = ["text", "number", "directive__number", "lead_unit__name_vi", "lead_unit__code"]
    autocomplete_fields = ["lead_unit", "cooperating_units"]


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["task", "unit", "percent", "reported_on", "review"]
    list_filter = ["review"]
    search_fields = ["text", "task__text", "unit__name_vi", "task__directive__number"]
    readonly_fields = ["task", "unit", "reported_by", "reviewed_by"]


class PlanItemInline(ReadOnlyInline):
    model = PlanItem
    extra = 0


@admin.register(ImprovementPlan)
class ImprovementPlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "run", "submitted_at"]
    search_fields = ["title", "unit__name_vi", "unit__code"]
    inlines = [PlanItemInline]


@admin.register(PlanItem)
class PlanItemAdmin(ReadOnlyAdmin):
    list_display = ["plan", "code", "name", "baseline_value", "baseline_rank", "target_value"]
    search_fields = ["code", "name", "plan__unit__name_vi"]


@admin.register(PlanAction)
class PlanActionAdmin(ReadOnlyAdmin):
    list_display = ["item", "owner", "deadline", "done_on"]
    search_fields = ["text", "owner", "item__plan__unit__name_vi"]


class StatisticValueInline(ReadOnlyInline):
    model = StatisticValue
    extra = 0


@admin.register(Statistic)
class StatisticAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_vi", "unit_of_measure", "index_code", "measure"]
    search_fields = ["code", "name_vi", "name_en"]
    inlines = [StatisticValueInline]


@admin.register(StatisticValue)
class StatisticValueAdmin(ReadOnlyAdmin):
    list_display = ["statistic", "year", "value", "provisional", "source"]
    list_filter = ["provisional"]
    search_fields = ["statistic__name_vi", "statistic__code", "source"]


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    list_display = ["title", "source", "index_code", "measure", "rule", "amount", "baseline_year", "target_year"]
    list_filter = ["source", "rule", "target_year"]
    search_fields = ["title", "index_code", "node_code"]
