"""Reads about follow-up: tasks with their state today, plans and whether indicators moved,
units without a plan, the figures of the leadership dashboard."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, CharField, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.accounts.models import Role
from chiso.accounts.permissions import PROVINCIAL_ROLES
from chiso.formats.collation import vietnamese_sorted
from chiso.frameworks.models import Node
from chiso.indices.models import IndexRun, RunScore
from chiso.units.models import Unit

from .models import Directive, ImprovementPlan, PlanAction, ProgressReport, Statistic, Target, Task, TaskState
from .targets import national_results, standing_series, targets_evaluate

DEFAULT_REMINDER_DAYS = 7
NATIONAL_POSITIONS = ("PAR", "PAPI", "PCI", "SIPAS")
OPEN = [Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS]


def reminder_days() -> int:
    """How many days before a deadline people are reminded (CHISO_FOLLOWUP_REMINDER_DAYS)."""
    return int(getattr(settings, "CHISO_FOLLOWUP_REMINDER_DAYS", DEFAULT_REMINDER_DAYS))


def today_local() -> datetime.date:
    """Today in Asia/Ho_Chi_Minh: a task due on the 31st is overdue from 00:00 on the 1st there."""
    return timezone.localdate()


def with_state(tasks, today: datetime.date):
    """Annotate `state`: the stored status, or "overdue" for an open task past its due date."""
    return tasks.annotate(
        state=Case(
            When(status__in=OPEN, due_date__lt=today, then=Value(TaskState.OVERDUE)),
            default=F("status"),
            output_field=CharField(),
        )
    )


def tasks_visible_to(user):
    tasks = Task.objects.select_related("directive", "lead_unit").prefetch_related("cooperating_units")
    if user.is_superuser or user.role in PROVINCIAL_ROLES:
        return tasks
    if user.role == Role.UNIT_OFFICER and user.unit_id:
        return tasks.filter(Q(lead_unit_id=user.unit_id) | Q(cooperating_units=user.unit_id)).distinct()
    return tasks.none()


def task_visible(user, task: Task) -> bool:
    return tasks_visible_to(user).filter(pk=task.pk).exists()


def tasks_filter(tasks, *, today: datetime.date, state: str = "", unit: Unit | None = None, directive: Directive | None = None):
    tasks = with_state(tasks, today)
    if directive is not None:
        tasks = tasks.filter(directive=directive)
    if unit is not None:
        tasks = tasks.filter(Q(lead_unit=unit) | Q(cooperating_units=unit)).distinct()
    if state == "due_soon":
        tasks = tasks.filter(status__in=OPEN, due_date__gte=today, due_date__lte=today + datetime.timedelta(days=reminder_days()))
    elif state == "awaiting":
        tasks = tasks.filter(reports__review=ProgressReport.Review.PENDING).distinct()
    elif state in TaskState.values:
        tasks = tasks.filter(state=state)
    return tasks.order_by("due_date", "directive__date", "order")


@dataclass
class UnitTasks:
    unit: Unit
    total: int = 0
    overdue: int = 0
    due_soon: int = 0
    in_progress: int = 0
    not_started: int = 0
    done: int = 0
    awaiting: int = 0


def tasks_by_unit(tasks, today: datetime.date, soon_days: int) -> list[UnitTasks]:
    """Counts per lead unit, the units with most overdue tasks first."""
    rows: dict[int, UnitTasks] = {}
    pending = set(ProgressReport.objects.filter(review=ProgressReport.Review.PENDING, task__in=tasks).values_list("task_id", flat=True))
    for task in tasks:
        row = rows.setdefault(task.lead_unit_id, UnitTasks(unit=task.lead_unit))
        if task.status == Task.Status.CANCELLED:
            continue
        row.total += 1
        if task.is_overdue(today):
            row.overdue += 1
        elif task.is_open and task.due_date <= today + datetime.timedelta(days=soon_days):
            row.due_soon += 1
        if task.status == Task.Status.IN_PROGRESS:
            row.in_progress += 1
        elif task.status == Task.Status.NOT_STARTED:
            row.not_started += 1
        elif task.status == Task.Status.DONE:
            row.done += 1
        if task.pk in pending:
            row.awaiting += 1
    return sorted((r for r in rows.values() if r.total), key=lambda r: (-r.overdue, -r.due_soon, r.unit.name_vi))


def state_counts(tasks, today: datetime.date) -> dict[str, int]:
    counts = dict.fromkeys(TaskState.values, 0)
    for task in tasks:
        counts[task.state(today)] += 1
    return counts


def latest_reports(tasks) -> dict[int, ProgressReport]:
    """The latest progress report of each task, the lead unit's before a cooperating unit's."""
    latest: dict[int, tuple[ProgressReport, bool]] = {}
    reports = ProgressReport.objects.filter(task__in=tasks).select_related("unit", "task").order_by("reported_on", "reported_at", "pk")
    for report in reports:
        lead = report.unit_id == report.task.lead_unit_id
        current = latest.get(report.task_id)
        if current is None or lead or not current[1]:
            latest[report.task_id] = (report, lead)
    return {task_id: report for task_id, (report, _lead) in latest.items()}


# --- improvement plans ----------------------------------------------------------------------

@dataclass
class IndicatorChoice:
    node: Node
    value: float | None
    rank: int | None
    of: int
    weak: bool
    strong: bool


def plan_runs():
    """Published runs a plan can start from, newest first."""
    return (
        IndexRun.objects.filter(status=IndexRun.Status.PUBLISHED)
        .select_related("version__framework", "period", "block")
        .order_by("-period__start_date", "version__framework__code", "block__order")
    )


def strong_and_weak(ranks: list[tuple[str, int]], order: dict[str, int]) -> tuple[list[str], list[str]]:
    """A unit's strongest and weakest indicators by its rank among units (direction applied).

    The same rule as the scorecard (chiso.results): up to five strongest from the top half,
    up to five weakest from the rest, worst first. COINr's lists in run.details leave out the
    indicators where a unit is last, which would leave the last unit, the one that most needs
    a plan, with no weakness at all.
    """
    ranked = sorted(ranks, key=lambda x: (x[1], order.get(x[0], 0)))
    n_strong = min(5, (len(ranked) + 1) // 2)
    return [c for c, _r in ranked[:n_strong]], [c for c, _r in ranked[n_strong:][::-1][:5]]


def plan_proposals(run: IndexRun, unit: Unit) -> list[IndicatorChoice]:
    """The run's indicators for a unit, its weakest first (worst rank among units first)."""
    nodes = list(run.version.nodes.filter(type=Node.Type.INDICATOR).order_by("order"))
    codes = [n.code for n in nodes]
    order = {n.code: n.order for n in nodes}
    scores = {s.code: s for s in RunScore.objects.filter(run=run, unit=unit, code__in=codes)}
    ranked: dict[str, int] = defaultdict(int)
    for code in RunScore.objects.filter(run=run, code__in=codes, rank__isnull=False).values_list("code", flat=True):
        ranked[code] += 1
    strong, weak = strong_and_weak([(c, s.rank) for c, s in scores.items() if s.rank is not None], order)
    choices = [
        IndicatorChoice(node=n, value=scores[n.code].value, rank=scores[n.code].rank, of=ranked[n.code],
                        weak=n.code in weak, strong=n.code in strong)
        for n in nodes if n.code in scores
    ]

    def key(choice: IndicatorChoice):
        if choice.node.code in weak:
            return (0, weak.index(choice.node.code), 0)
        return (1, -(choice.rank or 0), choice.node.order)

    return sorted(choices, key=key)


def run_next_published(run: IndexRun) -> IndexRun | None:
    """The first published run of the same framework after the run's period (same block first)."""
    later = (
        IndexRun.objects.filter(version__framework_id=run.version.framework_id, status=IndexRun.Status.PUBLISHED,
                                period__start_date__gt=run.period.start_date)
        .select_related("period", "block")
        .order_by("period__start_date")
    )
    return later.filter(block_id=run.block_id).first() or later.first()


@dataclass
class ItemProgress:
    item: object
    value: float | None = None
    rank: int | None = None
    moved: str = ""  # "better", "worse", "same", or "" when the next run has no value
    rank_change: int | None = None  # ranks gained (positive is better)
    target_met: bool | None = None
    actions: list = field(default_factory=list)


def plan_progress(plan: ImprovementPlan) -> tuple[IndexRun | None, list[ItemProgress]]:
    """Each indicator of the plan in the next published run: did it move, and is the target met?"""
    following = run_next_published(plan.run)
    items = list(plan.items.prefetch_related("actions"))
    scores = {}
    if following is not None:
        scores = {s.code: s for s in RunScore.objects.filter(run=following, unit=plan.unit, code__in=[i.code for i in items])}
    out = []
    for item in items:
        progress = ItemProgress(item=item, actions=list(item.actions.all()))
        score = scores.get(item.code)
        if score is not None and score.value is not None:
            progress.value, progress.rank = score.value, score.rank
            if item.baseline_value is not None:
                gain = (score.value - item.baseline_value) * item.direction
                progress.moved = "better" if gain > 1e-9 else "worse" if gain < -1e-9 else "same"
            if item.baseline_rank is not None and score.rank is not None:
                progress.rank_change = item.baseline_rank - score.rank
            if item.target_value is not None:
                progress.target_met = (score.value - item.target_value) * item.direction >= -1e-9
        out.append(progress)
    return following, out


@dataclass
class UnitPlanStatus:
    unit: Unit
    weaknesses: list[str]
    plan: ImprovementPlan | None


def units_plan_status(run: IndexRun) -> list[UnitPlanStatus]:
    """Every unit of a run with its weakest indicators, and its plan for them (if any)."""
    nodes = list(run.version.nodes.filter(type=Node.Type.INDICATOR))
    names = {n.code: n.name_vi for n in nodes}
    order = {n.code: n.order for n in nodes}
    ranks: dict[int, list[tuple[str, int]]] = defaultdict(list)
    units: dict[int, Unit] = {}
    for score in RunScore.objects.filter(run=run, code__in=list(names), rank__isnull=False).select_related("unit"):
        ranks[score.unit_id].append((score.code, score.rank))
        units[score.unit_id] = score.unit
    plans = {p.unit_id: p for p in ImprovementPlan.objects.filter(run=run)}
    rows = []
    for unit_id, unit in units.items():
        _strong, weak = strong_and_weak(ranks[unit_id], order)
        if weak:
            rows.append(UnitPlanStatus(unit=unit, weaknesses=[names[c] for c in weak], plan=plans.get(unit_id)))
    return vietnamese_sorted(rows, key=lambda r: r.unit.name_vi)


def plan_run_default() -> IndexRun | None:
    """The run the dashboard asks about: the latest one units have planned on, else the latest."""
    planned = plan_runs().filter(improvement_plans__isnull=False).distinct().first()
    return planned or plan_runs().first()


def plans_visible_to(user):
    plans = ImprovementPlan.objects.select_related("unit", "run__period", "run__version__framework")
    if user.is_superuser or user.role in PROVINCIAL_ROLES:
        return plans
    if user.role == Role.UNIT_OFFICER and user.unit_id:
        return plans.filter(unit_id=user.unit_id)
    return plans.none()


def plan_actions_overdue(today: datetime.date, units=None):
    actions = PlanAction.objects.filter(done_on__isnull=True, deadline__lt=today).select_related("item__plan__unit")
    if units is not None:
        actions = actions.filter(item__plan__unit__in=units)
    return actions


# --- figures ---------------------------------------------------------------------------------

@dataclass
class YearOnYear:
    statistic: Statistic
    year: int
    value: float
    previous_year: int | None
    previous: float | None
    source: str
    provisional: bool

    @property
    def change(self) -> float | None:
        return None if self.previous is None else self.value - self.previous

    @property
    def percent(self) -> float | None:
        """+19.58 for 171 on 143: computed from the two values, never typed."""
        if self.previous in (None, 0):
            return None
        return round((self.value - self.previous) / abs(self.previous) * 100, 2)


def statistics_year_on_year() -> list[YearOnYear]:
    """Each statistic's latest value beside the year before (series standing for national indices aside)."""
    rows = []
    for statistic in Statistic.objects.filter(index_code="").prefetch_related("values"):
        values = sorted(statistic.values.all(), key=lambda v: v.year)
        if not values:
            continue
        last = values[-1]
        before = next((v for v in reversed(values[:-1]) if v.year == last.year - 1), None)
        rows.append(YearOnYear(statistic=statistic, year=last.year, value=last.value,
                               previous_year=before.year if before else None, previous=before.value if before else None,
                               source=last.source, provisional=last.provisional))
    return rows


@dataclass
class Position:
    year: int
    score: float | None
    rank: int | None
    source: str
    typed: bool  # entered as a statistic before the publication was imported


def province_positions() -> dict[str, list[Position]]:
    """The province in PAR, PAPI, PCI and SIPAS over the years: imported results, else typed values."""
    out = {}
    for code in NATIONAL_POSITIONS:
        by_year: dict[int, Position] = {}
        scores, ranks = standing_series(code, "score"), standing_series(code, "rank")
        for year in set(scores) | set(ranks):
            score, rank = scores.get(year), ranks.get(year)
            by_year[year] = Position(year, score.value if score else None, int(rank.value) if rank else None,
                                     (score or rank).source, True)
        for year, result in national_results(code).items():
            by_year[year] = Position(year, result.score, result.rank, result.source, False)
        if by_year:
            out[code] = [by_year[y] for y in sorted(by_year)]
    return out


def dashboard(*, today: datetime.date, directive: Directive | None = None, run: IndexRun | None = None) -> dict:
    soon = reminder_days()
    tasks = Task.objects.exclude(status=Task.Status.CANCELLED).select_related("directive", "lead_unit")
    if directive is not None:
        tasks = tasks.filter(directive=directive)
    tasks = list(tasks)
    overdue = [t for t in tasks if t.is_overdue(today)]
    for task in overdue:
        task.due_shown = task.due_on(today)  # a recurring task is one period late at most
        task.days_late = (today - task.due_shown).days
    overdue.sort(key=lambda t: (t.due_shown, t.lead_unit.name_vi))
    due_soon = sorted(
        (t for t in tasks if t.is_open and today <= t.due_date <= today + datetime.timedelta(days=soon)),
        key=lambda t: t.due_date,
    )
    run = run or plan_run_default()
    plan_status = units_plan_status(run) if run else []
    return {
        "today": today,
        "soon_days": soon,
        "counts": state_counts(tasks, today),
        "total": len(tasks),
        "overdue": overdue,
        "due_soon": due_soon,
        "by_unit": tasks_by_unit(tasks, today, soon),
        "awaiting": ProgressReport.objects.filter(review=ProgressReport.Review.PENDING, task__in=[t.pk for t in tasks]).count(),
        "plan_run": run,
        "without_plan": [r for r in plan_status if r.plan is None],
        "draft_plans": [r for r in plan_status if r.plan is not None and r.plan.submitted_at is None],
        "with_plan": [r for r in plan_status if r.plan is not None and r.plan.submitted_at is not None],
        "actions_overdue": plan_actions_overdue(today).count(),
        "targets": targets_evaluate(Target.objects.all()),
        "positions": province_positions(),
        "figures": statistics_year_on_year(),
    }


def followup_nav_items(user) -> list[tuple[str, str]]:
    """The menu entries of follow-up: tasks for everyone, the dashboard for leaders (notices are
    chiso.notices' own entry)."""
    items = [(reverse("followup:tasks"), _("Follow-up"))]
    if user.role == Role.LEADER:  # the others reach it from the follow-up pages
        items.append((reverse("followup:dashboard"), _("Dashboard")))
    return items


def dashboard_card(today: datetime.date | None = None) -> dict:
    """The few figures the leader's home page shows, each a link into the dashboard."""
    today = today or today_local()
    open_tasks = Task.objects.filter(status__in=OPEN)
    evaluations = targets_evaluate(Target.objects.all())
    run = plan_run_default()
    return {
        "overdue": open_tasks.filter(due_date__lt=today).count(),
        "due_soon": open_tasks.filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=reminder_days())).count(),
        "targets": len(evaluations),
        "targets_met": sum(1 for e in evaluations if e.state in {"met", "on_track"}),
        "without_plan": sum(1 for r in units_plan_status(run) if r.plan is None) if run else 0,
    }
