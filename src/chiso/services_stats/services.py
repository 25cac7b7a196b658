"""Writes: column mappings of source formats, and the rates written as indicator values
(the import itself is in importing.py)."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.accounts.permissions import service_stats_check
from chiso.audit.services import audit_record
from chiso.indices.models import IndicatorValue
from chiso.indices.services import UnitFigures, figures_indicator_values_set, indicator_value_remove
from chiso.units.models import Period

from .fields import OPTIONAL, STANDARD_MAPPING
from .models import ServiceStat, SourceFormat, StatImport
from .queries import ServiceRates

SOURCE_PREFIX = "Thống kê TTHC một cửa"
SOURCE_FORMAT_SAVED = "source_format.saved"  # a stable audit code (never renamed: old records keep it)


def _definition(name: str, sheet: str, mapping: dict[str, str]) -> str:
    """A format as its audit record keeps it: what decides which figures are read from which columns."""
    return json.dumps({"name": name, "sheet": sheet, "mapping": mapping}, ensure_ascii=False, sort_keys=True)


@transaction.atomic
def source_format_save(*, code: str, name: str, mapping: dict[str, str], sheet: str = "", by) -> SourceFormat:
    """Save a column mapping {field: header}; every required field needs a header. A new format or
    a change leaves one audit record with the definition before and after; saving it unchanged, none."""
    service_stats_check(by)
    mapping = {field: (header or "").strip() for field, header in mapping.items() if field in STANDARD_MAPPING}
    missing = [f for f in STANDARD_MAPPING if f not in OPTIONAL and not mapping.get(f)]
    if missing:
        raise ValidationError(_("Give the file's header for every column: %(fields)s.") % {"fields": ", ".join(missing)})
    if not code.strip() or not name.strip():
        raise ValidationError(_("Give the format a code and a name."))
    code, name, sheet = code.strip(), name.strip(), sheet.strip()
    row = SourceFormat.objects.select_for_update().filter(code=code).first()
    old = _definition(row.name, row.sheet, row.mapping) if row is not None else ""
    new = _definition(name, sheet, mapping)
    if old == new:
        return row
    row = row or SourceFormat(code=code)
    row.name, row.mapping, row.sheet, row.updated_by = name, mapping, sheet, by if getattr(by, "pk", None) else None
    row.save()
    audit_record(event=SOURCE_FORMAT_SAVED, obj=row, by=by, field="mapping", old=old, new=new)
    return row


@transaction.atomic
def service_stats_indicators_publish(*, period: Period, by) -> int:
    """Write each unit's rates as indicator values of the frameworks whose version for the period
    takes them (its file's `sources: service_statistics:` section; Decision 766: G1.4, G2.1, G3.1,
    G3.2, G4.2, G4.3; a rate a version does not take is written for none of its criteria), as
    points proportional to the rate, each with the import that last wrote the unit's figures as
    its source (a unit an import left unchanged keeps its values as they were). Values this app
    wrote for units that no longer have figures in the period are withdrawn. A rate without a
    denominator (no fee-bearing dossiers) is "not applicable" where the item allows it, otherwise
    left missing. Returns the values written."""
    service_stats_check(by)
    stats = list(ServiceStat.objects.filter(period=period).select_related("unit__block", "period", "source"))
    done = figures_indicator_values_set(
        kind="service_statistics", period=period, by=by, source_kind=IndicatorValue.SourceKind.SERVICE_STATISTICS,
        figures=[UnitFigures(unit=s.unit, figures=ServiceRates.of(s), source=_source_text(s.source), produced_by=s.source)
                 for s in stats])
    for framework in done:
        ours = IndicatorValue.objects.filter(framework=framework.framework, period=period, code__in=framework.codes,
                                             source_kind=IndicatorValue.SourceKind.SERVICE_STATISTICS).select_related("framework", "period", "unit")
        _withdraw([v for v in ours.exclude(unit_id__in=framework.units)] + [v for v in ours.filter(unit_id__in=framework.units)
                                                                              if (v.unit_id, v.code) in framework.missing], by)
    return sum(framework.written for framework in done)


def _source_text(record: StatImport) -> str:
    return f"{SOURCE_PREFIX}: {record.file_name} ({record.imported_at.strftime('%d/%m/%Y')})"


def _withdraw(values, by) -> None:
    """Values this app wrote that its latest figures no longer give: withdrawn, kept on record."""
    for v in values:
        indicator_value_remove(framework=v.framework, period=v.period, unit=v.unit, code=v.code, by=by,
                               reason=_("Not in the latest one-stop-shop statistics"))
