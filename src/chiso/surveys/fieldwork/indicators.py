"""From answers to indicators: the unit × indicator table an index run reads, and the
respondent-level table it came from (for bootstrap confidence intervals).

Each framework indicator has one rule, kept as data (`IndicatorRule`, imported from CSV or XLSX):

| indicator | question | statistic | values | exclude |
|---|---|---|---|---|
| tr4 | minh_bach | share | 4 5 | |
| ic1 | chi_phi_khong_chinh_thuc | share | co | khong_tra_loi |
| tc1 | so_lan_di_lai | share | > 2 | |
| tc4 | so_lan_di_lai | median | | |

`share` is the (weighted) percentage of answers counted by `values` (choices, or a comparison
such as `> 2` or `>= 7`); `mean` and `median` take the answers' numbers (a Likert choice's
number). `exclude` leaves answers out of the denominator ("prefer not to say"). A question asked
per rated unit (inside the DDCI repeat) is counted for that entry's unit; a top-level question
for the unit the respondent picked in a top-level units list. Excluded responses (quality
decisions) are left out; survey weights apply when set. A unit rated by fewer respondents than
the minimum is marked and written without a value, never scored on too few answers.
"""

from __future__ import annotations

import re
import warnings
from array import array
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from chiso.core.tabular import Column, ImportFailed, columns_match, normalise_header, read_table
from chiso.frameworks.models import Framework, Node
from chiso.indices.services import ValueEntry, indicator_values_set
from chiso.units.models import Unit

from chiso.surveys.fieldwork import respondent_tables
from chiso.surveys.collection.formdef import FormDef
from chiso.surveys.models import IndicatorComputation, IndicatorRule, QuestionnaireVersion, Response, Survey
from chiso.surveys.fieldwork.monitoring import analysis_for
from chiso.surveys.fieldwork.quality import excluded_ids
from chiso.surveys.fieldwork.weighting import respondent_strata, survey_weights
from chiso.surveys.queries import units_choices

CONDITION = re.compile(r"^\s*(>=|<=|!=|>|<|=)\s*(-?\d+(?:[.,]\d+)?)\s*$")
COLUMNS = [  # the names chiso writes, then the Vietnamese headers people write
    Column("indicator", ("Chỉ tiêu", "Mã chỉ tiêu", "iCode"), required=True),
    Column("question", ("Câu hỏi", "name"), required=True),
    Column("statistic", ("Phép tính", "Thống kê"), required=True),
    Column("values", ("Giá trị", "Đáp án")),
    Column("exclude", ("Loại trừ", "Bỏ qua")),
]
STATISTIC_NAMES = {"share": "share", "ty_le": "share", "mean": "mean", "trung_binh": "mean", "median": "median", "trung_vi": "median"}


@dataclass
class Rule:
    indicator: str
    question: str
    statistic: str
    values: set[str] = field(default_factory=set)
    condition: tuple[str, float] | None = None
    exclude: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, row: IndicatorRule) -> Rule:
        condition = CONDITION.match(row.values or "")
        return cls(
            indicator=row.indicator, question=row.question, statistic=row.statistic,
            values=set() if condition else set((row.values or "").split()),
            condition=(condition.group(1), float(condition.group(2).replace(",", "."))) if condition else None,
            exclude=set((row.exclude or "").split()),
        )

    def contribution(self, value) -> float | None:
        """This answer's part in the statistic: 1/0 for a share, the number otherwise; None to skip."""
        if value is None or value == "" or value == []:
            return None
        if not isinstance(value, list) and self.statistic == "share" and self.condition is None:
            text = str(value)  # the common case, kept fast: one choice counted or not
            return None if text in self.exclude else (1.0 if text in self.values else 0.0)
        chosen = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        if self.exclude & set(chosen):
            return None
        if self.statistic == "share":
            if self.condition is None:
                return 1.0 if set(chosen) & self.values else 0.0
            number = _number(chosen[0])
            if number is None:
                return None
            op, limit = self.condition
            return 1.0 if {">": number > limit, ">=": number >= limit, "<": number < limit, "<=": number <= limit,
                           "=": number == limit, "!=": number != limit}[op] else 0.0
        return _number(chosen[0])


def _number(value) -> float | None:
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        return None


def rule_problems(form: FormDef, framework: Framework, indicator: str, question: str, statistic: str, values: str, exclude: str) -> list[tuple[str, str]]:
    """(column, message) for everything wrong with one rule."""
    problems = []
    if not Node.objects.filter(version__framework=framework, code=indicator, type=Node.Type.INDICATOR).exists():
        problems.append(("indicator", _("%(code)s is not an indicator of %(framework)s.") % {"code": indicator, "framework": framework.code}))
    if statistic not in ("share", "mean", "median"):
        problems.append(("statistic", _("Statistic %(value)s is unknown (use share, mean or median).") % {"value": statistic}))
    element = form.elements.get(question)
    if element is None:
        problems.append(("question", _("There is no question named %(name)s in %(form)s.") % {"name": question, "form": form.form_id}))
        return problems
    if not _unit_of(form, element):
        problems.append(("question", _("Question %(name)s is not asked about a unit: put it inside the rating repeat, or add a question choosing the unit.") % {"name": question}))
    numeric = element.type in ("integer", "decimal", "range")
    choices = {c.name for c in form.choices.get(element.list_name or "", [])} if element.is_select else set()
    if statistic == "share":
        if CONDITION.match(values or ""):
            if not (numeric or (choices and all(_number(c) is not None for c in choices))):
                problems.append(("values", _("A comparison such as > 2 needs a numeric question; %(name)s is not one.") % {"name": question}))
        elif not (values or "").split():
            problems.append(("values", _("Say which answers are counted, e.g. 4 5, or a comparison such as > 2.")))
        elif choices:
            wrong = [v for v in values.split() if v not in choices]
            if wrong:
                problems.append(("values", _("%(values)s are not choices of %(name)s (its choices: %(choices)s).") % {"values": " ".join(wrong), "name": question, "choices": " ".join(sorted(choices))}))
        elif not element.is_select:
            problems.append(("values", _("%(name)s has no choices: count its answers with a comparison such as > 2.") % {"name": question}))
    elif statistic in ("mean", "median"):
        if not numeric and not (choices and all(_number(c) is not None for c in choices - set((exclude or "").split()))):
            problems.append(("statistic", _("A %(statistic)s needs numbers; %(name)s has answers that are not numbers.") % {"statistic": statistic, "name": question}))
    if choices and exclude:
        wrong = [v for v in exclude.split() if v not in choices]
        if wrong:
            problems.append(("exclude", _("%(values)s are not choices of %(name)s.") % {"values": " ".join(wrong), "name": question}))
    return problems


@dataclass(frozen=True)
class RuleInWords:
    """A rule as the analyst checks it: the question's label, and each choice with its label."""

    question: str
    counted: list[str]  # "4 (Đồng ý)", or a comparison as written ("> 2")
    left_out: list[str]


def rule_in_words(form: FormDef, rule: IndicatorRule) -> RuleInWords:
    element = form.elements.get(rule.question)
    if element is None:
        return RuleInWords("", (rule.values or "").split(), (rule.exclude or "").split())
    labels = {c.name: form.text(c.label) for c in form.choices.get(element.list_name or "", [])} if element.is_select else {}

    def words(text: str) -> list[str]:
        if CONDITION.match(text or ""):
            return [text.strip()]
        return [f"{name} ({labels[name]})" if labels.get(name) else name for name in (text or "").split()]

    return RuleInWords(form.text(element.label), words(rule.values), words(rule.exclude))


def _unit_of(form: FormDef, element) -> str | None:
    """How a question's answer is tied to a unit: 'entry' (rating repeat) or the units question's name."""
    if element.repeat is not None:
        return "entry" if element.repeat.rating_field else None
    for candidate in form.root.walk():
        if candidate.type == "select_one" and candidate.units_block and candidate.repeat is None:
            return candidate.name
    return None


def indicator_rules_import(*, survey: Survey, framework: Framework, file_name: str, content: bytes) -> list[IndicatorRule]:
    """Replace the survey's rules for the framework with those of a CSV/XLSX table; all or nothing."""
    table = read_table(file_name, content, kind="indicator_rules")
    # Strict: an unknown header or a missing column is refused with the accepted headers.
    columns = columns_match(table, COLUMNS, ignored=("STT", "TT", "No.", "note", "Ghi chú"))  # a note for people
    problems = []
    form = survey.version.form
    rows, seen = [], {}
    for number, values in table.rows:
        get = lambda key: str(values.get(columns[key], "") if key in columns else "").strip()  # noqa: E731
        indicator, question, values_text, exclude = get("indicator"), get("question"), get("values"), get("exclude")
        statistic = STATISTIC_NAMES.get(normalise_header(get("statistic")), get("statistic"))
        for column, message in rule_problems(form, framework, indicator, question, statistic, values_text, exclude):
            problems.append(table.problem(message, row=number, column=columns.get(column) or column))
        if indicator in seen:
            problems.append(table.problem(_("Indicator %(code)s already has a rule on row %(row)s.") % {"code": indicator, "row": seen[indicator]}, row=number, column=columns["indicator"]))
        seen.setdefault(indicator, number)
        rows.append(IndicatorRule(survey=survey, framework=framework, indicator=indicator, question=question, statistic=statistic,
                                  values=values_text[:255], exclude=exclude[:255], row=number))
    if not rows:
        problems.append(table.problem(_("The file has no rows below the header.")))
    if problems:
        raise ImportFailed(problems)
    with transaction.atomic():
        IndicatorRule.objects.filter(survey=survey, framework=framework).delete()
        IndicatorRule.objects.bulk_create(rows)
    return rows


@dataclass
class IndicatorTable:
    """The unit × indicator table and the respondent-level rows it was computed from."""

    codes: list[str]
    units: list[dict]  # {"unit", "name", "n", "below_minimum", "values": {code: value|None}, "answers": {code: n}}
    responses: int
    excluded: int
    weighting: str
    minimum: int
    unclassified: int = 0
    # Respondent level, as arrays (millions of answers stay compact): one row per answer counted.
    response_ids: list = field(default_factory=list)
    unit_codes: list[str] = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # "response", "unit", "rule", "value" → NumPy arrays
    response_weights: object = None  # weight of each response, by its position in response_ids

    @property
    def respondents(self):
        """(response id, unit code, indicator, value, weight) for each answer counted."""
        if not self.rows:
            return
        weights = self.response_weights.tolist()
        for r, u, k, x in zip(*(self.rows[c].tolist() for c in ("response", "unit", "rule", "value"))):
            yield (str(self.response_ids[r]), self.unit_codes[u], self.codes[k], x, weights[r])


def answers_matrix(row: np.ndarray, column: np.ndarray, value: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The answers as a dense matrix (rows: a response's answers about one unit; columns: the
    indicator rules), NaN where there is none. A response that rates the same unit twice (two
    entries of its rating repeat, possible in an imported file) gives one row: for each rule the
    later answer counts, as an edit would. The survey's table and the bootstrap over respondents
    both lay their answers out here, so they count the same answers."""
    X = np.full(shape, np.nan)
    if len(value):
        cell = row.astype(np.int64) * shape[1] + column
        _cells, first_from_the_end = np.unique(cell[::-1], return_index=True)
        last = len(cell) - 1 - first_from_the_end
        X[row[last], column[last]] = value[last]
    return X


def indicator_table(*, survey: Survey, framework: Framework) -> IndicatorTable:
    rules_rows = list(IndicatorRule.objects.filter(survey=survey, framework=framework))
    if not rules_rows:
        raise ValidationError(_("This survey has no indicator rule for %(framework)s yet.") % {"framework": framework.code})
    versions = {v.pk: v for v in QuestionnaireVersion.objects.filter(pk__in=set(Response.objects.filter(survey=survey).values_list("version_id", flat=True)) | {survey.version_id})}
    problems = []
    for version in versions.values():
        for row in rules_rows:
            for _column, message in rule_problems(version.form, framework, row.indicator, row.question, row.statistic, row.values, row.exclude):
                problems.append(_("Rule for %(code)s (version %(version)s): %(message)s") % {"code": row.indicator, "version": version.version, "message": message})
    if problems:
        raise ValidationError(problems)
    rules = [Rule.of(r) for r in rules_rows]
    minimum = analysis_for(survey).min_answers_per_unit
    unit_names = {}
    for choices in units_choices(survey).values():
        for choice in choices:
            unit_names[choice.name] = survey.version.form.text(choice.label)
    codes = list(unit_names)
    index = {code: i for i, code in enumerate(codes)}
    excluded = excluded_ids(survey)
    weights = survey_weights(survey, [(rid, answers) for rid, answers in _included(survey, excluded, weighting=True)])

    # One pass over the answers into compact arrays; the statistics are then NumPy reductions.
    resp, unit_i, rule_i, vals, entry_i, response_weights = array("i"), array("h"), array("h"), array("d"), array("i"), array("d")
    entry_unit, entry_response = array("h"), array("i")  # per rated entry (a response's scope about one unit)
    raters = [set() for _ in codes]
    contributions = [(k, rule.question, rule.contribution) for k, rule in enumerate(rules)]
    response_ids = []
    for position, (rid, version_id, answers) in enumerate(_included(survey, excluded)):
        response_ids.append(rid)
        form = versions[version_id].form
        response_weights.append(weights.of(rid))
        entry_of: dict[int, int] = {}  # one entry per unit of this response (answers_matrix: the later answer counts)
        for unit, scope in _unit_scopes(form, answers):
            u = index.get(unit)
            if u is None:
                continue
            raters[u].add(position)
            entry = entry_of.get(u)
            if entry is None:
                entry = entry_of[u] = len(entry_unit)
                entry_unit.append(u)
                entry_response.append(position)
            for k, question, contribution in contributions:
                x = contribution(scope.get(question))
                if x is None:
                    continue
                resp.append(position)
                unit_i.append(u)
                rule_i.append(k)
                vals.append(x)
                entry_i.append(entry)
    rows = {"response": np.frombuffer(resp, dtype=np.int32), "unit": np.frombuffer(unit_i, dtype=np.int16),
            "rule": np.frombuffer(rule_i, dtype=np.int16), "value": np.frombuffer(vals, dtype=float)}
    per_response = np.frombuffer(response_weights, dtype=float)
    # The answers as a dense entries × rules matrix, entries grouped by unit: one row per response
    # and unit it rates, NaN where the rule takes no answer.
    entries_unit = np.frombuffer(entry_unit, dtype=np.int16)
    by_unit = np.argsort(entries_unit, kind="stable")
    row_of_entry = np.empty(len(by_unit), dtype=np.intp)
    row_of_entry[by_unit] = np.arange(len(by_unit))
    X = answers_matrix(row_of_entry[np.frombuffer(entry_i, dtype=np.int32)], rows["rule"].astype(np.intp), rows["value"],
                       (len(by_unit), len(rules)))
    W = per_response[np.frombuffer(entry_response, dtype=np.int32)[by_unit]]
    unit_start = np.searchsorted(entries_unit[by_unit], np.arange(len(codes)))
    value = unit_statistics(X, W, unit_start, [rule.statistic for rule in rules])
    count = unit_answers(X, unit_start)
    units = []
    for i, code in enumerate(codes):
        n = len(raters[i])
        below = n < minimum
        values = {}
        for k, rule in enumerate(rules):
            values[rule.indicator] = None if below or count[i, k] == 0 or np.isnan(value[i, k]) else round(float(value[i, k]), 6)
        units.append({"unit": code, "name": unit_names[code], "n": n, "below_minimum": below, "values": values,
                      "answers": {r.indicator: int(count[i, k]) for k, r in enumerate(rules)}})
    return IndicatorTable(codes=[r.indicator for r in rules], units=units, responses=len(response_ids), excluded=len(excluded),
                          weighting=weights.method, minimum=minimum, unclassified=weights.unclassified,
                          response_ids=response_ids, unit_codes=codes, rows=rows, response_weights=per_response)


def _included(survey: Survey, excluded: set, weighting: bool = False):
    """(id, version, answers) of the responses not excluded, streamed; (id, answers) for weighting."""
    # In a fixed order, so that a bootstrap with a seed draws the same respondents every time.
    rows = Response.objects.filter(survey=survey).order_by("id").values_list("id", "version_id", "answers")
    if weighting:
        if (analysis_for(survey).weighting or {}).get("method", "none") == "none":
            return
        wanted = [v.get("question") for v in analysis_for(survey).weighting.get("variables") or []]
        for rid, _version, answers in rows.iterator(chunk_size=2000):
            if rid not in excluded:
                yield rid, {q: answers.get(q) for q in wanted}
        return
    for rid, version, answers in rows.iterator(chunk_size=500):
        if rid not in excluded:
            yield rid, version, answers


def unit_statistics(X: np.ndarray, W: np.ndarray, unit_start: np.ndarray, statistics, equal: np.ndarray | None = None) -> np.ndarray:
    """Each unit's indicators by the survey's rules — the one computation behind both the unit ×
    indicator table and every bootstrap replication.

    X: answers (..., rows, codes), NaN where a row gives no answer to a code; W: each row's weight
    (..., rows); the rows grouped by unit, `unit_start` the first row of each unit (a unit without
    rows starts where the next one does). `statistics`: per code, "share" (weighted percentage of
    the 1/0 answers), "mean" (weighted mean) or "median" (`weighted_median`). `equal`: (units,
    codes), whether the answers' weights are all equal, which makes a median the plain one; read
    from X and W when not given (then without leading axes). Returns (..., units, codes); NaN for
    a unit and code without answers."""
    unit_start = np.asarray(unit_start, dtype=np.intp)
    missing = np.isnan(X)
    w = np.where(missing, 0.0, W[..., None])
    with np.errstate(invalid="ignore", divide="ignore"):
        out = _unit_sums(w * np.where(missing, 0.0, X), unit_start) / _unit_sums(w, unit_start)
    medians = [k for k, statistic in enumerate(statistics) if statistic == "median"]
    if medians and equal is None:
        if X.ndim != 2:
            raise ValueError("unit_statistics: with leading axes, say which units' weights are equal")
        equal = equal_weights(X, W, unit_start)
    ends = np.append(unit_start[1:], X.shape[-2])
    for k, statistic in enumerate(statistics):
        if statistic == "share":
            out[..., k] *= 100
        elif statistic == "median":
            for i, (a, b) in enumerate(zip(unit_start.tolist(), ends.tolist())):
                if b > a:
                    out[..., i, k] = weighted_median(X[..., a:b, k], W[..., a:b], bool(equal[i, k]))
    return out


def unit_answers(X: np.ndarray, unit_start: np.ndarray) -> np.ndarray:
    """How many answers each unit has for each code: (..., rows, codes) → (..., units, codes)."""
    return _unit_sums((~np.isnan(X)).astype(np.int64), unit_start)


def equal_weights(X: np.ndarray, W: np.ndarray, unit_start: np.ndarray) -> np.ndarray:
    """(units, codes): whether all the rows that answer a code in a unit weigh the same (within
    `np.allclose`'s tolerance, as `weighted_median` judges); X (rows, codes), W (rows,)."""
    equal = np.ones((len(unit_start), X.shape[-1]), dtype=bool)
    answered = ~np.isnan(X)
    ends = np.append(unit_start[1:], X.shape[0])
    for i, (a, b) in enumerate(zip(unit_start.tolist(), ends.tolist())):
        if b > a:
            first = W[a:b][np.argmax(answered[a:b], axis=0)]  # the weight of each code's first answer
            equal[i] = np.all(np.isclose(W[a:b, None], first[None, :]) | ~answered[a:b], axis=0)
    return equal


def _unit_sums(A: np.ndarray, unit_start: np.ndarray) -> np.ndarray:
    """Sums over each unit's rows: (..., rows, codes) → (..., units, codes), 0 for a unit without rows."""
    starts = np.asarray(unit_start, dtype=np.intp)
    filled = np.diff(np.append(starts, A.shape[-2])) > 0
    if filled.all():
        return np.add.reduceat(A, starts, axis=A.ndim - 2)
    out = np.zeros((*A.shape[:-2], len(starts), A.shape[-1]), dtype=A.dtype)
    if filled.any():  # reduceat gives an empty unit its next row, not 0: sum the filled units only
        out[..., filled, :] = np.add.reduceat(A, starts[filled], axis=A.ndim - 2)
    return out


def weighted_median(x: np.ndarray, w: np.ndarray, equal: bool | None = None) -> np.ndarray:
    """The median along the last axis (any leading axes, such as a bootstrap's replications, are
    kept); with unequal weights, the value where the cumulative weight reaches half. A NaN answer
    weighs nothing; a row with no weight gives NaN. `equal`: whether the weights are equal,
    when the caller knows it (a redrawn unit keeps its survey's answer)."""
    if equal is None:
        equal = bool(np.allclose(w, w.flat[0])) if w.size else True
    if equal:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a row with no answer: NaN
            return np.nanmedian(x, axis=-1)
    order = np.argsort(np.where(np.isnan(x), np.inf, x), axis=-1, kind="stable")
    xs = np.take_along_axis(x, order, axis=-1)
    ws = np.where(np.isnan(xs), 0.0, np.take_along_axis(np.broadcast_to(w, x.shape), order, axis=-1))
    cumulative = np.cumsum(ws, axis=-1)
    half = cumulative[..., -1:] / 2
    index = np.minimum((cumulative < half).sum(axis=-1), x.shape[-1] - 1)
    result = np.take_along_axis(xs, index[..., None], axis=-1)[..., 0]
    return np.where(cumulative[..., -1] == 0, np.nan, result)


def _unit_scopes(form: FormDef, answers: dict):
    """(unit code, the answers about it): each rating entry, or the whole response for its unit."""
    found = False
    for element in form.rating_repeats():
        for entry in answers.get(element.name) or []:
            code = entry.get(element.rating_field)
            if code:
                found = True
                yield str(code), entry
    if not found:
        for element in form.root.walk():
            if element.type == "select_one" and element.units_block and element.repeat is None and answers.get(element.name):
                yield str(answers[element.name]), answers
                return


@transaction.atomic
def indicator_values_write(*, survey: Survey, framework: Framework, by=None) -> IndicatorComputation:
    """Write the unit × indicator table as the framework's indicator values for the survey's
    period, each with the survey as its source. Units under the minimum get no value, and
    their source says why."""
    table = indicator_table(survey=survey, framework=framework)
    entries = []
    units = {u.code: u for u in Unit.objects.filter(code__in=[row["unit"] for row in table.units])}
    with translation.override("vi"):
        for row in table.units:
            unit = units.get(row["unit"])
            if unit is None:
                continue
            if row["below_minimum"]:
                source = _("Survey %(code)s: %(n)s answers, under the minimum of %(minimum)s") % {"code": survey.code, "n": row["n"], "minimum": table.minimum}
            else:
                source = _("Survey %(code)s (%(n)s answers)") % {"code": survey.code, "n": row["n"]}
            entries += [ValueEntry(unit=unit, code=code, value=value, source=source[:255]) for code, value in row["values"].items()]
    rules = list(IndicatorRule.objects.filter(survey=survey, framework=framework).values("indicator", "question", "statistic", "values", "exclude"))
    computation = IndicatorComputation.objects.create(
        survey=survey, framework=framework, responses=table.responses, excluded=table.excluded, weighting=table.weighting,
        units=[{k: row[k] for k in ("unit", "n", "below_minimum", "values")} for row in table.units],
        rules=rules, respondents=respondent_tables.freeze(frozen_table(survey, table, rules)),
        by=by if getattr(by, "pk", None) else None,
    )
    # Each value names the computation that produced it, so a run that reads it finds its respondents.
    indicator_values_set(framework=framework, period=survey.period, entries=entries, by=by, source_kind="survey",
                         produced_by=computation)
    return computation


def frozen_table(survey: Survey, table: IndicatorTable, rules: list[dict]) -> respondent_tables.FrozenTable:
    """The part of an indicator table a later bootstrap needs, with each response's stratum."""
    statistic = {rule["indicator"]: rule["statistic"] for rule in rules}
    strata, stratified = respondent_strata(survey, table.response_ids)
    return respondent_tables.FrozenTable(
        codes=list(table.codes), statistics=[statistic[code] for code in table.codes], unit_codes=list(table.unit_codes),
        below_minimum=np.array([u["below_minimum"] for u in table.units], dtype=bool),
        rows=table.rows or {"response": np.zeros(0, np.int32), "unit": np.zeros(0, np.int16), "rule": np.zeros(0, np.int16),
                            "value": np.zeros(0)},
        response_weights=np.asarray(table.response_weights if table.response_weights is not None else np.zeros(0), dtype=float),
        strata=strata, stratified=stratified,
    )

