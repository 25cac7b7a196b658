"""Import of units and their lineage from CSV or XLSX, all or nothing.

Two kinds of table are recognised by their header: a unit list (code, name_vi, block, …)
and a lineage list (predecessor_code, successor_code, date, …). A workbook may hold both,
one per sheet. Headers may be written in Vietnamese (mã, tên, khối, …).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from chiso.core.tabular import ImportFailed, Problem, Table, normalise_header, parse_date, read_tables

from .models import Block, Unit, UnitSuccession

UNIT_COLUMNS = {
    "code": ["ma", "ma_don_vi", "ucode"],
    "name_vi": ["ten", "ten_don_vi", "ten_tieng_viet", "uname"],
    "name_en": ["ten_tieng_anh"],
    "block": ["khoi"],
    "parent_code": ["ma_cap_tren", "ma_don_vi_cap_tren"],
    "valid_from": ["hieu_luc_tu", "tu_ngay"],
    "valid_to": ["hieu_luc_den", "den_ngay"],
}
UNIT_REQUIRED = ["code", "name_vi", "block"]

LINEAGE_COLUMNS = {
    "predecessor_code": ["ma_don_vi_truoc", "don_vi_truoc"],
    "successor_code": ["ma_don_vi_sau", "don_vi_sau", "don_vi_ke_thua"],
    "date": ["ngay", "ngay_hieu_luc"],
    "kind": ["hinh_thuc", "loai"],
    "share": ["ty_le", "ti_le"],
}
LINEAGE_REQUIRED = ["predecessor_code", "successor_code", "date"]

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


def _column_map(table: Table, spec: dict[str, list[str]]) -> dict[str, str]:
    """Canonical column name → header as written in the file."""
    lookup = {}
    for canonical, aliases in spec.items():
        for name in [canonical, *aliases]:
            lookup[normalise_header(name)] = canonical
    found = {}
    for header in table.headers:
        canonical = lookup.get(normalise_header(header))
        if canonical and canonical not in found:
            found[canonical] = header
    return found


def _classify(table: Table) -> str | None:
    if "predecessor_code" in _column_map(table, LINEAGE_COLUMNS):
        return "lineage"
    if "code" in _column_map(table, UNIT_COLUMNS):
        return "units"
    return None


def _missing_columns(table: Table, spec: dict[str, list[str]], required: list[str]) -> list[Problem]:
    columns = _column_map(table, spec)
    known = set(columns.values())
    unknown = [h for h in table.headers if h and h not in known]
    problems = []
    for name in required:
        if name not in columns:
            hint = difflib.get_close_matches(name, unknown, n=1, cutoff=0.6)
            message = _("The required column %(column)s is missing (columns found: %(found)s).") % {
                "column": name,
                "found": ", ".join(h for h in table.headers if h) or "—",
            }
            if hint:
                message += " " + _("Is %(hint)s meant to be %(column)s?") % {"hint": hint[0], "column": name}
            problems.append(table.problem(message, row=1, column=name))
    return problems


@dataclass
class _UnitRow:
    table: Table
    row: int
    code: str
    name_vi: str
    name_en: str
    block: Block | None
    parent_code: str
    valid_from: object
    valid_to: object


@dataclass
class _LineageRow:
    table: Table
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


def _date_cell(table: Table, row: int, column: str, value: object, problems: list[Problem]):
    try:
        return parse_date(value)
    except ValueError:
        problems.append(
            table.problem(
                _("'%(value)s' is not a date; write it as DD/MM/YYYY (13/03/2023) or YYYY-MM-DD.") % {"value": value},
                row=row,
                column=column,
            )
        )
        return None


def _read_unit_rows(table: Table, blocks: dict[str, Block], problems: list[Problem]) -> list[_UnitRow]:
    columns = _column_map(table, UNIT_COLUMNS)
    rows = []
    for number, values in table.rows:
        def get(name):
            header = columns.get(name)
            return values.get(header, "") if header else ""

        code = str(get("code")).strip()
        name_vi = str(get("name_vi")).strip()
        block_label = str(get("block")).strip()
        col = lambda name: columns.get(name, name)  # noqa: E731 — the header as the user wrote it
        if not code:
            problems.append(table.problem(_("The unit code is empty."), row=number, column=col("code")))
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
        block = blocks.get(normalise_header(block_label))
        if block is None:
            problems.append(
                table.problem(
                    _("Unknown block '%(block)s'; use one of: %(known)s.")
                    % {"block": block_label, "known": ", ".join(sorted({b.code for b in blocks.values()}))},
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
                row=number,
                code=code,
                name_vi=name_vi,
                name_en=str(get("name_en")).strip(),
                block=block,
                parent_code=str(get("parent_code")).strip(),
                valid_from=valid_from,
                valid_to=valid_to,
            )
        )
    return rows


def _read_lineage_rows(table: Table, problems: list[Problem]) -> list[_LineageRow]:
    columns = _column_map(table, LINEAGE_COLUMNS)
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
        if predecessor and predecessor == successor:
            problems.append(
                table.problem(_("A unit cannot succeed itself."), row=number, column=col("successor_code"))
            )
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
                row=number,
                predecessor_code=predecessor,
                successor_code=successor,
                date=day,
                kind=kind or UnitSuccession.Kind.MERGE,
                share=share.quantize(Decimal("0.0001")),
            )
        )
    return rows


def _check_references(unit_rows: list[_UnitRow], lineage_rows: list[_LineageRow], problems: list[Problem]) -> None:
    seen: dict[str, _UnitRow] = {}
    for r in unit_rows:
        if not r.code:
            continue
        if r.code in seen:
            first = seen[r.code]
            problems.append(
                r.table.problem(
                    _("The code %(code)s appears twice (first in row %(row)s).") % {"code": r.code, "row": first.row},
                    row=r.row,
                    column="code",
                )
            )
        else:
            seen[r.code] = r
    existing_parents = dict(Unit.objects.values_list("code", "parent__code"))
    parents = {**existing_parents, **{r.code: r.parent_code or None for r in seen.values()}}
    known = set(parents)
    for r in seen.values():
        if r.parent_code and r.parent_code not in known:
            problems.append(
                r.table.problem(
                    _("The parent unit %(code)s is neither in this file nor in the database.") % {"code": r.parent_code},
                    row=r.row,
                    column="parent_code",
                )
            )
    # A parent chain that comes back to itself would make every tree walk loop.
    for r in seen.values():
        chain, current = {r.code}, parents.get(r.code)
        while current:
            if current in chain:
                problems.append(
                    r.table.problem(
                        _("The parent chain of %(code)s comes back to itself.") % {"code": r.code},
                        row=r.row,
                        column="parent_code",
                    )
                )
                break
            chain.add(current)
            current = parents.get(current)
    pairs: dict[tuple[str, str], _LineageRow] = {}
    for r in lineage_rows:
        for column, code in (("predecessor_code", r.predecessor_code), ("successor_code", r.successor_code)):
            if code and code not in known:
                problems.append(
                    r.table.problem(
                        _("The unit %(code)s is neither in the unit list nor in the database.") % {"code": code},
                        row=r.row,
                        column=column,
                    )
                )
        key = (r.predecessor_code, r.successor_code)
        if key in pairs:
            problems.append(
                r.table.problem(
                    _("This succession appears twice (first in row %(row)s).") % {"row": pairs[key].row},
                    row=r.row,
                    column="successor_code",
                )
            )
        pairs[key] = r


def units_import(*, files: list[tuple[str, bytes]]) -> ImportSummary:
    """Import unit lists and lineage lists from (file name, content) pairs.

    Everything is checked first; on any problem ImportFailed lists them all and nothing
    is written. Units are matched by code, so importing the same files again changes nothing.
    """
    problems: list[Problem] = []
    summary = ImportSummary()
    unit_rows: list[_UnitRow] = []
    lineage_rows: list[_LineageRow] = []
    blocks = _block_lookup()
    for file_name, content in files:
        try:
            tables = read_tables(file_name, content)
        except ImportFailed as failure:
            problems.extend(failure.problems)
            continue
        recognised = 0
        for table in tables:
            kind = _classify(table)
            if kind == "units":
                recognised += 1
                missing = _missing_columns(table, UNIT_COLUMNS, UNIT_REQUIRED)
                problems.extend(missing)
                if not missing:  # row checks would only repeat "empty" for the missing column
                    unit_rows.extend(_read_unit_rows(table, blocks, problems))
            elif kind == "lineage":
                recognised += 1
                missing = _missing_columns(table, LINEAGE_COLUMNS, LINEAGE_REQUIRED)
                problems.extend(missing)
                if not missing:
                    lineage_rows.extend(_read_lineage_rows(table, problems))
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
    _check_references(unit_rows, lineage_rows, problems)
    if problems:
        raise ImportFailed(problems)
    with transaction.atomic():
        _write_units(unit_rows, summary)
        _write_lineage(lineage_rows, summary)
    return summary


def _write_units(rows: list[_UnitRow], summary: ImportSummary) -> None:
    existing = {u.code: u for u in Unit.objects.all()}
    created: set[str] = set()
    changed: set[str] = set()
    for r in rows:
        values = {
            "name_vi": r.name_vi,
            "name_en": r.name_en,
            "block": r.block,
            "valid_from": r.valid_from,
            "valid_to": r.valid_to,
        }
        unit = existing.get(r.code)
        if unit is None:
            existing[r.code] = Unit.objects.create(code=r.code, **values)
            created.add(r.code)
            continue
        fields = [name for name, value in values.items() if getattr(unit, name) != value]
        if fields:
            for name in fields:
                setattr(unit, name, values[name])
            unit.save(update_fields=fields)
            changed.add(r.code)
    # Parents second, so a file may list a child before its parent.
    for r in rows:
        unit = existing[r.code]
        parent = existing[r.parent_code] if r.parent_code else None
        if unit.parent_id != (parent.pk if parent else None):
            unit.parent = parent
            unit.save(update_fields=["parent"])
            changed.add(r.code)
    summary.units_created = len(created)
    summary.units_updated = len(changed - created)
    summary.units_unchanged = len({r.code for r in rows} - created - changed)


def _write_lineage(rows: list[_LineageRow], summary: ImportSummary) -> None:
    units = {u.code: u for u in Unit.objects.filter(code__in={c for r in rows for c in (r.predecessor_code, r.successor_code)})}
    for r in rows:
        values = {"date": r.date, "kind": r.kind, "share": r.share}
        succession, created = UnitSuccession.objects.get_or_create(
            predecessor=units[r.predecessor_code], successor=units[r.successor_code], defaults=values
        )
        if created:
            summary.lineage_created += 1
            continue
        changed = [name for name, value in values.items() if getattr(succession, name) != value]
        if changed:
            for name in changed:
                setattr(succession, name, values[name])
            succession.save(update_fields=changed)
            summary.lineage_updated += 1
        else:
            summary.lineage_unchanged += 1
