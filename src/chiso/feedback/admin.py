"""Feedback in Django's admin. The calendar and the types are edited here; feedback itself is
read-only, and contact details are not shown at all (the secretariat reads them in the app)."""

from django.contrib import admin

from chiso.audit.admin import AuditedAdmin
from chiso.core.admin_base import ReadOnlyAdmin


from .models import Attachment, Feedback, FeedbackType, FilerContact, Holiday, Rating


@admin.register(Holiday)
class HolidayAdmin(AuditedAdmin):
    list_display = ["date", "name_vi", "is_day_off"]
    list_filter = ["is_day_off"]
    search_fields = ["name_vi", "name_en"]
    date_hierarchy = "date"


@admin.register(FeedbackType)
class FeedbackTypeAdmin(AuditedAdmin):
    list_display = ["code", "name_vi", "response_days", "order", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name_vi", "name_en"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "state", "unit", "filed_on", "deadline", "answered_on"]
    list_filter = ["state", "type"]
    search_fields = ["number", "title", "unit__name_vi"]
    exclude = ["tracking_hash"]


@admin.register(FilerContact)
class FilerContactAdmin(ReadOnlyAdmin):
    """Listed so that the admin knows every table; no field is shown."""

    list_display = ["feedback"]
    search_fields = ["feedback__number"]
    fields = ["feedback"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["feedback", "display_name", "content_type", "size"]
    search_fields = ["feedback__number", "display_name"]


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["feedback", "score", "rated_on"]
    list_filter = ["score"]
    search_fields = ["feedback__number"]
