"""Template filters of the assessment pages: points, statuses and audit values as people read them."""

from decimal import Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from chiso.formats.numbers import shown

from ..models import Assessment

register = template.Library()

FIELDS = {
    "status": _("status"),
    "self_points": _("self-assessed points"),
    "self_note": _("note"),
    "evidence_explanation": _("explanation of missing evidence"),
    "evidence": _("evidence"),
    "appraised_points": _("appraised points"),
    "appraisal_comment": _("appraisal comment"),
    "explanation_request": _("explanation requested"),
    "explanation": _("explanation"),
    "council_points": _("council points"),
    "external_points": _("converted survey points"),
    "bonus_points": _("bonus points"),
    "penalty_points": _("penalty points"),
    "late_until": _("late submission allowed until"),
    "self_assessment_due": _("self-assessments due"),
    "appraisal_due": _("appraisal due"),
    "council_due": _("council decision due"),
    "explanation_days": _("days to explain"),
    "council_size": _("council members"),
    "quorum_percent": _("quorum"),
    "survey_run": _("survey index run"),
    "run": _("results run"),
    "email": _("e-mail reminder"),
    "action": _("refused attempt"),
}


@register.filter
def pts(value):
    """Points as 0,25 / 3 — never more than two decimals."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            Decimal(value)
        except InvalidOperation:
            return value  # a word such as "N/A" in a report
    return floatformat(value, "-2")


@register.filter
def points_input(value):
    """Points in an input, as the form reads them back: 0,25 / 1.000 (never 0.25 or an exponent)."""
    if value is None or value == "":
        return ""
    return shown(Decimal(str(value)))


@register.filter
def status_label(value):
    try:
        return Assessment.Status(value).label
    except ValueError:
        return value


@register.filter
def field_label(value):
    return FIELDS.get(value, value)


@register.filter
def audit_value(value, field=""):
    """An audit value for reading: statuses by name, N/A in words, numbers the local way."""
    if value in ("", None):
        return "—"
    if field == "status":
        return status_label(value)
    if value == "N/A":
        return _("not applicable")
    if field.endswith("_points") or field in ("council_size", "explanation_days", "quorum_percent"):
        try:
            return floatformat(Decimal(value), "-2")
        except InvalidOperation:
            return value
    return value


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
