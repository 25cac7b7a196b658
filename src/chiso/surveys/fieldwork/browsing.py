"""Duyệt phiếu trả lời — the response browser: filters, pages of responses, a summary per question.

Reads only. Filters come from the page's GET parameters (`BrowseForm`): dates submitted, channel,
quality flag, rated unit and the answer to any choice question. The summary counts the filtered
responses' answers: choices with their counts and shares, numbers with their distribution.

Anonymity (docs/security.md): the analyst sees every group. Roles below the analyst (the
secretariat, which knows who was invited and who answered) see nothing of a filtered set of
fewer than k responses — k being the survey's anonymity threshold — and no count under k in a
summary (`monitoring.suppress`: with the one more cell that keeps a total from giving it away);
for them a number's smallest and largest answer, each one response's, are not shown either.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from dataclasses import dataclass, field

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiso.core.form_fields import DateField
from chiso.formats.numbers import shown
from chiso.results.charts import ranking_chart, trend_chart

from chiso.surveys.collection.formdef import Element, FormDef
from chiso.surveys.models import QualityFlag, Response, Survey
from chiso.surveys.fieldwork.monitoring import analysis_for, suppress
from chiso.surveys.queries import units_choices

PAGE_SIZE = 50
NUMBER_TYPES = ("integer", "decimal", "range")
MAX_BINS = 8


# --- what can be filtered on ------------------------------------------------------------------

@dataclass
class Question:
    key: str
    label: str
    kind: str  # "choice", "choices" (select_multiple) or "number"
    choices: list[tuple[str, str]] = field(default_factory=list)  # (name, label)
    repeat: Element | None = None  # the repeat whose entries hold the answers, if any


def questions_of(survey: Survey) -> list[Question]:
    """The questions a summary is made of, in the form's order: choices (from the form's lists or the
    period's units) and numbers, top level or one entry per repeat (a rated unit's ratings)."""
    form: FormDef = survey.version.form
    external = units_choices(survey)
    found = []
    for element in form.root.walk():
        if element.type in ("select_one", "select_multiple"):
            if element.itemset_file:
                options = [(c.name, form.text(c.label)) for c in external.get(element.itemset_file, [])]
            else:
                options = [(c.name, form.text(c.label) or c.name) for c in form.choices.get(element.list_name or "", [])]
            if not options:
                continue
            kind = "choice" if element.type == "select_one" else "choices"
        elif element.type in NUMBER_TYPES:
            kind, options = "number", []
        else:
            continue
        repeat = element.repeat
        if repeat is not None and repeat.repeat is not None:
            continue  # a repeat inside a repeat: left to the exports
        found.append(Question(key=element.key, label=form.text(element.label) or element.name, kind=kind, choices=options, repeat=repeat))
    return found


def rated_units(survey: Survey) -> list[tuple[str, str]]:
    form = survey.version.form
    units = []
    for choices in units_choices(survey).values():
        units.extend((c.name, form.text(c.label)) for c in choices)
    return units


class BrowseForm(forms.Form):
    """The filters, read from GET parameters; every one may be left empty."""

    day_from = DateField(label=gettext_lazy("Submitted from"), required=False)
    day_to = DateField(label=gettext_lazy("to"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    flag = forms.ChoiceField(label=gettext_lazy("Quality flag"), required=False)
    unit = forms.ChoiceField(label=gettext_lazy("Rated unit"), required=False)
    answer = forms.ChoiceField(label=gettext_lazy("Answer to a question"), required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, survey: Survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.choice_questions = [q for q in questions_of(survey) if q.kind in ("choice", "choices") and q.repeat is None]
        everything = ("", _("All"))
        self.fields["channel"].choices = [everything, *Response.Channel.choices]
        self.fields["flag"].choices = [everything, ("none", _("No flag")), ("any", _("Any flag")), *QualityFlag.Code.choices]
        self.fields["unit"].choices = [everything, *rated_units(survey)]
        # One list, grouped by question: works without JavaScript. A value is "question=answer".
        self.fields["answer"].choices = [("", _("Any answer")), *(
            (q.label, [(f"{q.key}={name}", label) for name, label in q.choices]) for q in self.choice_questions)]

    def clean(self):
        data = super().clean()
        if data.get("day_from") and data.get("day_to") and data["day_from"] > data["day_to"]:
            self.add_error("day_to", _("The end date is before the start date."))
        key, _sep, answer = (data.get("answer") or "").partition("=")
        data["question_obj"] = next((q for q in self.choice_questions if q.key == key), None) if answer else None
        data["answer"] = answer
        return data


# --- the responses that match ---------------------------------------------------------------------

@dataclass
class Summary:
    question: Question
    answered: int  # responses (or entries) that answered
    rows: list[dict]  # choices: {name, label, count, share}; numbers: {label, count, share} per bin
    mean: float | None = None
    median: float | None = None
    low: float | None = None
    high: float | None = None
    chart: object = None


@dataclass
class Browse:
    k: int
    all_groups: bool  # the analyst: every group, however small
    total: int  # responses matching the filters
    hidden: bool  # fewer than k match and the viewer may not see small groups
    page: int
    pages: int
    responses: list = field(default_factory=list)
    summaries: list[Summary] = field(default_factory=list)


def _selected(value, wanted: str) -> bool:
    if isinstance(value, list):
        return wanted in value
    if isinstance(value, str):
        return wanted in value.split()
    return value is not None and str(value) == wanted


def _entries(answers: dict, question: Question, form: FormDef, unit: str) -> list:
    """The values of a question in one response: one, or one per repeat entry (of the unit asked)."""
    if question.repeat is None:
        return [answers.get(question.key)]
    values = []
    rating_field = question.repeat.rating_field
    for entry in answers.get(question.repeat.key) or []:
        if unit and rating_field and entry.get(rating_field) != unit:
            continue
        values.append(entry.get(question.key))
    return values


def _bins(values: list[float], integer: bool) -> list[tuple[str, float, float]]:
    """At most MAX_BINS intervals [low, high) covering the values; whole-number bounds for integers."""
    low, high = min(values), max(values)
    if integer:
        low, high = int(low), int(high)
        width = max(1, -(-(high - low + 1) // MAX_BINS))
        edges = list(range(low, high + 1, width))
        return [(shown(a) if width == 1 else f"{shown(a)}–{shown(a + width - 1)}", a, a + width) for a in edges]
    if low == high:
        return [(shown(low), low, high + 1)]
    width = (high - low) / MAX_BINS
    bins = [(low + i * width, low + (i + 1) * width) for i in range(MAX_BINS)]
    return [(f"{shown(round(a, 2))}–{shown(round(b, 2))}", a, b if i < MAX_BINS - 1 else high + abs(high) + 1) for i, (a, b) in enumerate(bins)]


def _summaries(questions: list[Question], collected: dict, k: int, all_groups: bool, survey: Survey) -> list[Summary]:
    checksum = hashlib.sha256(f"survey-browser-{survey.pk}-{survey.created_at.isoformat()}".encode()).hexdigest()
    form = survey.version.form
    summaries = []
    for question in questions:
        values = collected[question.key]
        if question.kind == "number":
            numbers = []
            for value in values:
                try:
                    numbers.append(float(value))
                except (TypeError, ValueError):
                    continue
            summary = Summary(question=question, answered=len(numbers), rows=[])
            if numbers:
                integer = form.elements[question.key].type == "integer" and all(n.is_integer() for n in numbers)
                bins = _bins(numbers, integer)
                counts = [sum(1 for n in numbers if a <= n < b) for _label, a, b in bins]
                summary.rows = [{"label": label, "count": count} for (label, _a, _b), count in zip(bins, counts)]
                summary.mean, summary.median = statistics.fmean(numbers), statistics.median(numbers)
                if all_groups:
                    summary.low, summary.high = min(numbers), max(numbers)
        else:
            counter: Counter = Counter()
            answered = 0
            for value in values:
                if value is None or value == "" or value == []:
                    continue
                answered += 1
                picked = value if isinstance(value, list) else (str(value).split() if question.kind == "choices" else [str(value)])
                counter.update(set(picked))
            summary = Summary(question=question, answered=answered,
                              rows=[{"name": name, "label": label, "count": counter.get(name, 0)} for name, label in question.choices])
        if not all_groups and summary.rows:
            for row, shown_count in zip(summary.rows, suppress([row["count"] for row in summary.rows], k)):
                row["count"] = shown_count
        if not all_groups and summary.answered < k:
            summary.rows, summary.mean, summary.median = [], None, None
        for row in summary.rows:
            row["share"] = 100.0 * row["count"] / summary.answered if row["count"] is not None and summary.answered else None
        bars = [(str(i), row["label"], row["share"]) for i, row in enumerate(summary.rows) if row["share"] is not None]
        if bars:
            alt = _("Bar chart of the answers to %(question)s: the share of %(n)s answers for each of %(count)s answers shown. The table gives every number.") % {
                "question": question.label, "n": summary.answered, "count": len(bars)}
            summary.chart = ranking_chart(checksum, question.label, bars, alt=alt, name="answers")
        summaries.append(summary)
    return summaries


def responses_browse(*, survey: Survey, filters: dict, all_groups: bool) -> Browse:
    """The responses matching `filters` (BrowseForm.cleaned_data), one page of them, and the summary
    of their answers. `all_groups`: may the viewer see groups under k
    (accounts.permissions.may_see_small_survey_groups)."""
    k = analysis_for(survey).min_cell
    rows = Response.objects.filter(survey=survey)
    if filters.get("day_from"):
        rows = rows.filter(submitted_on__gte=filters["day_from"])
    if filters.get("day_to"):
        rows = rows.filter(submitted_on__lte=filters["day_to"])
    if filters.get("channel"):
        rows = rows.filter(channel=filters["channel"])
    flag = filters.get("flag") or ""
    flagged = QualityFlag.objects.filter(response__survey=survey).values("response_id")
    if flag == "none":
        rows = rows.exclude(id__in=flagged)
    elif flag == "any":
        rows = rows.filter(id__in=flagged)
    elif flag:
        rows = rows.filter(id__in=flagged.filter(code=flag))
    unit = filters.get("unit") or ""
    question: Question | None = filters.get("question_obj")
    answer = filters.get("answer") or ""
    if unit:
        # A first cut in the database (the code's text in the JSON list); exact below.
        rows = rows.filter(Q(rated_units__icontains=f'"{unit}"'))

    form = survey.version.form
    questions = questions_of(survey)
    collected: dict[str, list] = {q.key: [] for q in questions}
    ids = []
    for rid, answers, units in rows.order_by("id").values_list("id", "answers", "rated_units").iterator(chunk_size=2000):
        if unit and unit not in (units or []):
            continue
        if question is not None and answer and not _selected(answers.get(question.key), answer):
            continue
        ids.append(rid)
        for q in questions:
            collected[q.key].extend(_entries(answers, q, form, unit))
    total = len(ids)
    hidden = not all_groups and total < k
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(filters.get("page") or 1, pages)
    result = Browse(k=k, all_groups=all_groups, total=total, hidden=hidden, page=page, pages=pages)
    if hidden:
        return result
    shown = ids[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    by_id = {r.pk: r for r in Response.objects.filter(pk__in=shown).select_related("version").prefetch_related("flags")}
    result.responses = [by_id[i] for i in shown if i in by_id]
    result.summaries = _summaries(questions, collected, k, all_groups, survey)
    return result


def responses_per_day_chart(survey: Survey, days: list[dict]):
    """Responses per day over the survey (the monitoring page), drawn by the results' chart code
    from the counts the page shows: a day under k (shown "< k") is left out of the line."""
    points = [(day["day"].strftime("%d/%m"), day["completed_shown"], False) for day in days if day["completed"]]
    shown = [p for p in points if p[1] is not None]
    if not shown:
        return None
    checksum = hashlib.sha256(f"survey-browser-{survey.pk}-{survey.created_at.isoformat()}".encode()).hexdigest()
    title = _("Responses per day")
    alt = _("Line chart of the responses written per day on %(count)s days, from %(first)s to %(last)s; days with fewer than %(k)s responses are left out. The table gives every day.") % {
        "count": len(shown), "first": shown[0][0], "last": shown[-1][0], "k": analysis_for(survey).min_cell}
    return trend_chart(checksum, "days", title, points, alt=alt)
