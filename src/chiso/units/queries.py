"""Reads about units and periods: who existed when, and who stands for whom across mergers."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone

from chiso.audit.queries import history
from chiso.formats.collation import vietnamese_sorted

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
    """Group a unit queryset by block, in block order, for listing pages; names in Vietnamese order."""
    grouped: dict[object, list[Unit]] = defaultdict(list)
    for unit in vietnamese_sorted(units.select_related("block", "parent"), key=lambda u: u.name_vi):
        grouped[unit.block].append(unit)
    return sorted(grouped.items(), key=lambda item: (item[0].order, item[0].code))


def unit_predecessor_weights(unit: Unit, period: Period, *, additive: bool = False) -> dict[Unit, float]:
    """Units that existed in `period` and stand for `unit` there, with their weights.

    A unit that existed in the period stands for itself. Otherwise the lineage is walked
    back (a commune of 2025 → the district it came from in 2023), multiplying weights along
    the way. Empty when nothing in the period is related, e.g. a department created after it.

    - For a score or a rate (the default), a step weighs the predecessor by its share of the
      successor's comparison baseline and the weights are normalised to sum to 1: the unit's
      value is the weighted mean of its predecessors'.
    - For counts (`additive=True`), which add up, a step takes the part of the predecessor that
      became the successor: its share divided by the sum of its shares to all its successors,
      not normalised. Communes merged whole into a ward (each with one successor) count in full,
      whatever shares the secretariat chose for the ward's baseline (1 and 1, or 0,5 and 0,5); a
      district split 0,6/0,4 gives 60 % and 40 % of its counts; a district handed to three
      communes with share 1 each gives each a third. Summed over the successors, a predecessor
      is counted once.

    The walk reads only the successions it needs, one query per generation (a commune of 2025
    is one or two generations from its districts), so a page stays fast with the whole
    country's lineage loaded.
    """
    weights: dict[Unit, float] = defaultdict(float)

    def existed(u: Unit) -> bool:
        return (u.valid_from is None or u.valid_from <= period.end_date) and (
            u.valid_to is None or u.valid_to >= period.start_date
        )

    # (unit, weight, the units on its path): the path guards against lineage data with a loop.
    frontier = [(unit, 1.0, frozenset())]
    while frontier:
        walking = []
        for current, weight, seen in frontier:
            if current.pk in seen:
                continue
            if existed(current):
                weights[current] += weight
            else:
                walking.append((current, weight, seen | {current.pk}))
        if not walking:
            break
        rows = UnitSuccession.objects.filter(successor_id__in={c.pk for c, _w, _s in walking}).select_related(
            "predecessor__block"
        )
        if additive:  # each predecessor's shares to all its successors, in the same query
            rows = rows.annotate(handed_on=Subquery(
                UnitSuccession.objects.filter(predecessor_id=OuterRef("predecessor_id"))
                .order_by().values("predecessor_id").annotate(total=Sum("share")).values("total")
            ))
        successions = defaultdict(list)
        for s in rows:
            successions[s.successor_id].append(s)
        frontier = [
            (s.predecessor, weight * (float(s.share) / float(s.handed_on) if additive else float(s.share)), seen)
            for current, weight, seen in walking
            for s in successions.get(current.pk, [])
        ]
    if additive:
        return dict(weights)
    total = sum(weights.values())
    return {u: w / total for u, w in weights.items()} if total else {}


def unit_lineage(unit: Unit) -> dict[str, list[UnitSuccession]]:
    """The unit's direct predecessors and successors, for its page."""
    return {
        "predecessors": list(unit.succeeds.select_related("predecessor")),
        "successors": list(unit.succeeded_by.select_related("successor")),
    }


def periods_for_management():
    """Every period, newest first, with its blocks and frameworks (the periods page)."""
    return Period.objects.prefetch_related("blocks", "frameworks").order_by("-start_date", "code")


def unit_history(unit: Unit):
    """What was changed on the unit and its lineage, oldest first."""
    return history(unit)


def period_history(period: Period):
    return history(period)
