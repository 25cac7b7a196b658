"""Reads about PAR assessments: sheets with totals, the by-criterion view, the council's board,
what is due for whom, and a unit's history."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
import numpy as np
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from chiso.accounts.models import Role
from chiso.accounts.permissions import PROVINCIAL_ROLES
from chiso.audit.models import AuditRecord
from chiso.audit.queries import history, history_of
from chiso.engine import score_framework
from chiso.frameworks.models import FrameworkVersion
from chiso.frameworks.queries import version_engine_framework, version_tree
from chiso.indices.models import IndexRun, RunScore
from chiso.units.models import Unit

from . import access
from .models import Assessment, Cycle, Evidence, Item

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

    column: "self" (the unit's claims; survey items left out), "appraised" (the expert team's,
    survey items left out) or "final" (council or appraisal, plus converted survey points, plus
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
    final_total: Total | None = None

    @property
    def is_item(self) -> bool:
        return self.item is not None

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
    final_t = totals(version, items, "final", float(assessment.bonus_points), float(assessment.penalty_points))
    rows = []
    for tree_row in version_tree(version):
        code = tree_row.node.code
        item = by_code.get(code)
        rows.append(SheetRow(
            node=tree_row.node, depth=tree_row.depth, number=tree_row.number, item=item,
            evidence=list(item.evidence.all()) if item else [],
            self_total=self_t.get(code), appraised_total=appraised_t.get(code), final_total=final_t.get(code),
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


def cycle_rows(cycle: Cycle, user=None) -> list[CycleRow]:
    """One row per unit: status, the claimed and proposed totals, the run's score and rank if computed."""
    assessments = list(
        cycle.assessments.select_related("unit", "cycle__version")
        .prefetch_related(Prefetch("items", queryset=Item.objects.select_related("node")))
        .annotate(evidence_count=Count("items__evidence", filter=Q(items__evidence__removed_at__isnull=True)))
    )
    scores = {}
    if cycle.run_id:
        top = cycle.run.details.get("top")
        scores = {s.unit_id: s for s in RunScore.objects.filter(run_id=cycle.run_id, code=top)}
    conflicts = access.conflicted_unit_ids(user) if user is not None else set()
    rows = []
    for a in assessments:
        items = list(a.items.all())
        self_t = totals(cycle.version, items, "self")
        final_t = totals(cycle.version, items, "final", float(a.bonus_points), float(a.penalty_points))
        top_code = engine_framework(cycle.version).top[0]
        questions = sum(1 for i in items if i.explanation_request and i.explanation_round == a.explanation_round and a.explanation_round)
        rows.append(CycleRow(
            assessment=a, self_total=self_t[top_code], final_total=final_t[top_code], questions=questions,
            evidence=a.evidence_count, score=scores.get(a.unit_id), conflict=a.unit_id in conflicts,
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
    conflicts = access.conflicted_unit_ids(user)
    expert = access.is_expert(user)
    open_statuses = (Status.SUBMITTED, Status.UNDER_APPRAISAL, Status.EXPLANATION_REQUESTED, Status.EXPLAINED)
    items = (
        Item.objects.filter(assessment__cycle=cycle, code=code)
        .select_related("assessment__unit", "assessment__cycle", "node", "appraised_by", "updated_by")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.filter(removed_at__isnull=True)))
        .order_by("assessment__unit__name_vi")
    )
    return [
        CriterionRow(
            item=i, evidence=list(i.evidence.all()), conflict=i.assessment.unit_id in conflicts,
            editable=expert and i.assessment.unit_id not in conflicts and i.assessment.status in open_statuses,
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
        differences = [i for i in items if i.is_self_assessed and i.final != (i.self_points, i.self_na)]
        rows.append(BoardRow(
            assessment=a, self_total=self_t[top], final_total=final_t[top],
            fields=[(n, self_t[n.code], final_t[n.code]) for n in field_nodes], differences=differences,
        ))
    return rows


# --- what is due ----------------------------------------------------------------------------

@dataclass
class DueItem:
    assessment: Assessment
    task: str  # self_assessment, explanation, appraisal, council
    due: datetime.datetime | None
    overdue: bool


def due_items(user, now: datetime.datetime | None = None) -> list[DueItem]:
    """What the user has to do next in open cycles, soonest first, overdue flagged."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return []
    assessments = Assessment.objects.select_related("cycle", "unit").exclude(status__in=[Status.COUNCIL_DECIDED, Status.PUBLISHED])
    wanted: list[tuple[str, str]] = []  # (status, task)
    if user.role == Role.UNIT_OFFICER:
        assessments = assessments.filter(unit_id=user.unit_id)
        wanted = [(Status.DRAFT, "self_assessment"), (Status.EXPLANATION_REQUESTED, "explanation")]
    elif access.is_expert(user):
        assessments = assessments.exclude(unit_id__in=access.conflicted_unit_ids(user))
        wanted = [(Status.SUBMITTED, "appraisal"), (Status.UNDER_APPRAISAL, "appraisal"), (Status.EXPLAINED, "appraisal")]
    elif access.is_council(user):
        wanted = [(Status.APPRAISED, "council")]
    elif access.is_secretariat(user):
        wanted = [(Status.DRAFT, "self_assessment"), (Status.EXPLANATION_REQUESTED, "explanation"),
                  (Status.SUBMITTED, "appraisal"), (Status.UNDER_APPRAISAL, "appraisal"), (Status.EXPLAINED, "appraisal"),
                  (Status.APPRAISED, "council")]
    tasks = dict(wanted)
    out = []
    for a in assessments.filter(status__in=list(tasks)):
        task = tasks[a.status]
        due = {"self_assessment": a.submission_due, "explanation": a.explanation_due,
               "appraisal": a.cycle.appraisal_due, "council": a.cycle.council_due}[task]
        out.append(DueItem(assessment=a, task=task, due=due, overdue=due is not None and due < now))
    far = timezone.make_aware(datetime.datetime(9999, 1, 1))
    out.sort(key=lambda d: (not d.overdue, d.due or far, d.assessment.unit.name_vi))
    return out


def overdue_count(user, now: datetime.datetime | None = None) -> int:
    return sum(1 for d in due_items(user, now) if d.overdue)


# --- history ----------------------------------------------------------------------------------

def unit_history(unit: Unit, cycle: Cycle | None = None) -> list[AuditRecord]:
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
    from django.urls import reverse
    from django.utils.translation import gettext as _

    overdue = overdue_count(user)
    label = _("PAR assessment (%(count)s overdue)") % {"count": overdue} if overdue else _("PAR assessment")
    return reverse("assessments:index"), label
