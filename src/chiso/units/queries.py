"""Reads about units and periods: who existed when, and who stands for whom across mergers."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone

from .models import Period, Province, Unit, UnitSuccession


def province_get() -> Province | None:
    return Province.objects.first()


def period_current(today: datetime.date | None = None) -> Period | None:
    """The latest period that has started; else the earliest one (a fresh install)."""
    today = today or timezone.localdate()
    return (
        Period.objects.filter(start_date__lte=today).order_by("-start_date").first()
        or Period.objects.order_by("start_date").first()
    )


def units_by_block(units) -> list[tuple[object, list[Unit]]]:
    """Group a unit queryset by block, in block order, for listing pages."""
    grouped: dict[object, list[Unit]] = defaultdict(list)
    for unit in units.select_related("block", "parent"):
        grouped[unit.block].append(unit)
    return sorted(grouped.items(), key=lambda item: (item[0].order, item[0].code))


def unit_predecessor_weights(unit: Unit, period: Period) -> dict[Unit, float]:
    """Units that existed in `period` and stand for `unit` there, with their weights.

    A unit that existed in the period stands for itself. Otherwise the lineage is walked
    back (a commune of 2025 → the district it came from in 2023), multiplying shares along
    the way; the weights are normalised to sum to 1. Empty when nothing in the period is
    related, e.g. a department created after it.
    """
    weights: dict[Unit, float] = defaultdict(float)
    successions = defaultdict(list)
    for s in UnitSuccession.objects.select_related("predecessor__block"):
        successions[s.successor_id].append(s)

    def walk(current: Unit, weight: float, seen: frozenset[int]) -> None:
        if current.pk in seen:
            return  # defensive: lineage data with a loop must not hang a page
        if current.valid_from is None or current.valid_from <= period.end_date:
            if current.valid_to is None or current.valid_to >= period.start_date:
                weights[current] += weight
                return
        for s in successions.get(current.pk, []):
            walk(s.predecessor, weight * float(s.share), seen | {current.pk})

    walk(unit, 1.0, frozenset())
    total = sum(weights.values())
    return {u: w / total for u, w in weights.items()} if total else {}


def unit_lineage(unit: Unit) -> dict[str, list[UnitSuccession]]:
    """The unit's direct predecessors and successors, for its page."""
    return {
        "predecessors": list(unit.succeeds.select_related("predecessor")),
        "successors": list(unit.succeeded_by.select_related("successor")),
    }
