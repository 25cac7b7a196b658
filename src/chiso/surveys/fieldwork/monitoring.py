"""The secretariat's live view of a survey: started and completed per stratum, rated unit and day.

Counts only, and never a count under the anonymity threshold k in a breakdown: a stratum of
three businesses in one commune showing "2 completed" would say who answered. A cell under k
is shown as "< k"; when it is the only hidden cell of its column, the next smallest is hidden
too, so that the total does not give it away.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q

from chiso.surveys.models import Draft, HeldResponse, Invitation, Response, SampleMember, Survey, SurveyAnalysis, SurveyDay
from chiso.surveys.queries import units_choices


def analysis_for(survey: Survey) -> SurveyAnalysis:
    """The survey's settings as stored now; unsaved defaults when none were set."""
    return SurveyAnalysis.objects.filter(survey=survey).first() or SurveyAnalysis(survey=survey)


def suppress(counts: list[int], k: int) -> list[int | None]:
    """None for every count under k, plus the smallest other one when only one is under k."""
    hidden = [c < k for c in counts]
    if sum(hidden) == 1 and len(counts) > 1:
        visible = [i for i, h in enumerate(hidden) if not h]
        hidden[min(visible, key=lambda i: (counts[i], i))] = True
    return [None if h else c for c, h in zip(counts, hidden)]


def _suppress_columns(rows: list[dict], columns: list[str], k: int) -> None:
    for column in columns:
        for row, value in zip(rows, suppress([row[column] for row in rows], k)):
            row[column + "_shown"] = value


@dataclass
class Monitor:
    k: int
    target: int
    totals: dict
    strata: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)
    days: list[dict] = field(default_factory=list)

    @property
    def units_below(self) -> list[dict]:
        return [u for u in self.units if u["below"]]


def survey_monitor(survey: Survey) -> Monitor:
    analysis = analysis_for(survey)
    k, target = analysis.min_cell, analysis.min_answers_per_unit
    members = SampleMember.objects.filter(sample__survey=survey, active=True)
    started_q = Q(invitation__status__in=[Invitation.Status.IN_PROGRESS, Invitation.Status.COMPLETED])
    completed_q = Q(invitation__status=Invitation.Status.COMPLETED)
    contacted_q = Q(emailed_at__isnull=False) | Q(letter_at__isnull=False)
    per_stratum = (
        members.values("stratum")
        .annotate(
            sampled=Count("pk"), contacted=Count("pk", filter=contacted_q), started=Count("pk", filter=started_q),
            completed=Count("pk", filter=completed_q), opted_out=Count("pk", filter=Q(opted_out_at__isnull=False)),
        )
        .order_by("stratum")
    )
    strata = [dict(row) for row in per_stratum]
    _suppress_columns(strata, ["sampled", "contacted", "started", "completed", "opted_out"], k)
    for row in strata:
        row["rate"] = row["completed"] / row["sampled"] if row["completed_shown"] is not None and row["sampled_shown"] else None

    responses = Response.objects.filter(survey=survey)
    rated = Counter()
    for units in responses.values_list("rated_units", flat=True).iterator(chunk_size=2000):
        rated.update(set(units or []))
    in_progress = Counter()
    form = survey.version.form
    selects = [r.rating_select for r in form.rating_repeats()]
    for answers in Draft.objects.filter(survey=survey).values_list("answers", flat=True).iterator(chunk_size=2000):
        codes = set()
        for name in selects:
            codes.update(str((answers or {}).get(name, "")).split())
        in_progress.update(codes)
    # Submitted answers waiting for their batch are still "in progress": a form moves from
    # here to "completed" with its batch, so a single submission changes no count.
    for units in HeldResponse.objects.filter(survey=survey).values_list("rated_units", flat=True).iterator(chunk_size=2000):
        in_progress.update(set(units or []))
    units = []
    for file_name, choices in units_choices(survey).items():
        for choice in choices:
            n = rated.get(choice.name, 0)
            units.append({"code": choice.name, "name": form.text(choice.label), "completed": n, "in_progress": in_progress.get(choice.name, 0),
                          "target": target, "below": n < target, "progress": min(100, int(100 * n / target)) if target else 100})
    _suppress_columns(units, ["completed", "in_progress"], k)

    completed_days = dict(responses.values_list("submitted_on").annotate(n=Count("pk")))
    started_days = dict(SurveyDay.objects.filter(survey=survey).values_list("day", "started"))
    days = [{"day": day, "started": started_days.get(day, 0), "completed": completed_days.get(day, 0)}
            for day in sorted(set(completed_days) | set(started_days))]
    _suppress_columns(days, ["started", "completed"], k)

    invitations = Invitation.objects.filter(survey=survey)
    sampled = members.count()
    completed = members.filter(completed_q).count()
    totals = {
        "sampled": sampled,
        "contacted": members.filter(contacted_q).count(),
        "invitations": invitations.count(),
        "started": invitations.exclude(status=Invitation.Status.NOT_STARTED).count(),
        "completed": invitations.filter(status=Invitation.Status.COMPLETED).count(),
        "opted_out": members.filter(opted_out_at__isnull=False).count(),
        "responses": responses.count(),
        "rate": completed / sampled if sampled else None,
    }
    return Monitor(k=k, target=target, totals=totals, strata=strata, units=units, days=days)
