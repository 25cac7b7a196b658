"""Import of one-stop-shop exports (CSV/XLSX) through a saved column mapping.

The whole file is checked first and every problem is reported by file, sheet, row and column.
Then the import is shown before it is written (service_stats_preview: each unit added, changed
from → to, unchanged, and, only when the whole period is replaced, removed), and written in one
transaction (service_stats_import) with a record of who and when and an audit record per unit.
A partial file never removes what it does not mention: only `replace_period` does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chiso.accounts.permissions import service_stats_check
from chiso.audit.services import audit_record, audit_record_many
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
from chiso.core.tabular import Column, ImportFailed, Table, columns_match, normalise_header, read_table
from chiso.formats.numbers import NumberRefused, parse_number, shown
from chiso.units.models import Period, Unit

from .fields import COUNT_FIELDS, FIELD_NAMES, OPTIONAL, STANDARD_MAPPING, UNIT_FIELD
from .models import ServiceStat, SourceFormat, StatImport
from .services import service_stats_indicators_publish


class StatEvent:
    """Stable audit codes of the statistics import."""

    IMPORTED = "service_stats.imported"
    ADDED = "service_stat.added"
    CHANGED = "service_stat.changed"
    REMOVED = "service_stat.removed"


IGNORED_HEADERS = ("STT", "TT")  # a row number: allowed, not read
UNIT_TITLES = ("Mã đơn vị", "Tên đơn vị", "Mã ĐV", _lazy("Unit"))


def parse_count(value: object) -> int | None:
    """A count as exports and people write it: 1234, 1.234 or 1 234 (Vietnamese thousands), 1234.0
    from a spreadsheet; '' is None. Raises ValueError (a NumberRefused saying how to write it, for
    text) for anything else: a fraction, a negative number, text, '1,500' read two ways."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise NumberRefused(_("Enter a whole number, without decimals (e.g. %(example)s).") % {"example": shown(round(value))})
        number = int(value)
    else:
        number = int(parse_number(str(value), decimals_allowed=False))
    if number < 0:
        raise NumberRefused(_("A count cannot be negative."))
    return number


def stat_columns(mapping: dict[str, str]) -> list[Column]:
    """The columns a file in this mapping may have: each by the mapping's header, the standard
    Vietnamese one, its field name and the label the pages show (both languages)."""
    columns = []
    for name, standard, label in [UNIT_FIELD, *COUNT_FIELDS]:
        header = (mapping.get(name) or standard).strip()
        titles = [standard, name, label, *(UNIT_TITLES if name == UNIT_FIELD[0] else ())]
        titles = [t for t in titles if isinstance(t, Promise) or t != header]  # a lazy title counts in every language
        columns.append(Column(header, tuple(titles), required=name not in OPTIONAL))
    return columns


def _columns(table: Table, mapping: dict[str, str]) -> dict[str, str]:
    """field → the file's own header for it; ImportFailed naming every missing and unknown column."""
    columns = stat_columns(mapping)
    found = columns_match(table, columns, ignored=IGNORED_HEADERS)
    fields = [UNIT_FIELD[0], *FIELD_NAMES]
    return {fields[i]: found[c.name] for i, c in enumerate(columns) if c.name in found}


def _unit_finder(period: Period):
    active = list(Unit.objects.active_in(period).select_related("block"))
    by_code = {u.code.upper(): u for u in active}
    by_name: dict[str, list[Unit]] = {}
    for unit in active:
        by_name.setdefault(normalise_header(unit.name_vi), []).append(unit)
    inactive = {u.code.upper() for u in Unit.objects.exclude(pk__in=[u.pk for u in active])}

    def find(text: str) -> tuple[Unit | None, str]:
        key = text.strip().upper()
        if key in by_code:
            return by_code[key], ""
        if key in inactive:
            return None, _("The unit %(unit)s did not exist in this period.") % {"unit": text}
        named = by_name.get(normalise_header(text), [])
        if len(named) == 1:
            return named[0], ""
        if len(named) > 1:
            return None, _("Several units are named %(unit)s; use the unit code.") % {"unit": text}
        return None, _("No unit has the code or name %(unit)s.") % {"unit": text}

    return find


def count_inconsistencies(values: dict[str, int | None]) -> list[tuple[str, str]]:
    """(field, message) for counts that cannot be true together: a rate above 100 %."""
    received = sum(values.get(f) or 0 for f in ("received_online_full", "received_online_partial", "received_in_person", "received_post"))
    settled = sum(values.get(f) or 0 for f in ("processed_early", "processed_on_time", "processed_late"))
    rules = [
        ("digitised", received, _("dossiers received")),
        ("synced", received, _("dossiers received")),
        ("results_electronic", settled, _("dossiers settled")),
        ("fee_bearing", received, _("dossiers received")),
        ("paid_online", values.get("fee_bearing") if values.get("fee_bearing") is not None else received,
         _("dossiers with fees") if values.get("fee_bearing") is not None else _("dossiers received")),
    ]
    return [(name, _("%(value)s is more than the %(limit)s %(what)s in the same row.") % {
                "value": shown(values[name]), "limit": shown(limit), "what": what})
            for name, limit, what in rules if values.get(name) is not None and values[name] > limit]


def _read(period: Period, source_format: SourceFormat | None, file_name: str, content: bytes) -> list[tuple[Unit, dict]]:
    table = read_table(file_name, content, sheet=(source_format.sheet or None) if source_format else None, kind="service_stats")
    mapping = source_format.mapping if source_format else STANDARD_MAPPING
    headers = _columns(table, mapping)
    if not table.rows:
        raise ImportFailed([table.problem(_("The file has a header but no rows."))])
    find = _unit_finder(period)
    rows, seen, problems = [], {}, []
    for number, record in table.rows:
        unit_text = str(record.get(headers["unit"], "")).strip()
        unit, message = find(unit_text) if unit_text else (None, _("The unit is missing."))
        if unit is None:
            problems.append(table.problem(message, row=number, column=headers["unit"]))
        elif unit.pk in seen:
            problems.append(table.problem(_("%(unit)s already has a row (row %(row)s).") % {"unit": unit.name_vi, "row": seen[unit.pk]},
                                          row=number, column=headers["unit"]))
        else:
            seen[unit.pk] = number
        values = {}
        for name in FIELD_NAMES:
            if name not in headers:
                values[name] = None
                continue
            raw = record.get(headers[name], "")
            try:
                values[name] = parse_count(raw)
            except ValueError as error:
                message = _("“%(value)s” is not a count (a whole number, 0 or more).") % {"value": raw}
                if isinstance(error, NumberRefused) and any(ch.isdigit() for ch in str(raw)):
                    message += " " + str(error)  # how to write it, for a number written another way
                problems.append(table.problem(message, row=number, column=headers[name]))
                values[name] = None
        problems += [table.problem(message, row=number, column=headers[name]) for name, message in count_inconsistencies(values)]
        rows.append((unit, {f: (v if v is not None else (None if f in OPTIONAL else 0)) for f, v in values.items()}))
    if problems:
        raise ImportFailed(problems)
    return rows


def _stored(stat: ServiceStat) -> dict[str, int | None]:
    return {f: getattr(stat, f) for f in FIELD_NAMES}


def _count_text(value: int | None) -> str:
    return "" if value is None else shown(value)


def _totals(values: list[dict]) -> dict[str, int]:
    totals = {f: sum(v[f] or 0 for v in values) for f in FIELD_NAMES}
    totals["units"] = len(values)
    return totals


@dataclass
class StatsPlan:
    """What an import of a file would do to a period's statistics, and the preview shown for it."""

    period: Period
    rows: list[tuple[Unit, dict]]
    current: dict[int, ServiceStat]
    replace_period: bool
    preview: ImportPreview
    added: list[tuple[Unit, dict]] = field(default_factory=list)
    changed: list[tuple[ServiceStat, dict]] = field(default_factory=list)
    removed: list[ServiceStat] = field(default_factory=list)


def _period_fingerprint(stats: list[ServiceStat]) -> str:
    return fingerprint(sorted([s.unit_id, [getattr(s, f) for f in FIELD_NAMES]] for s in stats))


def _plan(period: Period, rows: list[tuple[Unit, dict]], replace_period: bool, stats: list[ServiceStat]) -> StatsPlan:
    labels = {name: str(label) for name, _h, label in COUNT_FIELDS}
    current = {s.unit_id: s for s in stats}
    plan = StatsPlan(period=period, rows=rows, current=current, replace_period=replace_period,
                     preview=ImportPreview(rows=[], replace_period=replace_period, fingerprint=_period_fingerprint(stats)))
    for unit, values in rows:
        stat = current.get(unit.pk)
        if stat is None:
            plan.added.append((unit, values))
            plan.preview.rows.append(PreviewRow(ADDED, unit.name_vi, [(labels[f], "", _count_text(values[f])) for f in FIELD_NAMES]))
            continue
        old = _stored(stat)
        differ = [f for f in FIELD_NAMES if old[f] != values[f]]
        if differ:
            plan.changed.append((stat, values))
            plan.preview.rows.append(PreviewRow(CHANGED, unit.name_vi,
                                                [(labels[f], _count_text(old[f]), _count_text(values[f])) for f in differ]))
        else:
            plan.preview.rows.append(PreviewRow(UNCHANGED, unit.name_vi))
    if replace_period:
        mentioned = {unit.pk for unit, _v in rows}
        for stat in stats:
            if stat.unit_id not in mentioned:
                plan.removed.append(stat)
                plan.preview.rows.append(PreviewRow(REMOVED, stat.unit.name_vi,
                                                    [(labels[f], _count_text(getattr(stat, f)), "") for f in FIELD_NAMES]))
    return plan


def _period_stats(period: Period, *, lock: bool = False) -> list[ServiceStat]:
    stats = ServiceStat.objects.filter(period=period).select_related("unit", "source").order_by("unit__code")
    if lock:
        stats = stats.select_for_update(of=("self",))
    return list(stats)


def service_stats_preview(*, period: Period, file_name: str, content: bytes, source_format: SourceFormat | None = None,
                          replace_period: bool = False) -> ImportPreview:
    """What importing the file would do, nothing written; ImportFailed with every problem found."""
    rows = _read(period, source_format, file_name, content)
    return _plan(period, rows, replace_period, _period_stats(period)).preview


def service_stats_import(*, period: Period, file_name: str, content: bytes, source_format: SourceFormat | None = None,
                         by, replace_period: bool = False, expected: str | None = None, progress=None) -> StatImport:
    """Add and change the statistics of the units the file lists (and, with `replace_period`, remove
    the period's other units' figures), all or nothing, with who and when and an audit record per
    unit. `expected` is the preview's fingerprint: a period changed since the preview is refused."""
    service_stats_check(by)
    rows = _read(period, source_format, file_name, content)
    with transaction.atomic():
        stats = _period_stats(period, lock=True)
        plan = _plan(period, rows, replace_period, stats)
        fingerprint_check(expected, plan.preview.fingerprint)
        record = _write(plan, source_format=source_format, file_name=file_name, content=content, by=by, progress=progress)
    return record


def _write(plan: StatsPlan, *, source_format, file_name: str, content: bytes, by, progress=None) -> StatImport:
    period = plan.period
    previous = StatImport.objects.filter(period=period).order_by("-imported_at", "-pk").first()
    counts = plan.preview.counts
    replaced = [_stored(s) for s, _v in plan.changed] + [_stored(s) for s in plan.removed]
    record = StatImport.objects.create(
        period=period, source_format=source_format, file_name=file_name[:255], sha256=hashlib.sha256(content).hexdigest(),
        rows=len(plan.rows), totals=_totals([v for _u, v in plan.rows]), replaced=previous,
        replaced_totals=_totals(replaced) if replaced else {}, replace_period=plan.replace_period, counts=counts,
        imported_by=by if getattr(by, "pk", None) else None,
    )
    total = len(plan.added) + len(plan.changed) + len(plan.removed)
    entries = []
    created = ServiceStat.objects.bulk_create(
        [ServiceStat(unit=unit, period=period, source=record, **values) for unit, values in plan.added], batch_size=500)
    for stat in created:
        entries.append({"event": StatEvent.ADDED, "obj": stat, "parents": (stat.unit,), "by": by, "new": _audit_text(_stored(stat)),
                        "details": {"period": period.code, "import": record.pk}})
    for stat, values in plan.changed:
        old = _stored(stat)
        for name, value in values.items():
            setattr(stat, name, value)
        stat.source = record
        entries.append({"event": StatEvent.CHANGED, "obj": stat, "parents": (stat.unit,), "by": by, "old": _audit_text(old),
                        "new": _audit_text(values), "details": {"period": period.code, "import": record.pk,
                                                                "changed": [f for f in FIELD_NAMES if old[f] != values[f]]}})
    ServiceStat.objects.bulk_update([s for s, _v in plan.changed], [*FIELD_NAMES, "source"], batch_size=500)
    if progress:
        progress(len(plan.added) + len(plan.changed), total)
    for stat in plan.removed:
        entries.append({"event": StatEvent.REMOVED, "obj": stat, "parents": (stat.unit,), "by": by, "old": _audit_text(_stored(stat)),
                        "reason": _("Not in the file that replaced the whole period"),
                        "details": {"period": period.code, "import": record.pk}})
    audit_record_many(entries)  # before the removed rows lose their ids
    ServiceStat.objects.filter(pk__in=[s.pk for s in plan.removed]).delete()
    audit_record(event=StatEvent.IMPORTED, obj=record, parents=(period,), by=by, new=len(plan.rows), reason=file_name,
                 details={"period": period.code, "replace_period": plan.replace_period, **counts})
    if progress:
        progress(total, total)
    service_stats_indicators_publish(period=period, by=by)
    return record


def import_message(record) -> str:
    """What an import did, for the person who ran it."""
    counts = record.counts or {}
    message = _("Imported %(rows)s units for %(period)s.") % {"rows": record.rows, "period": record.period.name}
    message += " " + _("Added: %(added)s, changed: %(changed)s, unchanged: %(unchanged)s, removed: %(removed)s.") % {
        "added": counts.get("added", 0), "changed": counts.get("changed", 0), "unchanged": counts.get("unchanged", 0),
        "removed": counts.get("removed", 0)}
    return message


def service_stat_enter(*, period: Period, unit: Unit, values: dict[str, int | None], by) -> StatImport:
    """One unit's counts typed in (a unit missing from the export, a correction): the other units'
    figures stay; recorded as an import of its own ("entered by hand") with the unit's audit record."""
    service_stats_check(by)
    if not Unit.objects.active_in(period).filter(pk=unit.pk).exists():
        raise ValidationError(_("The unit %(unit)s did not exist in this period.") % {"unit": unit.name_vi})
    wrong = count_inconsistencies(values)
    if wrong:
        raise ValidationError({name: message for name, message in wrong})
    values = {f: (values.get(f) if values.get(f) is not None else (None if f in OPTIONAL else 0)) for f in FIELD_NAMES}
    with transaction.atomic():
        plan = _plan(period, [(unit, values)], False, _period_stats(period, lock=True))
        return _write(plan, source_format=None, file_name=_("Entered by hand"), content=repr(sorted(values.items())).encode(), by=by)


def _audit_text(values: dict) -> str:
    """The counts as the trail keeps them: exact, language-neutral, in the fields' order."""
    return "; ".join(f"{f}={'' if values[f] is None else values[f]}" for f in FIELD_NAMES)
