"""The unit list and lineage as an XLSX workbook in the import format (so it round-trips)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from chiso.core.safe_cells import formulas_as_text

from .models import Unit, UnitSuccession

UNIT_HEADER = ["code", "name_vi", "name_en", "block", "parent_code", "valid_from", "valid_to"]
LINEAGE_HEADER = ["predecessor_code", "successor_code", "date", "kind", "share"]


def units_workbook(progress=lambda done, total=None, message="": None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "units"
    sheet.append(UNIT_HEADER)
    units = list(Unit.objects.select_related("block", "parent").order_by("block__order", "code"))
    successions = list(UnitSuccession.objects.select_related("predecessor", "successor"))
    total = len(units) + len(successions)
    progress(0, total)
    for index, unit in enumerate(units, start=1):
        sheet.append(
            [
                unit.code,
                unit.name_vi,
                unit.name_en,
                unit.block.code,
                unit.parent.code if unit.parent else "",
                unit.valid_from,
                unit.valid_to,
            ]
        )
        if index % 50 == 0:
            progress(index, total)
    lineage = workbook.create_sheet("lineage")
    lineage.append(LINEAGE_HEADER)
    for s in successions:
        lineage.append([s.predecessor.code, s.successor.code, s.date, s.kind, float(s.share)])
    for ws in (sheet, lineage):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for column in ("F", "G") if ws is sheet else ("C",):
            for cell in ws[column][1:]:
                cell.number_format = "DD/MM/YYYY"
    progress(total, total)
    formulas_as_text(workbook)  # a unit named "=…" stays a name
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
