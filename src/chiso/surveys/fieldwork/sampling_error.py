"""Sampling uncertainty of a run whose indicators came from survey answers.

A department rated by 35 businesses is not really 7th rather than 9th. For a run fed by one or
more surveys, the respondent-level table behind each indicator — frozen with the computation
whose values the run read (`respondent_tables`), so a published run is resampled as it was
even after the survey gains answers — is redrawn with replacement, within each rated unit, and
within the respondent's stratum where the survey was stratified; the indicators are recomputed
by the survey's own rules (share, mean, median; with the survey weights) and the whole index
by the run's own recipe, `n` times (`chiso.engine.bootstrap`).

The result is kept beside the run as a `RunUncertainty` of kind SAMPLING: per unit the score's
90 % interval, the rank interval (5th–95th percentile rank) and the number of respondents, and
the groups of units that cannot be told apart. The run itself never changes.

Strata. Responses are anonymous and cannot be joined to the sample frame, so a respondent's
stratum is read from their own answers: the weighting variables (question → frame field) whose
frame field the sample was stratified on (e.g. sector and size). A survey without a sample or
without such a mapping is bootstrapped within units only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.engine import StepError
from chiso.engine.bootstrap import RespondentTable, bootstrap
from chiso.frameworks.engine_messages import engine_error_message
from chiso.indices.models import IndexRun, IndicatorValue, RunUncertainty
from chiso.indices.uncertainty import DEFAULT_REPLICATIONS, DEFAULT_SEED, run_build

from chiso.surveys.fieldwork.indicators import answers_matrix, equal_weights, frozen_table, indicator_table, unit_statistics
from chiso.surveys.models import IndicatorComputation, Survey
from chiso.surveys.fieldwork.respondent_tables import FrozenTable, thaw

LEVEL = 0.90


def run_computations(run: IndexRun) -> list[IndicatorComputation]:
    """The survey indicator computations whose values the run read (its value rows name them),
    each with its frozen respondent table; for a run made before computations were frozen,
    the latest computation of each survey that rates one of the run's units (resampled from
    today's answers, and said so on the result)."""
    produced = (IndicatorValue.all_entries.filter(pk__in=run.value_rows or [], source_kind=IndicatorValue.SourceKind.SURVEY)
                .values_list("produced_by", flat=True).distinct())
    prefix = f"{IndicatorComputation._meta.label_lower}:"
    ids = [int(p[len(prefix):]) for p in produced if p.startswith(prefix)]
    frozen = list(IndicatorComputation.objects.filter(pk__in=ids, respondents__isnull=False).select_related("survey").order_by("survey_id"))
    if frozen:
        return frozen
    units = set((run.inputs or {}).get("units") or [])
    latest = []
    seen = set()
    computations = (IndicatorComputation.objects.filter(framework=run.version.framework, survey__period=run.period)
                    .select_related("survey").order_by("survey_id", "-at"))
    for computation in computations:
        if computation.survey_id in seen:
            continue
        seen.add(computation.survey_id)
        if units & {row["unit"] for row in computation.units if not row.get("below_minimum")}:
            latest.append(computation)
    return latest


def run_survey_sources(run: IndexRun) -> list[Survey]:
    """The surveys whose indicator values went into the run."""
    return [computation.survey for computation in run_computations(run)]


def computation_table(computation: IndicatorComputation) -> FrozenTable:
    """The computation's frozen respondent table, or (older computations) today's answers."""
    if computation.respondents is not None:
        return thaw(computation.respondents)
    table = indicator_table(survey=computation.survey, framework=computation.framework)
    rules = list(computation.survey.indicator_rules.filter(framework=computation.framework).values("indicator", "statistic"))
    return frozen_table(computation.survey, table, rules)


@dataclass
class Respondents:
    """The respondent-level rows of the run's survey indicators, ready for the engine."""

    table: RespondentTable
    codes: list[str]  # indicator codes, the table's items except the last (the weight)
    statistics: list[str]  # share, mean or median for each code
    equal_weights: np.ndarray  # (units, codes) of the table: the answers weigh the same (median as np.median)
    stratified: bool
    responses: int


def run_respondents(run: IndexRun, computations: list[IndicatorComputation]) -> Respondents:
    """One row per (response, rated unit): the answers' contribution to each indicator, the
    response's survey weight last. Units under the survey's minimum, and units not in the run,
    are left out (their values stay as the run has them: none)."""
    run_units = set(run.inputs["units"])
    run_codes = set(run.inputs["codes"])
    statistic_of: dict[str, str] = {}
    parts = []  # (unit codes, strata, values with weight column, codes of the columns)
    responses = 0
    stratified = False
    for computation in computations:
        table = computation_table(computation)
        for code, statistic in zip(table.codes, table.statistics):
            if code in run_codes:
                if statistic_of.setdefault(code, statistic) != statistic:
                    raise ValueError(_("Indicator %(code)s is computed differently by two surveys; bootstrap them one at a time.") % {"code": code})
        keep_units = np.array([code in run_units and not below for code, below in zip(table.unit_codes, table.below_minimum)], dtype=bool)
        rows = table.rows
        if not len(rows.get("response", [])):
            continue
        mask = keep_units[rows["unit"].astype(np.intp)] & np.isin(rows["rule"], [k for k, c in enumerate(table.codes) if c in run_codes])
        response, unit, rule, value = (rows[c][mask] for c in ("response", "unit", "rule", "value"))
        if not len(response):
            continue
        # Rows are (response, unit) pairs, laid out as the survey's table lays them (answers_matrix).
        pair = response.astype(np.int64) * len(table.unit_codes) + unit
        pairs, row_of = np.unique(pair, return_inverse=True)
        pair_response = (pairs // len(table.unit_codes)).astype(np.intp)
        pair_unit = (pairs % len(table.unit_codes)).astype(np.intp)
        values = answers_matrix(row_of, rule.astype(np.intp), value, (len(pairs), len(table.codes) + 1))
        values[:, -1] = table.response_weights[pair_response]
        stratified |= table.stratified
        parts.append(([table.unit_codes[u] for u in pair_unit], [f"{computation.survey_id}|{table.strata[r]}" for r in pair_response],
                      values, list(table.codes)))
        responses += len(set(pair_response.tolist()))
    if not parts:
        raise ValueError(_("No respondent rated a unit of this run with enough answers: there is nothing to bootstrap."))
    codes = sorted(statistic_of)
    column = {code: j for j, code in enumerate(codes)}
    units, strata, blocks = [], [], []
    for part_units, part_strata, values, part_codes in parts:
        block = np.full((len(values), len(codes) + 1), np.nan)
        for j, code in enumerate(part_codes):
            if code in column:
                block[:, column[code]] = values[:, j]
        block[:, -1] = values[:, -1]
        units += part_units
        strata += part_strata
        blocks.append(block)
    try:
        table = RespondentTable.from_arrays(unit=units, values=np.vstack(blocks), items=[*codes, "__weight"], stratum=strata)
    except StepError as error:
        raise ValueError(engine_error_message(error)) from None
    # Judged once on the answers as they are: a redrawn unit keeps its survey's kind of median.
    equal = equal_weights(table.values[:, :-1], table.values[:, -1], table.unit_start)
    return Respondents(table=table, codes=codes, statistics=[statistic_of[c] for c in codes], equal_weights=equal,
                       stratified=stratified, responses=responses)


def bootstrap_indicators(respondents: Respondents):
    """The survey rules on a batch of redrawn answers: (R, rows, codes + weight) → (R, units, codes),
    by the survey's own `unit_statistics`."""
    statistics = respondents.statistics
    equal = respondents.equal_weights

    def compute(V: np.ndarray, table: RespondentTable) -> np.ndarray:
        return unit_statistics(V[..., :-1], V[..., -1], table.unit_start, statistics, equal)

    return compute


def run_sampling_compute(*, run: IndexRun, n: int = DEFAULT_REPLICATIONS, seed: int = DEFAULT_SEED, by=None) -> RunUncertainty:
    """Bootstrap the run over the respondents of its surveys; raises ValueError with a readable message."""
    computations = run_computations(run)
    if not computations:
        raise ValueError(_("No survey gave indicator values to this run: sampling uncertainty needs the survey's answers."))
    surveys = [c.survey for c in computations]
    respondents = run_respondents(run, computations)
    try:
        result = bootstrap(run_build(run), respondents.table, n=n, seed=seed, indicators=bootstrap_indicators(respondents),
                           codes=respondents.codes, level=LEVEL)
    except StepError as error:
        raise ValueError(_("The bootstrap cannot run: %(error)s") % {"error": engine_error_message(error)}) from None
    _header, rows = result.table()
    ranks = {}
    for code, score, low, high, rank, rank_low, rank_median, rank_high, count, _group in rows:
        ranks[code] = {"nominal": rank, "median": rank_median, "q5": rank_low, "q95": rank_high,
                       "score": score, "score_low": low, "score_high": high, "respondents": count}
    spec = {"surveys": [s.code for s in surveys], "computations": [c.pk for c in computations],
            "frozen": all(c.respondents is not None for c in computations), "level": LEVEL, "stratified": respondents.stratified,
            "responses": respondents.responses, "indicators": respondents.codes}
    with transaction.atomic():
        return RunUncertainty.objects.create(
            run=run, kind=RunUncertainty.Kind.SAMPLING, spec=spec, replications=n, seed=seed, ranks=ranks,
            groups=[list(g) for g in result.groups], created_by=by if getattr(by, "pk", None) else None,
        )
