"""Deadlines as provincial offices write them: a date, a quarter ("Quý I/2023", "Q1/2023") or
"quarterly" (hằng quý: a report is due at the end of every quarter). Pure functions, no database.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chiso.core.tabular import parse_date

DATE = "date"
QUARTER = "quarter"
QUARTERLY = "quarterly"

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
ROMAN_OF = {1: "I", 2: "II", 3: "III", 4: "IV"}
QUARTERLY_WORDS = {"quarterly", "hang quy", "moi quy", "theo quy", "dinh ky hang quy"}
_QUARTER = re.compile(r"^(?:q|quy)\s*(i{1,3}|iv|[1-4])\s*(?:/|-|nam|\s)\s*(\d{4})$")


@dataclass(frozen=True)
class Deadline:
    kind: str
    date: datetime.date  # a date: itself; a quarter: its last day; quarterly: the first quarter end due


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
    text = unicodedata.normalize("NFD", text.strip().lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.split())


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
    if plain in QUARTERLY_WORDS:
        return Deadline(QUARTERLY, quarter_end_of(start or timezone.localdate()))
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
            _("'%(value)s' is not a deadline: write a date (31/03/2023), a quarter (Quý I/2023 or Q1/2023) or “hằng quý”.")
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
    return date_format(day, "SHORT_DATE_FORMAT")


def quarterly_due_after_report(due: datetime.date, report_day: datetime.date) -> datetime.date:
    """The next quarterly due date once a report is filed on `report_day`.

    One report settles one quarter: the quarter that was due, as soon as that quarter has
    started (a report filed before it belongs to the quarter before).
    """
    year, quarter = quarter_of(due)
    if report_day < quarter_start(year, quarter):
        return due
    return quarter_end_of(due + datetime.timedelta(days=1))
