"""Deadlines as provincial offices write them: a date, a quarter ("Quý I/2023", "Q1/2023"), or a
recurring report — "hằng tháng", "hằng quý", "hằng năm": a report is due at the end of every month,
quarter or year. Pure functions, no database.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chiso.core.tabular import parse_date
from chiso.formats.text import fold

DATE = "date"
QUARTER = "quarter"
QUARTERLY = "quarterly"
MONTHLY = "monthly"
YEARLY = "yearly"
RECURRING = (MONTHLY, QUARTERLY, YEARLY)

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
ROMAN_OF = {1: "I", 2: "II", 3: "III", 4: "IV"}
QUARTERLY_WORDS = {"quarterly", "hang quy", "moi quy", "theo quy", "dinh ky hang quy", "bao cao hang quy"}
MONTHLY_WORDS = {"monthly", "hang thang", "moi thang", "theo thang", "dinh ky hang thang", "bao cao hang thang"}
YEARLY_WORDS = {"yearly", "annually", "annual", "hang nam", "moi nam", "theo nam", "dinh ky hang nam", "bao cao hang nam"}
_QUARTER = re.compile(r"^(?:q|quy)\s*(i{1,3}|iv|[1-4])\s*(?:/|-|nam|\s)\s*(\d{4})$")


@dataclass(frozen=True)
class Deadline:
    kind: str
    date: datetime.date  # a date: itself; a quarter: its last day; recurring: the first period end due


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> datetime.date:
    return datetime.date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> datetime.date:
    if quarter == 4:
        return datetime.date(year, 12, 31)
    return quarter_start(year, quarter + 1) - datetime.timedelta(days=1)


def quarter_end_of(day: datetime.date) -> datetime.date:
    """The last day of the quarter that contains `day`."""
    return quarter_end(*quarter_of(day))


def _plain(text: str) -> str:
    return " ".join(fold(text).split())


def deadline_parse(value: object, *, start: datetime.date | None = None) -> Deadline:
    """Read a deadline; `start` (the directive's date) anchors the first quarterly report.

    Raises ValueError with a message for a person when the text is none of the accepted forms.
    """
    if isinstance(value, datetime.date):
        return Deadline(DATE, value if not isinstance(value, datetime.datetime) else value.date())
    text = str(value or "").strip()
    if not text:
        raise ValueError(_("The deadline is missing."))
    plain = _plain(text)
    for kind, words in ((QUARTERLY, QUARTERLY_WORDS), (MONTHLY, MONTHLY_WORDS), (YEARLY, YEARLY_WORDS)):
        if plain in words:
            return Deadline(kind, period_end_of(kind, start or timezone.localdate()))
    match = _QUARTER.match(plain)
    if match:
        number, year = match.groups()
        quarter = ROMAN.get(number) or int(number)
        return Deadline(QUARTER, quarter_end(int(year), quarter))
    try:
        day = parse_date(text)
    except ValueError:
        day = None
    if day is None:
        raise ValueError(
            _("'%(value)s' is not a deadline: write a date (31/03/2023), a quarter (Quý I/2023 or Q1/2023), “hằng tháng”, “hằng quý” or “hằng năm”.")
            % {"value": text}
        )
    return Deadline(DATE, day)


def deadline_label(kind: str, day: datetime.date | None) -> str:
    """How the deadline reads in a table: 31/03/2023, Quý I/2023, Hằng quý."""
    if day is None:
        return ""
    if kind == QUARTER:
        year, quarter = quarter_of(day)
        return _("Q%(quarter)s/%(year)s") % {"quarter": ROMAN_OF[quarter], "year": year}
    if kind == QUARTERLY:
        return _("Quarterly")
    if kind == MONTHLY:
        return _("Monthly")
    if kind == YEARLY:
        return _("Yearly")
    return date_format(day, "SHORT_DATE_FORMAT")


def period_end_of(kind: str, day: datetime.date) -> datetime.date:
    """The last day of the month, quarter or year (by `kind`) that contains `day`."""
    if kind == MONTHLY:
        following = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return following - datetime.timedelta(days=1)
    if kind == YEARLY:
        return datetime.date(day.year, 12, 31)
    return quarter_end_of(day)


def period_start_of(kind: str, day: datetime.date) -> datetime.date:
    """The first day of the month, quarter or year that contains `day`."""
    if kind == MONTHLY:
        return day.replace(day=1)
    if kind == YEARLY:
        return datetime.date(day.year, 1, 1)
    return quarter_start(*quarter_of(day))


def recurring_due(kind: str, due: datetime.date, today: datetime.date) -> datetime.date:
    """The report a recurring task owes today: its stored due date, or — when periods went by
    without a report — the end of the last period that has ended. A report missed in 2023 is not
    owed in 2025: the task is one period late, never years late. Other deadlines stay as they are."""
    if kind not in RECURRING or due >= today:
        return due
    last_ended = period_end_of(kind, period_start_of(kind, today) - datetime.timedelta(days=1))
    return max(due, last_ended)


def recurring_due_after_report(kind: str, due: datetime.date, report_day: datetime.date) -> datetime.date:
    """The next due date of a recurring task once the report of a period is filed on `report_day`.

    One report settles one period: the one owed on that day (see `recurring_due`), as soon as that
    period has started (a report filed before it belongs to the period before).
    """
    due = recurring_due(kind, due, report_day)
    if report_day < period_start_of(kind, due):
        return due
    return period_end_of(kind, due + datetime.timedelta(days=1))


def quarterly_due_after_report(due: datetime.date, report_day: datetime.date) -> datetime.date:
    return recurring_due_after_report(QUARTERLY, due, report_day)
