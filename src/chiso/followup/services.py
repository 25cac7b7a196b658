"""Writes about follow-up: the only way directives, tasks, reports, plans, targets and statistics change.

Every change writes its audit record (chiso.audit) on the same path, so the trail has no other door.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chiso.accounts.models import Role, User
from chiso.accounts.permissions import MANAGING_ROLES, followup_check, may_confirm_tasks, may_file_plan, may_manage_followup
from chiso.audit.services import audit_record
from chiso.frameworks.models import Framework, Node
from chiso.indices.models import IndexRun, RunScore
from chiso.notices.services import notice_send, notices_settle, unit_officers
from chiso.services_stats.models import RateTarget
from chiso.units.models import Unit, UnitSuccession

from . import deadlines
from .targets import figure
from .models import (
    Directive,
    ImprovementPlan,
    PlanAction,
    PlanItem,
    ProgressReport,
    Statistic,
    StatisticValue,
    Target,
    Task,
)


class EventCode:
    DIRECTIVE_CREATED = "directive.created"
    TASK_CREATED = "task.created"
    TASK_CANCELLED = "task.cancelled"
    TASK_REASSIGNED = "task.reassigned"
    TASK_REPORTED = "task.reported"
    TASK_COMPLETION_ASKED = "task.completion_asked"
    TASK_COMPLETION_CONFIRMED = "task.completion_confirmed"
    TASK_COMPLETION_REJECTED = "task.completion_rejected"
    PLAN_CREATED = "plan.created"
    PLAN_ACTION_ADDED = "plan.action_added"
    PLAN_ACTION_DONE = "plan.action_done"
    PLAN_SUBMITTED = "plan.submitted"
    TARGET_CREATED = "target.created"
    STATISTIC_CREATED = "statistic.created"
    STATISTIC_VALUE_SET = "statistic.value_set"


def _by(user):
    return user if getattr(user, "pk", None) else None


def _event(code: str, by, *, old="", new="", reason="", **objects) -> None:
    """The audit record of a change to a directive (and its task), a plan, a target or a statistic."""
    if objects.get("task") is not None and objects.get("directive") is None:
        objects["directive"] = objects["task"].directive  # a directive's history holds its tasks'
    chain = [objects[k] for k in ("directive", "task", "plan", "target", "statistic") if objects.get(k) is not None]
    audit_record(event=code, obj=chain[-1], parents=chain[:-1], by=by, old=old, new=new, reason=reason)


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _confirmers(task: Task):
    users = set(User.objects.filter(role=Role.SECRETARIAT, is_active=True))
    if task.created_by_id and task.created_by.is_active:
        users.add(task.created_by)
    return users


# --- directives and tasks ----------------------------------------------------------------

@transaction.atomic
def directive_create(*, number: str, date: datetime.date, issuer: str, summary: str, by) -> Directive:
    followup_check(by)
    number = number.strip()
    if Directive.objects.filter(number__iexact=number).exists():
        raise ValidationError({"number": _("A directive numbered %(number)s already exists.") % {"number": number}})
    directive = Directive(number=number, date=date, issuer=issuer.strip(), summary=summary.strip(), created_by=_by(by))
    directive.full_clean()
    directive.save()
    _event(EventCode.DIRECTIVE_CREATED, by, new=number, directive=directive)
    return directive


def task_check(
    *, directive: Directive, text: str, lead_unit: Unit | None, deadline: deadlines.Deadline | None
) -> dict[str, str]:
    """What is wrong with a task before it is saved, by field (empty when nothing is)."""
    errors = {}
    if not (text or "").strip():
        errors["text"] = _("Write what the task is.")
    if lead_unit is None:
        errors["lead_unit"] = _("Every task needs a lead unit (đơn vị chủ trì).")
    if deadline is None:
        errors["deadline"] = _("The deadline is missing.")
    elif deadline.kind not in deadlines.RECURRING and deadline.date < directive.date:
        errors["deadline"] = _("The deadline (%(deadline)s) is before the directive's date (%(date)s).") % {
            "deadline": deadlines.deadline_label(deadline.kind, deadline.date), "date": _day(directive.date)}
    return errors


@transaction.atomic
def task_create(
    *,
    directive: Directive,
    text: str,
    lead_unit: Unit | None,
    deadline: deadlines.Deadline | str | datetime.date | None,
    cooperating_units: Iterable[Unit] = (),
    number: str = "",
    by,
) -> Task:
    """Assign a task; the officers of the lead and cooperating units are told."""
    followup_check(by)
    if deadline is not None and not isinstance(deadline, deadlines.Deadline):
        try:
            deadline = deadlines.deadline_parse(deadline, start=directive.date)
        except ValueError as error:
            raise ValidationError({"deadline": str(error)}) from None
    errors = task_check(directive=directive, text=text, lead_unit=lead_unit, deadline=deadline)
    if errors:
        raise ValidationError(errors)
    if deadline.kind in deadlines.RECURRING:
        # The first report is due at the end of the month, quarter or year the directive was issued in.
        deadline = deadlines.Deadline(deadline.kind, deadlines.period_end_of(deadline.kind, directive.date))
    order = (directive.tasks.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    task = Task.objects.create(
        directive=directive, number=(number or str(order)).strip(), order=order, text=text.strip(), lead_unit=lead_unit,
        deadline_kind=deadline.kind, deadline=deadline.date, due_date=deadline.date, created_by=_by(by),
    )
    cooperating = [u for u in cooperating_units if u.pk != lead_unit.pk]
    task.cooperating_units.set(cooperating)
    _event(EventCode.TASK_CREATED, by, new=f"{lead_unit.code} · {task.deadline_label}", task=task, directive=directive)
    notice_send(users=unit_officers([lead_unit, *cooperating]), kind="task.assigned", obj=task)
    return task


@transaction.atomic
def task_cancel(*, task: Task, by, reason: str) -> Task:
    followup_check(by)
    if not reason.strip():
        raise ValidationError(_("Give the reason for cancelling the task."))
    if task.status in {Task.Status.DONE, Task.Status.CANCELLED}:
        raise ValidationError(_("Only an open task can be cancelled."))
    old = task.status
    task.status = Task.Status.CANCELLED
    task.save(update_fields=["status"])
    _event(EventCode.TASK_CANCELLED, by, old=old, new=task.status, reason=reason.strip(), task=task)
    return task


def unit_successors_on(unit: Unit, day: datetime.date) -> list[Unit]:
    """The units that carry an ended unit's work on `day`, through its lineage (a successor that has
    ended too hands on to its own), the largest share first."""
    found: dict[int, tuple[Unit, float]] = {}

    def walk(current: Unit, share: float, seen: frozenset[int]) -> None:
        for succession in UnitSuccession.objects.filter(predecessor=current).select_related("successor"):
            successor = succession.successor
            if successor.pk in seen:
                continue
            weight = share * float(succession.share)
            if successor.is_active_on(day):
                known = found.get(successor.pk)
                found[successor.pk] = (successor, weight + (known[1] if known else 0))
            else:
                walk(successor, weight, seen | {successor.pk})

    walk(unit, 1.0, frozenset({unit.pk}))
    return [u for u, _share in sorted(found.values(), key=lambda x: (-x[1], x[0].code))]


def _ended(unit: Unit, day: datetime.date) -> bool:
    return unit.valid_to is not None and unit.valid_to < day


@transaction.atomic
def tasks_hand_over(*, today: datetime.date | None = None, by) -> list[Task]:
    """Open tasks of units that have ended pass to their successors through the lineage: the lead
    to the successor with the largest share (the others cooperate), an ended cooperating unit to its
    successors. Each change is in the audit trail (task.reassigned) and the new units are told.
    Run by the daily digest; a task whose unit has no successor stays for the secretariat to see.
    """
    if not may_manage_followup(by):
        raise PermissionDenied(_("Only the secretariat hands tasks over to other units."))
    day = today or timezone.localdate()
    candidates = (
        Task.objects.filter(status__in=[Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS])
        .filter(Q(lead_unit__valid_to__lt=day) | Q(cooperating_units__valid_to__lt=day)).distinct()
        .select_related("directive", "lead_unit").prefetch_related("cooperating_units")
    )
    changed = []
    for task in candidates:
        task = Task.objects.select_for_update().select_related("directive", "lead_unit").get(pk=task.pk)
        lead, cooperating = task.lead_unit, list(task.cooperating_units.all())
        new_lead, added, told = lead, [], []
        if _ended(lead, day):
            successors = unit_successors_on(lead, day)
            if successors:
                new_lead, added = successors[0], successors[1:]
        new_cooperating: list[Unit] = []
        for unit in [*cooperating, *added]:
            for carrier in (unit_successors_on(unit, day) if _ended(unit, day) else [unit]):
                if carrier.pk != new_lead.pk and carrier.pk not in {u.pk for u in new_cooperating}:
                    new_cooperating.append(carrier)
        old_codes, new_codes = sorted(u.code for u in cooperating), sorted(u.code for u in new_cooperating)
        if new_lead.pk == lead.pk and old_codes == new_codes:
            continue
        reason = _("Through the lineage: %(units)s ended.") % {
            "units": ", ".join(f"{u.name_vi} ({_day(u.valid_to)})" for u in [lead, *cooperating] if _ended(u, day))}
        if new_lead.pk != lead.pk:
            task.lead_unit = new_lead
            task.save(update_fields=["lead_unit"])
            audit_record(event=EventCode.TASK_REASSIGNED, obj=task, parents=(task.directive,), by=by, field="lead_unit",
                         old=lead.code, new=new_lead.code, reason=reason, details={"lineage": True})
            told.append(new_lead)
        if old_codes != new_codes:
            task.cooperating_units.set(new_cooperating)
            audit_record(event=EventCode.TASK_REASSIGNED, obj=task, parents=(task.directive,), by=by, field="cooperating_units",
                         old=", ".join(old_codes), new=", ".join(new_codes), reason=reason, details={"lineage": True})
            told.extend(u for u in new_cooperating if u.code not in old_codes)
        notice_send(users=unit_officers(told), kind="task.reassigned", obj=task, key=new_lead.code)
        changed.append(task)
    return changed


def reporting_unit(task: Task, user) -> Unit:
    """The unit a person reports for on a task; refused with the reason when it is not theirs."""
    if user.is_superuser or user.role in MANAGING_ROLES:
        return task.lead_unit  # the secretariat may record a report a unit sent on paper
    if user.role == Role.UNIT_OFFICER and user.unit_id:
        if user.unit_id == task.lead_unit_id or task.cooperating_units.filter(pk=user.unit_id).exists():
            return user.unit
        raise PermissionDenied(
            _("%(unit)s neither leads nor cooperates on this task: you can report only on your own unit's tasks.")
            % {"unit": user.unit.name}
        )
    raise PermissionDenied(_("Only the units of a task and the secretariat report progress on it."))


@transaction.atomic
def progress_report_create(
    *,
    task: Task,
    by,
    text: str,
    percent: int,
    evidence=None,
    evidence_link: str = "",
    ask_completion: bool = False,
    reported_on: datetime.date | None = None,
) -> ProgressReport:
    """Record what a unit did; asking for completion waits for the assigning side to confirm."""
    task = Task.objects.select_for_update().select_related("lead_unit").get(pk=task.pk)
    unit = reporting_unit(task, by)
    reported_on = reported_on or timezone.localdate()
    errors = {}
    if not task.is_open:
        raise ValidationError(_("This task is %(status)s: no more reports are taken.") % {"status": task.get_status_display().lower()})
    if not text.strip():
        errors["text"] = _("Write what was done.")
    if percent is None or not 0 <= percent <= 100:
        errors["percent"] = _("Progress is a percentage from 0 to 100.")
    if ask_completion:
        if unit.pk != task.lead_unit_id:
            errors["ask_completion"] = _("Only the lead unit asks for the task to be confirmed as done.")
        elif percent != 100:
            errors["ask_completion"] = _("A task asked to be confirmed as done must be at 100 percent.")
        elif not evidence and not evidence_link.strip():
            errors["evidence"] = _("Attach the evidence (a file or a link) when asking for the task to be confirmed as done.")
        elif task.reports.filter(review=ProgressReport.Review.PENDING).exists():
            errors["ask_completion"] = _("A completion is already awaiting confirmation.")
    if errors:
        raise ValidationError(errors)
    report = ProgressReport(
        task=task, unit=unit, text=text.strip(), percent=percent, evidence_link=evidence_link.strip(), reported_on=reported_on,
        reported_by=_by(by), review=ProgressReport.Review.PENDING if ask_completion else ProgressReport.Review.NONE,
    )
    if evidence:
        report.evidence.save(evidence.name, evidence, save=False)
    report.save()
    old = f"{task.status} {task.percent}%"
    fields = ["percent", "status"]
    if unit.pk == task.lead_unit_id:
        task.percent = percent  # the lead unit speaks for the task's progress
    if task.status == Task.Status.NOT_STARTED:
        task.status = Task.Status.IN_PROGRESS
    if task.is_recurring and unit.pk == task.lead_unit_id:
        # The lead unit's report is the period's report: the next period's falls due.
        task.due_date = deadlines.recurring_due_after_report(task.deadline_kind, task.due_date, reported_on)
        fields.append("due_date")
    if ask_completion:
        task.completion_requested_at = timezone.now()
        fields.append("completion_requested_at")
    task.save(update_fields=fields)
    _event(EventCode.TASK_COMPLETION_ASKED if ask_completion else EventCode.TASK_REPORTED, by,
           old=old, new=f"{task.status} {task.percent}%", reason=report.text[:500], task=task)
    if ask_completion:
        notice_send(users=_confirmers(task), kind="task.awaiting", obj=task, key=str(report.pk))
    return report


def _confirm_check(report: ProgressReport, by) -> None:
    if not may_confirm_tasks(by):
        raise PermissionDenied(_("Only the assigning side (the secretariat or a leader) confirms a task as done."))
    if report.review != ProgressReport.Review.PENDING:
        raise ValidationError(_("This report does not await confirmation."))


@transaction.atomic
def task_completion_confirm(*, report: ProgressReport, by, note: str = "") -> Task:
    report = ProgressReport.objects.select_for_update().select_related("task").get(pk=report.pk)
    _confirm_check(report, by)
    task = report.task
    report.review = ProgressReport.Review.CONFIRMED
    report.reviewed_by, report.reviewed_at, report.review_note = _by(by), timezone.now(), note.strip()
    report.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])
    old = task.status
    task.status, task.percent, task.completed_on, task.confirmed_by = Task.Status.DONE, 100, report.reported_on, _by(by)
    task.completion_requested_at = None
    task.save(update_fields=["status", "percent", "completed_on", "confirmed_by", "completion_requested_at"])
    _event(EventCode.TASK_COMPLETION_CONFIRMED, by, old=old, new=task.status, reason=note.strip(), task=task)
    notices_settle(kinds=["task.awaiting"], obj=task)
    notice_send(users=unit_officers([task.lead_unit]), kind="task.confirmed", obj=task, key=str(report.pk))
    return task


@transaction.atomic
def task_completion_reject(*, report: ProgressReport, by, note: str) -> Task:
    report = ProgressReport.objects.select_for_update().select_related("task").get(pk=report.pk)
    _confirm_check(report, by)
    if not note.strip():
        raise ValidationError({"note": _("Say what is missing, so that the unit can complete the task.")})
    task = report.task
    report.review = ProgressReport.Review.REJECTED
    report.reviewed_by, report.reviewed_at, report.review_note = _by(by), timezone.now(), note.strip()
    report.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])
    task.completion_requested_at = None
    task.save(update_fields=["completion_requested_at"])
    _event(EventCode.TASK_COMPLETION_REJECTED, by, old=ProgressReport.Review.PENDING, new=report.review, reason=note.strip(), task=task)
    notices_settle(kinds=["task.awaiting"], obj=task)
    notice_send(users=unit_officers([task.lead_unit]), kind="task.rejected", obj=task, key=str(report.pk))
    return task


# --- improvement plans --------------------------------------------------------------------

def plan_access_check(user, unit: Unit) -> None:
    """A unit files its own plans; the secretariat may file one for any unit (accounts.permissions.may_file_plan)."""
    if not may_file_plan(user, unit):
        raise PermissionDenied(_("Only the unit itself (or the secretariat) files and changes its improvement plan."))


@transaction.atomic
def plan_create(
    *, unit: Unit, run: IndexRun, codes: list[str], targets: dict[str, float | None] | None = None,
    by, title: str = "", directive: Directive | None = None,
) -> ImprovementPlan:
    """A plan for chosen indicators of a published run; baselines are the run's values and ranks."""
    plan_access_check(by, unit)
    if run.status != IndexRun.Status.PUBLISHED:
        raise ValidationError(_("A plan starts from a published run."))
    if ImprovementPlan.objects.filter(unit=unit, run=run).exists():
        raise ValidationError(_("%(unit)s already has a plan for this run: open it and add to it.") % {"unit": unit.name})
    scores = {s.code: s for s in RunScore.objects.filter(run=run, unit=unit)}
    if not scores:
        raise ValidationError(_("%(unit)s has no result in this run.") % {"unit": unit.name})
    nodes = {n.code: n for n in run.version.nodes.filter(type=Node.Type.INDICATOR)}
    codes = list(dict.fromkeys(c for c in codes if c))
    if not codes:
        raise ValidationError({"codes": _("Choose at least one indicator to improve.")})
    unknown = [c for c in codes if c not in nodes]
    if unknown:
        raise ValidationError({"codes": _("Not an indicator of this run: %(codes)s.") % {"codes": ", ".join(unknown)}})
    targets = targets or {}
    errors = {}
    for code in codes:
        target, score, direction = targets.get(code), scores.get(code), nodes[code].direction or 1
        if target is None or score is None or score.value is None:
            continue
        if (target - score.value) * direction <= 0:  # a target is an improvement, in the indicator's direction
            errors[f"target_{code}"] = (
                _("%(indicator)s: lower is better, so the target must be below the baseline %(baseline)s.")
                if direction < 0 else
                _("%(indicator)s: higher is better, so the target must be above the baseline %(baseline)s.")
            ) % {"indicator": nodes[code].name_vi, "baseline": figure(score.value)}
    if errors:
        raise ValidationError(errors)
    plan = ImprovementPlan.objects.create(
        unit=unit, run=run, directive=directive, created_by=_by(by),
        title=title.strip() or _("Improvement plan of %(unit)s after %(run)s") % {"unit": unit.name_vi, "run": run.title},
    )
    for order, code in enumerate(codes):
        node, score = nodes[code], scores.get(code)
        PlanItem.objects.create(
            plan=plan, code=code, name=node.name_vi[:500], direction=node.direction or 1, order=order,
            baseline_value=score.value if score else None, baseline_rank=score.rank if score else None,
            target_value=targets.get(code),
        )
    _event(EventCode.PLAN_CREATED, by, new=", ".join(codes), plan=plan)
    return plan


@transaction.atomic
def plan_action_add(*, item: PlanItem, text: str, owner: str, deadline: datetime.date | None, by) -> PlanAction:
    plan_access_check(by, item.plan.unit)
    errors = {}
    if not text.strip():
        errors["text"] = _("Write the action.")
    if not owner.strip():
        errors["owner"] = _("Say who is responsible.")
    if deadline is None:
        errors["deadline"] = _("The deadline is missing.")
    if errors:
        raise ValidationError(errors)
    action = PlanAction.objects.create(item=item, text=text.strip(), owner=owner.strip(), deadline=deadline)
    _event(EventCode.PLAN_ACTION_ADDED, by, new=f"{item.code}: {action.text}", plan=item.plan)
    return action


@transaction.atomic
def plan_action_done(*, action: PlanAction, by, day: datetime.date | None = None) -> PlanAction:
    plan_access_check(by, action.item.plan.unit)
    if action.done_on is None:
        action.done_on = day or timezone.localdate()
        action.save(update_fields=["done_on"])
        _event(EventCode.PLAN_ACTION_DONE, by, new=f"{action.item.code}: {action.text[:200]}", plan=action.item.plan)
    return action


@transaction.atomic
def plan_submit(*, plan: ImprovementPlan, by) -> ImprovementPlan:
    """File the plan with the secretariat; every indicator needs at least one action."""
    plan_access_check(by, plan.unit)
    empty = [item.name for item in plan.items.all() if not item.actions.exists()]
    if empty:
        raise ValidationError(_("Add at least one action for: %(items)s.") % {"items": "; ".join(empty)})
    if plan.submitted_at is None:
        plan.submitted_at = timezone.now()
        plan.save(update_fields=["submitted_at"])
        _event(EventCode.PLAN_SUBMITTED, by, plan=plan)
    return plan


# --- targets and statistics ---------------------------------------------------------------

NATIONAL_INDICES = ("PAR", "PAPI", "PCI", "SIPAS")


@transaction.atomic
def target_create(
    *, title: str, source: str, target_year: int, rule: str, amount: float | None = None,
    baseline_year: int | None = None, baseline_value: float | None = None,
    index_code: str = "", measure: str = Target.Measure.SCORE, component: str = "",
    framework: Framework | None = None, unit: Unit | None = None, node_code: str = "",
    statistic: Statistic | None = None, rate: str = "", directive: Directive | None = None, by,
) -> Target:
    followup_check(by)
    errors: dict[str, str] = {}
    index_code = index_code.strip().upper()
    if not title.strip():
        errors["title"] = _("Write the target as the directive puts it.")
    if source == Target.Source.NATIONAL:
        if index_code not in NATIONAL_INDICES:
            errors["index_code"] = _("Choose the national index: %(codes)s.") % {"codes": ", ".join(NATIONAL_INDICES)}
        if measure == Target.Measure.COMPONENT and not component.strip():
            errors["component"] = _("Name the component (dimension) the target is about.")
    elif source == Target.Source.RUN:
        if framework is None or unit is None or not node_code.strip():
            errors["framework"] = _("A target on an index run names the framework, the unit and the indicator or pillar.")
        if measure == Target.Measure.COMPONENT:
            errors["measure"] = _("A target on an index run is about a score or a rank.")
    elif source == Target.Source.SERVICES:
        if rate not in RateTarget.Measure.values:
            errors["rate"] = _("Choose the one-stop-shop rate (online, on time, digitised, …).")
        measure = Target.Measure.SCORE
    elif source == Target.Source.STATISTIC:
        if statistic is None:
            errors["statistic"] = _("Choose the statistic the target is measured by.")
        if measure != Target.Measure.SCORE:
            measure = Target.Measure.SCORE
    else:
        errors["source"] = _("Say where the actual value comes from.")
    if rule in {Target.Rule.CHANGE_BY, Target.Rule.AT_LEAST, Target.Rule.AT_MOST} and amount is None:
        errors["amount"] = _("Give the amount of the target (for example 2 ranks, or 98 %).")
    if rule in {Target.Rule.INCREASE, Target.Rule.CHANGE_BY, Target.Rule.ALL_COMPONENTS_UP} and not baseline_year:
        errors["baseline_year"] = _("Give the baseline year the change is measured from.")
    if rule == Target.Rule.ALL_COMPONENTS_UP and source != Target.Source.NATIONAL:
        errors["rule"] = _("“Better on every component” applies to a national index.")
    if rule not in Target.Rule.values:
        errors["rule"] = _("Choose a rule.")
    if baseline_year and target_year and baseline_year >= target_year:
        errors["target_year"] = _("The target year comes after the baseline year.")
    if errors:
        raise ValidationError(errors)
    target = Target.objects.create(
        title=title.strip(), source=source, index_code=index_code if source == Target.Source.NATIONAL else "",
        measure=measure, component=component.strip(), framework=framework, unit=unit, node_code=node_code.strip(),
        statistic=statistic, rate=rate if source == Target.Source.SERVICES else "", baseline_year=baseline_year, baseline_value=baseline_value, target_year=target_year,
        rule=rule, amount=amount, directive=directive, created_by=_by(by),
        order=Target.objects.filter(target_year=target_year).count(),
    )
    _event(EventCode.TARGET_CREATED, by, new=target.title, target=target)
    return target


@transaction.atomic
def statistic_create(
    *, code: str, name_vi: str, name_en: str = "", unit_of_measure: str = "", higher_is_better: bool = True,
    index_code: str = "", measure: str = "", by,
) -> Statistic:
    followup_check(by)
    statistic = Statistic(
        code=code.strip(), name_vi=name_vi.strip(), name_en=name_en.strip(), unit_of_measure=unit_of_measure.strip(),
        higher_is_better=higher_is_better, index_code=index_code.strip().upper(), measure=measure,
    )
    statistic.full_clean()
    statistic.save()
    _event(EventCode.STATISTIC_CREATED, by, new=statistic.code, statistic=statistic)
    return statistic


@transaction.atomic
def statistic_value_set(
    *, statistic: Statistic, year: int, value: float, source: str, by, provisional: bool = False,
    components: dict | None = None,
) -> StatisticValue:
    """Record one year's value with where it comes from (a report, a decision, a publication)."""
    followup_check(by)
    if not source.strip():
        raise ValidationError({"source": _("Say where the value comes from.")})
    if value is None:
        raise ValidationError({"value": _("Enter the value.")})
    old = StatisticValue.objects.filter(statistic=statistic, year=year).values_list("value", flat=True).first()
    row, _created = StatisticValue.objects.update_or_create(
        statistic=statistic, year=year,
        defaults={"value": value, "provisional": provisional, "source": source.strip(), "components": components or {},
                  "entered_by": _by(by)},
    )
    _event(EventCode.STATISTIC_VALUE_SET, by, old="" if old is None else old, new=f"{year}: {value}", reason=source.strip(), statistic=statistic)
    return row
