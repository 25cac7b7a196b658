"""Import of units and their lineage from CSV or XLSX, all or nothing.

Two kinds of table are recognised by their header: a unit list (code, name_vi, block, …)
and a lineage list (predecessor_code, successor_code, date, …). A workbook may hold both,
one per sheet. Headers may be written in Vietnamese (mã, tên, khối, …).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chiso.core.tabular import (
    Column,
    ImportFailed,
    Problem,
    Table,
    columns_match,
    header_key,
    normalise_header,
    parse_date,
    read_tables,
)

from chiso.accounts.permissions import may_manage_units
from chiso.audit.services import audit_record_many

from .models import Block, Unit, UnitSuccession
from .services import Event

def _title(model, field: str):
    return model._meta.get_field(field).verbose_name


# Every header accepted for a column: chiso's own (the export's), what offices write, and the
# titles the app shows for it on its pages and in its forms, in both languages.
UNIT_COLUMNS = [
    # One of code and official_code is needed (checked in _read_unit_rows): see "Identity" in the module's doc.
    Column("code", ("Mã", "Mã đơn vị", "uCode", _lazy("Code"), _title(Unit, "code"))),
    Column("official_code", ("Mã ĐVHC", "Mã đơn vị hành chính", "Mã hành chính", "Mã định danh", "Mã GSO",
                             _title(Unit, "official_code"))),
    Column("name_vi", ("Tên", "Tên đơn vị", "Tên tiếng Việt", "uName", _lazy("Name"), _title(Unit, "name_vi")), required=True),
    Column("name_en", ("Tên tiếng Anh", _title(Unit, "name_en"))),
    Column("block", ("Khối", _title(Unit, "block")), required=True),
    Column("parent_code", ("Mã cấp trên", "Mã đơn vị cấp trên", _lazy("Parent unit"), _title(Unit, "parent"))),
    Column("valid_from", ("Hiệu lực từ", "Từ ngày", _lazy("Valid from"), _title(Unit, "valid_from"))),
    Column("valid_to", ("Hiệu lực đến", "Đến ngày", _lazy("Valid to"), _title(Unit, "valid_to"))),
]

LINEAGE_COLUMNS = [
    Column("predecessor_code", ("Mã đơn vị trước", "Đơn vị trước", _title(UnitSuccession, "predecessor")), required=True),
    Column("successor_code", ("Mã đơn vị sau", "Đơn vị sau", "Đơn vị kế thừa", _title(UnitSuccession, "successor")), required=True),
    Column("date", ("Ngày", "Ngày hiệu lực", _title(UnitSuccession, "date")), required=True),
    Column("kind", ("Hình thức", "Loại", _title(UnitSuccession, "kind"))),
    Column("share", ("Tỷ lệ", "Tỉ lệ", _title(UnitSuccession, "share"))),
]
# A row number is allowed beside the columns and not read.
IGNORED = ("STT", "TT", "No.")

KIND_ALIASES = {
    "merge": UnitSuccession.Kind.MERGE,
    "sap_nhap": UnitSuccession.Kind.MERGE,
    "hop_nhat": UnitSuccession.Kind.MERGE,
    "split": UnitSuccession.Kind.SPLIT,
    "chia_tach": UnitSuccession.Kind.SPLIT,
    "rename": UnitSuccession.Kind.RENAME,
    "doi_ten": UnitSuccession.Kind.RENAME,
}

CODE_MAX = Unit._meta.get_field("code").max_length
OFFICIAL_MAX = Unit._meta.get_field("official_code").max_length
NAME_MAX = Unit._meta.get_field("name_vi").max_length


@dataclass
class ImportSummary:
    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    lineage_created: int = 0
    lineage_updated: int = 0
    lineage_unchanged: int = 0
    warnings: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.units_created or self.units_updated or self.lineage_created or self.lineage_updated)


def _column_map(table: Table, columns: list[Column]) -> dict[str, str]:
    """Column name → header as written in the file, for the headers that name one (to classify)."""
    lookup = {header_key(text): column.name for column in columns for text in column.accepted()}
    found = {}
    for header in table.headers:
        name = lookup.get(header_key(header))
        if name and name not in found:
            found[name] = header
    return found


def _classify(table: Table) -> str | None:
    if "predecessor_code" in _column_map(table, LINEAGE_COLUMNS):
        return "lineage"
    if {"code", "official_code"} & set(_column_map(table, UNIT_COLUMNS)):
        return "units"
    return None


def _columns(table: Table, columns: list[Column], problems: list[Problem]) -> dict[str, str] | None:
    """The file's header for each column, or None (and the problem) when a column is missing or unknown."""
    try:
        return columns_match(table, columns, ignored=IGNORED)
    except ImportFailed as failure:
        problems.extend(failure.problems)
        return None


@dataclass
class _UnitRow:
    table: Table
    columns: dict[str, str]  # column name → the file's header
    row: int
    code: str
    official_code: str
    name_vi: str
    name_en: str
    block: Block | None
    parent_code: str
    valid_from: object
    valid_to: object


@dataclass
class _LineageRow:
    table: Table
    columns: dict[str, str]
    row: int
    predecessor_code: str
    successor_code: str
    date: object
    kind: str
    share: Decimal


def _block_lookup() -> dict[str, Block]:
    lookup = {}
    for block in Block.objects.all():
        for label in (block.code, block.name_vi, block.name_en):
            if label:
                lookup[normalise_header(label)] = block
    return lookup


_DATES: dict[str, object] = {}  # a national list repeats two or three dates ten thousand times


def _date_cell(table: Table, row: int, column: str, value: object, problems: list[Problem]):
    if isinstance(value, str) and value in _DATES:
        return _DATES[value]
    try:
        day = parse_date(value)
        if isinstance(value, str) and len(_DATES) < 10_000:
            _DATES[value] = day
        return day
    except ValueError:
        problems.append(
            table.problem(
                _("'%(value)s' is not a date; write it as DD/MM/YYYY (13/03/2023) or YYYY-MM-DD.") % {"value": value},
                row=row,
                column=column,
            )
        )
        return None


def _read_unit_rows(table: Table, columns: dict[str, str], blocks: dict[str, Block], problems: list[Problem]) -> list[_UnitRow]:
    rows = []
    for number, values in table.rows:
        def get(name):
            header = columns.get(name)
            return values.get(header, "") if header else ""

        code = str(get("code")).strip()
        official_code = str(get("official_code")).strip()
        name_vi = str(get("name_vi")).strip()
        block_label = str(get("block")).strip()
        col = lambda name: columns.get(name, name)  # noqa: E731 — the header as the user wrote it
        if not code and not official_code:
            problems.append(table.problem(_("The unit code is empty."), row=number,
                                          column=col("code" if "code" in columns else "official_code")))
        elif official_code and (len(official_code) > OFFICIAL_MAX or any(ch.isspace() for ch in official_code)):
            problems.append(
                table.problem(
                    _("The code '%(code)s' must be at most %(max)s characters without spaces.")
                    % {"code": official_code, "max": OFFICIAL_MAX},
                    row=number,
                    column=col("official_code"),
                )
            )
        elif len(code) > CODE_MAX or any(ch.isspace() for ch in code):
            problems.append(
                table.problem(
                    _("The code '%(code)s' must be at most %(max)s characters without spaces.")
                    % {"code": code, "max": CODE_MAX},
                    row=number,
                    column=col("code"),
                )
            )
        if not name_vi:
            problems.append(table.problem(_("The Vietnamese name is empty."), row=number, column=col("name_vi")))
        elif len(name_vi) > NAME_MAX:
            problems.append(table.problem(_("The name is too long."), row=number, column=col("name_vi")))
        block = blocks.get(block_label)
        if block is None and block_label not in blocks:
            block = blocks[block_label] = blocks.get(normalise_header(block_label))
        if block is None:
            problems.append(
                table.problem(
                    _("Unknown block '%(block)s'; use one of: %(known)s.")
                    % {"block": block_label, "known": ", ".join(sorted({b.code for b in blocks.values() if b}))},
                    row=number,
                    column=col("block"),
                )
            )
        valid_from = _date_cell(table, number, col("valid_from"), get("valid_from"), problems)
        valid_to = _date_cell(table, number, col("valid_to"), get("valid_to"), problems)
        if valid_from and valid_to and valid_to < valid_from:
            problems.append(
                table.problem(_("valid_to is before valid_from."), row=number, column=col("valid_to"))
            )
        rows.append(
            _UnitRow(
                table=table,
                columns=columns,
                row=number,
                code=code,
                official_code=official_code,
                name_vi=name_vi,
                name_en=str(get("name_en")).strip(),
                block=block,
                parent_code=str(get("parent_code")).strip(),
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
    return rows


def _read_lineage_rows(table: Table, columns: dict[str, str], problems: list[Problem]) -> list[_LineageRow]:
    rows = []
    for number, values in table.rows:
        def get(name):
            header = columns.get(name)
            return values.get(header, "") if header else ""

        col = lambda name: columns.get(name, name)  # noqa: E731
        predecessor = str(get("predecessor_code")).strip()
        successor = str(get("successor_code")).strip()
        for name, value in (("predecessor_code", predecessor), ("successor_code", successor)):
            if not value:
                problems.append(table.problem(_("The unit code is empty."), row=number, column=col(name)))
        # The same code on both sides is no mistake when it is an official code handed on (01273 → 01273):
        # which units they are is decided with the dates (_check_references).
        day = _date_cell(table, number, col("date"), get("date"), problems)
        if day is None and get("date") in ("", None):
            problems.append(table.problem(_("The date is empty."), row=number, column=col("date")))
        kind_label = normalise_header(get("kind")) or "merge"
        kind = KIND_ALIASES.get(kind_label)
        if kind is None:
            problems.append(
                table.problem(
                    _("Unknown kind '%(kind)s'; use merge, split or rename.") % {"kind": get("kind")},
                    row=number,
                    column=col("kind"),
                )
            )
        share_text = str(get("share")).strip().replace(",", ".") or "1"
        try:
            share = Decimal(share_text)
            if not (0 < share <= 1):
                raise InvalidOperation
        except InvalidOperation:
            problems.append(
                table.problem(
                    _("The share '%(share)s' must be a number above 0 and at most 1.") % {"share": get("share")},
                    row=number,
                    column=col("share"),
                )
            )
            share = Decimal(1)
        rows.append(
            _LineageRow(
                table=table,
                columns=columns,
                row=number,
                predecessor_code=predecessor,
                successor_code=successor,
                date=day,
                kind=kind or UnitSuccession.Kind.MERGE,
                share=share.quantize(Decimal("0.0001")),
            )
        )
    return rows


# --- identity ---------------------------------------------------------------------------
#
# A unit is chiso's `code` (unique, never reused). A national list gives only official codes,
# which the 2025 reform hands on (the new Phường Thục Phán keeps 01273, the code of the former
# Phường Hợp Giang): a row with an official code and no code is the unit that holds that official
# code *from the same first day* (valid_from); a new one gets the code `<official code>` when it has
# no valid_from, else `<official code>-<YYYYMMDD of valid_from>` (01273-20250701). Two units may
# hold one official code only one after the other. A reference (parent, predecessor, successor)
# may be either code; an official code held by several units means the one that exists on the
# day in question (a predecessor the day before the succession, a successor on its date).


@dataclass
class _Known:
    """A unit as the import sees it: in the database, in the files, or both (the file wins)."""

    code: str
    official_code: str
    valid_from: object
    valid_to: object
    name_vi: str
    row: _UnitRow | None = None  # the file's row, when the file lists it

    def exists_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


def derived_code(official_code: str, valid_from) -> str:
    """chiso's code for a unit a national list names only by its official code."""
    return f"{official_code}-{valid_from:%Y%m%d}" if valid_from else official_code


def _day_text(day) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


class _Resolver:
    """Finds units by either code, in the database and in the files, without a query per row."""

    def __init__(self, existing: list[dict], unit_rows: list[_UnitRow], problems: list[Problem]):
        self.by_code: dict[str, _Known] = {}
        by_official_start: dict[tuple[str, object], str] = {}
        for u in existing:
            self.by_code[u["code"]] = _Known(u["code"], u["official_code"], u["valid_from"], u["valid_to"], u["name_vi"])
            if u["official_code"]:
                by_official_start[(u["official_code"], u["valid_from"])] = u["code"]
        first_row: dict[str, _UnitRow] = {}
        for r in unit_rows:
            if not r.code and not r.official_code:
                continue
            if not r.code:  # a national list's row: keyed by official code and first day
                r.code = by_official_start.get((r.official_code, r.valid_from)) or derived_code(r.official_code, r.valid_from)
            if r.code in first_row:
                first = first_row[r.code]
                message = _("The code %(code)s appears twice (first in row %(row)s).") % {"code": r.code, "row": first.row}
                if "official_code" not in r.columns:
                    message += " " + _(
                        "If these are official codes that the 2025 reform hands on to a new unit, name the column "
                        "official_code (Mã ĐVHC): chiso then tells the units apart by the day each begins."
                    )
                problems.append(r.table.problem(message, row=r.row, column=r.columns.get("code") or r.columns.get("official_code")))
                continue
            first_row[r.code] = r
            known = self.by_code.get(r.code)
            official = r.official_code or (known.official_code if known and "official_code" not in r.columns else "")
            self.by_code[r.code] = _Known(r.code, official, r.valid_from, r.valid_to, r.name_vi, row=r)
        self.by_official: dict[str, list[_Known]] = {}
        for known in self.by_code.values():
            if known.official_code:
                self.by_official.setdefault(known.official_code, []).append(known)

    def overlaps(self, problems: list[Problem]) -> None:
        """Two holders of one official code must not exist on the same day."""
        for official, holders in self.by_official.items():
            if len(holders) < 2:
                continue
            holders = sorted(holders, key=lambda k: (k.valid_from is not None, k.valid_from or 0))
            for earlier, later in zip(holders, holders[1:]):
                if earlier.valid_to is not None and later.valid_from is not None and earlier.valid_to < later.valid_from:
                    continue
                where = later if later.row else earlier
                other = earlier if where is later else later
                if where.row is None:
                    continue  # both already in the database: not this import's doing
                problems.append(where.row.table.problem(
                    _("%(unit)s (valid %(start)s – %(end)s) holds the official code %(code)s over some of the same "
                      "days; two units may share an official code only one after the other: give the earlier one "
                      "its valid_to.")
                    % {"unit": other.name_vi, "start": _day_text(other.valid_from), "end": _day_text(other.valid_to),
                       "code": official},
                    row=where.row.row, column=where.row.columns.get("official_code") or where.row.columns.get("code")))

    def find(self, reference: str, day, *, missing: str) -> tuple[_Known | None, str]:
        """(the unit, "") or (None, why not); `missing` says what is wrong when no unit has the code."""
        candidates = {}
        if reference in self.by_code:
            candidates[reference] = self.by_code[reference]
        for known in self.by_official.get(reference, []):
            candidates[known.code] = known
        if len(candidates) == 1:
            return next(iter(candidates.values())), ""
        if not candidates:
            return None, missing % {"code": reference}
        if day is not None:
            on_day = [k for k in candidates.values() if k.exists_on(day)]
            if len(on_day) == 1:
                return on_day[0], ""
        return None, _("%(count)s units have the code %(code)s (%(units)s) and none is the only one that exists on "
                       "%(day)s; use chiso's own code.") % {
            "count": len(candidates), "code": reference, "day": _day_text(day),
            "units": ", ".join(f"{k.code} {k.name_vi}" for k in candidates.values())}


def _check_references(resolver: _Resolver, unit_rows: list[_UnitRow], lineage_rows: list[_LineageRow],
                      problems: list[Problem]) -> tuple[dict[str, str | None], list[tuple[str, str, _LineageRow]]]:
    """Parents (child code → parent code) and successions (predecessor, successor, row), all resolved."""
    resolver.overlaps(problems)
    parents: dict[str, str | None] = {}
    listed = {r.code: r for r in unit_rows if r.code and resolver.by_code.get(r.code) and resolver.by_code[r.code].row is r}
    for r in listed.values():
        if not r.parent_code:
            parents[r.code] = None
            continue
        parent, why = resolver.find(r.parent_code, r.valid_from or r.valid_to, missing=_(
            "The parent unit %(code)s is neither in this file nor in the database."))
        if parent is None:
            problems.append(r.table.problem(why, row=r.row, column=r.columns.get("parent_code")))
            continue
        parents[r.code] = parent.code
    # A parent chain that comes back to itself would make every tree walk loop.
    chain_of = dict(Unit.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    chain_of.update(parents)
    for r in listed.values():
        chain, current = {r.code}, chain_of.get(r.code)
        while current:
            if current in chain:
                problems.append(r.table.problem(_("The parent chain of %(code)s comes back to itself.") % {"code": r.code},
                                                row=r.row, column=r.columns.get("parent_code", "parent_code")))
                break
            chain.add(current)
            current = chain_of.get(current)
    successions = []
    pairs: dict[tuple[str, str], _LineageRow] = {}
    for r in lineage_rows:
        ends = []
        for column, reference in (("predecessor_code", r.predecessor_code), ("successor_code", r.successor_code)):
            if not reference:
                ends.append(None)
                continue
            day = None
            if r.date is not None:
                day = r.date - datetime.timedelta(days=1) if column == "predecessor_code" else r.date
            found, why = resolver.find(reference, day, missing=_(
                "The unit %(code)s is neither in the unit list nor in the database."))
            if found is None:
                problems.append(r.table.problem(why, row=r.row, column=r.columns[column]))
            ends.append(found)
        if None in ends:
            continue
        key = (ends[0].code, ends[1].code)
        if key[0] == key[1]:
            problems.append(r.table.problem(_("A unit cannot succeed itself."), row=r.row, column=r.columns["successor_code"]))
            continue
        if key in pairs:
            problems.append(r.table.problem(
                _("This succession appears twice (first in row %(row)s).") % {"row": pairs[key].row},
                row=r.row, column=r.columns["successor_code"]))
            continue
        pairs[key] = r
        successions.append((key[0], key[1], r))
    return parents, successions


def import_message(summary: ImportSummary) -> str:
    """What an import did, in one sentence for the person who ran it."""
    return _(
        "Imported: %(created)s units created, %(updated)s updated, %(unchanged)s unchanged; "
        "lineage: %(l_created)s created, %(l_updated)s updated."
    ) % {
        "created": summary.units_created, "updated": summary.units_updated, "unchanged": summary.units_unchanged,
        "l_created": summary.lineage_created, "l_updated": summary.lineage_updated,
    }


def units_import(*, files: list[tuple[str, bytes]], by, progress=None) -> ImportSummary:
    """Import unit lists and lineage lists from (file name, content) pairs.

    Everything is checked first; on any problem ImportFailed lists them all and nothing
    is written. Units are matched by code (or by official code and first day, see "identity"
    above), so importing the same files again changes nothing. Every unit and succession
    created or changed is recorded in the audit trail. `progress(done, total)`, when given (a
    background job), hears of each stage: read, checked, written.
    """
    if not (by is None or may_manage_units(by)):
        raise PermissionDenied
    _REASONS.clear()
    problems: list[Problem] = []
    summary = ImportSummary()
    unit_rows: list[_UnitRow] = []
    lineage_rows: list[_LineageRow] = []
    blocks = _block_lookup()
    for file_name, content in files:
        try:
            tables = read_tables(file_name, content, kind="units")
        except ImportFailed as failure:
            problems.extend(failure.problems)
            continue
        recognised = 0
        for table in tables:
            kind = _classify(table)
            if kind == "units":
                recognised += 1
                columns = _columns(table, UNIT_COLUMNS, problems)
                if columns is not None:  # row checks would only repeat "empty" for a missing column
                    unit_rows.extend(_read_unit_rows(table, columns, blocks, problems))
            elif kind == "lineage":
                recognised += 1
                columns = _columns(table, LINEAGE_COLUMNS, problems)
                if columns is not None:
                    lineage_rows.extend(_read_lineage_rows(table, columns, problems))
            elif table.sheet and len(tables) > 1:
                summary.warnings.append(table.problem(_("This sheet was not recognised and was skipped.")))
        if not recognised:
            table = tables[0]
            found = ", ".join(h for h in table.headers if h) or "—"
            problems.append(
                table.problem(
                    _(
                        "This is neither a unit list (columns code, name_vi, block, …) nor a lineage list "
                        "(columns predecessor_code, successor_code, date, …); columns found: %(found)s."
                    )
                    % {"found": found},
                    row=1,
                )
            )
    if progress:
        progress(1, 3)
    existing = list(Unit.objects.values("code", "official_code", "valid_from", "valid_to", "name_vi"))
    resolver = _Resolver(existing, unit_rows, problems)
    parents, successions = _check_references(resolver, unit_rows, lineage_rows, problems)
    if problems:
        raise ImportFailed(problems)
    if progress:
        progress(2, 3)
    with transaction.atomic():
        records: list[dict] = []
        units = _write_units(resolver, parents, summary, records, by)
        _write_lineage(successions, units, summary, records, by)
        audit_record_many(records)
    return summary


UNIT_VALUES = ("official_code", "name_vi", "name_en", "block_id", "valid_from", "valid_to")


def _write_units(resolver: _Resolver, parents: dict[str, str | None], summary: ImportSummary, records: list[dict],
                 by) -> dict[str, Unit]:
    """Create and update in bulk (the whole country is 14,000 units); returns every unit by code."""
    rows = [k.row for k in resolver.by_code.values() if k.row is not None]
    existing = _units_by_code({r.code for r in rows})
    new_units, changed = [], {}
    for r in rows:
        values = {"name_vi": r.name_vi, "name_en": r.name_en, "block_id": r.block.pk, "valid_from": r.valid_from,
                  "valid_to": r.valid_to}
        if "official_code" in r.columns or r.official_code:
            values["official_code"] = r.official_code
        unit = existing.get(r.code)
        if unit is None:
            unit = Unit(code=r.code, **values)
            new_units.append(unit)
            existing[r.code] = unit
            continue
        for name, value in values.items():
            old = getattr(unit, name)
            if old != value:
                records.append({"event": Event.UNIT_UPDATED, "obj": unit, "by": by, "field": name.removesuffix("_id"),
                                "old": old, "new": value, "reason": _import_reason(r)})
                setattr(unit, name, value)
                changed.setdefault(r.code, set()).add(name)
    # New units are created parents first, each with its parent (no second pass over thousands of rows):
    # a district before its communes, whatever order the files list them in.
    new_codes = {u.code for u in new_units}
    missing = {p for p in parents.values() if p and p not in existing}
    existing.update(_units_by_code(missing))

    def depth(code: str, seen=()) -> int:
        parent = parents.get(code)
        return 0 if parent not in new_codes or code in seen else 1 + depth(parent, (*seen, code))

    for level in sorted({depth(u.code) for u in new_units}):
        batch = [u for u in new_units if depth(u.code) == level]
        for unit in batch:
            parent_code = parents.get(unit.code)
            unit.parent = existing[parent_code] if parent_code else None
        Unit.objects.bulk_create(batch, batch_size=1000)
    for unit in new_units:
        r = resolver.by_code[unit.code].row
        records.append({"event": Event.UNIT_CREATED, "obj": unit, "by": by, "reason": _import_reason(r), "details": {
            "code": unit.code, "official_code": unit.official_code, "name_vi": unit.name_vi, "block": r.block.code,
            "parent": parents.get(unit.code) or "",
            "valid_from": unit.valid_from.isoformat() if unit.valid_from else "",
            "valid_to": unit.valid_to.isoformat() if unit.valid_to else ""}})
    code_of = {u.pk: code for code, u in existing.items()}
    for code, parent_code in parents.items():
        if code in new_codes or code not in existing:
            continue
        unit = existing[code]
        parent = existing[parent_code] if parent_code else None
        if unit.parent_id != (parent.pk if parent else None):
            old = code_of.get(unit.parent_id) or (
                Unit.objects.filter(pk=unit.parent_id).values_list("code", flat=True).first() if unit.parent_id else None)
            unit.parent = parent
            records.append({"event": Event.UNIT_UPDATED, "obj": unit, "by": by, "field": "parent", "old": old,
                            "new": parent_code, "reason": _import_reason(resolver.by_code[code].row)})
            changed.setdefault(code, set()).add("parent_id")
    fields = sorted({name for names in changed.values() for name in names})
    if fields:
        Unit.objects.bulk_update([existing[code] for code in changed], [f.removesuffix("_id") for f in fields],
                                 batch_size=500)
    summary.units_created = len(new_units)
    summary.units_updated = len(set(changed) - new_codes)
    summary.units_unchanged = len(rows) - summary.units_created - summary.units_updated
    return existing


BIG = 500  # above this many, a whole table is read rather than a list of ids or codes


def _units_by_code(codes: set[str]) -> dict[str, Unit]:
    if not codes:
        return {}
    if len(codes) > BIG:
        return {u.code: u for u in Unit.objects.all() if u.code in codes}
    return {u.code: u for u in Unit.objects.filter(code__in=codes)}


def _import_reason(row: _UnitRow | _LineageRow | None) -> str:
    """"Import: units.csv, row 12" — where the change came from."""
    if row is None:
        return ""
    key = (row.table.file, row.table.sheet)
    if key not in _REASONS:
        where = ", ".join([row.table.file] + ([row.table.sheet] if row.table.sheet else [])).replace("{", "{{").replace("}", "}}")
        _REASONS[key] = _("Import: %(where)s, row %(row)s") % {"where": where, "row": "{row}"}
    return _REASONS[key].format(row=row.row)


_REASONS: dict[tuple, str] = {}  # per import (emptied when one starts): the same text for every row of a table


def _write_lineage(successions: list[tuple[str, str, _LineageRow]], units: dict[str, Unit], summary: ImportSummary,
                   records: list[dict], by) -> None:
    needed = {c for pair in successions for c in pair[:2]} - set(units)
    units = {**units, **_units_by_code(needed)}
    ids = {units[c].pk for pair in successions for c in pair[:2]}
    # A national lineage list is most of the table: one scan beats a query with 10,000 ids in it.
    wanted = UnitSuccession.objects.all() if len(ids) > BIG else UnitSuccession.objects.filter(successor_id__in=ids)
    current = {(s.predecessor_id, s.successor_id): s for s in wanted}
    new, changed = [], []
    for predecessor_code, successor_code, r in successions:
        predecessor, successor = units[predecessor_code], units[successor_code]
        values = {"date": r.date, "kind": r.kind, "share": r.share}
        succession = current.get((predecessor.pk, successor.pk))
        if succession is None:
            succession = UnitSuccession(predecessor=predecessor, successor=successor, **values)
            new.append(succession)
            continue
        fields = [name for name, value in values.items() if getattr(succession, name) != value]
        for name in fields:
            records.append({"event": Event.SUCCESSION_UPDATED, "obj": succession, "parents": (successor,), "by": by,
                            "field": name, "old": getattr(succession, name), "new": values[name],
                            "reason": _import_reason(r)})
            setattr(succession, name, values[name])
        if fields:
            changed.append(succession)
        else:
            summary.lineage_unchanged += 1
    UnitSuccession.objects.bulk_create(new, batch_size=1000)
    if changed:
        UnitSuccession.objects.bulk_update(changed, ["date", "kind", "share"], batch_size=500)
    for succession in new:
        records.append({"event": Event.SUCCESSION_CREATED, "obj": succession, "parents": (succession.successor,),
                        "by": by, "details": {
                            "predecessor": succession.predecessor.code, "successor": succession.successor.code,
                            "date": succession.date.isoformat(), "kind": succession.kind, "share": str(succession.share)}})
    summary.lineage_created = len(new)
    summary.lineage_updated = len(changed)
