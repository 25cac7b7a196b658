from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from chiso.audit.admin import AuditedAdmin

from .models import User


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    """User accounts are edited here; every change of a role, unit or access is on the audit trail."""

    list_display = ["username", "full_name", "role", "unit", "appraisal_body", "is_active", "last_login"]
    list_filter = ["role", "appraisal_body", "is_active", "unit__block"]
    search_fields = ["username", "full_name", "email", "unit__name_vi", "unit__code"]
    autocomplete_fields = ["unit"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["full_name", "email", "phone"]}),
        (_("Role"), {"fields": ["role", "unit", "appraisal_body"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2", "full_name", "role", "unit", "appraisal_body"]}),
    ]
