"""Reads about PAR assessments: sheets with totals, the by-criterion view, the council's board,
what is due for whom, and the history of a unit's assessments."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiso.accounts import permissions
from chiso.accounts.models import Role
from chiso.accounts.permissions import PROVINCIAL_ROLES
from chiso.audit.models import AuditRecord
from chiso.audit.queries import history, history_of
from chiso.engine import score_framework
from chiso.feedback.workdays import working_days_between
from chiso.frameworks.models import FrameworkVersion, Node
from chiso.frameworks.queries import version_engine_framework, version_tree
from chiso.indices.models import IndexRun, RunScore
from chiso.units.models import Period, Unit, UnitSuccession

from .models import Assessment, Cycle, Evidence, Item, Question

Status = Assessment.Status

_ENGINE_FRAMEWORKS: dict[tuple[int, str], object] = {}


def engine_framework(version: FrameworkVersion):
    """The version's engine tree, kept per process: a version's content never changes under its hash."""
    key = (version.pk, version.content_hash)
    framework = _ENGINE_FRAMEWORKS.get(key)
    if framework is None:
        if len(_ENGINE_FRAMEWORKS) > 32:
            _ENGINE_FRAMEWORKS.clear()
        framework = _ENGINE_FRAMEWORKS[key] = version_engine_framework(version)
    return framework


@dataclass
class Total:
    points: float | None
    maximum: float | None

    @property
    def percent(self) -> float | None:
        if self.points is None or not self.maximum:
            return None
        return self.points / self.maximum * 100


def totals(version: FrameworkVersion, items: list[Item], column: str, bonus: float = 0.0, penalty: float = 0.0) -> dict[str, Total]:
    """Capped sums of one column for every node, computed by the engine's points scoring.

    column: "self" (the unit's claims; survey items left out), "appraised" (the expert team's round
    1, survey items left out), "round2" (round 2 where given, else round 1) or "final" (council or appraisal, plus converted survey points, plus
    bonus and penalty on the top node). Items not scored yet count as 0 so that totals grow as
    people work.
    """
    framework = engine_framework(version)
    codes = framework.tree.indicators
    by_code = {i.code: i for i in items}
    points = np.zeros((1, len(codes)))
    applicable = np.ones((1, len(codes)), dtype=bool)
    for j, code in enumerate(codes):
        item = by_code.get(code)
        if item is None:
            applicable[0, j] = False
            continue
        if column == "self":
            value, na = item.self_points, item.self_na
            na = na or not item.is_self_assessed
        elif column == "appraised":
            value, na = item.appraised_points, item.appraised_na
            na = na or not item.is_self_assessed
        elif column == "round2":
            value, na = item.appraisal_now
            na = na or not item.is_self_assessed
        else:
            value, na = item.final
        applicable[0, j] = not na
        points[0, j] = float(value) if value is not None and not na else 0.0
    adjust = {}
    if column == "final" and (bonus or penalty):
        top = framework.top[0]
        adjust = {"bonus": {top: np.array([bonus])}, "penalty": {top: np.array([penalty])}}
    result = score_framework(framework, points, applicable, **adjust)
    return {
        code: Total(points=float(result.points[0, j]), maximum=float(result.applicable_max[0, j]))
        for j, code in enumerate(result.codes)
    }


@dataclass
class SheetRow:
    node: object
    depth: int
    number: str
    item: Item | None = None
    evidence: list[Evidence] = field(default_factory=list)
    self_total: Total | None = None
    appraised_total: Total | None = None
    round2_total: Total | None = None
    final_total: Total | None = None
    questions: list[Question] = field(default_factory=list)

    @property
    def is_item(self) -> bool:
        return self.item is not None

    def _differs(self, points, na) -> bool:
        if self.item is None or not self.item.is_self_assessed or (points is None and not na):
            return False
        return (points, na) != (self.item.self_points, self.item.self_na)

    @property
    def round1_differs(self) -> bool:
        return self.item is not None and self._differs(self.item.appraised_points, self.item.appraised_na)

    @property
    def round2_differs(self) -> bool:
        return self.item is not None and self.item.is_reappraised and self._differs(self.item.round2_points, self.item.round2_na)

    @property
    def differs(self) -> bool:
        """The final points differ from the unit's claim (what the council looks at)."""
        if self.item is None or not self.item.is_self_assessed:
            return False
        points, na = self.item.final
        if points is None and not na:
            return False
        return (points, na) != (self.item.self_points, self.item.self_na)


@dataclass
class Sheet:
    assessment: Assessment
    rows: list[SheetRow]
    top: str
    fields: list[SheetRow]

    @property
    def has_round2(self) -> bool:
        return self.assessment.appraisal_round > 1 or any(i.is_reappraised for i in self.items)

    @property
    def items(self) -> list[Item]:
        return [r.item for r in self.rows if r.item is not None]


def assessment_sheet(assessment: Assessment) -> Sheet:
    """The assessment as the appendix lays it out: fields, criteria, sub-criteria, with the three totals."""
    version = assessment.cycle.version
    items = list(
        assessment.items.select_related("node", "appraised_by", "updated_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.filter(removed_at__isnull=True).select_related("added_by")))
    )
    by_code = {i.code: i for i in items}
    self_t = totals(version, items, "self")
    appraised_t = totals(version, items, "appraised")
    round2_t = totals(version, items, "round2")
    final_t = totals(version, items, "final", float(assessment.bonus_points), float(assessment.penalty_points))
    rows = []
    for tree_row in version_tree(version):
        code = tree_row.node.code
        item = by_code.get(code)
        rows.append(SheetRow(
            node=tree_row.node, depth=tree_row.depth, number=tree_row.number, item=item,
            evidence=list(item.evidence.all()) if item else [],
            self_total=self_t.get(code), appraised_total=appraised_t.get(code), round2_total=round2_t.get(code),
            final_total=final_t.get(code),
        ))
    top = rows[0].node.code if rows else ""
    fields = [r for r in rows if r.depth == 1]
    return Sheet(assessment=assessment, rows=rows, top=top, fields=fields)


# --- cycles ------------------------------------------------------------------------------

def cycles_for(user):
    cycles = Cycle.objects.select_related("version__framework", "period", "block", "run").annotate(
        units=Count("assessments", distinct=True),
    )
    if user.is_superuser or user.role in PROVINCIAL_ROLES:
        return cycles
    if user.role == Role.UNIT_OFFICER and user.unit_id:
        return cycles.filter(assessments__unit_id=user.unit_id)
    return cycles.none()


@dataclass
class CycleRow:
    assessment: Assessment
    self_total: Total
    final_total: Total
    questions: int
    evidence: int
    score: RunScore | None = None
    conflict: bool = False
    due_state: str = ""
    appraised_total: Total | None = None  # the expert team's latest (round 2 where given)


def cycle_rows(cycle: Cycle, user=None) -> list[CycleRow]:
    """One row per unit: status, the claimed and proposed totals, the run's score and rank if computed."""
    assessments = list(
        cycle.assessments.exclude(status=Status.EXCLUDED).select_related("unit", "cycle__version")
        .prefetch_related(Prefetch("items", queryset=Item.objects.select_related("node")))
        .annotate(evidence_count=Count("items__evidence", filter=Q(items__evidence__removed_at__isnull=True)))
    )
    scores = {}
    if cycle.run_id:
        top = cycle.run.details.get("top")
        scores = {s.unit_id: s for s in RunScore.objects.filter(run_id=cycle.run_id, code=top)}
    conflicts = permissions.conflicted_unit_ids(user) if user is not None else set()
    rows = []
    for a in assessments:
        items = list(a.items.all())
        self_t = totals(cycle.version, items, "self")
        final_t = totals(cycle.version, items, "final", float(a.bonus_points), float(a.penalty_points))
        top_code = engine_framework(cycle.version).top[0]
        questions = sum(1 for i in items if i.explanation_request and i.explanation_round == a.explanation_round and a.explanation_round)
        rows.append(CycleRow(
            assessment=a, self_total=self_t[top_code], final_total=final_t[top_code], questions=questions,
            appraised_total=totals(cycle.version, items, "round2")[top_code],
            evidence=a.evidence_count, score=scores.get(a.unit_id), conflict=a.unit_id in conflicts,
            due_state=due_state(a.submission_due if a.status == Status.DRAFT else a.explanation_due
                                if a.status == Status.EXPLANATION_REQUESTED else None),
        ))
    rows.sort(key=lambda r: (r.score is None or r.score.rank is None, r.score.rank if r.score and r.score.rank else 0, r.assessment.unit.name_vi))
    return rows


def status_counts(cycle: Cycle) -> list[tuple[str, str, int]]:
    counts = dict(cycle.assessments.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return [(value, label, counts.get(value, 0)) for value, label in Status.choices]


# --- appraisal by criterion ------------------------------------------------------------------

@dataclass
class CriterionRow:
    item: Item
    evidence: list[Evidence]
    conflict: bool
    editable: bool = False


def criterion_rows(cycle: Cycle, code: str, user) -> list[CriterionRow]:
    """One sub-criterion, every unit's claim, note and evidence side by side."""
    conflicts = permissions.conflicted_unit_ids(user)
    now = timezone.now()
    items = (
        Item.objects.filter(assessment__cycle=cycle, code=code).exclude(assessment__status=Status.EXCLUDED)
        .select_related("assessment__unit", "assessment__cycle", "node", "appraised_by", "updated_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.filter(removed_at__isnull=True)))
        .order_by("assessment__unit__name_vi")
    )
    return [
        CriterionRow(
            item=i, evidence=list(i.evidence.all()), conflict=i.assessment.unit_id in conflicts,
            # the one rule behind the buttons and the refusals (actions_allowed), not a copy of it
            editable=action_refusal(user, i.assessment, "appraise", now, conflicts=conflicts) is None,
        )
        for i in items
    ]


def criterion_neighbours(cycle: Cycle, code: str) -> tuple[str | None, str | None]:
    codes = list(
        cycle.version.nodes.filter(type="Indicator").order_by("order").values_list("code", "extra")
    )
    own = [c for c, extra in codes if not (extra or {}).get("part")]
    if code not in own:
        return None, None
    i = own.index(code)
    return (own[i - 1] if i > 0 else None), (own[i + 1] if i + 1 < len(own) else None)


# --- the council ----------------------------------------------------------------------------

@dataclass
class BoardRow:
    assessment: Assessment
    self_total: Total
    final_total: Total
    fields: list[tuple[object, Total, Total]]
    differences: list[Item]
    round1_total: Total | None = None
    round2_total: Total | None = None


def council_board(cycle: Cycle) -> list[BoardRow]:
    """For each appraised or decided unit: claimed and proposed totals per field, and the items
    whose proposed points differ from the claim."""
    version = cycle.version
    framework = engine_framework(version)
    top = framework.top[0]
    field_nodes = [row.node for row in version_tree(version) if row.depth == 1]
    rows = []
    assessments = (
        cycle.assessments.filter(status__in=[Status.APPRAISED, Status.COUNCIL_DECIDED, Status.PUBLISHED])
        .select_related("unit", "decision").prefetch_related(Prefetch("items", queryset=Item.objects.select_related("node")))
    )
    for a in assessments:
        items = list(a.items.all())
        self_t = totals(version, items, "self")
        final_t = totals(version, items, "final", float(a.bonus_points), float(a.penalty_points))
        differences = [i for i in items if i.is_self_assessed and (
            i.final != (i.self_points, i.self_na) or (i.appraised_points, i.appraised_na) != (i.self_points, i.self_na))]
        rows.append(BoardRow(
            assessment=a, self_total=self_t[top], final_total=final_t[top],
            fields=[(n, self_t[n.code], final_t[n.code]) for n in field_nodes], differences=differences,
            round1_total=totals(version, items, "appraised")[top], round2_total=totals(version, items, "round2")[top],
        ))
    return rows


# --- what is due ----------------------------------------------------------------------------

@dataclass
class DueItem:
    assessment: Assessment
    task: str  # self_assessment, explanation, appraisal, council
    due: datetime.datetime | None
    overdue: bool
    state: str = ""  # overdue, today, soon (quá hạn, đến hạn, sắp đến hạn)
    days_left: int | None = None  # working days


def due_items(user, now: datetime.datetime | None = None) -> list[DueItem]:
    """What the user has to do next in open cycles, soonest first, overdue flagged."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return []
    assessments = Assessment.objects.select_related("cycle", "unit").exclude(status__in=[Status.COUNCIL_DECIDED, Status.PUBLISHED, Status.EXCLUDED])
    wanted: list[tuple[str, str]] = []  # (status, task)
    if user.role == Role.UNIT_OFFICER:
        assessments = assessments.filter(unit_id=user.unit_id)
        wanted = [(Status.DRAFT, "self_assessment"), (Status.EXPLANATION_REQUESTED, "explanation")]
    elif permissions.is_expert(user):
        assessments = assessments.exclude(unit_id__in=permissions.conflicted_unit_ids(user))
        wanted = [(Status.SUBMITTED, "appraisal"), (Status.UNDER_APPRAISAL, "appraisal"), (Status.EXPLAINED, "appraisal")]
    elif permissions.is_council(user):
        wanted = [(Status.APPRAISED, "council")]
    elif permissions.is_secretariat(user):
        wanted = [(Status.DRAFT, "self_assessment"), (Status.EXPLANATION_REQUESTED, "explanation"),
                  (Status.SUBMITTED, "appraisal"), (Status.UNDER_APPRAISAL, "appraisal"), (Status.EXPLAINED, "appraisal"),
                  (Status.APPRAISED, "council")]
    tasks = dict(wanted)
    out = []
    for a in assessments.filter(status__in=list(tasks)):
        task = tasks[a.status]
        due = {"self_assessment": a.submission_due, "explanation": a.explanation_due,
               "appraisal": a.cycle.appraisal_due, "council": a.cycle.council_due}[task]
        out.append(DueItem(assessment=a, task=task, due=due, overdue=due is not None and due < now, state=due_state(due, now),
                           days_left=working_days_left(due, now) if due is not None and due >= now else None))
    far = timezone.make_aware(datetime.datetime(9999, 1, 1))
    out.sort(key=lambda d: (not d.overdue, d.due or far, d.assessment.unit.name_vi))
    return out


def overdue_count(user, now: datetime.datetime | None = None) -> int:
    return sum(1 for d in due_items(user, now) if d.overdue)


# --- history ----------------------------------------------------------------------------------

def unit_assessments_history(unit: Unit, cycle: Cycle | None = None) -> list[AuditRecord]:
    """Every recorded change to the unit's assessments, oldest first, each with the `assessment`
    and `item` it is about (for the history page's columns)."""
    assessments = Assessment.objects.filter(unit=unit).select_related("cycle__period")
    if cycle is not None:
        assessments = assessments.filter(cycle=cycle)
    by_pk = {a.pk: a for a in assessments}
    records = list(history_of(by_pk.values())) if by_pk else []
    item_pks = [int(r.object_id) for r in records if r.object_type == Item._meta.label_lower]
    items = Item.objects.in_bulk(item_pks)
    for record in records:
        record.assessment = next((by_pk[pk] for pk in _path_pks(record.path, Assessment) if pk in by_pk), None)
        record.item = items.get(int(record.object_id)) if record.object_type == Item._meta.label_lower else None
    return records


def item_history(item: Item):
    return history(item)


def status_steps(assessment: Assessment):
    """The assessment's status timeline, oldest first: every record of a change of its status (the
    field "status", with the old and the new status), whatever its code — a plain step
    (`assessment.transition`) or a step with a meaning of its own (added to the cycle, excluded,
    closed as not submitted, reopened to the expert team), each recorded once."""
    return AuditRecord.objects.filter(object_type=Assessment._meta.label_lower, object_id=str(assessment.pk),
                                      field="status").select_related("by").order_by("at", "pk")


def _path_pks(path: str, model) -> list[int]:
    prefix = f"{model._meta.label_lower}:"
    return [int(part[len(prefix):]) for part in path.strip("/").split("/") if part.startswith(prefix)]


def survey_runs_for(cycle: Cycle):
    """Published runs of the cycle's period that could hold survey results (not the cycle's own results)."""
    runs = IndexRun.objects.filter(period=cycle.period, status=IndexRun.Status.PUBLISHED).select_related("version__framework", "block")
    return runs.exclude(version__framework=cycle.version.framework)



def assessments_nav_item(user) -> tuple[str, str]:
    """The navigation entry, with the number of the user's overdue tasks: seen on every page,
    the home page first."""
    overdue = overdue_count(user)
    label = _("PAR assessment (%(count)s overdue)") % {"count": overdue} if overdue else _("PAR assessment")
    return reverse("assessments:index"), label


# --- what a person may do on an assessment now --------------------------------------------------

APPRAISAL_OPEN = (Status.SUBMITTED, Status.UNDER_APPRAISAL, Status.EXPLANATION_REQUESTED, Status.EXPLAINED)
REOPENABLE = (Status.DRAFT, Status.SUBMITTED, Status.APPRAISED, Status.COUNCIL_DECIDED, Status.PUBLISHED)
OFFICER_ACTIONS = ("self_assess", "submit", "withdraw", "explain", "send_explanation")
EXPERT_ACTIONS = {
    "start": (Status.SUBMITTED,),
    "appraise": APPRAISAL_OPEN,
    "accept_claims": APPRAISAL_OPEN,
    "request_explanation": (Status.UNDER_APPRAISAL, Status.EXPLAINED),
    "complete": (Status.UNDER_APPRAISAL, Status.EXPLAINED),
    "skip_explanation": (Status.EXPLANATION_REQUESTED,),
}
COUNCIL_ACTIONS = ("council_adjust", "bonus")
SECRETARIAT_ACTIONS = {
    "reopen": REOPENABLE,
    "close_unsubmitted": (Status.DRAFT,),
    "exclude": (Status.DRAFT, Status.SUBMITTED, Status.UNDER_APPRAISAL, Status.EXPLANATION_REQUESTED, Status.EXPLAINED, Status.APPRAISED),
    "include": (Status.EXCLUDED,),
    "extend_explanation": (Status.EXPLANATION_REQUESTED,),
}
ACTIONS = (*OFFICER_ACTIONS, *EXPERT_ACTIONS, *COUNCIL_ACTIONS, *SECRETARIAT_ACTIONS)
# What a refusal says the assessment cannot be "now" (…: it cannot be %(action)s now).
ACTION_WORDS = {
    "self_assess": gettext_lazy("changed by the unit"), "submit": gettext_lazy("submitted"),
    "withdraw": gettext_lazy("withdrawn"), "explain": gettext_lazy("explained"),
    "send_explanation": gettext_lazy("sent back with explanations"), "start": gettext_lazy("taken into appraisal"),
    "appraise": gettext_lazy("appraised"), "accept_claims": gettext_lazy("appraised"),
    "request_explanation": gettext_lazy("sent an explanation request"), "complete": gettext_lazy("marked as appraised"),
    "skip_explanation": gettext_lazy("moved on without its explanation"),
    "council_adjust": gettext_lazy("changed by the council"), "bonus": gettext_lazy("given bonus or penalty points"),
    "reopen": gettext_lazy("reopened"), "close_unsubmitted": gettext_lazy("closed as not submitted"),
    "exclude": gettext_lazy("excluded"), "include": gettext_lazy("taken back into the cycle"),
    "extend_explanation": gettext_lazy("given more time to explain"),
}


def when_text(value: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "H:i d/m/Y")


def day_text(value) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "d/m/Y")


def status_refusal(assessment: Assessment, action: str) -> ValidationError:
    return ValidationError(
        _("%(unit)s's assessment is %(status)s: it cannot be %(action)s now.")
        % {"unit": assessment.unit.name, "status": str(Status(assessment.status).label).lower(), "action": ACTION_WORDS[action]},
        code="wrong_moment",
    )


def explanation_overdue(assessment: Assessment, now: datetime.datetime | None = None) -> bool:
    return assessment.explanation_due is not None and (now or timezone.now()) > assessment.explanation_due


def action_refusal(user, assessment: Assessment, action: str, now: datetime.datetime | None = None,
                   conflicts: set[int] | None = None) -> Exception | None:
    """Why `user` may not do `action` on the assessment now (PermissionDenied: not their role;
    ValidationError: not at this moment), or None when they may. The one rule behind both the
    page's buttons and the services' refusals. `conflicts`: the user's conflicted unit ids, read
    once by a caller that asks about many assessments (permissions.conflicted_unit_ids)."""
    now = now or timezone.now()
    status = assessment.status
    if action in OFFICER_ACTIONS:
        if not permissions.is_officer_of(user, assessment.unit):
            return PermissionDenied()
        if action == "self_assess":
            return None if status == Status.DRAFT else status_refusal(assessment, action)
        if action in ("submit", "withdraw"):
            wanted = Status.DRAFT if action == "submit" else Status.SUBMITTED
            if status != wanted or assessment.not_submitted:
                return status_refusal(assessment, action)
            if now > assessment.submission_due:
                return ValidationError(
                    _("The deadline was %(due)s. Only the secretariat can reopen the self-assessment now.")
                    % {"due": when_text(assessment.submission_due)}, code="deadline")
            return None
        if status != Status.EXPLANATION_REQUESTED:
            return status_refusal(assessment, action)
        if explanation_overdue(assessment, now):
            return ValidationError(
                _("The explanation was due on %(due)s: the form is locked. Ask the secretariat to extend the deadline.")
                % {"due": day_text(assessment.explanation_due)}, code="deadline")
        return None
    if action in EXPERT_ACTIONS:
        if not permissions.is_expert(user):
            return PermissionDenied()
        if (assessment.unit_id in conflicts) if conflicts is not None else permissions.has_conflict(user, assessment.unit):
            return PermissionDenied(_("You are tied to %(unit)s and do not appraise it.") % {"unit": assessment.unit.name})
        if status not in EXPERT_ACTIONS[action]:
            return status_refusal(assessment, action)
        if action == "skip_explanation" and not explanation_overdue(assessment, now):
            return ValidationError(_("The unit can still explain until %(due)s.") % {"due": day_text(assessment.explanation_due)},
                                   code="deadline")
        return None
    if action in COUNCIL_ACTIONS:
        if not permissions.is_council(user):
            return PermissionDenied()
        return None if status == Status.APPRAISED else status_refusal(assessment, action)
    if action in SECRETARIAT_ACTIONS:
        if not permissions.is_secretariat(user):
            return PermissionDenied()
        if status not in SECRETARIAT_ACTIONS[action]:
            return status_refusal(assessment, action)
        if action == "close_unsubmitted" and now <= assessment.submission_due:
            return ValidationError(_("The unit can still submit until %(due)s.") % {"due": when_text(assessment.submission_due)},
                                   code="deadline")
        return None
    raise ValueError(action)


def actions_allowed(user, assessment: Assessment, now: datetime.datetime | None = None) -> frozenset[str]:
    """Every action `user` may take on the assessment now: the page shows these buttons only."""
    now = now or timezone.now()
    return frozenset(a for a in ACTIONS if action_refusal(user, assessment, a, now) is None)


# --- deadlines in working days ------------------------------------------------------------------

DUE_SOON_WORKING_DAYS = 2


def working_days_left(due: datetime.datetime, now: datetime.datetime | None = None) -> int:
    """Working days after today up to the due day (0 on the day itself or after it)."""
    today = timezone.localdate(now or timezone.now())
    return working_days_between(today, timezone.localtime(due).date())


def due_state(due: datetime.datetime | None, now: datetime.datetime | None = None) -> str:
    """"overdue" (quá hạn), "today" (đến hạn), "soon" (sắp đến hạn: within two working days) or ""."""
    if due is None:
        return ""
    now = now or timezone.now()
    if due < now:
        return "overdue"
    if timezone.localtime(due).date() == timezone.localdate(now):
        return "today"
    return "soon" if working_days_left(due, now) <= DUE_SOON_WORKING_DAYS else ""


# --- who is in a cycle -------------------------------------------------------------------------

@dataclass
class LeftOut:
    """A unit of the block that existed in the period but has no assessment in the cycle, and why."""

    unit: Unit
    reason: str
    assessment: Assessment | None = None  # set when the secretariat excluded it


def cycle_membership(period: Period, block) -> tuple[list[Unit], list[LeftOut]]:
    """The units a cycle assesses: those of the block that exist at the end of the period. A unit
    that ended during the period is left out — its successor (by the lineage) answers for the
    year; units that ended before the period are not candidates at all."""
    candidates = list(Unit.objects.active_in(period).filter(block=block).order_by("code"))
    successors: dict[int, list[Unit]] = {}
    for s in UnitSuccession.objects.filter(predecessor__in=candidates).select_related("successor"):
        successors.setdefault(s.predecessor_id, []).append(s.successor)
    members, left_out = [], []
    for unit in candidates:
        if unit.valid_to is None or unit.valid_to >= period.end_date:
            members.append(unit)
            continue
        following = successors.get(unit.pk, [])
        if following:
            reason = _("ended on %(date)s; its successor %(successors)s answers for the period") % {
                "date": day_text(unit.valid_to), "successors": ", ".join(u.name for u in following)}
        else:
            reason = _("ended on %(date)s, before the end of the period, with no successor recorded") % {"date": day_text(unit.valid_to)}
        left_out.append(LeftOut(unit=unit, reason=reason))
    return members, left_out


def cycle_left_out(cycle: Cycle) -> list[LeftOut]:
    """Units of the block in the period without an assessment of the cycle, and the excluded ones."""
    present = set(cycle.assessments.values_list("unit_id", flat=True))
    _members, computed = cycle_membership(cycle.period, cycle.block)
    out = [entry for entry in computed if entry.unit.pk not in present]
    members_missing = [u for u in _members if u.pk not in present]
    out += [LeftOut(unit=u, reason=_("not in the cycle")) for u in members_missing]
    for a in cycle.assessments.filter(status=Status.EXCLUDED).select_related("unit"):
        out.append(LeftOut(unit=a.unit, reason=a.exclusion_reason, assessment=a))
    return out


def cycle_addable_units(cycle: Cycle):
    """Units of the block in the period the secretariat may add (no assessment in the cycle yet)."""
    return (Unit.objects.active_in(cycle.period).filter(block=cycle.block)
            .exclude(pk__in=cycle.assessments.values("unit_id")).order_by("name_vi"))


# --- the framework's bonus and penalty reasons ----------------------------------------------------

@dataclass
class AdjustmentReason:
    code: str
    name: str
    maximum: Decimal
    to_confirm: bool


@dataclass
class AdjustmentRule:
    """Điểm thưởng or điểm trừ: the reasons a framework version gives, each with its maximum, and
    the cap on their total."""

    kind: str  # bonus, penalty
    name: str
    cap: Decimal | None
    reasons: list[AdjustmentReason]


def bonus_penalty_rules(version: FrameworkVersion) -> dict[str, AdjustmentRule]:
    """Read from the version's "Other" nodes: `bonus` and `penalty` (max_points: the cap) and one
    node per reason with `adjusts: bonus|penalty` and its max_points."""
    nodes = list(version.nodes.filter(type=Node.Type.OTHER).order_by("order"))
    rules = {}
    for kind in ("bonus", "penalty"):
        head = next((n for n in nodes if n.code == kind), None)
        if head is None:
            continue
        reasons = [
            AdjustmentReason(code=n.code, name=n.name, maximum=Decimal(str(n.max_points or 0)), to_confirm=n.to_confirm)
            for n in nodes if (n.extra or {}).get("adjusts") == kind
        ]
        cap = Decimal(str(head.max_points)) if head.max_points is not None else None
        rules[kind] = AdjustmentRule(kind=kind, name=head.name, cap=cap, reasons=reasons)
    return rules


def non_submission_rule(version: FrameworkVersion) -> str:
    """What a self-assessment never submitted gets (the top node's `non_submission`): "appraise"
    (the expert team appraises what the unit has; the default) or "zero" (0 on every sub-criterion)."""
    top = version.nodes.filter(parent_code="", type=Node.Type.AGGREGATE).order_by("order").first()
    rule = str(((top.extra or {}) if top else {}).get("non_submission") or "appraise")
    return rule if rule in ("appraise", "zero") else "appraise"


def explanation_days_default(version: FrameworkVersion) -> int:
    """Working days a unit has to explain: the top node's `explanation_days`, else 5."""
    top = version.nodes.filter(parent_code="", type=Node.Type.AGGREGATE).order_by("order").first()
    try:
        return int(((top.extra or {}) if top else {}).get("explanation_days") or 5)
    except (TypeError, ValueError):
        return 5


# --- explanation rounds ---------------------------------------------------------------------------

@dataclass
class Round:
    number: int
    questions: list[Question]
    evidence: list[Evidence]


def explanation_rounds(assessment: Assessment) -> list[Round]:
    """Every explanation round of the assessment in order: its questions with the answers and
    replies, and the evidence the unit added with it."""
    questions = list(Question.objects.filter(item__assessment=assessment).select_related("item", "asked_by", "answered_by", "replied_by"))
    evidence = list(Evidence.objects.filter(item__assessment=assessment, explanation_round__gt=0, removed_at__isnull=True).select_related("item"))
    numbers = sorted({q.round for q in questions})
    return [
        Round(number=n, questions=[q for q in questions if q.round == n], evidence=[e for e in evidence if e.explanation_round == n])
        for n in numbers
    ]
