"""Import of one-stop-shop exports (CSV/XLSX) through a saved column mapping.

The whole file is checked first and every problem is reported by file, sheet, row and column;
then the period's statistics are replaced in one transaction, with a record of who and when.
"""

from __future__ import annotations

import hashlib
import re

from django.db import transaction
from django.utils.translation import gettext as _

from chiso.core.tabular import ImportFailed, Problem, Table, normalise_header, read_table
from chiso.units.models import Period, Unit

from .fields import COUNT_FIELDS, FIELD_NAMES, OPTIONAL, STANDARD_MAPPING, UNIT_FIELD
from .models import ServiceStat, SourceFormat, StatImport

THOUSANDS = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")


def parse_count(value: object) -> int | None:
    """A count as exports write it: 1234, 1.234 or 1 234 (Vietnamese thousands), 1234.0; '' is None.
    Raises ValueError for anything else (a fraction, a negative number, text)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        number = int(value)
    else:
        text = str(value).strip().replace("\u00a0", " ")
        if THOUSANDS.match(text):
            text = re.sub(r"[.,\s]", "", text)
        if not text.isdigit():
            raise ValueError(text)
        number = int(text)
    if number < 0:
        raise ValueError(value)
    return number


def _columns(table: Table, mapping: dict[str, str]) -> tuple[dict[str, str], list[Problem]]:
    """field → the file's header for it, and the required columns that are missing."""
    by_key = {normalise_header(h): h for h in table.headers if h}
    found, problems = {}, []
    for field in [UNIT_FIELD[0], *FIELD_NAMES]:
        wanted = mapping.get(field) or STANDARD_MAPPING[field]
        header = by_key.get(normalise_header(wanted)) or by_key.get(normalise_header(field))
        if header is not None:
            found[field] = header
        elif field not in OPTIONAL:
            problems.append(table.problem(_("The column “%(header)s” is missing (it holds: %(field)s).") % {
                "header": wanted, "field": _field_label(field)}, column=wanted))
    return found, problems


def _field_label(field: str) -> str:
    labels = {name: label for name, _h, label in COUNT_FIELDS}
    labels[UNIT_FIELD[0]] = UNIT_FIELD[2]
    return str(labels[field])


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


def _check_row(table: Table, number: int, values: dict[str, int | None], headers: dict[str, str]) -> list[Problem]:
    """Counts that cannot be true together: a rate above 100 %."""
    received = sum(values[f] or 0 for f in ("received_online_full", "received_online_partial", "received_in_person", "received_post"))
    settled = sum(values[f] or 0 for f in ("processed_early", "processed_on_time", "processed_late"))
    rules = [
        ("digitised", received, _("dossiers received")),
        ("synced", received, _("dossiers received")),
        ("results_electronic", settled, _("dossiers settled")),
        ("fee_bearing", received, _("dossiers received")),
        ("paid_online", values.get("fee_bearing") if values.get("fee_bearing") is not None else received,
         _("dossiers with fees") if values.get("fee_bearing") is not None else _("dossiers received")),
    ]
    problems = []
    for field, limit, what in rules:
        value = values.get(field)
        if value is not None and value > limit:
            problems.append(table.problem(
                _("%(value)s is more than the %(limit)s %(what)s in the same row.") % {"value": value, "limit": limit, "what": what},
                row=number, column=headers[field]))
    return problems


def _read(period: Period, source_format: SourceFormat | None, file_name: str, content: bytes):
    table = read_table(file_name, content, sheet=(source_format.sheet or None) if source_format else None, kind="service_stats")
    mapping = source_format.mapping if source_format else STANDARD_MAPPING
    headers, problems = _columns(table, mapping)
    if problems:
        raise ImportFailed(problems)
    if not table.rows:
        raise ImportFailed([table.problem(_("The file has a header but no rows."))])
    find = _unit_finder(period)
    rows, seen = [], {}
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
        for field in FIELD_NAMES:
            if field not in headers:
                values[field] = None
                continue
            try:
                values[field] = parse_count(record.get(headers[field], ""))
            except ValueError:
                problems.append(table.problem(
                    _("“%(value)s” is not a count (a whole number, 0 or more).") % {"value": record.get(headers[field])},
                    row=number, column=headers[field]))
                values[field] = None
        problems += _check_row(table, number, values, headers)
        rows.append((unit, values))
    if problems:
        raise ImportFailed(problems)
    return rows


def _totals(stats) -> dict[str, int]:
    totals = {field: 0 for field in FIELD_NAMES}
    for stat in stats:
        for field in FIELD_NAMES:
            totals[field] += getattr(stat, field) or 0
    totals["units"] = len(stats)
    return totals


@transaction.atomic
def service_stats_import(*, period: Period, file_name: str, content: bytes, source_format: SourceFormat | None = None, by=None) -> StatImport:
    """Replace the period's statistics with the file's, all or nothing; record who and when."""
    rows = _read(period, source_format, file_name, content)
    previous_stats = list(ServiceStat.objects.select_for_update().filter(period=period))
    previous = StatImport.objects.filter(period=period).order_by("-imported_at", "-pk").first()
    record = StatImport.objects.create(
        period=period, source_format=source_format, file_name=file_name[:255], sha256=hashlib.sha256(content).hexdigest(),
        rows=len(rows), replaced=previous, replaced_totals=_totals(previous_stats) if previous_stats else {},
        imported_by=by if getattr(by, "pk", None) else None,
    )
    ServiceStat.objects.filter(period=period).delete()
    stats = ServiceStat.objects.bulk_create(
        ServiceStat(unit=unit, period=period, source=record,
                    **{f: (v if v is not None else (None if f in OPTIONAL else 0)) for f, v in values.items()})
        for unit, values in rows
    )
    record.totals = _totals(stats)
    record.save(update_fields=["totals"])
    from .services import service_stats_indicators_publish

    service_stats_indicators_publish(period=period, by=by, record=record)
    return record
