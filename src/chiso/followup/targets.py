"""Where a target stands: its baseline and actual values read from the data, never typed twice.

Values come from the published national results (ExternalResult) for the province, from the
province's published index runs, or from a statistic entered with its source. A statistic that
stands for a national index fills the years whose publication has not been imported yet.

States: met / missed once the target year's final value is known; on track / at risk on a
provisional or interim value; no data before anything is measured after the baseline.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from chiso.formats.text import fold
from chiso.indices import national
from chiso.indices.models import ExternalResult, IndexRun, RunScore
from chiso.services_stats.models import RateTarget
from chiso.services_stats.queries import province_trend, unit_trend
from chiso.units.queries import province_get

from .models import Statistic, StatisticValue, Target


class TargetState(models.TextChoices):
    MET = "met", _("Met")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    MISSED = "missed", _("Missed")
    NO_DATA = "no_data", _("No data yet")


@dataclass(frozen=True)
class Observation:
    year: int
    value: float | None
    source: str
    components: dict = field(default_factory=dict)
    provisional: bool = False


@dataclass
class Evaluation:
    target: Target
    baseline: Observation | None
    actual: Observation | None  # the target year's value, or the latest after the baseline
    required: float | None  # the value the actual must reach (None for "every component")
    state: str
    change: float | None  # actual − baseline, in the target's own terms (ranks gained are positive)
    components: list[tuple[str, float | None, float | None, bool | None]] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return TargetState(self.state).label

    @property
    def lower_is_better(self) -> bool:
        return not higher_is_better(self.target)

    @property
    def rule_text(self) -> str:
        """The rule in words, with the value it takes: "up at least 2 ranks (rank 38 or better)"."""
        target, rank = self.target, self.target.measure == Target.Measure.RANK
        values = {"amount": figure(target.amount), "required": figure(self.required),
                  "baseline": figure(self.baseline.value if self.baseline else None), "count": len(self.components)}
        if target.rule == Target.Rule.INCREASE:
            return (_("up on the baseline rank (%(baseline)s)") if rank else _("above the baseline (%(baseline)s)")) % values
        if target.rule == Target.Rule.CHANGE_BY:
            if rank:
                return _("up at least %(amount)s ranks (rank %(required)s or better)") % values
            return _("at least %(amount)s better than the baseline (%(required)s)") % values
        if target.rule == Target.Rule.AT_LEAST:
            return _("at least %(amount)s") % values
        if target.rule == Target.Rule.AT_MOST:
            return _("at most %(amount)s") % values
        return _("better on every component") if not self.components else _("better on all %(count)s components") % values

    @property
    def what(self) -> str:
        """What is measured, in a few words: "PAPI · rank", "Received online % · the province"."""
        target = self.target
        if target.source == Target.Source.NATIONAL:
            parts = [target.index_code, str(target.get_measure_display())]
            return " · ".join(parts + ([target.component] if target.component else []))
        if target.source == Target.Source.RUN:
            return " · ".join([target.framework.code if target.framework_id else "", target.unit.name if target.unit_id else "",
                               target.node_code, str(target.get_measure_display())])
        if target.source == Target.Source.SERVICES:
            label = RateTarget.Measure(target.rate).label if target.rate in RateTarget.Measure.values else target.rate
            return f"{label} · {target.unit.name if target.unit_id else _('the province')}"
        return target.statistic.name if target.statistic_id else ""

    @property
    def margin(self) -> float | None:
        """How far past the threshold the actual value is (+13 on 49 required): positive is better."""
        if self.actual is None or self.target.amount is None:
            return None
        if self.target.rule == Target.Rule.AT_LEAST:
            return self.actual.value - self.target.amount
        if self.target.rule == Target.Rule.AT_MOST:
            return self.target.amount - self.actual.value
        return None

    @property
    def components_up(self) -> int:
        return sum(1 for *_rest, up in self.components if up)


def figure(value) -> str:
    """A value as the province writes it: 171, 19,58, 54,3 — at most two decimals."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return number_format(int(value), use_l10n=True, force_grouping=True)
    return number_format(round(float(value), 2), decimal_pos=None, use_l10n=True, force_grouping=True)


def _plain(text: str) -> str:
    return fold(str(text))


def province_short_names() -> set[str]:
    """The province as national tables write it: 'Cao Bằng' for 'Tỉnh Cao Bằng'."""
    province = province_get()
    if province is None:
        return set()
    names = set()
    for name in (province.name_vi, province.name_en):
        plain = _plain(name)
        for prefix in ("tinh ", "thanh pho ", "tp. ", "tp ", "province of "):
            if plain.startswith(prefix):
                plain = plain[len(prefix):]
        plain = plain.removesuffix(" province")
        if plain:
            names.add(plain)
    return names


@dataclass(frozen=True)
class NationalYear:
    """The province's published result of one year, through the 2025 merger (indices.national's lineage)."""

    year: int
    score: float | None
    rank: int | None  # none for a year that combines former provinces: their ranks say nothing of the new one
    components: dict
    source: str
    provinces: tuple[str, ...]  # the provinces whose results these are


def province_national_name() -> str | None:
    """The province's name in the national tables ('Bắc Ninh' for 'Tỉnh Bắc Ninh'), if it is one of them."""
    province = province_get()
    if province is None:
        return None
    for name in (province.name_vi, province.name_en):
        found = national.province_name(name)
        if found:
            return found
    return None


def national_results(index_code: str) -> dict[int, NationalYear]:
    """The province's published results of one national index, by year. A province formed by the
    2025 merger reads its former provinces' results for the years before it, as the lineage in
    chiso.indices.national says (their mean score and components; no rank)."""
    name = province_national_name()
    if name is None:  # a province the national tables do not name: its own rows only, by name
        names = province_short_names()
        return {r.year: NationalYear(r.year, r.score, r.rank, dict(r.components or {}), r.source, (r.province,))
                for r in ExternalResult.objects.filter(index_code=index_code) if _plain(r.province) in names}
    sources = {(r.year, r.province): r.source for r in ExternalResult.objects.filter(index_code=index_code).only("year", "province", "source")}
    out = {}
    for y in national.province_results(index_code, name):
        if len(y.provinces) == 1:
            source = sources.get((y.year, y.provinces[0])) or index_code
        else:
            source = _("%(index)s %(year)s: mean of the former provinces %(provinces)s (2025 merger)") % {
                "index": index_code, "year": y.year, "provinces": ", ".join(y.provinces)}
        out[y.year] = NationalYear(y.year, y.score, y.rank, dict(y.components or {}), str(source), tuple(y.provinces))
    return out


def standing_series(index_code: str, measure: str) -> dict[int, StatisticValue]:
    """Values typed in for a national index before its publication is imported."""
    statistic = Statistic.objects.filter(index_code=index_code, measure=measure).first()
    if statistic is None:
        return {}
    return {v.year: v for v in statistic.values.all()}


def higher_is_better(target: Target) -> bool:
    if target.measure == Target.Measure.RANK:
        return False
    if target.source == Target.Source.STATISTIC and target.statistic_id:
        return target.statistic.higher_is_better
    return True


def observations(target: Target) -> dict[int, Observation]:
    """Every year's value of what the target measures."""
    out: dict[int, Observation] = {}
    if target.source == Target.Source.NATIONAL:
        series_measure = Target.Measure.RANK if target.measure == Target.Measure.RANK else Target.Measure.SCORE
        for year, value in standing_series(target.index_code, series_measure).items():
            picked = value.components.get(target.component) if target.measure == Target.Measure.COMPONENT else value.value
            out[year] = Observation(year, picked, value.source, value.components or {}, value.provisional)
        for year, result in national_results(target.index_code).items():
            if target.measure == Target.Measure.RANK:
                picked = result.rank
            elif target.measure == Target.Measure.COMPONENT:
                picked = result.components.get(target.component)
            else:
                picked = result.score
            out[year] = Observation(year, picked, result.source or target.index_code, result.components or {})
    elif target.source == Target.Source.RUN:
        runs = (
            IndexRun.objects.filter(version__framework_id=target.framework_id, status=IndexRun.Status.PUBLISHED)
            .select_related("period")
        )
        scores = {
            s.run_id: s for s in RunScore.objects.filter(run__in=runs, unit_id=target.unit_id, code=target.node_code)
        }
        for run in runs:
            score = scores.get(run.pk)
            if score is not None:
                picked = score.rank if target.measure == Target.Measure.RANK else score.value
                out[run.period.year] = Observation(run.period.year, picked, run.title)
    elif target.source == Target.Source.SERVICES:
        for rates in (unit_trend(target.unit) if target.unit_id else province_trend()):
            source = _("One-stop-shop statistics of the predecessor units") if rates.via else _("One-stop-shop statistics")
            out[rates.period.year] = Observation(rates.period.year, getattr(rates, target.rate, None), str(source))
    elif target.source == Target.Source.STATISTIC and target.statistic_id:
        for value in target.statistic.values.all():
            out[value.year] = Observation(value.year, value.value, value.source, value.components or {}, value.provisional)
    return {year: obs for year, obs in out.items() if obs.value is not None}


def _gain(target: Target, baseline: float, actual: float) -> float:
    """The improvement from baseline to actual: positive is better, whatever the direction."""
    return actual - baseline if higher_is_better(target) else baseline - actual


def _required(target: Target, baseline: float | None) -> float | None:
    if target.rule == Target.Rule.AT_LEAST or target.rule == Target.Rule.AT_MOST:
        return target.amount
    if baseline is None:
        return None
    step = target.amount if target.rule == Target.Rule.CHANGE_BY else 0
    return baseline + step if higher_is_better(target) else baseline - step


def _satisfies(target: Target, baseline: Observation | None, actual: Observation) -> bool | None:
    rule = target.rule
    if rule == Target.Rule.AT_LEAST:
        return actual.value >= target.amount
    if rule == Target.Rule.AT_MOST:
        return actual.value <= target.amount
    if baseline is None:
        return None
    if rule == Target.Rule.INCREASE:
        return _gain(target, baseline.value, actual.value) > 0
    if rule == Target.Rule.CHANGE_BY:
        return _gain(target, baseline.value, actual.value) >= target.amount
    if rule == Target.Rule.ALL_COMPONENTS_UP:
        pairs = _component_pairs(baseline, actual)
        if not pairs or any(up is None for *_rest, up in pairs):
            return None
        return all(up for *_rest, up in pairs)
    return None


def _component_pairs(baseline: Observation, actual: Observation) -> list[tuple[str, float | None, float | None, bool | None]]:
    pairs = []
    for key, before in baseline.components.items():
        after = actual.components.get(key)
        up = None if before is None or after is None else after > before
        pairs.append((key, before, after, up))
    return pairs


def target_evaluate(target: Target) -> Evaluation:
    values = observations(target)
    baseline = None
    if target.baseline_year:
        found = values.get(target.baseline_year)
        if target.baseline_value is not None:
            baseline = Observation(target.baseline_year, target.baseline_value, found.source if found else "",
                                   found.components if found else {})
        else:
            baseline = found
    final = values.get(target.target_year)
    # Interim values count after the baseline; without a baseline only the target year's does.
    later = sorted(y for y in values if target.baseline_year and target.baseline_year < y <= target.target_year)
    actual = final or (values[later[-1]] if later else None)
    state = TargetState.NO_DATA
    change = None
    components = []
    if actual is not None:
        met = _satisfies(target, baseline, actual)
        if met is not None:
            if actual is final and not final.provisional:
                state = TargetState.MET if met else TargetState.MISSED
            else:
                state = TargetState.ON_TRACK if met else TargetState.AT_RISK
        if baseline is not None and baseline.value is not None:
            change = _gain(target, baseline.value, actual.value)
            if target.measure != Target.Measure.RANK and not higher_is_better(target):
                change = actual.value - baseline.value  # a lower-is-better figure shows its plain change
        if baseline is not None and target.rule == Target.Rule.ALL_COMPONENTS_UP:
            components = _component_pairs(baseline, actual)
    return Evaluation(
        target=target, baseline=baseline, actual=actual, required=_required(target, baseline.value if baseline else None),
        state=state, change=change, components=components,
    )


def targets_evaluate(targets) -> list[Evaluation]:
    return [target_evaluate(t) for t in targets.select_related("statistic", "framework", "unit", "directive")]
