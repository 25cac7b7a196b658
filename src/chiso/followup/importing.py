"""Import of a directive's tasks from the table an office already keeps (XLSX or CSV), all or nothing.

Columns (Vietnamese or English headers): STT, Nhiệm vụ, Đơn vị chủ trì, Đơn vị phối hợp (several
separated by ";" or line breaks, as unit names contain commas), Thời hạn (31/03/2023, Quý I/2023,
Q1/2023, hằng quý). Units are named by code or by name; an unknown name is reported with the
closest names, so a typo is fixed in a minute.
"""

from __future__ import annotations

import difflib
import re

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chiso.accounts.permissions import followup_check
from chiso.core.tabular import Column, ImportFailed, Problem, Table, columns_match, read_table
from chiso.formats.text import fold
from chiso.units.models import Unit

from . import deadlines
from .models import Directive, Task
from .services import task_check, task_create

def _title(field: str):
    return Task._meta.get_field(field).verbose_name


# Every header accepted for a column (compared without case, accents, spacing or punctuation):
# chiso's own name, what offices write, and the titles the app shows, in both languages.
TASK_COLUMNS = [
    Column("number", ("STT", "TT", "Số thứ tự", "No.", _lazy("Number"), _title("number"))),
    Column("text", ("Nhiệm vụ", "Nội dung", "Nội dung nhiệm vụ", "Tên nhiệm vụ", _lazy("Task"), _title("text")), required=True),
    Column("lead_unit", ("Đơn vị chủ trì", "Cơ quan chủ trì", "Chủ trì", "Lead", _lazy("Lead unit"), _title("lead_unit")),
           required=True),
    Column("cooperating_units", ("Đơn vị phối hợp", "Cơ quan phối hợp", "Phối hợp", "Cooperating", _lazy("Cooperating units"),
                                 _title("cooperating_units"))),
    Column("deadline", ("Thời hạn", "Hạn", "Hạn hoàn thành", "Thời hạn hoàn thành", _lazy("Deadline"), _title("deadline")),
           required=True),
]


def _plain(text: str) -> str:
    return " ".join(fold(str(text)).split())


class UnitNames:
    """Units found by code or name, ignoring case, accents and spacing; suggestions for the rest."""

    def __init__(self):
        self.by_key: dict[str, Unit] = {}
        self.names: dict[str, str] = {}
        for unit in Unit.objects.all():
            for key in (unit.code, unit.name_vi, unit.name_en):
                if key:
                    self.by_key.setdefault(_plain(key), unit)
            self.names[_plain(unit.name_vi)] = unit.name_vi

    def find(self, text: str) -> Unit | None:
        return self.by_key.get(_plain(text))

    def suggest(self, text: str) -> list[str]:
        close = difflib.get_close_matches(_plain(text), list(self.names), n=3, cutoff=0.6)
        return [self.names[c] for c in close]


def _unknown(table: Table, row: int, column: str, text: str, names: UnitNames) -> Problem:
    suggestions = names.suggest(text)
    if suggestions:
        message = _("There is no unit named “%(name)s”. Did you mean: %(suggestions)s?") % {
            "name": text, "suggestions": "; ".join(suggestions)}
    else:
        message = _("There is no unit named “%(name)s” (write its name as in the unit list, or its code).") % {"name": text}
    return table.problem(message, row=row, column=column)


def _resolve(table, row, column, text, names, directive, problems) -> Unit | None:
    unit = names.find(text)
    if unit is None:
        problems.append(_unknown(table, row, column, text, names))
        return None
    if not unit.is_active_on(directive.date):
        problems.append(table.problem(
            _("%(unit)s did not exist on the directive's date (%(date)s).") % {"unit": unit.name, "date": date_format(directive.date, "SHORT_DATE_FORMAT")},
            row=row, column=column))
        return None
    return unit


def tasks_import(*, directive: Directive, file_name: str, content: bytes, by, progress=None) -> int:
    """Add the tasks of a table to a directive; any problem stops the whole import.

    The header is strict: every header must name a column (TASK_COLUMNS, English or Vietnamese),
    and one message names every required column that is missing. `progress(done, total)`, when
    given (a background job), hears of each stage: read, checked, written.
    """
    followup_check(by)
    table = read_table(file_name, content, kind="tasks")
    headers = columns_match(table, TASK_COLUMNS)
    if progress:
        progress(1, 3)
    names = UnitNames()
    problems: list[Problem] = []
    rows = []
    for number, values in table.rows:
        text = str(values.get(headers["text"], "") or "").strip()
        lead_text = str(values.get(headers["lead_unit"], "") or "").strip()
        lead = _resolve(table, number, headers["lead_unit"], lead_text, names, directive, problems) if lead_text else None
        cooperating = []
        if "cooperating_units" in headers:
            for part in re.split(r"[;\n]+", str(values.get(headers["cooperating_units"], "") or "")):
                if part.strip():
                    unit = _resolve(table, number, headers["cooperating_units"], part.strip(), names, directive, problems)
                    if unit is not None:
                        cooperating.append(unit)
        deadline = None
        raw_deadline = values.get(headers["deadline"], "")
        if raw_deadline not in ("", None):
            try:
                deadline = deadlines.deadline_parse(raw_deadline, start=directive.date)
            except ValueError as error:
                problems.append(table.problem(str(error), row=number, column=headers["deadline"]))
                raw_deadline = "?"  # reported already
        errors = task_check(directive=directive, text=text, lead_unit=lead, deadline=deadline)
        if lead is None and lead_text:
            errors.pop("lead_unit", None)  # reported above with suggestions
        if deadline is None and raw_deadline == "?":
            errors.pop("deadline", None)
        for field, message in errors.items():
            problems.append(table.problem(message, row=number, column=headers[field]))
        number_value = values.get(headers["number"], "") if "number" in headers else ""
        if isinstance(number_value, float) and number_value.is_integer():
            number_value = int(number_value)  # Excel stores "1" as 1.0
        number_text = str(number_value or "").strip()
        rows.append({"text": text, "lead_unit": lead, "cooperating_units": cooperating, "deadline": deadline, "number": number_text})
    if not rows and not problems:
        problems.append(table.problem(_("The table has no task.")))
    if problems:
        raise ImportFailed(problems)
    if progress:
        progress(2, 3)
    with transaction.atomic():
        for row in rows:
            task_create(directive=directive, by=by, **row)
    return len(rows)
