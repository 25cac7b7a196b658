"""Import of indicator values typed up by the secretariat: one row per unit, one column per indicator.

The file names its units by code (uCode, as COINr's iData, or `code`); `N/A` marks an item
that does not apply. Every value is recorded with the source given for the file.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from chiso.core.tabular import ImportFailed, normalise_header, read_table
from chiso.frameworks.models import FrameworkVersion, Node
from chiso.units.models import Period, Unit

from .services import indicator_value_set

UNIT_COLUMNS = {"ucode", "code", "ma", "ma_don_vi"}
IGNORED = {"uname", "name", "ten", "name_vi", "ten_don_vi"}


def indicator_values_import(*, version: FrameworkVersion, period: Period, file_name: str, content: bytes,
                            source: str, by=None) -> int:
    """Check everything, then write all values or none. Returns how many values were written."""
    table = read_table(file_name, content, kind="indicator_values")
    problems = []
    if not source.strip():
        problems.append(table.problem(_("Say where the values come from (the source).")))
    unit_header = next((h for h in table.headers if normalise_header(h) in UNIT_COLUMNS), None)
    if unit_header is None:
        problems.append(table.problem(_("The required column %(column)s is missing (columns found: %(found)s).")
                                      % {"column": "uCode", "found": ", ".join(table.headers)}, row=1))
        raise ImportFailed(problems)
    codes = set(version.nodes.exclude(type=Node.Type.AGGREGATE).values_list("code", flat=True))
    columns = [h for h in table.headers if h and h != unit_header and normalise_header(h) not in IGNORED]
    for header in columns:
        if header not in codes:
            problems.append(table.problem(_("%(column)s is not an indicator of %(version)s.") % {"column": header, "version": version},
                                          row=1, column=header))
    units = {u.code: u for u in Unit.objects.active_in(period)}
    cells = []
    for number, values in table.rows:
        code = str(values.get(unit_header, "")).strip()
        unit = units.get(code)
        if unit is None:
            problems.append(table.problem(_("No unit with code '%(code)s' exists in this period.") % {"code": code},
                                          row=number, column=unit_header))
            continue
        for header in columns:
            raw = values.get(header, "")
            if raw in ("", None):
                continue
            if str(raw).strip().upper() == "N/A":
                cells.append((unit, header, None, True))
                continue
            try:
                value = float(str(raw).replace(",", ".")) if isinstance(raw, str) else float(raw)
            except ValueError:
                problems.append(table.problem(_("'%(value)s' is not a number.") % {"value": raw}, row=number, column=header))
                continue
            cells.append((unit, header, value, False))
    if problems:
        raise ImportFailed(problems)
    with transaction.atomic():
        for unit, code, value, not_applicable in cells:
            indicator_value_set(framework=version.framework, period=period, unit=unit, code=code, value=value,
                                source=source, by=by, not_applicable=not_applicable,
                                source_kind="file_import")
    return len(cells)
