"""Surveys in Django's admin: read-mostly. Responses show no identity because they hold none;
token hashes, submission keys and in-progress answers are not shown."""
from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin

from chiso.surveys.models import (
    Draft,
    FrameEntry,
    IndicatorComputation,
    IndicatorRule,
    Invitation,
    MessageTemplate,
    PaperEntry,
    PaperEntryLog,
    PaperForm,
    QualityDecision,
    QualityFlag,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Sample,
    SampleFrame,
    SampleMember,
    Survey,
    SurveyAnalysis,
    SurveyDay,
)


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    list_display = ["form_id", "title", "created_at"]
    search_fields = ["form_id", "title"]


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(ReadOnlyAdmin):
    list_display = ["questionnaire", "version", "title", "created_by", "created_at"]
    list_filter = ["questionnaire"]
    search_fields = ["version", "title", "questionnaire__form_id"]
    exclude = ["xlsform"]
    readonly_fields = ["questionnaire", "version", "title", "survey", "file_name", "warnings", "created_by"]


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["code", "title_vi", "period", "version", "opens_at", "closes_at", "open_link"]
    list_filter = ["period", "open_link"]
    search_fields = ["code", "title_vi", "title_en"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["survey", "label", "status", "created_at"]
    list_filter = ["survey", "status"]
    search_fields = ["label", "survey__code"]
    exclude = ["token_hash"]
    readonly_fields = ["survey", "status"]


@admin.register(Draft)
class DraftAdmin(ReadOnlyAdmin):
    list_display = ["survey", "channel", "page", "updated_at"]
    list_filter = ["survey", "channel"]
    search_fields = ["survey__code", "survey__title_vi"]
    fields = ["survey", "version", "channel", "page", "updated_at"]
    readonly_fields = fields


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["id", "survey", "version", "channel", "submitted_on"]
    list_filter = ["survey", "channel"]
    search_fields = ["survey__code", "survey__title_vi"]
    readonly_fields = ["id", "survey", "version", "answers", "rated_units", "channel", "submitted_on"]
    exclude = ["idempotency_key"]


@admin.register(PaperEntryLog)
class PaperEntryLogAdmin(ReadOnlyAdmin):
    list_display = ["survey", "user", "day", "count"]
    list_filter = ["survey"]
    search_fields = ["user__username", "survey__code"]


@admin.register(PaperForm)
class PaperFormAdmin(ReadOnlyAdmin):
    list_display = ["survey", "number", "status", "entries_required", "differences", "settled_by"]
    list_filter = ["survey", "status"]
    search_fields = ["number", "survey__code"]


@admin.register(PaperEntry)
class PaperEntryAdmin(ReadOnlyAdmin):
    """Who typed which form; the answers waiting for the settlement are not shown."""

    list_display = ["paper_form", "clerk"]
    search_fields = ["paper_form__number", "clerk__username"]
    exclude = ["answers", "draft"]


@admin.register(SurveyAnalysis)
class SurveyAnalysisAdmin(ReadOnlyAdmin):
    list_display = ["survey", "min_cell", "min_answers_per_unit"]
    search_fields = ["survey__code", "survey__title_vi"]


@admin.register(SampleFrame)
class SampleFrameAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "entry_count", "file_name", "created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "file_name"]
    readonly_fields = ["entry_count", "file_name", "created_by"]


@admin.register(FrameEntry)
class FrameEntryAdmin(ReadOnlyAdmin):
    list_display = ["tax_code", "name", "sector", "size", "commune", "frame"]
    list_filter = ["frame", "sector_section", "size"]
    search_fields = ["tax_code", "name", "commune", "email"]


@admin.register(Sample)
class SampleAdmin(ReadOnlyAdmin):
    list_display = ["survey", "frame", "allocation", "size", "seed", "created_at"]
    search_fields = ["survey__code", "frame__name"]
    readonly_fields = ["survey", "frame", "strata_fields", "allocation", "size", "sizes", "replacements", "seed", "method", "created_by"]


@admin.register(SampleMember)
class SampleMemberAdmin(ReadOnlyAdmin):
    list_display = ["entry", "sample", "stratum", "role", "position", "active", "emailed_at", "reminders", "opted_out_at"]
    list_filter = ["sample", "role", "active"]
    search_fields = ["entry__name", "entry__tax_code", "stratum"]
    readonly_fields = ["sample", "entry", "stratum", "role", "position", "replaces", "invitation"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnlyAdmin):
    list_display = ["survey", "kind", "subject", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["survey__code", "subject", "body"]


@admin.register(SurveyDay)
class SurveyDayAdmin(ReadOnlyAdmin):
    list_display = ["survey", "day", "started"]
    search_fields = ["survey__code"]


@admin.register(QualityFlag)
class QualityFlagAdmin(ReadOnlyAdmin):
    list_display = ["response", "code", "reason", "created_at"]
    list_filter = ["code"]
    search_fields = ["reason", "response__survey__code"]
    readonly_fields = ["response", "code", "reason"]


@admin.register(QualityDecision)
class QualityDecisionAdmin(ReadOnlyAdmin):
    """Append-only: decisions are taken on the quality page, never edited here."""

    list_display = ["response", "include", "by", "at", "reason"]
    list_filter = ["include"]
    search_fields = ["reason", "by__username", "response__survey__code"]
    readonly_fields = ["response", "include", "reason", "by", "at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IndicatorRule)
class IndicatorRuleAdmin(ReadOnlyAdmin):
    list_display = ["survey", "framework", "indicator", "question", "statistic", "values", "exclude"]
    list_filter = ["framework", "statistic"]
    search_fields = ["indicator", "question", "survey__code"]


@admin.register(IndicatorComputation)
class IndicatorComputationAdmin(ReadOnlyAdmin):
    list_display = ["survey", "framework", "responses", "excluded", "weighting", "by", "at"]
    list_filter = ["framework"]
    search_fields = ["survey__code", "framework__code"]
    readonly_fields = ["survey", "framework", "responses", "excluded", "weighting", "units", "rules", "by"]
