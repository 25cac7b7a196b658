"""Writes about index runs: gather inputs, run, publish, supersede; and indicator values."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.accounts.permissions import runs_check, values_check
from chiso.audit.models import ref
from chiso.audit.services import audit_record, audit_record_many
from chiso.engine import EngineError
from chiso.frameworks.engine_messages import engine_error_message
from chiso.frameworks.models import Framework, FrameworkVersion, Node
from chiso.frameworks.queries import framework_version_for, source_frameworks, source_mapping
from chiso.frameworks.services import version_freeze
from chiso.units.models import Block, Period, Unit

from .computing import NOT_APPLICABLE, compute
from .models import IndexRun, IndicatorValue, RunScore
from .queries import run_action_refusal


class RunEvent:
    """Stable audit codes of index runs."""

    COMPUTED = "run.computed"
    PUBLISHED = "run.published"
    SUPERSEDED = "run.superseded"
    DISCARDED = "run.discarded"


class ValueEvent:
    SET = "value.set"
    REMOVED = "value.removed"


@dataclass
class InputPreview:
    """What a run would read, shown before it runs: the table and its gaps."""

    units: list[Unit]
    value_rows: list[int]
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
    value_rows = sorted(v.pk for v in found)
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
    return InputPreview(units=units, value_rows=value_rows, codes=codes, values=values, sources=sources, missing=missing, units_without_data=without)


def _check_not_empty(preview: InputPreview) -> None:
    if not preview.units:
        raise ValidationError(_("No unit of this block exists in this period."))
    if len(preview.units_without_data) == len(preview.units):
        raise ValidationError(_("No indicator value has been entered for these units in this period."))


@transaction.atomic
def run_create(*, version: FrameworkVersion, period: Period, block: Block, by, title: str = "", owner=None) -> IndexRun:
    """Compute a draft run from the values stored now; the version is frozen from here on.
    `owner`: the object whose publication will publish this run (a PAR cycle); nothing else may."""
    runs_check(by)
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
        raise ValidationError(engine_error_message(error)) from None
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
        owner=ref(owner) if owner is not None else "",
        value_rows=preview.value_rows,
    )
    units = {u.code: u for u in Unit.objects.filter(code__in=inputs["units"])}
    RunScore.objects.bulk_create(
        RunScore(run=run, unit=units[u], code=c, value=v, rank=r, band=b) for u, c, v, r, b in computation.rows
    )
    audit_record(event=RunEvent.COMPUTED, obj=run, by=by, new=run.result_checksum,
                 details={"input_checksum": run.input_checksum, "values": len(preview.value_rows)})
    return run


def run_recompute_matches(run: IndexRun) -> bool:
    """Recompute from what the run stored; True when inputs and results are identical."""
    computation = compute(run.version, run.inputs)
    return computation.input_checksum == run.input_checksum and computation.result_checksum == run.result_checksum


@transaction.atomic
def run_publish(*, run: IndexRun, by, reason: str = "", owner=None) -> IndexRun:
    """Publish a draft. A published run of the same framework, period and block is superseded,
    which needs a reason. A run that belongs to another object (a PAR cycle's results) is published
    only by that object's publication, which passes itself as `owner`."""
    runs_check(by)
    run = IndexRun.objects.select_for_update().get(pk=run.pk)
    refusal = run_action_refusal(by, run, "publish", owner=owner)
    if refusal:
        raise ValidationError(refusal)
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
        audit_record(event=RunEvent.SUPERSEDED, obj=previous, by=by, field="status", old=IndexRun.Status.PUBLISHED,
                     new=IndexRun.Status.SUPERSEDED, reason=reason.strip(), details={"by_run": run.pk})
    run.status = IndexRun.Status.PUBLISHED
    run.reason = reason.strip()
    run.published_by = by if getattr(by, "pk", None) else None
    run.published_at = timezone.now()
    run.save(update_fields=["status", "reason", "published_by", "published_at", "supersedes"])
    audit_record(event=RunEvent.PUBLISHED, obj=run, by=by, field="status", old=IndexRun.Status.DRAFT,
                 new=IndexRun.Status.PUBLISHED, reason=run.reason)
    return run


@transaction.atomic
def run_discard(*, run: IndexRun, by, owner=None) -> None:
    """Delete a draft; its audit records stay."""
    runs_check(by)
    refusal = run_action_refusal(by, run, "discard", owner=owner)
    if refusal:
        raise PermissionDenied(refusal)
    audit_record(event=RunEvent.DISCARDED, obj=run, by=by, old=run.result_checksum)
    run.delete()


@transaction.atomic
def indicator_value_set(
    *, framework: Framework, period: Period, unit: Unit, code: str, value: float | None, source: str,
    by, not_applicable: bool = False, source_kind: str = IndicatorValue.SourceKind.MANUAL, produced_by=None,
) -> IndicatorValue:
    """Record one value with its source (a survey, the appraisal, a statistic, a document). The
    value in force is never overwritten: an entry that differs supersedes it, and both stay."""
    values_check(by)
    if not source.strip():
        raise ValidationError(_("Say where the value comes from."))
    current = IndicatorValue.objects.select_for_update().filter(framework=framework, period=period, unit=unit, code=code).first()
    fields = {"value": value, "not_applicable": not_applicable, "source": source.strip()[:255], "source_kind": source_kind,
              "produced_by": ref(produced_by) if produced_by is not None else ""}
    if current is not None and all(getattr(current, k) == v for k, v in fields.items()):
        return current
    now = timezone.now()
    if current is not None:
        IndicatorValue.all_entries.filter(pk=current.pk).update(superseded_at=now)
    row = IndicatorValue.objects.create(framework=framework, period=period, unit=unit, code=code, entered_at=now,
                                        entered_by=by if getattr(by, "pk", None) else None, **fields)
    audit_record(event=ValueEvent.SET, obj=row, parents=(unit,), by=by, field=code,
                 old=_value_text(current), new=_value_text(row),
                 details={"framework": framework.code, "period": period.code, "source": row.source, "kind": source_kind,
                          **({"supersedes": current.pk} if current is not None else {})})
    return row


@dataclass
class ValueEntry:
    """One value to record with `indicator_values_set` (the arguments of `indicator_value_set`)."""

    unit: Unit
    code: str
    value: float | None
    source: str
    not_applicable: bool = False


@transaction.atomic
def indicator_values_set(
    *, framework: Framework, period: Period, entries: list[ValueEntry], by,
    source_kind: str = IndicatorValue.SourceKind.MANUAL, produced_by=None,
) -> int:
    """`indicator_value_set` for many values of one framework and period at once (a survey's
    indicators, a cycle's decided points, an import): the same rules and audit records, in a few
    queries. Returns the number of entries that changed something."""
    values_check(by)
    if any(not e.source.strip() for e in entries):
        raise ValidationError(_("Say where the value comes from."))
    produced = ref(produced_by) if produced_by is not None else ""
    current = {
        (v.unit_id, v.code): v
        for v in IndicatorValue.objects.select_for_update().filter(
            framework=framework, period=period, unit__in={e.unit.pk for e in entries}, code__in={e.code for e in entries})
    }
    now, user = timezone.now(), by if getattr(by, "pk", None) else None
    new_rows, replaced, records = [], [], []
    for e in {(e.unit.pk, e.code): e for e in entries}.values():  # the last entry of a cell counts
        fields = {"value": e.value, "not_applicable": e.not_applicable, "source": e.source.strip()[:255],
                  "source_kind": source_kind, "produced_by": produced}
        old = current.get((e.unit.pk, e.code))
        if old is not None and all(getattr(old, k) == v for k, v in fields.items()):
            continue
        if old is not None:
            replaced.append(old.pk)
        new_rows.append(IndicatorValue(framework=framework, period=period, unit=e.unit, code=e.code, entered_at=now,
                                       entered_by=user, **fields))
        records.append((e.unit, old))
    IndicatorValue.all_entries.filter(pk__in=replaced).update(superseded_at=now)
    created = IndicatorValue.objects.bulk_create(new_rows, batch_size=1000)
    audit_record_many(
        {"event": ValueEvent.SET, "obj": row, "parents": (unit,), "by": by, "field": row.code, "at": now,
         "old": _value_text(old), "new": _value_text(row),
         "details": {"framework": framework.code, "period": period.code, "source": row.source, "kind": source_kind,
                     **({"supersedes": old.pk} if old is not None else {})}}
        for row, (unit, old) in zip(created, records)
    )
    return len(created)


def rate_points(rate: float, node: Node) -> float:
    """A rate (%) as points of a points framework's item: proportional, on the item's step
    (766's guidance "điểm = tỷ lệ × điểm tối đa"; the decision's own rule is to be confirmed)."""
    points = rate / 100 * (node.max_points or 0)
    step = node.points_step or 0.01
    return round(round(points / step) * step, 6)


@dataclass
class UnitFigures:
    """One unit's figures (rates in %, an attribute per measure; None: the unit has none), with
    the source text and what produced them, for `figures_indicator_values_set`."""

    unit: Unit
    figures: object | None
    source: str
    produced_by: object = None


@dataclass
class FiguresWritten:
    """What `figures_indicator_values_set` did for one framework: the codes its version takes, the
    units it wrote for, the (unit id, code) cells left missing, the values that changed."""

    framework: Framework
    codes: list[str]
    units: list[int]
    missing: set[tuple[int, str]]
    written: int


@transaction.atomic
def figures_indicator_values_set(
    *, kind: str, period: Period, figures: list[UnitFigures], by, source_kind: str,
) -> list[FiguresWritten]:
    """Figures of units → indicator values of the framework version for a period. For every
    framework whose version for the period takes the source `kind` (its file's `sources:`
    section: measure → item; a measure a version does not take is written for none of its
    items), each unit of the version's blocks gets its rate as points of the item
    (`rate_points`); a unit without the figure gets "not applicable" where the item allows it,
    and is otherwise left missing. Figures with the same `produced_by` are written together."""
    done = []
    for framework in source_frameworks(kind):
        version = framework_version_for(framework, period)
        items = source_mapping(version, kind)
        if not items:
            continue
        nodes = {n.code: n for n in version.nodes.filter(code__in=list(items))}
        blocks = set(version.blocks)
        units, missing = [], set()
        by_producer: dict[str, tuple[object, list[ValueEntry]]] = {}
        for one in figures:
            if blocks and one.unit.block.code not in blocks:
                continue
            units.append(one.unit.pk)
            for code, measure in items.items():
                node = nodes.get(code)
                if node is None:
                    continue
                rate = getattr(one.figures, measure) if one.figures is not None else None
                if rate is None and not node.na_allowed:
                    missing.add((one.unit.pk, code))
                    continue
                by_producer.setdefault(ref(one.produced_by) if one.produced_by is not None else "", (one.produced_by, []))[1].append(ValueEntry(
                    unit=one.unit, code=code, source=one.source, value=rate_points(rate, node) if rate is not None else None,
                    not_applicable=rate is None))
        written = sum(indicator_values_set(framework=framework, period=period, entries=entries, by=by,
                                           source_kind=source_kind, produced_by=producer)
                      for producer, entries in by_producer.values())
        done.append(FiguresWritten(framework=framework, codes=list(items), units=units, missing=missing, written=written))
    return done


@transaction.atomic
def indicator_value_remove(*, framework: Framework, period: Period, unit: Unit, code: str, by, reason: str) -> bool:
    """Withdraw the value in force without a successor (its source no longer gives one); it stays on
    record for the runs that read it. False when there was none."""
    values_check(by)
    current = IndicatorValue.objects.select_for_update().filter(framework=framework, period=period, unit=unit, code=code).first()
    if current is None:
        return False
    IndicatorValue.all_entries.filter(pk=current.pk).update(superseded_at=timezone.now())
    audit_record(event=ValueEvent.REMOVED, obj=current, parents=(unit,), by=by, field=code, old=_value_text(current),
                 reason=reason, details={"framework": framework.code, "period": period.code})
    return True


def _value_text(row: IndicatorValue | None) -> str:
    if row is None:
        return ""
    return "N/A" if row.not_applicable else ("" if row.value is None else repr(float(row.value)))
