"""Writes about periods and units: the only way a period, a unit or its lineage changes.

Each function checks who may act (chiso.accounts.permissions), changes what it changes and writes
the audit record in the same transaction. Refusals are PermissionDenied (the wrong person) or
ValidationError (a wrong value; a dict of field → message where a form can show it). `by=None`
stands for the system (the demo loader), as in the audit trail.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chiso.accounts.permissions import may_manage_periods, may_manage_units
from chiso.audit.services import audit_record

from .models import Block, Period, Unit, UnitSuccession


class Event:
    """Stable codes of audit events (never renamed: old records keep them)."""

    PERIOD_CREATED = "period.created"
    PERIOD_UPDATED = "period.updated"
    PERIOD_CLOSED = "period.closed"
    PERIOD_REOPENED = "period.reopened"
    UNIT_CREATED = "unit.created"
    UNIT_UPDATED = "unit.updated"
    UNIT_ENDED = "unit.ended"
    SUCCESSION_CREATED = "succession.created"
    SUCCESSION_UPDATED = "succession.updated"


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _system_or(check, by) -> bool:
    return by is None or check(by)


def _day(value: datetime.date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "—"


# --- periods ---------------------------------------------------------------------------

PERIOD_FIELDS = ("year", "name_vi", "name_en", "start_date", "end_date")


def _period_errors(*, code: str, year: int, name_vi: str, start_date, end_date, exclude: int | None = None) -> dict:
    errors = {}
    if not code or any(ch.isspace() for ch in code) or len(code) > Period._meta.get_field("code").max_length:
        errors["code"] = _("Give a short code without spaces, e.g. 2025.")
    elif Period.objects.filter(code=code).exclude(pk=exclude).exists():
        errors["code"] = _("Another period already has the code %(code)s.") % {"code": code}
    if not name_vi.strip():
        errors["name_vi"] = _("Give the period's Vietnamese name.")
    if not year or not 1990 <= int(year) <= 2100:
        errors["year"] = _("Give the year, e.g. 2025.")
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = _("The end date is before the start date.")
    return errors


def _codes(objects) -> str:
    return ", ".join(sorted(o.code for o in objects))


@transaction.atomic
def period_create(*, code: str, year: int, name_vi: str, name_en: str = "", start_date: datetime.date,
                  end_date: datetime.date, blocks: Iterable[Block] = (), frameworks: Iterable = (), by) -> Period:
    """Kỳ đánh giá mới — a period with its dates, the blocks assessed in it and the frameworks that apply."""
    _require(_system_or(may_manage_periods, by))
    code = (code or "").strip()
    errors = _period_errors(code=code, year=year, name_vi=name_vi, start_date=start_date, end_date=end_date)
    if errors:
        raise ValidationError(errors)
    period = Period.objects.create(code=code, year=year, name_vi=name_vi.strip(), name_en=name_en.strip(),
                                   start_date=start_date, end_date=end_date)
    blocks, frameworks = list(blocks), list(frameworks)
    period.blocks.set(blocks)
    period.frameworks.set(frameworks)
    audit_record(event=Event.PERIOD_CREATED, obj=period, by=by, details={
        "code": code, "year": year, "name_vi": period.name_vi, "start_date": start_date.isoformat(),
        "end_date": end_date.isoformat(), "blocks": _codes(blocks), "frameworks": _codes(frameworks),
    })
    return period


@transaction.atomic
def period_update(*, period: Period, year: int, name_vi: str, name_en: str, start_date: datetime.date,
                  end_date: datetime.date, blocks: Iterable[Block], frameworks: Iterable, by, reason: str = "") -> Period:
    """Sửa kỳ — change a period's year, names, dates, blocks or frameworks; one audit record per field changed.

    A closed period does not change: reopen it first (with a reason)."""
    _require(_system_or(may_manage_periods, by))
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.is_closed:
        raise ValidationError(_("This period is closed; reopen it before changing it."))
    errors = _period_errors(code=period.code, year=year, name_vi=name_vi, start_date=start_date, end_date=end_date,
                            exclude=period.pk)
    if errors:
        raise ValidationError(errors)
    new = {"year": year, "name_vi": name_vi.strip(), "name_en": name_en.strip(), "start_date": start_date, "end_date": end_date}
    changed = [name for name in PERIOD_FIELDS if getattr(period, name) != new[name]]
    for name in changed:
        audit_record(event=Event.PERIOD_UPDATED, obj=period, by=by, field=name, old=getattr(period, name),
                     new=new[name], reason=reason)
        setattr(period, name, new[name])
    if changed:
        period.save(update_fields=changed)
    for field, wanted in (("blocks", list(blocks)), ("frameworks", list(frameworks))):
        manager = getattr(period, field)
        old = list(manager.all())
        if {o.pk for o in old} != {o.pk for o in wanted}:
            manager.set(wanted)
            audit_record(event=Event.PERIOD_UPDATED, obj=period, by=by, field=field, old=_codes(old),
                         new=_codes(wanted), reason=reason)
    return period


@transaction.atomic
def period_close(*, period: Period, by, reason: str = "") -> Period:
    """Khóa kỳ — the period's settings stay as they are until it is reopened."""
    _require(_system_or(may_manage_periods, by))
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.is_closed:
        raise ValidationError(_("This period is already closed."))
    period.closed_at = timezone.now()
    period.save(update_fields=["closed_at"])
    audit_record(event=Event.PERIOD_CLOSED, obj=period, by=by, field="closed_at", new=period.closed_at, reason=reason)
    return period


@transaction.atomic
def period_reopen(*, period: Period, by, reason: str) -> Period:
    """Mở lại kỳ — only with a reason, which the trail keeps."""
    _require(_system_or(may_manage_periods, by))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the period is reopened.")})
    period = Period.objects.select_for_update().get(pk=period.pk)
    if not period.is_closed:
        raise ValidationError(_("This period is open."))
    old = period.closed_at
    period.closed_at = None
    period.save(update_fields=["closed_at"])
    audit_record(event=Event.PERIOD_REOPENED, obj=period, by=by, field="closed_at", old=old, reason=reason.strip())
    return period


# --- units -----------------------------------------------------------------------------

UNIT_FIELDS = ("name_vi", "name_en", "official_code", "parent", "valid_from", "valid_to")


def _overlaps(a_from, a_to, b_from, b_to) -> bool:
    return (a_from is None or b_to is None or a_from <= b_to) and (b_from is None or a_to is None or b_from <= a_to)


def official_code_holders(official_code: str, valid_from, valid_to, exclude: int | None = None):
    """The units that hold `official_code` on at least one day of [valid_from, valid_to]."""
    holders = Unit.objects.filter(official_code=official_code).exclude(pk=exclude)
    if valid_to is not None:
        holders = holders.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=valid_to))
    if valid_from is not None:
        holders = holders.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
    return holders


def _unit_errors(*, unit: Unit | None, name_vi: str, official_code: str, parent: Unit | None, valid_from, valid_to) -> dict:
    errors = {}
    if not name_vi.strip():
        errors["name_vi"] = _("Give the unit's Vietnamese name.")
    if official_code and (any(ch.isspace() for ch in official_code)
                          or len(official_code) > Unit._meta.get_field("official_code").max_length):
        errors["official_code"] = _("The official code is at most 20 characters without spaces.")
    elif official_code:
        other = official_code_holders(official_code, valid_from, valid_to, exclude=unit.pk if unit else None).first()
        if other is not None:
            errors["official_code"] = _(
                "%(unit)s (valid %(start)s – %(end)s) holds the official code %(code)s over some of the same days; "
                "two units may share an official code only one after the other."
            ) % {"unit": other.name_vi, "start": _day(other.valid_from), "end": _day(other.valid_to), "code": official_code}
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = _("valid_to is before valid_from.")
    if parent is not None and unit is not None:
        current, seen = parent, set()
        while current is not None and current.pk not in seen:
            if current.pk == unit.pk:
                errors["parent"] = _("A unit cannot be placed under itself or under one of its own subordinate units.")
                break
            seen.add(current.pk)
            current = current.parent
    return errors


@transaction.atomic
def unit_create(*, code: str, name_vi: str, name_en: str = "", block: Block, official_code: str = "",
                parent: Unit | None = None, valid_from: datetime.date | None = None,
                valid_to: datetime.date | None = None, by, reason: str = "") -> Unit:
    """Đơn vị mới — one unit typed in (a list of them is imported)."""
    _require(_system_or(may_manage_units, by))
    code, official_code = (code or "").strip(), (official_code or "").strip()
    errors = _unit_errors(unit=None, name_vi=name_vi, official_code=official_code, parent=parent,
                          valid_from=valid_from, valid_to=valid_to)
    if not code or any(ch.isspace() for ch in code) or len(code) > Unit._meta.get_field("code").max_length:
        errors["code"] = _("Give a code of at most 40 characters without spaces.")
    elif Unit.objects.filter(code=code).exists():
        errors["code"] = _("Another unit already has the code %(code)s; a code is never reused.") % {"code": code}
    if errors:
        raise ValidationError(errors)
    unit = Unit.objects.create(code=code, name_vi=name_vi.strip(), name_en=name_en.strip(), block=block,
                               official_code=official_code, parent=parent, valid_from=valid_from, valid_to=valid_to)
    audit_record(event=Event.UNIT_CREATED, obj=unit, by=by, reason=reason, details={
        "code": code, "name_vi": unit.name_vi, "block": block.code, "official_code": official_code,
        "parent": parent.code if parent else "", "valid_from": valid_from.isoformat() if valid_from else "",
        "valid_to": valid_to.isoformat() if valid_to else "",
    })
    return unit


@transaction.atomic
def unit_update(*, unit: Unit, name_vi: str, name_en: str, official_code: str, parent: Unit | None,
                valid_from: datetime.date | None, valid_to: datetime.date | None, by, reason: str = "") -> Unit:
    """Sửa đơn vị — names, official code, parent and validity; one audit record per field changed.
    The code (chiso's key) and the block never change: a unit in another block is another unit."""
    _require(_system_or(may_manage_units, by))
    unit = Unit.objects.select_for_update(of=("self",)).select_related("parent").get(pk=unit.pk)
    official_code = (official_code or "").strip()
    errors = _unit_errors(unit=unit, name_vi=name_vi, official_code=official_code, parent=parent,
                          valid_from=valid_from, valid_to=valid_to)
    if errors:
        raise ValidationError(errors)
    new = {"name_vi": name_vi.strip(), "name_en": name_en.strip(), "official_code": official_code, "parent": parent,
           "valid_from": valid_from, "valid_to": valid_to}
    changed = []
    for name in UNIT_FIELDS:
        old = getattr(unit, name)
        if (old.pk if name == "parent" and old else old) != (new[name].pk if name == "parent" and new[name] else new[name]):
            audit_record(event=Event.UNIT_UPDATED, obj=unit, by=by, field=name,
                         old=old.code if name == "parent" and old else old,
                         new=new[name].code if name == "parent" and new[name] else new[name], reason=reason)
            setattr(unit, name, new[name])
            changed.append(name)
    if changed:
        unit.save(update_fields=changed)
    return unit


@transaction.atomic
def unit_end(*, unit: Unit, valid_to: datetime.date, successors: Iterable[tuple[Unit, Decimal]],
             kind: str = UnitSuccession.Kind.MERGE, by, reason: str = "") -> Unit:
    """Kết thúc đơn vị — the unit's last day, and the units that carry its results on from the day after
    (each with the predecessor's share of its comparison baseline)."""
    _require(_system_or(may_manage_units, by))
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    successors = [(s, Decimal(share)) for s, share in successors]
    errors = {}
    if unit.valid_from and valid_to < unit.valid_from:
        errors["valid_to"] = _("The last day is before the unit began (%(day)s).") % {"day": _day(unit.valid_from)}
    if kind not in UnitSuccession.Kind.values:
        errors["kind"] = _("Unknown kind '%(kind)s'; use merge, split or rename.") % {"kind": kind}
    first_day = valid_to + datetime.timedelta(days=1)
    seen = set()
    for successor, share in successors:
        if successor.pk == unit.pk:
            errors["successors"] = _("A unit cannot succeed itself.")
        elif successor.pk in seen:
            errors["successors"] = _("%(unit)s is named twice.") % {"unit": successor.name_vi}
        elif not successor.is_active_on(first_day):
            errors["successors"] = _("%(unit)s does not exist on %(day)s, the day after the last day.") % {
                "unit": successor.name_vi, "day": _day(first_day)}
        elif not Decimal(0) < share <= Decimal(1):
            errors["successors"] = _("The share '%(share)s' must be a number above 0 and at most 1.") % {"share": share}
        seen.add(successor.pk)
    if errors:
        raise ValidationError(errors)
    old = unit.valid_to
    unit.valid_to = valid_to
    unit.save(update_fields=["valid_to"])
    audit_record(event=Event.UNIT_ENDED, obj=unit, by=by, field="valid_to", old=old, new=valid_to, reason=reason,
                 details={"successors": {s.code: str(share) for s, share in successors}, "kind": kind})
    for successor, share in successors:
        share = share.quantize(Decimal("0.0001"))
        succession = UnitSuccession.objects.filter(predecessor=unit, successor=successor).first()
        if succession is None:
            succession = UnitSuccession.objects.create(predecessor=unit, successor=successor, date=first_day, kind=kind,
                                                       share=share)
            audit_record(event=Event.SUCCESSION_CREATED, obj=succession, parents=(successor,), by=by, reason=reason,
                         details={"predecessor": unit.code, "successor": successor.code, "date": first_day.isoformat(),
                                  "kind": kind, "share": str(share)})
            continue
        for name, value in (("date", first_day), ("kind", kind), ("share", share)):
            if getattr(succession, name) != value:
                audit_record(event=Event.SUCCESSION_UPDATED, obj=succession, parents=(successor,), by=by, field=name,
                             old=getattr(succession, name), new=value, reason=reason)
                setattr(succession, name, value)
        succession.save()
    return unit
