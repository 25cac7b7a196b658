"""Import of indicator values typed up by the secretariat: one row per unit, one column per indicator.

The file names its units by code (uCode, as COINr's iData, or `code`); `N/A` marks an item
that does not apply. Every value is recorded with the source given for the file.

The import is shown before it is written (indicator_values_preview: each value added, changed
from → to, unchanged and, only when the whole period is replaced, withdrawn) and written in one
transaction (indicator_values_import). A value in force is never overwritten: an entry that
differs supersedes it, a withdrawn one is marked superseded (indices.services), both stay on record.
A partial file never withdraws what it does not mention; `replace_period` withdraws the values of
the file's indicators in the period that the file does not give.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
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
from chiso.formats.numbers import shown
from chiso.frameworks.models import FrameworkVersion, Node
from chiso.units.models import Period, Unit

from .models import IndicatorValue
from .services import ValueEntry, indicator_value_remove, indicator_values_set

UNIT_COLUMN = Column("uCode", ("code", "Mã", "Mã đơn vị", "Mã ĐV", _lazy("Unit code")), required=True)
NAME_COLUMN = Column("uName", ("name", "name_vi", "Tên", "Tên đơn vị", _lazy("Unit")))  # allowed, not read
IGNORED_HEADERS = ("STT", "TT")
IMPORTED = "indicator_values.imported"  # the audit code of one import (each value has its own record too)


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


def _number(raw) -> float:
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, (int, float)):
        return float(raw)
    return float(str(raw).strip().replace(",", "."))


@dataclass
class ValuesPlan:
    entries: list[ValueEntry]
    removed: list[IndicatorValue]
    preview: ImportPreview
    codes: list[str] = field(default_factory=list)


def _read(version: FrameworkVersion, period: Period, file_name: str, content: bytes, source: str):
    """(unit, code, value, not applicable) of every cell that holds one, and the file's indicator codes."""
    table = read_table(file_name, content, kind="indicator_values")
    if not source.strip():
        raise ImportFailed([table.problem(_("Say where the values come from (the source)."))])
    found = columns_match(table, value_columns(version), ignored=IGNORED_HEADERS)
    unit_header = found.pop(UNIT_COLUMN.name)
    found.pop(NAME_COLUMN.name, None)
    columns = list(found.items())  # (indicator code, the file's header)
    units = {u.code.upper(): u for u in Unit.objects.active_in(period)}
    cells, problems, seen = [], [], {}
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
            try:
                cells.append((unit, indicator, _number(raw), False))
            except ValueError:
                problems.append(table.problem(_("'%(value)s' is not a number.") % {"value": raw}, row=number, column=header))
    if problems:
        raise ImportFailed(problems)
    return cells, [code for code, _h in columns]


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
                             replace_period: bool = False) -> ImportPreview:
    """What importing the file would do, nothing written; ImportFailed with every problem found."""
    cells, codes = _read(version, period, file_name, content, source)
    return _plan(cells, codes, source, replace_period, _in_force(version, period, codes)).preview


def indicator_values_import(*, version: FrameworkVersion, period: Period, file_name: str, content: bytes,
                            source: str, by=None, replace_period: bool = False, expected: str | None = None,
                            progress=None) -> int:
    """Check everything, then write all values or none: the file's values added or superseding the
    ones in force (and, with `replace_period`, the period's other values of the file's indicators
    withdrawn). `expected` is the preview's fingerprint: values changed since are refused.
    Returns how many values were written."""
    if not may_enter_values(by):
        raise PermissionDenied
    cells, codes = _read(version, period, file_name, content, source)
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
                              **plan.preview.counts})
        if progress:
            progress(total, total)
    return len(plan.entries)


PENDING_KIND = "indicator_values"


@task()
def indicator_values_import_task(job_id: int, folder: str, user_id: int | None, language: str, version_id: int,
                                 period_id: int, source: str, replace_period: bool, expected: str) -> None:
    """A large confirmed import, as a background job with progress (chiso.jobs.imports)."""
    from django.urls import reverse

    from chiso.jobs.imports import import_job_run

    def work(*, files, by, progress):
        ((file_name, content),) = files
        written = indicator_values_import(
            version=FrameworkVersion.objects.get(pk=version_id), period=Period.objects.get(pk=period_id), file_name=file_name,
            content=content, source=source, by=by, replace_period=replace_period, expected=expected, progress=progress)
        return {"written": written, "message": _("%(count)s values recorded.") % {"count": written}, "url": reverse("indices:list")}

    import_job_run(job_id, folder=folder, user_id=user_id, language=language, work=work)
