"""Surveys in Django's admin: read-mostly. Responses show no identity because they hold none;
token hashes, submission keys and in-progress answers are not shown."""
from django.contrib import admin

from .models import Draft, Invitation, PaperEntryLog, Questionnaire, QuestionnaireVersion, Response, Survey, SurveyEvent


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["form_id", "title", "created_at"]
    search_fields = ["form_id", "title"]


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = ["questionnaire", "version", "title", "created_by", "created_at"]
    list_filter = ["questionnaire"]
    search_fields = ["version", "title", "questionnaire__form_id"]
    exclude = ["xlsform"]
    readonly_fields = ["questionnaire", "version", "title", "survey", "file_name", "warnings", "created_by"]


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["code", "title_vi", "period", "version", "opens_at", "closes_at", "open_link"]
    list_filter = ["period", "open_link"]
    search_fields = ["code", "title_vi", "title_en"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["survey", "label", "status", "created_at"]
    list_filter = ["survey", "status"]
    search_fields = ["label", "survey__code"]
    exclude = ["token_hash"]
    readonly_fields = ["survey", "status"]


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ["survey", "channel", "page", "updated_at"]
    list_filter = ["survey", "channel"]
    search_fields = ["survey__code", "survey__title_vi"]
    fields = ["survey", "version", "channel", "page", "updated_at"]
    readonly_fields = fields


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["id", "survey", "version", "channel", "submitted_on"]
    list_filter = ["survey", "channel"]
    search_fields = ["survey__code", "survey__title_vi"]
    readonly_fields = ["id", "survey", "version", "answers", "rated_units", "channel", "submitted_on"]
    exclude = ["idempotency_key"]


@admin.register(PaperEntryLog)
class PaperEntryLogAdmin(admin.ModelAdmin):
    list_display = ["survey", "user", "day", "count"]
    list_filter = ["survey"]
    search_fields = ["user__username", "survey__code"]


@admin.register(SurveyEvent)
class SurveyEventAdmin(admin.ModelAdmin):
    list_display = ["survey", "code", "by", "at", "new_value"]
    list_filter = ["code"]
    search_fields = ["code", "survey__code", "reason"]
    readonly_fields = ["survey", "code", "by", "at", "old_value", "new_value", "reason"]
