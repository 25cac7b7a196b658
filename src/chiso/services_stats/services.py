"""Writes: column mappings of source formats, and the rates written as indicator values
(the import itself is in importing.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.units.models import Period

from .fields import OPTIONAL, STANDARD_MAPPING
from .models import ServiceStat, SourceFormat, StatImport
from .queries import INDICATOR_MAP, ServiceRates

SOURCE_PREFIX = "Thống kê TTHC một cửa"


def rate_points(rate: float, node) -> float:
    """A rate (%) as points of a points framework's item: proportional, on the item's step
    (766's guidance "điểm = tỷ lệ × điểm tối đa"; the decision's own rule is to be confirmed)."""
    points = rate / 100 * (node.max_points or 0)
    step = node.points_step or 0.01
    return round(round(points / step) * step, 6)


def source_format_save(*, code: str, name: str, mapping: dict[str, str], sheet: str = "", by=None) -> SourceFormat:
    """Save a column mapping {field: header}; every required field needs a header."""
    mapping = {field: (header or "").strip() for field, header in mapping.items() if field in STANDARD_MAPPING}
    missing = [f for f in STANDARD_MAPPING if f not in OPTIONAL and not mapping.get(f)]
    if missing:
        raise ValidationError(_("Give the file's header for every column: %(fields)s.") % {"fields": ", ".join(missing)})
    if not code.strip() or not name.strip():
        raise ValidationError(_("Give the format a code and a name."))
    row, _created = SourceFormat.objects.update_or_create(
        code=code.strip(), defaults={"name": name.strip(), "mapping": mapping, "sheet": sheet.strip(), "updated_by": by if getattr(by, "pk", None) else None},
    )
    return row


@transaction.atomic
def service_stats_indicators_publish(*, period: Period, by=None, record: StatImport | None = None) -> int:
    """Write each unit's rates as indicator values of the frameworks in INDICATOR_MAP (Decision
    766: G1.4, G2.1, G3.1, G3.2, G4.2, G4.3), as points proportional to the rate, with the import as
    source. Values this app wrote earlier for units no longer in the period's file are removed.
    A rate without a denominator (no fee-bearing dossiers) is "not applicable" where the item allows
    it, otherwise left missing."""
    from chiso.frameworks.models import Framework
    from chiso.indices.models import IndicatorValue
    from chiso.indices.services import indicator_value_set

    record = record or StatImport.objects.filter(period=period).order_by("-imported_at", "-pk").first()
    if record is None:
        return 0
    when = record.imported_at.strftime("%d/%m/%Y")
    source = f"{SOURCE_PREFIX}: {record.file_name} ({when})"
    stats = list(ServiceStat.objects.filter(period=period).select_related("unit__block", "period"))
    written = 0
    for framework_code, items in INDICATOR_MAP.items():
        framework = Framework.objects.filter(code=framework_code).first()
        if framework is None:
            continue
        version = framework.versions.order_by("-number").first()
        nodes = {n.code: n for n in version.nodes.filter(code__in=list(items))}
        blocks = set(version.blocks)
        kept = []
        for stat in stats:
            if blocks and stat.unit.block.code not in blocks:
                continue
            rates = ServiceRates.of(stat)
            kept.append(stat.unit_id)
            for code, measure in items.items():
                node = nodes.get(code)
                if node is None:
                    continue
                rate = getattr(rates, measure)
                if rate is None and not node.na_allowed:
                    _withdraw(IndicatorValue.objects.filter(framework=framework, period=period, unit=stat.unit, code=code,
                                                            source_kind=IndicatorValue.SourceKind.SERVICE_STATISTICS), by)
                    continue
                indicator_value_set(
                    framework=framework, period=period, unit=stat.unit, code=code, source=source, by=by,
                    value=rate_points(rate, node) if rate is not None else None, not_applicable=rate is None,
                    source_kind=IndicatorValue.SourceKind.SERVICE_STATISTICS, produced_by=record,
                )
                written += 1
        _withdraw(IndicatorValue.objects.filter(framework=framework, period=period, code__in=list(items),
                                                source_kind=IndicatorValue.SourceKind.SERVICE_STATISTICS).exclude(unit_id__in=kept), by)
    return written


def _withdraw(values, by) -> None:
    """Values this app wrote that its latest figures no longer give: withdrawn, kept on record."""
    from chiso.indices.services import indicator_value_remove

    for v in values.select_related("framework", "period", "unit"):
        indicator_value_remove(framework=v.framework, period=v.period, unit=v.unit, code=v.code, by=by,
                               reason=_("Not in the latest one-stop-shop statistics"))
