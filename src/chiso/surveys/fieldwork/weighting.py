"""Survey weights: post-stratification or raking of the respondents to the sample frame's margins.

Responses cannot be linked to the frame (anonymity), so a respondent's class comes from their
own answers (sector, size) and the frame gives the population shares of the same classes,
through a mapping kept as data in `SurveyAnalysis.weighting`:

    {"method": "raking",                      # or "poststratification", or "none"
     "variables": [
       {"question": "nganh_nghe", "frame_field": "sector",
        "map": {"A": "nong_lam", "C": "cong_nghiep", "F": "cong_nghiep", "G": "thuong_mai", "I": "du_lich"}},
       {"question": "so_lao_dong", "frame_field": "size",
        "bins": {"micro": [0, 10], "small": [11, 100], "medium": [101, 200], "large": [201, null]}}]}

`map` turns a frame value into an answer choice; `bins` turns a numeric answer into the frame's
class. The weights come from weightipy's RIM (raking) algorithm; post-stratification is raking
on the cross-classified cells, which converges in one step. Weights average 1 over the
respondents who could be classified; the others keep weight 1 and are counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chiso.surveys.models import FrameEntry, Response, Survey
from chiso.surveys.fieldwork.monitoring import analysis_for

FRAME_FIELDS = {"sector": "sector_section", "size": "size", "commune": "commune", "legal_form": "legal_form"}
METHODS = ("none", "poststratification", "raking")


@dataclass
class Weights:
    method: str
    weights: dict = field(default_factory=dict)  # response id → weight
    unclassified: int = 0
    empty_classes: list[str] = field(default_factory=list)
    efficiency: float | None = None

    def of(self, rid) -> float:
        return self.weights.get(rid, 1.0)


def weighting_check(survey: Survey, spec: dict) -> list[str]:
    """Problems with a weighting specification (shown before it is saved, and before it is used)."""
    method = (spec or {}).get("method", "none")
    if method not in METHODS:
        return [_("Weighting method %(method)s is unknown (use none, poststratification or raking).") % {"method": method}]
    if method == "none":
        return []
    problems = []
    if not hasattr(survey, "sample"):
        problems.append(_("Weighting to the frame needs the survey's sample (and so its frame)."))
    variables = spec.get("variables") or []
    if not variables:
        problems.append(_("Name at least one variable to weight on."))
    form = survey.version.form
    for number, variable in enumerate(variables, start=1):
        question, frame_field = variable.get("question"), variable.get("frame_field")
        if question not in form.elements:
            problems.append(_("Weighting variable %(n)s: there is no question %(name)s.") % {"n": number, "name": question})
        elif form.elements[question].repeat is not None:
            problems.append(_("Weighting variable %(n)s: %(name)s is asked per rated unit, not once per respondent.") % {"n": number, "name": question})
        if frame_field not in FRAME_FIELDS:
            problems.append(_("Weighting variable %(n)s: frame field %(field)s is unknown (use %(known)s).") % {"n": number, "field": frame_field, "known": ", ".join(FRAME_FIELDS)})
        if not variable.get("map") and not variable.get("bins"):
            problems.append(_("Weighting variable %(n)s needs a map or bins.") % {"n": number})
    return problems


def _respondent_class(variable: dict, value) -> str | None:
    if value in (None, ""):
        return None
    bins = variable.get("bins")
    if bins:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        for name, (low, high) in bins.items():
            if (low is None or number >= low) and (high is None or number <= high):
                return name
        return None
    return str(value)


def _frame_class(variable: dict, value: str) -> str | None:
    if variable.get("bins"):
        return value or None
    return (variable.get("map") or {}).get(value)


def survey_weights(survey: Survey, responses: list[tuple[object, dict]]) -> Weights:
    """Weights of `responses` ((id, answers) pairs) under the survey's weighting settings."""
    spec = analysis_for(survey).weighting or {}
    method = spec.get("method", "none")
    if method == "none" or not responses:
        return Weights(method="none")
    problems = weighting_check(survey, spec)
    if problems:
        raise ValidationError(problems)
    # pandas and weightipy take a second to load: only raking needs them, not every process.
    import pandas as pd
    import weightipy

    variables = spec["variables"]
    frame = survey.sample.frame
    columns = [FRAME_FIELDS[v["frame_field"]] for v in variables]
    population = Counter()
    for values in FrameEntry.objects.filter(frame=frame).values_list(*columns).iterator(chunk_size=5000):
        classes = tuple(_frame_class(v, value) for v, value in zip(variables, values))
        if all(c is not None for c in classes):
            population[classes] += 1
    rows, ids, unclassified = [], [], 0
    for rid, answers in responses:
        classes = tuple(_respondent_class(v, (answers or {}).get(v["question"])) for v in variables)
        if any(c is None for c in classes):
            unclassified += 1
            continue
        rows.append(classes)
        ids.append(rid)
    present = set(rows)
    if method == "poststratification":
        names = ["cell"]
        data = pd.DataFrame({"cell": [" | ".join(r) for r in rows]})
        cells = {" | ".join(c): n for c, n in population.items()}
        empty = sorted(c for c in cells if tuple(c.split(" | ")) not in present)
        targets = {"cell": {c: n for c, n in cells.items() if c not in empty}}
    else:
        names = [v["question"] for v in variables]
        data = pd.DataFrame(rows, columns=names)
        empty, targets = [], {}
        for i, name in enumerate(names):
            margin = Counter()
            for classes, n in population.items():
                margin[classes[i]] += n
            seen = {r[i] for r in rows}
            empty += [f"{name}={c}" for c in sorted(margin) if c not in seen]
            targets[name] = {c: n for c, n in margin.items() if c in seen}
    # Respondents in a class the frame does not have cannot be weighted to it.
    keep = [all(data[n].iloc[i] in targets[n] for n in names) for i in range(len(data))]
    unclassified += keep.count(False)
    data = data[keep].reset_index(drop=True)
    ids = [rid for rid, k in zip(ids, keep) if k]
    if data.empty:
        return Weights(method=method, unclassified=unclassified, empty_classes=empty)
    totals = {n: sum(t.values()) for n, t in targets.items()}
    scheme = weightipy.scheme_from_dict({n: {c: 100 * v / totals[n] for c, v in t.items()} for n, t in targets.items()}, name="chiso")
    series = weightipy.weight(data, scheme)
    weights = {rid: float(w) for rid, w in zip(ids, series.tolist())}
    efficiency = float(weightipy.weighting_efficiency(series)) if len(series) > 1 else None
    return Weights(method=method, weights=weights, unclassified=unclassified, empty_classes=empty, efficiency=efficiency)


def respondent_strata(survey: Survey, response_ids: list) -> tuple[list[str], bool]:
    """Each response's stratum as its answers tell it ("" for all when the survey is not stratified
    on anything the answers say)."""
    sample = getattr(survey, "sample", None)  # the reverse one-to-one raises AttributeError when absent
    spec = analysis_for(survey).weighting or {}
    variables = [v for v in spec.get("variables") or [] if sample is not None and v.get("frame_field") in (sample.strata_fields or [])]
    if not variables:
        return [""] * len(response_ids), False
    wanted = [v["question"] for v in variables]
    classes = {}
    for rid, answers in Response.objects.filter(survey=survey).values_list("id", "answers").iterator(chunk_size=2000):
        classes[rid] = " | ".join(str(_respondent_class(v, (answers or {}).get(q)) or "?") for v, q in zip(variables, wanted))
    return [classes.get(rid, "?") for rid in response_ids], True
