"""Writes about index runs: gather inputs, run, publish, supersede; and indicator values."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.engine import EngineError
from chiso.frameworks.models import Framework, FrameworkVersion, Node
from chiso.frameworks.services import version_freeze
from chiso.units.models import Block, Period, Unit

from .computing import NOT_APPLICABLE, compute
from .models import IndexRun, IndicatorValue, RunScore


@dataclass
class InputPreview:
    """What a run would read, shown before it runs: the table and its gaps."""

    units: list[Unit]
    codes: list[str]
    values: list[list]
    sources: dict[str, list[str]]
    missing: list[tuple[Unit, str]] = field(default_factory=list)
    units_without_data: list[Unit] = field(default_factory=list)

    @property
    def cells(self) -> int:
        return len(self.units) * len(self.codes)

    def as_inputs(self) -> dict:
        return {
            "units": [u.code for u in self.units],
            "names": [u.name_vi for u in self.units],
            "codes": self.codes,
            "values": self.values,
            "sources": self.sources,
        }


def run_inputs_preview(*, version: FrameworkVersion, period: Period, block: Block) -> InputPreview:
    units = list(Unit.objects.active_in(period).filter(block=block).order_by("code"))
    nodes = version.nodes.exclude(type=Node.Type.AGGREGATE)
    codes = [n.code for n in nodes if n.type == Node.Type.INDICATOR]
    other = [n.code for n in nodes if n.type != Node.Type.INDICATOR]
    found = IndicatorValue.objects.filter(
        framework=version.framework, period=period, unit__in=units, code__in=codes + other
    ).select_related("unit")
    by_cell = {(v.unit_id, v.code): v for v in found}
    codes += other  # group, denominator and bonus/penalty columns: the framework declares them
    points = version.framework.method == Framework.Method.POINTS
    values, sources, missing = [], {}, []
    for unit in units:
        row = []
        for code in codes:
            value = by_cell.get((unit.pk, code))
            if value is None:
                # No bonus or penalty recorded means none was given (điểm thưởng/trừ = 0).
                row.append(0.0 if points and code in other else None)
                if code not in other:
                    missing.append((unit, code))
            else:
                row.append(NOT_APPLICABLE if value.not_applicable else value.value)
                sources.setdefault(value.source, []).append(f"{unit.code}:{code}")
        values.append(row)
    without = [u for u, row in zip(units, values) if all(v is None for v, c in zip(row, codes) if c not in other)]
    return InputPreview(units=units, codes=codes, values=values, sources=sources, missing=missing, units_without_data=without)


def _check_not_empty(preview: InputPreview) -> None:
    if not preview.units:
        raise ValidationError(_("No unit of this block exists in this period."))
    if len(preview.units_without_data) == len(preview.units):
        raise ValidationError(_("No indicator value has been entered for these units in this period."))


@transaction.atomic
def run_create(*, version: FrameworkVersion, period: Period, block: Block, by=None, title: str = "") -> IndexRun:
    """Compute a draft run from the values stored now; the version is frozen from here on."""
    preview = run_inputs_preview(version=version, period=period, block=block)
    _check_not_empty(preview)
    # Units with no data at all are not scored (they would only show as missing everywhere).
    keep = [i for i, u in enumerate(preview.units) if u not in preview.units_without_data]
    inputs = preview.as_inputs()
    inputs.update(units=[inputs["units"][i] for i in keep], names=[inputs["names"][i] for i in keep],
                  values=[inputs["values"][i] for i in keep])
    try:
        computation = compute(version, inputs)
    except EngineError as error:
        raise ValidationError(str(error)) from None
    version_freeze(version)
    run = IndexRun.objects.create(
        version=version,
        period=period,
        block=block,
        title=title or f"{version.framework.name_vi} — {block.name_vi} — {period.name_vi}",
        inputs=inputs,
        input_checksum=computation.input_checksum,
        result_checksum=computation.result_checksum,
        engine_version=computation.engine_version,
        steps_log=computation.steps_log,
        details=computation.details,
        created_by=by if getattr(by, "pk", None) else None,
    )
    units = {u.code: u for u in Unit.objects.filter(code__in=inputs["units"])}
    RunScore.objects.bulk_create(
        RunScore(run=run, unit=units[u], code=c, value=v, rank=r, band=b) for u, c, v, r, b in computation.rows
    )
    return run


def run_recompute_matches(run: IndexRun) -> bool:
    """Recompute from what the run stored; True when inputs and results are identical."""
    computation = compute(run.version, run.inputs)
    return computation.input_checksum == run.input_checksum and computation.result_checksum == run.result_checksum


@transaction.atomic
def run_publish(*, run: IndexRun, by, reason: str = "") -> IndexRun:
    """Publish a draft. A published run of the same framework, period and block is superseded,
    which needs a reason."""
    run = IndexRun.objects.select_for_update().get(pk=run.pk)
    if run.status != IndexRun.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    previous = (
        IndexRun.objects.select_for_update()
        .filter(version__framework=run.version.framework, period=run.period, block=run.block, status=IndexRun.Status.PUBLISHED)
        .first()
    )
    if previous is not None:
        if not reason.strip():
            raise ValidationError(_("A published run already exists: give the reason for publishing again."))
        previous.status = IndexRun.Status.SUPERSEDED
        previous.save(update_fields=["status"])
        run.supersedes = previous
    run.status = IndexRun.Status.PUBLISHED
    run.reason = reason.strip()
    run.published_by = by if getattr(by, "pk", None) else None
    run.published_at = timezone.now()
    run.save(update_fields=["status", "reason", "published_by", "published_at", "supersedes"])
    return run


def run_discard(*, run: IndexRun) -> None:
    if run.status != IndexRun.Status.DRAFT:
        raise PermissionDenied(_("A published run is kept for good."))
    run.delete()


def indicator_value_set(
    *, framework: Framework, period: Period, unit: Unit, code: str, value: float | None, source: str,
    by=None, not_applicable: bool = False,
) -> IndicatorValue:
    """Record one value with its source (a survey, the appraisal, a statistic, a document)."""
    if not source.strip():
        raise ValidationError(_("Say where the value comes from."))
    row, _created = IndicatorValue.objects.update_or_create(
        framework=framework, period=period, unit=unit, code=code,
        defaults={"value": value, "not_applicable": not_applicable, "source": source.strip(),
                  "entered_by": by if getattr(by, "pk", None) else None},
    )
    return row
