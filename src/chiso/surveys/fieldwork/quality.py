"""Data quality: flags on doubtful responses, each with its reason, and the analyst's decision.

Flags (recomputed on demand): speeders (answering time far below the median), straight-lining
(every agreement question answered alike), duplicates (the same answers as another response, or
the same but for one answer), out-of-range values (outside a plausible range set by the analyst,
or far outside the other answers) and inconsistent answers (rules written as XLSForm
expressions). chiso stores no device data (it would identify respondents), so duplicates are
found from the answers alone. A flag is a question, not a verdict: the analyst includes or
excludes each response, and every decision is kept with who made it and why.
"""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import defaultdict
from decimal import Decimal

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chiso.accounts.permissions import may_set_survey_analysis
from chiso.formats.durations import duration_words
from chiso.formats.numbers import said

from chiso.surveys.collection import expressions
from chiso.surveys.collection.evaluation import Evaluation, _compile_for, answers_from_clean
from chiso.surveys.collection.expressions import ExpressionError, references
from chiso.surveys.collection.formdef import FormDef
from chiso.surveys.models import QualityDecision, QualityFlag, QuestionnaireVersion, Response, Survey
from chiso.surveys.fieldwork.monitoring import analysis_for
from chiso.surveys.queries import units_choices

DEFAULTS = {
    "speeder_ratio": 0.3,  # faster than 30 % of the median time
    "speeder_min_responses": 10,
    "straightline_min_items": 6,
    "near_duplicate_min_items": 8,
    "outlier_iqr": 3.0,  # Tukey's far-out fences
    "outlier_min_answers": 20,
    "ranges": {},  # {"so_lao_dong": [0, 5000]}
    "rules": [],  # [{"when": "${nam_thanh_lap} >= 2024 and ${so_lao_dong} > 500", "message": "…"}]
}
ANSWER_TYPES = {"integer", "decimal", "text", "date", "time", "datetime", "range", "select_one", "select_multiple", "acknowledge"}


def quality_settings(survey: Survey) -> dict:
    return {**DEFAULTS, **(analysis_for(survey).quality or {})}


def response_items(form: FormDef, answers: dict, prefix: str = "") -> list[tuple[str, object, object]]:
    """(address, element, value) of every answer, a rating entry addressed by its unit."""
    items = []
    for name, value in (answers or {}).items():
        element = form.elements.get(name)
        if element is None:
            continue
        if element.is_repeat and isinstance(value, list):
            for index, entry in enumerate(value, start=1):
                key = entry.get(element.rating_field) if element.rating_field else None
                items.extend(response_items(form, entry, f"{prefix}{name}[{key or index}]/"))
        elif element.type in ANSWER_TYPES:
            items.append((prefix + name, element, value))
    return items


def _is_likert(element) -> bool:
    return element.type == "select_one" and "likert" in element.appearance


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- consistency rules -----------------------------------------------------------------------

def rules_check(survey: Survey, rules: list) -> list[str]:
    """Problems with the consistency rules against every version the survey's answers use."""
    problems = []
    versions = QuestionnaireVersion.objects.filter(pk__in=set(Response.objects.filter(survey=survey).values_list("version_id", flat=True)) | {survey.version_id})
    forms = [v.form for v in versions]
    for number, rule in enumerate(rules, start=1):
        when = (rule or {}).get("when", "") if isinstance(rule, dict) else ""
        if not when:
            problems.append(_("Rule %(n)s: write the condition under “when”.") % {"n": number})
            continue
        try:
            names = references(when)
        except ExpressionError as error:
            problems.append(_("Rule %(n)s: %(error)s") % {"n": number, "error": error})
            continue
        for name in names:
            if not any(name in form.elements for form in forms):
                problems.append(_("Rule %(n)s refers to ${%(name)s}, which is not a question of this survey.") % {"n": number, "name": name})
        for form in forms:
            try:
                _rule_compiled(form, when)
            except ExpressionError as error:
                problems.append(_("Rule %(n)s: %(error)s") % {"n": number, "error": error})
                break
    return problems


def _rule_compiled(form: FormDef, when: str):
    """The rule parsed relative to its context: a rating entry when it names a question inside one."""
    cache = form.__dict__.setdefault("_quality_rules", {})
    if when not in cache:
        repeat = None
        for name in references(when):
            element = form.elements.get(name)
            if element is None:
                raise ExpressionError(_("There is no question named %(name)s.") % {"name": name})
            if element.repeat is not None:
                repeat = element.repeat
        context = repeat.path if repeat is not None else form.root.path
        cache[when] = (_compile_for(form, when, context), repeat)
    return cache[when]


def _rule_hits(form: FormDef, answers: dict, rules: list, external) -> list[str]:
    evaluation = Evaluation(form, answers_from_clean(form, answers), external=external, compute=False)
    hits = []
    for rule in rules:
        token, repeat = _rule_compiled(form, rule["when"])
        addresses = [""] if repeat is None else [f"{repeat.name}[{i}]" for i in range(1, evaluation.entries.get(repeat.name, 0) + 1)]
        for address in addresses:
            item = evaluation._xpath_nodes.get(address)
            if item is None:
                continue
            try:
                value = expressions.evaluate(token, evaluation.context, item)
                hit = expressions.as_boolean(token, value)
            except Exception:  # an expression that cannot be evaluated on this answer is no evidence
                hit = False
            if hit:
                hits.append(rule.get("message") or rule["when"])
                break
    return hits


# --- the check -------------------------------------------------------------------------------

def _signature(items) -> str:
    return hashlib.sha256(json.dumps([(a, v) for a, _e, v in items], sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


@transaction.atomic
def quality_check(*, survey: Survey, progress=None) -> dict[str, int]:
    """Recompute every flag of the survey's responses; decisions already taken are kept."""
    settings = quality_settings(survey)
    rules = [r for r in settings.get("rules") or [] if isinstance(r, dict)]
    problems = rules_check(survey, rules)
    if problems:
        raise ValidationError(problems)
    forms: dict = {}
    externals: dict = {}
    flags: dict = defaultdict(list)  # response id → [(code, reason)]
    durations = {}
    exact = defaultdict(list)
    near = defaultdict(set)
    numbers = defaultdict(list)  # question → [(response id, address, value)]
    rows = Response.objects.filter(survey=survey).values_list("id", "version_id", "channel", "duration_seconds", "answers")
    total = Response.objects.filter(survey=survey).count()
    ranges = settings.get("ranges") or {}
    for done, (rid, version_id, channel, duration, answers) in enumerate(rows.iterator(chunk_size=2000), start=1):
        form = forms.get(version_id)
        if form is None:
            form = forms[version_id] = QuestionnaireVersion.objects.get(pk=version_id).form
        items = response_items(form, answers)
        if channel == Response.Channel.WEB and duration is not None:
            durations[rid] = duration
        likert = [v for _a, e, v in items if _is_likert(e)]
        if len(likert) >= settings["straightline_min_items"] and len(set(map(str, likert))) == 1:
            flags[rid].append((QualityFlag.Code.STRAIGHT_LINING, _("All %(n)s agreement questions have the same answer (%(value)s).") % {"n": len(likert), "value": likert[0]}))
        exact[_signature(items)].append(rid)
        if len(items) >= settings["near_duplicate_min_items"]:
            for i in range(len(items)):
                near[(_signature(items[:i] + items[i + 1:]), items[i][0])].add(rid)
        for address, element, value in items:
            if element.type in ("integer", "decimal", "range"):
                number = _number(value)
                if number is None:
                    continue
                numbers[element.name].append((rid, address, number))
                bounds = ranges.get(element.name)
                if bounds:
                    low, high = (list(bounds) + [None, None])[:2]
                    if (low is not None and number < low) or (high is not None and number > high):
                        flags[rid].append((QualityFlag.Code.OUT_OF_RANGE, _("%(question)s = %(value)s is outside the plausible range %(low)s–%(high)s.") % {
                            "question": address, "value": said(Decimal(str(value).strip())), "low": "" if low is None else said(low), "high": "" if high is None else said(high)}))
        if rules:
            if version_id not in externals:
                externals[version_id] = units_choices(survey, QuestionnaireVersion.objects.get(pk=version_id))
            for message in _rule_hits(form, answers, rules, externals[version_id]):
                flags[rid].append((QualityFlag.Code.INCONSISTENT, _("Inconsistent answers: %(rule)s") % {"rule": message}))
        if progress and done % 1000 == 0:
            progress(done, total)

    if len(durations) >= settings["speeder_min_responses"]:
        median = statistics.median(durations.values())
        threshold = settings["speeder_ratio"] * median
        for rid, seconds in durations.items():
            if seconds < threshold:
                flags[rid].append((QualityFlag.Code.SPEEDER, _("Answered in %(time)s, less than %(ratio)s%% of the median time (%(median)s).") % {
                    "time": duration_words(seconds), "ratio": round(100 * settings["speeder_ratio"]), "median": duration_words(median)}))
    duplicated = set()
    for ids in exact.values():
        if len(ids) > 1:
            for rid in ids:
                others = ", ".join(str(o)[:8] for o in ids if o != rid)
                flags[rid].append((QualityFlag.Code.DUPLICATE, _("The same answers as %(n)s other response(s): %(ids)s.") % {"n": len(ids) - 1, "ids": others}))
                duplicated.add(rid)
    for (_signature_key, address), ids in near.items():
        ids = [i for i in ids if i not in duplicated]
        if len(ids) > 1:
            for rid in ids:
                others = ", ".join(sorted(str(o)[:8] for o in ids if o != rid))
                flags[rid].append((QualityFlag.Code.DUPLICATE, _("The same answers as %(ids)s except %(question)s.") % {"ids": others, "question": address}))
    for question, values in numbers.items():
        if len(values) < settings["outlier_min_answers"] or question in ranges:
            continue
        data = np.array([v for _r, _a, v in values])
        q1, q3 = np.percentile(data, [25, 75])
        iqr = q3 - q1
        if iqr <= 0:
            continue
        low, high = q1 - settings["outlier_iqr"] * iqr, q3 + settings["outlier_iqr"] * iqr
        for rid, address, value in values:
            if value < low or value > high:
                flags[rid].append((QualityFlag.Code.OUT_OF_RANGE, _("%(question)s = %(value)s is far from the other answers (expected %(low)s to %(high)s).") % {
                    "question": address, "value": said(value), "low": said(low), "high": said(high)}))
    QualityFlag.objects.filter(response__survey=survey).delete()
    QualityFlag.objects.bulk_create(
        [QualityFlag(response_id=rid, code=code, reason=reason) for rid, found in flags.items() for code, reason in dict.fromkeys(found)],
        batch_size=2000,
    )
    counts = defaultdict(int)
    for found in flags.values():
        for code in {c for c, _r in found}:
            counts[code] += 1
    if progress:
        progress(total, total)
    return {"responses": total, "flagged": len(flags), **counts}


# --- decisions ---------------------------------------------------------------------------------

def response_decide(*, response: Response, include: bool, reason: str, by) -> QualityDecision:
    """Include or exclude one response from the analysis; the reason is required and kept (the
    decision is its own record, with who took it: the audit trail never names a response)."""
    if not may_set_survey_analysis(by):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Say why the response is included or excluded."))
    if not getattr(by, "pk", None):
        raise ValidationError(_("A decision needs the analyst who takes it."))
    return QualityDecision.objects.create(response=response, include=include, reason=reason.strip(), by=by)


def decisions_in_force(survey: Survey) -> dict:
    """Response id → include (True/False), the latest decision of each response."""
    found = {}
    rows = QualityDecision.objects.filter(response__survey=survey).order_by("response_id", "-at", "-pk").values_list("response_id", "include")
    for rid, include in rows.iterator(chunk_size=5000):
        found.setdefault(rid, include)
    return found


def excluded_ids(survey: Survey) -> set:
    return {rid for rid, include in decisions_in_force(survey).items() if not include}
