"""Import of indicator values typed up by the secretariat: one row per unit, one column per indicator.

The file names its units by code (uCode, as COINr's iData, or `code`); `N/A` marks an item
that does not apply. Every value is recorded with the source given for the file.

The import is shown before it is written (indicator_values_preview: each value added, changed
from → to, unchanged and, only when the whole period is replaced, withdrawn) and written in one
transaction (indicator_values_import). A value in force is never overwritten: an entry that
differs supersedes it, a withdrawn one is marked superseded (indices.services), both stay on record.
A partial file never withdraws what it does not mention; `replace_period` withdraws the values of
the file's indicators in the period that the file does not give.

Numbers typed as text are read the Vietnamese way (1.234,5) or the international way (1,234.5, as
COINr's files): chosen by the person, or told by the file itself (`numbers="auto"`): a comma
before decimals ('0,5') says Vietnamese, a point before other than three digits ('0.5')
international; a file that says both, or only holds cells that read two ways ('1.000'), is refused
naming the cells, never guessed. Numbers an XLSX stores as numbers need no reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_tasks import task

from chiso.accounts.permissions import may_enter_values
from chiso.audit.services import audit_record
from chiso.core.pending_imports import (
    ADDED,
    CHANGED,
    REMOVED,
    UNCHANGED,
    ImportPreview,
    PreviewRow,
    fingerprint,
    fingerprint_check,
)
from chiso.core.tabular import Column, ImportFailed, columns_match, header_key, read_table
from chiso.formats.numbers import AMBIGUOUS, INTERNATIONAL, VIETNAMESE, NumberRefused, number_writing, parse_written, shown
from chiso.frameworks.models import FrameworkVersion, Node
from chiso.jobs.imports import import_job_run
from chiso.units.models import Period, Unit

from .models import IndicatorValue
from .services import ValueEntry, indicator_value_remove, indicator_values_set

UNIT_COLUMN = Column("uCode", ("code", "Mã", "Mã đơn vị", "Mã ĐV", _lazy("Unit code")), required=True)
NAME_COLUMN = Column("uName", ("name", "name_vi", "Tên", "Tên đơn vị", _lazy("Unit")))  # allowed, not read
IGNORED_HEADERS = ("STT", "TT")
IMPORTED = "indicator_values.imported"  # the audit code of one import (each value has its own record too)
AUTO = "auto"  # how the file's numbers are written: told by the file (or VIETNAMESE, INTERNATIONAL as chosen)
NUMBER_WRITINGS = (AUTO, VIETNAMESE, INTERNATIONAL)
NUMBER_LIKE = re.compile(r"^[\s\d.,+\-\u2212\u00a0\u202f]+$")
CELLS_NAMED = 5


def value_columns(version: FrameworkVersion) -> list[Column]:
    """uCode, uName, then one column per item of the version that holds values, by its code (and
    its name, in both languages, where no other item has the same)."""
    nodes = list(version.nodes.exclude(type=Node.Type.AGGREGATE).order_by("order", "code"))
    names: dict[str, int] = {}
    for node in nodes:
        for name in {node.name_vi, node.name_en} - {""}:
            names[header_key(name)] = names.get(header_key(name), 0) + 1
    columns = [UNIT_COLUMN, NAME_COLUMN]
    for node in nodes:
        titles = tuple(name for name in (node.name_vi, node.name_en) if name and names[header_key(name)] == 1)
        columns.append(Column(node.code, titles))
    return columns


def _cell(row: int, column: str, text: str) -> str:
    return _("%(value)s (row %(row)s, column %(column)s)") % {"value": text, "row": row, "column": column}


def _writing_detect(table, typed: list[tuple[int, str, str]]) -> str:
    """How the file's typed numbers are written, told by the cells that say it; ImportFailed when
    they say both ways, or when every telling cell reads two ways ('1.000': a thousand or one)."""
    first: dict[str, tuple[int, str, str]] = {}
    ambiguous = []
    for row, column, text in typed:
        writing = number_writing(text)
        if writing == AMBIGUOUS:
            ambiguous.append((row, column, text))
        elif writing is not None:
            first.setdefault(writing, (row, column, text))
    if VIETNAMESE in first and INTERNATIONAL in first:
        raise ImportFailed([table.problem(
            _("Numbers are written two ways in this file: %(vietnamese)s the Vietnamese way (1.234,5), %(international)s "
              "the international way (1,234.5). Write them all one way, or choose how numbers are written.")
            % {"vietnamese": _cell(*first[VIETNAMESE]), "international": _cell(*first[INTERNATIONAL])})])
    if first:
        return next(iter(first))
    if ambiguous:
        named = "; ".join(_cell(*cell) for cell in ambiguous[:CELLS_NAMED])
        if len(ambiguous) > CELLS_NAMED:
            named += " " + _("and %(count)s more") % {"count": len(ambiguous) - CELLS_NAMED}
        raise ImportFailed([table.problem(
            _("These numbers can be read two ways: %(cells)s (1.000 is a thousand written the Vietnamese way, one written "
              "the international way). Choose how numbers are written in this file: Vietnamese (1.234,5) or international (1,234.5).")
            % {"cells": named})])
    return VIETNAMESE if typed else ""


def _number(raw, writing: str) -> float:
    if isinstance(raw, bool):
        raise NumberRefused(_("'%(value)s' is not a number.") % {"value": raw})
    if isinstance(raw, (int, float)):
        return float(raw)
    text = str(raw).strip()
    if not NUMBER_LIKE.match(text):
        raise NumberRefused(_("'%(value)s' is not a number.") % {"value": raw})
    return float(parse_written(text, writing or VIETNAMESE))


def numbers_note(writing: str, numbers: str) -> str:
    """The line a preview shows about how the file's numbers were read."""
    if writing == INTERNATIONAL:
        read = _("Numbers are read the international way (1,234.5)")
    elif writing == VIETNAMESE:
        read = _("Numbers are read the Vietnamese way (1.234,5)")
    else:
        return _("The file's numbers are stored as numbers: there is no way of writing to tell.")
    how = _("as the file's numbers show") if numbers == AUTO else _("as you chose")
    return f"{read}, {how}."


@dataclass
class ValuesPlan:
    entries: list[ValueEntry]
    removed: list[IndicatorValue]
    preview: ImportPreview
    codes: list[str] = field(default_factory=list)
    writing: str = ""


def _read(version: FrameworkVersion, period: Period, file_name: str, content: bytes, source: str, numbers: str = AUTO):
    """(unit, code, value, not applicable) of every cell that holds one, the file's indicator codes,
    and how its typed numbers were read (VIETNAMESE, INTERNATIONAL, or "" when none was typed)."""
    if numbers not in NUMBER_WRITINGS:
        raise ValueError(numbers)
    table = read_table(file_name, content, kind="indicator_values")
    if not source.strip():
        raise ImportFailed([table.problem(_("Say where the values come from (the source)."))])
    found = columns_match(table, value_columns(version), ignored=IGNORED_HEADERS)
    unit_header = found.pop(UNIT_COLUMN.name)
    found.pop(NAME_COLUMN.name, None)
    columns = list(found.items())  # (indicator code, the file's header)
    units = {u.code.upper(): u for u in Unit.objects.active_in(period)}
    cells, problems, seen, given = [], [], {}, []
    for number, values in table.rows:
        code = str(values.get(unit_header, "")).strip()
        unit = units.get(code.upper())
        if unit is None:
            problems.append(table.problem(_("No unit with code '%(code)s' exists in this period.") % {"code": code},
                                          row=number, column=unit_header))
            continue
        if unit.pk in seen:
            problems.append(table.problem(_("%(unit)s already has a row (row %(row)s).") % {"unit": unit.name_vi, "row": seen[unit.pk]},
                                          row=number, column=unit_header))
            continue
        seen[unit.pk] = number
        for indicator, header in columns:
            raw = values.get(header, "")
            if raw in ("", None):
                continue
            if str(raw).strip().upper() == "N/A":
                cells.append((unit, indicator, None, True))
                continue
            given.append((unit, indicator, number, header, raw))
    typed = [(row, header, str(raw).strip()) for _u, _i, row, header, raw in given
             if isinstance(raw, str) and NUMBER_LIKE.match(raw.strip())]
    try:
        writing = _writing_detect(table, typed) if numbers == AUTO else (numbers if typed else "")
    except ImportFailed as undecided:
        raise ImportFailed(undecided.problems + problems) from None
    for unit, indicator, number, header, raw in given:
        try:
            cells.append((unit, indicator, _number(raw, writing), False))
        except NumberRefused as refusal:
            problems.append(table.problem(str(refusal), row=number, column=header))
    if problems:
        raise ImportFailed(sorted(problems, key=lambda problem: problem.row or 0))
    return cells, [code for code, _h in columns], writing


def _value_shown(value: float | None, not_applicable: bool) -> str:
    if not_applicable:
        return "N/A"
    return "" if value is None else shown(value)


def _in_force(version: FrameworkVersion, period: Period, codes: list[str], *, lock: bool = False) -> list[IndicatorValue]:
    values = IndicatorValue.objects.filter(framework=version.framework, period=period, code__in=codes).select_related("unit")
    if lock:
        values = values.select_for_update(of=("self",))
    return list(values.order_by("unit__code", "code"))


def _plan(cells, codes: list[str], source: str, replace_period: bool, current: list[IndicatorValue]) -> ValuesPlan:
    by_cell = {(v.unit_id, v.code): v for v in current}
    kind = IndicatorValue.SourceKind.FILE_IMPORT
    source = source.strip()[:255]
    preview = ImportPreview(rows=[], replace_period=replace_period, fingerprint=fingerprint(sorted(v.pk for v in current)))
    plan = ValuesPlan(entries=[], removed=[], preview=preview, codes=codes)
    given = set()
    for unit, code, value, not_applicable in cells:
        given.add((unit.pk, code))
        subject = f"{unit.name_vi} · {code}"
        new = _value_shown(value, not_applicable)
        old = by_cell.get((unit.pk, code))
        entry = ValueEntry(unit=unit, code=code, value=value, source=source, not_applicable=not_applicable)
        if old is None:
            plan.entries.append(entry)
            preview.rows.append(PreviewRow(ADDED, subject, [(code, "", new)]))
            continue
        was = _value_shown(old.value, old.not_applicable)
        differ = [(code, was, new)] if (old.value, old.not_applicable) != (value, not_applicable) else []
        if (old.source, old.source_kind) != (source, kind):
            differ.append((_("Source"), old.source, source))
        if differ:
            plan.entries.append(entry)
            preview.rows.append(PreviewRow(CHANGED, subject, differ))
        else:
            preview.rows.append(PreviewRow(UNCHANGED, subject))
    if replace_period:
        for old in current:
            if (old.unit_id, old.code) not in given:
                plan.removed.append(old)
                preview.rows.append(PreviewRow(REMOVED, f"{old.unit.name_vi} · {old.code}",
                                               [(old.code, _value_shown(old.value, old.not_applicable), "")]))
    return plan


def indicator_values_preview(*, version: FrameworkVersion, period: Period, file_name: str, content: bytes, source: str,
                             replace_period: bool = False, numbers: str = AUTO) -> ImportPreview:
    """What importing the file would do, nothing written; ImportFailed with every problem found.
    `numbers`: how typed numbers are written, AUTO (told by the file), VIETNAMESE or INTERNATIONAL."""
    cells, codes, writing = _read(version, period, file_name, content, source, numbers)
    preview = _plan(cells, codes, source, replace_period, _in_force(version, period, codes)).preview
    preview.notes.append(numbers_note(writing, numbers))
    return preview


def indicator_values_import(*, version: FrameworkVersion, period: Period, file_name: str, content: bytes,
                            source: str, by=None, replace_period: bool = False, expected: str | None = None,
                            progress=None, numbers: str = AUTO) -> int:
    """Check everything, then write all values or none: the file's values added or superseding the
    ones in force (and, with `replace_period`, the period's other values of the file's indicators
    withdrawn). `expected` is the preview's fingerprint: values changed since are refused.
    Returns how many values were written."""
    if not may_enter_values(by):
        raise PermissionDenied
    cells, codes, writing = _read(version, period, file_name, content, source, numbers)
    with transaction.atomic():
        plan = _plan(cells, codes, source, replace_period, _in_force(version, period, codes, lock=True))
        fingerprint_check(expected, plan.preview.fingerprint)
        total = len(plan.entries) + len(plan.removed)
        if progress:
            progress(0, total)
        indicator_values_set(framework=version.framework, period=period, entries=plan.entries, by=by,
                             source_kind=IndicatorValue.SourceKind.FILE_IMPORT)
        for done, old in enumerate(plan.removed, start=len(plan.entries) + 1):
            indicator_value_remove(framework=version.framework, period=period, unit=old.unit, code=old.code, by=by,
                                   reason=_("Not in the file that replaced the whole period"))
            if progress and done % 200 == 0:
                progress(done, total)
        audit_record(event=IMPORTED, obj=version, parents=(version.framework,), by=by, new=len(cells), reason=file_name,
                     details={"period": period.code, "source": source.strip()[:255], "replace_period": replace_period,
                              "numbers": writing, "numbers_chosen": numbers, **plan.preview.counts})
        if progress:
            progress(total, total)
    return len(plan.entries)


PENDING_KIND = "indicator_values"


@task()
def indicator_values_import_task(job_id: int, folder: str, user_id: int | None, language: str, version_id: int,
                                 period_id: int, source: str, replace_period: bool, expected: str, numbers: str = AUTO) -> None:
    """A large confirmed import, as a background job with progress (chiso.jobs.imports)."""
    def work(*, files, by, progress):
        ((file_name, content),) = files
        written = indicator_values_import(
            version=FrameworkVersion.objects.get(pk=version_id), period=Period.objects.get(pk=period_id), file_name=file_name,
            content=content, source=source, by=by, replace_period=replace_period, expected=expected, progress=progress,
            numbers=numbers)
        return {"written": written, "message": _("%(count)s values recorded.") % {"count": written}, "url": reverse("indices:list")}

    import_job_run(job_id, folder=folder, user_id=user_id, language=language, work=work)
