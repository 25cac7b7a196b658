"""Quantities in words on pages: durations, values as the audit trail stores them."""

import re
from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from chiso.formats.durations import duration_words

register = template.Library()


@register.filter
def duration(seconds) -> str:
    return duration_words(seconds)




ISO_MOMENT = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?\b")
PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _moment_shown(match: re.Match) -> str:
    text = match.group(0)
    if len(text) == 10:
        moment = parse_date(text)
        return date_format(moment, "SHORT_DATE_FORMAT") if moment else text
    moment = parse_datetime(text.replace(" ", "T"))
    if moment is None:
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "SHORT_DATETIME_FORMAT")


@register.filter
def stored_value(value) -> str:
    """A value as the audit trail keeps it (language-neutral: 2023-03-17 17:00, 0.25) as a reader
    reads it (17:00 17/03/2023, 0,25); other text unchanged."""
    text = "" if value is None else str(value)
    if text in ("true", "false"):  # value_text's booleans: a yes or a no in words
        return str(_("Yes") if text == "true" else _("No"))
    if PLAIN_NUMBER.match(text):
        return number_format(Decimal(text).normalize(), use_l10n=True)
    return ISO_MOMENT.sub(_moment_shown, text)
