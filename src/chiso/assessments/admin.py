"""PAR assessments in Django's admin: read-only. Every change goes through chiso's pages and
services, which write the audit trail; the trail itself is never edited."""

from django.contrib import admin

from chiso.core.admin_base import ReadOnlyAdmin


from .models import Affiliation, Assessment, CouncilDecision, Cycle, Evidence, Item, Question


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdmin):
    list_display = ["title", "period", "block", "version", "self_assessment_due", "run"]
    list_filter = ["period", "block"]
    search_fields = ["title"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["unit", "cycle", "status", "submitted_at"]
    list_filter = ["status", "cycle"]
    search_fields = ["unit__name_vi", "unit__code", "cycle__title"]


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "code", "self_points", "appraised_points", "council_points", "external_points"]
    list_filter = ["assessment__cycle", "part"]
    search_fields = ["code", "assessment__unit__name_vi"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["item", "kind", "original_name", "doc_number", "doc_date", "added_by", "removed_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "doc_number", "doc_title", "item__assessment__unit__name_vi"]


@admin.register(CouncilDecision)
class CouncilDecisionAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "meeting_date", "minutes_number", "votes_for", "votes_against", "votes_abstain"]
    search_fields = ["minutes_number", "cycle__title"]


@admin.register(Affiliation)
class AffiliationAdmin(ReadOnlyAdmin):
    list_display = ["user", "unit", "note"]
    search_fields = ["user__username", "user__full_name", "unit__name_vi"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["item", "round", "asked_by", "asked_at", "answered_at"]
    list_filter = ["round"]
    search_fields = ["text", "answer", "item__code", "item__assessment__unit__name_vi"]
