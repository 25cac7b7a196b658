"""Reads: the rates of Decision 766 per unit and period, province totals, trends, targets.

`unit_rates(unit, period)` is the function other apps (targets, PAR criteria inputs) call.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chiso.accounts.models import Role
from chiso.accounts.permissions import PROVINCIAL_ROLES
from chiso.formats.collation import vietnamese_sorted
from chiso.units.models import Period, Unit
from chiso.units.queries import unit_predecessor_weights

from .fields import FIELD_NAMES
from .models import RateTarget, ServiceStat, StatImport

RATE_NAMES = [m.value for m in RateTarget.Measure]

# Which rates a framework takes as which criteria is the framework version's data: its file's
# `sources:` section (service_statistics: written as points; service_statistics_evidence: shown
# beside PAR criteria for the appraisal), read through chiso.frameworks.queries.source_map.


def _share(part: int, whole: int | None) -> float | None:
    return 100 * part / whole if whole else None


@dataclass
class ServiceRates:
    """Counts and rates (%) of one unit — or the province, unit None — in one period.

    received = online full + online partial + in person + post; settled = early + on time + late.
    on_time_rate = (early + on time) ÷ settled · online_rate = (online full + partial) ÷ received ·
    online_full_rate = online full ÷ received · digitisation_rate = digitised ÷ received ·
    electronic_result_rate = electronic results ÷ settled · online_payment_rate = paid online ÷
    dossiers with fees · sync_rate = synchronised ÷ received. A rate with a zero denominator is None.

    `via` is empty for the unit's own figures; in a period before the unit existed it holds the
    predecessors that stand for it, each with the part of its counts taken (see unit_trend).
    """

    period: Period
    unit: Unit | None
    received_online_full: int = 0
    received_online_partial: int = 0
    received_in_person: int = 0
    received_post: int = 0
    processed_early: int = 0
    processed_on_time: int = 0
    processed_late: int = 0
    pending: int = 0
    digitised: int = 0
    results_electronic: int = 0
    fee_bearing: int | None = None
    paid_online: int = 0
    synced: int = 0
    via: dict[Unit, float] = field(default_factory=dict)

    @property
    def received(self) -> int:
        return self.received_online_full + self.received_online_partial + self.received_in_person + self.received_post

    @property
    def settled(self) -> int:
        return self.processed_early + self.processed_on_time + self.processed_late

    @property
    def on_time_rate(self) -> float | None:
        return _share(self.processed_early + self.processed_on_time, self.settled)

    @property
    def online_rate(self) -> float | None:
        return _share(self.received_online_full + self.received_online_partial, self.received)

    @property
    def online_full_rate(self) -> float | None:
        return _share(self.received_online_full, self.received)

    @property
    def digitisation_rate(self) -> float | None:
        return _share(self.digitised, self.received)

    @property
    def electronic_result_rate(self) -> float | None:
        return _share(self.results_electronic, self.settled)

    @property
    def online_payment_rate(self) -> float | None:
        return _share(self.paid_online, self.fee_bearing)

    @property
    def sync_rate(self) -> float | None:
        return _share(self.synced, self.received)

    def rates(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in RATE_NAMES}

    def as_dict(self) -> dict:
        counts = {f.name: getattr(self, f.name) for f in fields(self) if f.name not in ("period", "unit", "via")}
        return {**counts, "received": self.received, "settled": self.settled, **self.rates()}

    @classmethod
    def of(cls, stat: ServiceStat) -> ServiceRates:
        return cls(period=stat.period, unit=stat.unit, **{name: getattr(stat, name) for name in FIELD_NAMES})


def unit_rates(unit: Unit, period: Period) -> ServiceRates | None:
    """The rates of one unit and period, or None when nothing was imported for it."""
    stat = ServiceStat.objects.filter(unit=unit, period=period).select_related("unit", "period").first()
    return ServiceRates.of(stat) if stat else None


def period_rates(period: Period, *, block=None) -> list[ServiceRates]:
    stats = ServiceStat.objects.filter(period=period).select_related("unit__block", "period")
    if block is not None:
        stats = stats.filter(unit__block=block)
    stats = vietnamese_sorted(stats, key=lambda s: s.unit.name_vi, before=lambda s: s.unit.block.order)
    return [ServiceRates.of(s) for s in stats]


def total_rates(period: Period, *, block=None) -> ServiceRates | None:
    """The province's (or a block's) counts summed, and the rates of the sums."""
    stats = ServiceStat.objects.filter(period=period)
    if block is not None:
        stats = stats.filter(unit__block=block)
    sums = stats.aggregate(**{name: Sum(name) for name in FIELD_NAMES})
    if all(v is None for v in sums.values()):
        return None
    values = {name: (sums[name] or 0) for name in FIELD_NAMES}
    values["fee_bearing"] = sums["fee_bearing"]
    return ServiceRates(period=period, unit=None, **values)


def unit_trend(unit: Unit) -> list[ServiceRates]:
    """The unit's counts and rates in every period with statistics, oldest first.

    Lineage is followed as for the index score (chiso.indices.queries.unit_score_trend): in a
    period before the unit existed its predecessors stand for it, so a ward formed in 2025 has
    2023 figures. Counts add up, so each predecessor's counts are taken times the part of it
    that became this unit (unit_predecessor_weights with additive=True) and the rates are those
    of the sums; such a point names its predecessors in `via`. A unit that existed in a period
    has only its own figures there.
    """
    periods = list(Period.objects.filter(service_stats__isnull=False).distinct().order_by("start_date"))
    weights_in = {period.pk: unit_predecessor_weights(unit, period, additive=True) for period in periods}
    units = {u.pk for weights in weights_in.values() for u in weights}
    stats = {(s.unit_id, s.period_id): s for s in ServiceStat.objects.filter(unit_id__in=units, period__in=periods)}
    trend = []
    for period in periods:
        present = {u: w for u, w in weights_in[period.pk].items() if (u.pk, period.pk) in stats}
        if not present:
            continue
        if unit in present:  # the unit existed: its own figures, the walk stopped at it
            trend.append(ServiceRates(period=period, unit=unit, **{n: getattr(stats[(unit.pk, period.pk)], n) for n in FIELD_NAMES}))
            continue
        parts = [(stats[(u.pk, period.pk)], w) for u, w in present.items()]
        values = {name: sum(getattr(s, name) * w for s, w in parts) for name in FIELD_NAMES if name != "fee_bearing"}
        # Without every predecessor's dossiers with fees the online-payment rate of the sum is unknown.
        fees = [s.fee_bearing for s, _w in parts]
        values["fee_bearing"] = None if None in fees else sum(f * w for f, (_s, w) in zip(fees, parts))
        trend.append(ServiceRates(period=period, unit=unit, via=present, **values))
    return trend


def province_trend() -> list[ServiceRates]:
    periods = Period.objects.filter(service_stats__isnull=False).distinct().order_by("start_date")
    return [r for r in (total_rates(p) for p in periods) if r is not None]


def targets_for(period: Period, block=None) -> dict[str, RateTarget]:
    """The target of each measure for this period and block; the most specific one wins."""
    rows = RateTarget.objects.filter(Q(period__isnull=True) | Q(period=period))
    rows = rows.filter(Q(block__isnull=True) | Q(block=block)) if block is not None else rows.filter(block__isnull=True)
    chosen: dict[str, RateTarget] = {}
    for target in rows:
        current = chosen.get(target.measure)
        specificity = (target.period_id is not None) + (target.block_id is not None)
        if current is None or specificity > (current.period_id is not None) + (current.block_id is not None):
            chosen[target.measure] = target
    return chosen


def shortfalls(rates: ServiceRates, targets: dict[str, RateTarget]) -> set[str]:
    """The measures on which `rates` falls below its target."""
    return {m for m, t in targets.items() if t.met_by(getattr(rates, m)) is False}


def imports_of(period: Period | None = None):
    rows = StatImport.objects.select_related("period", "source_format", "imported_by", "replaced")
    return rows.filter(period=period) if period is not None else rows


def services_stats_nav_items(user) -> list[tuple[str, str]]:
    """The one-stop-shop statistics entry of the main navigation for this user."""
    if user.is_superuser or user.role in PROVINCIAL_ROLES:
        return [(reverse("services_stats:overview"), _("Service statistics"))]
    if user.role == Role.UNIT_OFFICER and user.unit_id:
        return [(reverse("services_stats:unit", args=[user.unit.code]), _("Service statistics"))]
    return []
