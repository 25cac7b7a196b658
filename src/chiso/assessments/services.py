"""Writes about PAR assessments: the only way a cycle, an assessment, an item or its evidence changes.

Every function here checks who may act, changes what it changes and writes the audit record in
the same transaction, so no point moves without a trace. Refusals are PermissionDenied (the
wrong person) or ValidationError (the wrong moment or the wrong value).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from chiso.accounts import permissions
from chiso.accounts.models import Role, User
from chiso.audit.models import AuditRecord
from chiso.audit.services import audit_record, audit_record_many, value_text
from chiso.feedback.workdays import working_days_add
from chiso.formats.numbers import said, shown
from chiso.frameworks.models import Framework, FrameworkVersion, Node
from chiso.frameworks.services import version_freeze
from chiso.indices.models import IndexRun, RunScore
from chiso.indices.services import ValueEntry, indicator_values_set, run_create, run_discard, run_publish
from chiso.notices.services import par_notices
from chiso.units.models import Block, Period, Unit

from . import queries
from .evidence import evidence_store
from .models import Affiliation, Assessment, CouncilDecision, Cycle, Evidence, Item, Question

Status = Assessment.Status


class Event:
    """Stable codes of audit events (never renamed: old records keep them)."""

    CYCLE_CREATED = "cycle.created"
    CYCLE_DELETED = "cycle.deleted"
    SCHEDULE_SET = "cycle.schedule_set"
    SURVEY_APPLIED = "cycle.survey_applied"
    RESULTS_COMPUTED = "cycle.results_computed"
    TRANSITION = "assessment.transition"
    REOPENED = "assessment.reopened"
    WITHDRAWN = "assessment.withdrawn"
    NOT_SUBMITTED = "assessment.not_submitted"
    EXCLUDED = "assessment.excluded"
    INCLUDED = "assessment.included"
    EXPLANATION_EXTENDED = "assessment.explanation_extended"
    BONUS_PENALTY = "assessment.bonus_penalty"
    REMINDER_SENT = "assessment.reminder_sent"
    ACCESS_REFUSED = "access.refused"
    SELF_ASSESSED = "item.self_assessed"
    APPRAISED = "item.appraised"
    REAPPRAISED = "item.reappraised"
    CLAIM_ACCEPTED = "item.claim_accepted"
    EXPLANATION_ASKED = "item.explanation_asked"
    EXPLAINED = "item.explained"
    REPLIED = "item.explanation_replied"
    COUNCIL_ADJUSTED = "item.council_adjusted"
    CONVERTED = "item.converted_points"
    EVIDENCE_ADDED = "evidence.added"
    EVIDENCE_REMOVED = "evidence.removed"
    AFFILIATION_DECLARED = "affiliation.declared"
    AFFILIATION_REMOVED = "affiliation.removed"


# What each transition needs the assessment to be in.
APPRAISAL_OPEN = queries.APPRAISAL_OPEN
REOPENABLE_TO_APPRAISAL = (Status.APPRAISED, Status.COUNCIL_DECIDED, Status.PUBLISHED)

SOURCE_COUNCIL = "Điểm Hội đồng thẩm định — %s"  # stored data, the same in every language
SOURCE_CONVERTED = "Điểm quy đổi từ kết quả điều tra xã hội học — %s"
REASON_ACCEPTED = "Chấp nhận điểm tự đánh giá (có tài liệu kiểm chứng)"  # stored data, as above
REASON_NOT_SUBMITTED = "Đơn vị không nộp tự đánh giá: 0 điểm theo bộ tiêu chí"


class ConcurrentEdit(ValidationError):
    """Someone saved the item after the person now saving it had opened it (optimistic locking)."""

    def __init__(self, current: Item):
        self.current = current
        who = current.updated_by.get_full_name() if current.updated_by else _("someone else")
        when = formats.date_format(timezone.localtime(current.updated_at), "H:i d/m/Y")
        super().__init__(
            _("%(who)s saved %(code)s at %(when)s, after you opened it. Your change was not saved: "
              "look at the values now shown, then save again.") % {"who": who, "code": current.code, "when": when},
            code="concurrent_edit",
        )


# --- small helpers ---------------------------------------------------------------------

def _user(by):
    return by if getattr(by, "pk", None) else None


def _record(*, cycle: Cycle, code: str, by, assessment: Assessment | None = None, item: Item | None = None,
            field: str = "", old="", new="", reason: str = "", at: datetime.datetime | None = None) -> AuditRecord:
    return audit_record(**event_fields(cycle=cycle, code=code, by=by, assessment=assessment, item=item, field=field,
                                         old=old, new=new, reason=reason, at=at))


def event_fields(*, cycle: Cycle, code: str, by, assessment: Assessment | None = None, item: Item | None = None,
                   field: str = "", old="", new="", reason: str = "", at: datetime.datetime | None = None) -> dict:
    """The audit record of a change to a cycle, an assessment of it or an item of that assessment."""
    chain = [o for o in (cycle, assessment, item) if o is not None]
    return {"event": code, "obj": chain[-1], "parents": chain[:-1], "by": by, "field": field, "old": old,
            "new": new, "reason": reason, "at": at}


def points_text(points: Decimal | None, na: bool) -> str:
    """How a points value is stored in the audit trail: a number, N/A, or empty."""
    if na:
        return "N/A"
    return "" if points is None else value_text(points)


def points_parse(value) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(_("%(value)s is not a number.") % {"value": value}) from None


def points_check(node: Node, points: Decimal | None, not_applicable: bool) -> None:
    """0 to the item's maximum, in the steps the framework allows; N/A only where it allows it."""
    if not_applicable:
        if not node.na_allowed:
            raise ValidationError(_("%(code)s cannot be marked not applicable: the framework does not allow it.") % {"code": node.code})
        return
    if points is None:
        raise ValidationError(_("%(code)s: enter the points.") % {"code": node.code})
    maximum = Decimal(str(node.max_points or 0))
    if points < 0 or points > maximum:
        raise ValidationError(
            _("%(code)s: %(points)s is not allowed; the points go from 0 to %(max)s.")
            % {"code": node.code, "points": said(points), "max": said(maximum)}
        )
    if node.points_step:
        step = Decimal(str(node.points_step))
        if (points / step) % 1 != 0:
            raise ValidationError(
                _("%(code)s: %(points)s is not allowed; the points go in steps of %(step)s (0, %(step)s, %(two)s, …).")
                % {"code": node.code, "points": said(points), "step": said(step), "two": said(step * 2)}
            )


def _lock(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update(of=("self",)).select_related("cycle", "unit").get(pk=assessment.pk)


def _lock_item(item: Item) -> Item:
    return (
        Item.objects.select_for_update(of=("self",))
        .select_related("assessment__cycle", "assessment__unit", "node", "updated_by")
        .get(pk=item.pk)
    )


def _check_version(current: Item, expected_version: int | None) -> None:
    """Optimistic locking: refuse a save based on a version someone has since changed."""
    if expected_version is not None and current.lock_version != int(expected_version):
        raise ConcurrentEdit(current)


def _save_item(item: Item, by, fields: list[str]) -> None:
    item.lock_version += 1
    item.updated_by = _user(by)
    item.save(update_fields=[*fields, "lock_version", "updated_by", "updated_at"])


def _transition(assessment: Assessment, to: str, by, reason: str = "", code: str = Event.TRANSITION) -> None:
    """Change the status and write its one record (field "status", old and new status). A step with
    a meaning of its own (excluded, added, closed as not submitted, reopened) is recorded under its
    own code instead of the plain `assessment.transition`: one change, one record; the status
    timeline (queries.status_steps) reads both."""
    old = assessment.status
    assessment.status = to
    assessment.save()
    _record(cycle=assessment.cycle, assessment=assessment, code=code, field="status", old=old, new=to, by=by, reason=reason)


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _allowed(assessment: Assessment, by, action: str, now: datetime.datetime | None = None) -> None:
    """Refuse what queries.action_refusal refuses: the rule the page's buttons follow too."""
    refusal = queries.action_refusal(by, assessment, action, now)
    if refusal is not None:
        raise refusal


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message, code="reason_required")
    return reason


def explanation_deadline(start: datetime.datetime, working_days: int) -> datetime.datetime:
    """The end (23:59) of the `working_days`-th working day after the day of `start`: weekends and
    Vietnamese public holidays do not count (the feedback calendar)."""
    day = working_days_add(timezone.localtime(start).date(), working_days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


# --- cycles ----------------------------------------------------------------------------

@transaction.atomic
def cycle_create(
    *, version: FrameworkVersion, period: Period, block: Block, by, self_assessment_due: datetime.datetime,
    title: str = "", appraisal_due: datetime.datetime | None = None, council_due: datetime.datetime | None = None,
    explanation_days: int | None = None, council_size: int = 9, quorum_percent: int = 50,
) -> Cycle:
    """Open a cycle: one assessment per unit of the block that exists at the end of the period
    (a unit ended during it is left out for its successor, and the record says so), one item per
    sub-criterion. `explanation_days` (working days) defaults to the framework's."""
    _require(permissions.is_secretariat(by))
    if version.framework.method != Framework.Method.POINTS:
        raise ValidationError(_("%(version)s is not a points framework: self-assessment needs points per sub-criterion.") % {"version": version})
    if version.blocks and block.code not in version.blocks:
        raise ValidationError(
            _("%(version)s is for %(blocks)s, not for %(block)s.") % {"version": version, "blocks": ", ".join(version.blocks), "block": block.name}
        )
    if Cycle.objects.filter(version__framework=version.framework, period=period, block=block).exists():
        raise ValidationError(_("There is already a %(framework)s cycle for %(block)s in %(period)s.") % {
            "framework": version.framework.code, "block": block.name, "period": period.name})
    nodes = _indicator_nodes(version)
    units, left_out = queries.cycle_membership(period, block)
    if not units:
        raise ValidationError(_("No unit of this block exists in this period."))
    if explanation_days is None:
        explanation_days = queries.explanation_days_default(version)
    _check_schedule(self_assessment_due, appraisal_due, council_due, council_size, quorum_percent)
    version_freeze(version)
    cycle = Cycle.objects.create(
        version=version, period=period, block=block,
        title=title.strip() or f"{version.framework.name_vi} — {period.name_vi}",
        self_assessment_due=self_assessment_due, appraisal_due=appraisal_due, council_due=council_due,
        explanation_days=explanation_days, council_size=council_size, quorum_percent=quorum_percent, created_by=_user(by),
    )
    _record(cycle=cycle, code=Event.CYCLE_CREATED, by=by, new=f"{version} · {period.code} · {block.code} · {len(units)}",
            reason="; ".join(f"{o.unit.name_vi}: {o.reason}" for o in left_out))
    _assessments_create(cycle, units, nodes, by)
    return cycle


def _indicator_nodes(version: FrameworkVersion) -> list[Node]:
    nodes = list(version.nodes.filter(type=Node.Type.INDICATOR).order_by("order"))
    if not nodes:
        raise ValidationError(_("%(version)s has no sub-criteria.") % {"version": version})
    without_max = [n.code for n in nodes if not n.max_points]
    if without_max:
        raise ValidationError(_("These sub-criteria have no maximum points: %(codes)s.") % {"codes": ", ".join(without_max)})
    return nodes


def _assessments_create(cycle: Cycle, units: list[Unit], nodes: list[Node], by, reason: str = "",
                        code: str = Event.TRANSITION) -> list[Assessment]:
    assessments = Assessment.objects.bulk_create(Assessment(cycle=cycle, unit=u) for u in units)
    Item.objects.bulk_create(
        Item(assessment=a, node=n, code=n.code, order=n.order, part=str(n.extra.get("part") or Item.SELF))
        for a in assessments for n in nodes
    )
    audit_record_many(
        event_fields(cycle=cycle, assessment=a, code=code, field="status", new=Status.DRAFT, by=by, reason=reason)
        for a in assessments
    )
    return assessments


def _cycle_open(cycle: Cycle) -> None:
    if cycle.run_id and cycle.run.status == IndexRun.Status.PUBLISHED:
        raise ValidationError(_("The cycle's results are published: reopen the units concerned first."))


@transaction.atomic
def cycle_unit_add(*, cycle: Cycle, unit: Unit, by, reason: str) -> Assessment:
    """Add a unit to an open cycle (or take an excluded one back), with the reason on record."""
    _require(permissions.is_secretariat(by))
    reason = _reason(reason, _("Give the reason for adding the unit."))
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("run", "period", "block", "version").get(pk=cycle.pk)
    _cycle_open(cycle)
    existing = cycle.assessments.filter(unit=unit).first()
    if existing is not None:
        return assessment_include(assessment=existing, by=by, reason=reason)
    if unit.block_id != cycle.block_id:
        raise ValidationError(_("%(unit)s is not in the block %(block)s.") % {"unit": unit.name, "block": cycle.block.name})
    if not Unit.objects.active_in(cycle.period).filter(pk=unit.pk).exists():
        raise ValidationError(_("%(unit)s did not exist in %(period)s.") % {"unit": unit.name, "period": cycle.period.name})
    (assessment,) = _assessments_create(cycle, [unit], _indicator_nodes(cycle.version), by, reason=reason, code=Event.INCLUDED)
    return assessment


@transaction.atomic
def assessment_exclude(*, assessment: Assessment, by, reason: str) -> Assessment:
    """Loại khỏi đợt — take a unit out of an open cycle, with the reason (its record stays)."""
    assessment = _lock(assessment)
    _allowed(assessment, by, "exclude")
    reason = _reason(reason, _("Give the reason for taking the unit out of the cycle."))
    _cycle_open(assessment.cycle)
    assessment.exclusion_reason = reason
    _transition(assessment, Status.EXCLUDED, by, reason=reason, code=Event.EXCLUDED)
    return assessment


@transaction.atomic
def assessment_include(*, assessment: Assessment, by, reason: str) -> Assessment:
    """Take an excluded unit back into the cycle, as a draft with what it had."""
    assessment = _lock(assessment)
    _allowed(assessment, by, "include")
    reason = _reason(reason, _("Give the reason for adding the unit."))
    _cycle_open(assessment.cycle)
    assessment.exclusion_reason = ""
    _transition(assessment, Status.DRAFT, by, reason=reason, code=Event.INCLUDED)
    return assessment


@transaction.atomic
def cycle_delete(*, cycle: Cycle, by, reason: str) -> None:
    """Delete a cycle opened by mistake: only while no unit has submitted anything. Its audit
    records stay, with the reason."""
    _require(permissions.is_secretariat(by))
    reason = _reason(reason, _("Give the reason for deleting the cycle."))
    cycle = Cycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    assessments = cycle.assessments.all()
    if cycle.run_id or assessments.exclude(status__in=[Status.DRAFT, Status.EXCLUDED]).exists() \
            or assessments.filter(Q(submitted_at__isnull=False) | Q(not_submitted=True)).exists():
        raise ValidationError(_("A unit has already submitted in this cycle: it can no longer be deleted. Exclude units or reopen them instead."))
    _record(cycle=cycle, code=Event.CYCLE_DELETED, by=by, old=f"{cycle.title} · {assessments.count()}", reason=reason)
    Evidence.objects.filter(item__assessment__cycle=cycle).delete()
    Question.objects.filter(item__assessment__cycle=cycle).delete()
    Item.objects.filter(assessment__cycle=cycle).delete()
    assessments.delete()
    cycle.delete()


def _check_schedule(self_due, appraisal_due, council_due, council_size, quorum_percent) -> None:
    if appraisal_due and appraisal_due < self_due:
        raise ValidationError(_("The appraisal cannot be due before the self-assessments."))
    if council_due and council_due < (appraisal_due or self_due):
        raise ValidationError(_("The council cannot be due before the appraisal."))
    if council_size < 1:
        raise ValidationError(_("The council needs at least one member."))
    if not 0 <= quorum_percent < 100:
        raise ValidationError(_("The quorum is a share of the members, from 0 to 99 per cent."))


@transaction.atomic
def cycle_schedule_set(
    *, cycle: Cycle, by, self_assessment_due: datetime.datetime, appraisal_due: datetime.datetime | None,
    council_due: datetime.datetime | None, explanation_days: int, council_size: int, quorum_percent: int, reason: str = "",
) -> Cycle:
    _require(permissions.is_secretariat(by))
    _check_schedule(self_assessment_due, appraisal_due, council_due, council_size, quorum_percent)
    cycle = Cycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    changes = {
        "self_assessment_due": self_assessment_due, "appraisal_due": appraisal_due, "council_due": council_due,
        "explanation_days": explanation_days, "council_size": council_size, "quorum_percent": quorum_percent,
    }
    for name, value in changes.items():
        old = getattr(cycle, name)
        if old != value:
            _record(cycle=cycle, code=Event.SCHEDULE_SET, field=name, old=old, new=value, by=by, reason=reason)
            setattr(cycle, name, value)
    cycle.save()
    return cycle


# --- an item's points ------------------------------------------------------------------

def _points_item(item: Item, by, action: str, *, points, not_applicable: bool, expected_version: int | None,
                 scored_elsewhere: str) -> tuple[Item, Assessment, Decimal | None]:
    """What every change of an item's points starts with (self-assessment, appraisal, council):
    the item locked, the action allowed, a survey-scored item refused (`scored_elsewhere`, with
    %(code)s), the version checked, the points read and checked against the node."""
    item = _lock_item(item)
    assessment = item.assessment
    _allowed(assessment, by, action)
    if not item.is_self_assessed:
        raise ValidationError(scored_elsewhere % {"code": item.code})
    _check_version(item, expected_version)
    points = None if not_applicable else points_parse(points)
    points_check(item.node, points, not_applicable)
    return item, assessment, points


def _points_set(item: Item, assessment: Assessment, by, *, code: str, field: str, old: str, points: Decimal | None,
                not_applicable: bool, reason: str = "", also: dict | None = None) -> list[str]:
    """The audit record of the points' change (old → new, with the reason), then the points on
    the item: `field` and its `_na` beside it, and the fields in `also`. Returns the fields set."""
    _record(cycle=assessment.cycle, assessment=assessment, item=item, code=code, field=field, old=old,
            new=points_text(points, not_applicable), by=by, reason=reason)
    values = {field: points, field.removesuffix("_points") + "_na": not_applicable, **(also or {})}
    for name, value in values.items():
        setattr(item, name, value)
    return list(values)


# --- self-assessment -------------------------------------------------------------------

@transaction.atomic
def item_self_assess(
    *, item: Item, by, points: Decimal | None, not_applicable: bool = False, note: str = "",
    evidence_explanation: str = "", expected_version: int | None = None,
) -> Item:
    """Điểm tự đánh giá — the unit's claim on one sub-criterion, with a note."""
    item, assessment, points = _points_item(
        item, by, "self_assess", points=points, not_applicable=not_applicable, expected_version=expected_version,
        scored_elsewhere=_("%(code)s is scored from survey results, not by the unit."))
    changed = []
    old_points = points_text(item.self_points, item.self_na)
    if old_points != points_text(points, not_applicable):
        changed += _points_set(item, assessment, by, code=Event.SELF_ASSESSED, field="self_points", old=old_points,
                               points=points, not_applicable=not_applicable)
    for name, value in (("self_note", note.strip()), ("evidence_explanation", evidence_explanation.strip())):
        if getattr(item, name) != value:
            _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.SELF_ASSESSED, field=name,
                    old=getattr(item, name), new=value, by=by)
            setattr(item, name, value)
            changed.append(name)
    if changed:
        _save_item(item, by, changed)
    return item


def _check_evidence_open(item: Item, by) -> Assessment:
    """The unit adds or removes evidence while it drafts, or on an item it is asked about, until
    the explanation's deadline."""
    assessment = item.assessment
    if assessment.status == Status.EXPLANATION_REQUESTED and _asked_now(item, assessment):
        _allowed(assessment, by, "explain")
        return assessment
    _allowed(assessment, by, "self_assess")
    return assessment


def _asked_now(item: Item, assessment: Assessment) -> bool:
    return bool(item.explanation_request) and assessment.explanation_round > 0 and item.explanation_round == assessment.explanation_round


def _explanation_round_of(assessment: Assessment) -> int:
    return assessment.explanation_round if assessment.status == Status.EXPLANATION_REQUESTED else 0


@transaction.atomic
def evidence_file_add(*, item: Item, by, name: str, chunks) -> Evidence:
    """Upload a file as evidence: its type is read from its content, its size is limited."""
    item = Item.objects.select_for_update(of=("self",)).select_related("assessment__cycle", "assessment__unit").get(pk=item.pk)
    assessment = _check_evidence_open(item, by)
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or "file"
    stored = evidence_store(name=name, chunks=chunks)
    evidence = Evidence.objects.create(
        item=item, kind=Evidence.Kind.FILE, during_explanation=assessment.status == Status.EXPLANATION_REQUESTED,
        explanation_round=_explanation_round_of(assessment),
        file_path=stored.relative_path, original_name=name, content_type=stored.checked.content_type,
        size=stored.size, sha256=stored.sha256, added_by=by,
    )
    _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.EVIDENCE_ADDED, field="evidence",
            new=f"{name} ({stored.size} B, sha256 {stored.sha256[:12]})", by=by)
    return evidence


@transaction.atomic
def evidence_document_add(*, item: Item, by, number: str, date: datetime.date | None, title: str = "") -> Evidence:
    """Reference a document by its number and date (số hiệu, ngày ban hành) instead of uploading it."""
    item = Item.objects.select_for_update(of=("self",)).select_related("assessment__cycle", "assessment__unit").get(pk=item.pk)
    assessment = _check_evidence_open(item, by)
    number, title = number.strip(), title.strip()
    if not number:
        raise ValidationError(_("Give the document's number (số hiệu), e.g. 123/QĐ-STC."))
    if date is None:
        raise ValidationError(_("Give the date the document was issued."))
    if date > timezone.localdate():
        raise ValidationError(_("The document's date is in the future."))
    evidence = Evidence.objects.create(
        item=item, kind=Evidence.Kind.DOCUMENT, during_explanation=assessment.status == Status.EXPLANATION_REQUESTED,
        explanation_round=_explanation_round_of(assessment),
        doc_number=number, doc_date=date, doc_title=title, added_by=by,
    )
    _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.EVIDENCE_ADDED, field="evidence",
            new=str(evidence), by=by)
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, by, reason: str = "") -> Evidence:
    """Withdraw a piece of evidence. The record (and the file) stay: the trail says what was removed."""
    evidence = Evidence.objects.select_for_update(of=("self",)).select_related("item__assessment__cycle", "item__assessment__unit").get(pk=evidence.pk)
    assessment = _check_evidence_open(evidence.item, by)
    if evidence.removed_at is not None:
        raise ValidationError(_("This evidence was already removed."))
    if assessment.status != Status.DRAFT and not evidence.during_explanation:
        # What the expert team has appraised stays; an explanation only adds to it.
        raise ValidationError(_("Evidence submitted with the self-assessment cannot be removed during the explanation."))
    evidence.removed_at, evidence.removed_by, evidence.removal_reason = timezone.now(), by, reason.strip()
    evidence.save(update_fields=["removed_at", "removed_by", "removal_reason"])
    _record(cycle=assessment.cycle, assessment=assessment, item=evidence.item, code=Event.EVIDENCE_REMOVED, field="evidence",
            old=str(evidence), by=by, reason=reason.strip())
    return evidence


def submission_problems(assessment: Assessment) -> list[str]:
    """What stops a submission: items not scored, and claims without evidence or a written explanation."""
    problems = []
    items = assessment.items.select_related("node").filter(part=Item.SELF)
    with_evidence = set(
        Evidence.objects.filter(item__assessment=assessment, removed_at__isnull=True).values_list("item_id", flat=True)
    )
    unscored = [i.code for i in items if not i.is_claimed]
    if unscored:
        problems.append(_("Not scored yet: %(codes)s.") % {"codes": ", ".join(unscored)})
    unproven = [
        i.code for i in items
        if i.node.evidence_required and not i.self_na and (i.self_points or 0) > 0
        and i.pk not in with_evidence and not i.evidence_explanation.strip()
    ]
    if unproven:
        problems.append(_("Evidence is required but missing, and no explanation is written: %(codes)s.") % {"codes": ", ".join(unproven)})
    return problems


@transaction.atomic
def assessment_submit(*, assessment: Assessment, by, now: datetime.datetime | None = None) -> Assessment:
    """Nộp — the unit sends its self-assessment, by the deadline (or the late date the secretariat allowed)."""
    assessment = _lock(assessment)
    now = now or timezone.now()
    _allowed(assessment, by, "submit", now)
    problems = submission_problems(assessment)
    if problems:
        raise ValidationError(problems)
    assessment.submitted_at, assessment.submitted_by = now, _user(by)
    _transition(assessment, Status.SUBMITTED, by)
    return assessment


@transaction.atomic
def assessment_withdraw(*, assessment: Assessment, by, reason: str = "", now: datetime.datetime | None = None) -> Assessment:
    """Rút lại — the unit takes its submission back to edit it, until the deadline and until the
    expert team starts on it; each withdrawal is on record. After that only the secretariat reopens."""
    assessment = _lock(assessment)
    now = now or timezone.now()
    _allowed(assessment, by, "withdraw", now)
    _record(cycle=assessment.cycle, assessment=assessment, code=Event.WITHDRAWN, field="submitted_at",
            old=assessment.submitted_at, by=by, reason=reason.strip())
    assessment.submitted_at, assessment.submitted_by = None, None
    _transition(assessment, Status.DRAFT, by, reason=reason.strip())
    return assessment


@transaction.atomic
def assessment_close_unsubmitted(*, assessment: Assessment, by, reason: str, now: datetime.datetime | None = None) -> Assessment:
    """Chưa nộp — past the deadline the secretariat closes a self-assessment never submitted. As the
    framework says (`non_submission`): the expert team appraises what the unit has ("appraise"),
    or every sub-criterion gets 0 and the assessment goes to the council ("zero")."""
    assessment = _lock(assessment)
    now = now or timezone.now()
    _allowed(assessment, by, "close_unsubmitted", now)
    reason = _reason(reason, _("Give the reason for closing the self-assessment as not submitted."))
    cycle = assessment.cycle
    assessment.not_submitted = True
    if queries.non_submission_rule(cycle.version) == "zero":
        items = list(assessment.items.filter(part=Item.SELF).select_for_update(of=("self",)))
        records = []
        for item in items:
            records.append(event_fields(cycle=cycle, assessment=assessment, item=item, code=Event.APPRAISED, field="appraised_points",
                                        old=points_text(item.appraised_points, item.appraised_na), new="0", by=by,
                                        reason=REASON_NOT_SUBMITTED))
            item.appraised_points, item.appraised_na, item.appraisal_comment = Decimal(0), False, REASON_NOT_SUBMITTED
            item.appraised_by, item.appraised_at = _user(by), now
            _save_item(item, by, ["appraised_points", "appraised_na", "appraisal_comment", "appraised_by", "appraised_at"])
        audit_record_many(records)
        _transition(assessment, Status.APPRAISED, by, reason=reason, code=Event.NOT_SUBMITTED)
    else:
        _transition(assessment, Status.SUBMITTED, by, reason=reason, code=Event.NOT_SUBMITTED)
    return assessment


# --- appraisal -------------------------------------------------------------------------

@transaction.atomic
def assessment_appraisal_start(*, assessment: Assessment, by) -> Assessment:
    assessment = _lock(assessment)
    _allowed(assessment, by, "start")
    _transition(assessment, Status.UNDER_APPRAISAL, by)
    return assessment


def _differs_from_claim(item: Item, points: Decimal | None, na: bool) -> bool:
    return (points, na) != (item.self_points, item.self_na)


@transaction.atomic
def item_appraise(
    *, item: Item, by, points: Decimal | None, not_applicable: bool = False, comment: str = "",
    explanation_request: str | None = None, expected_version: int | None = None,
) -> Item:
    """Điểm thẩm định — the expert team's points and comment on one sub-criterion; optionally a
    question for the unit, sent with the next explanation request.

    Round 1 until the unit's first explanations come back; from then on (phúc tra) the points
    are round 2's and round 1 stays as it was. Points away from the unit's claim need the
    comment, which the audit record carries as the reason.
    """
    item, assessment, points = _points_item(
        item, by, "appraise", points=points, not_applicable=not_applicable, expected_version=expected_version,
        scored_elsewhere=_("%(code)s is scored from survey results, not by appraisal."))
    if assessment.status == Status.SUBMITTED:
        assessment_appraisal_start(assessment=assessment, by=by)
        assessment.refresh_from_db()
    comment = comment.strip()
    round2 = assessment.appraisal_round > 1
    prefix = "round2" if round2 else "appraised"
    old_points, old_na = (item.round2_points, item.round2_na) if round2 else (item.appraised_points, item.appraised_na)
    if round2 and not item.is_reappraised:
        old_points, old_na = item.appraised_points, item.appraised_na  # round 2 starts from round 1
    changed = []
    old, new = points_text(old_points, old_na), points_text(points, not_applicable)
    moved = old != new or (round2 and not item.is_reappraised)
    reason = comment
    if moved and round2 and not comment and (points, not_applicable) == (item.appraised_points, item.appraised_na):
        reason = item.appraisal_comment  # round 2 keeps round 1's points: round 1's reason stands
    if moved and _differs_from_claim(item, points, not_applicable) and not reason:
        raise ValidationError(
            _("%(code)s: the points differ from the unit's claim (%(claim)s): write the reason in the comment.")
            % {"code": item.code, "claim": _("not applicable") if item.self_na else said(item.self_points) if item.self_points is not None else "—"},
            code="reason_required",
        )
    if moved:
        changed += _points_set(
            item, assessment, by, code=Event.REAPPRAISED if round2 else Event.APPRAISED, field=f"{prefix}_points",
            old=points_text(item.round2_points, item.round2_na) if round2 else old, points=points,
            not_applicable=not_applicable, reason=reason, also={f"{prefix}_by": _user(by), f"{prefix}_at": timezone.now()})
    comment_field = "round2_comment" if round2 else "appraisal_comment"
    if getattr(item, comment_field) != comment:
        _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.REAPPRAISED if round2 else Event.APPRAISED,
                field=comment_field, old=getattr(item, comment_field), new=comment, by=by)
        setattr(item, comment_field, comment)
        changed.append(comment_field)
        if round2 and comment:
            _reply(item, assessment, comment, by)
    if explanation_request is not None:
        changed += _set_question(item, assessment, explanation_request.strip(), by)
    if changed:
        _save_item(item, by, changed)
    return item


def _reply(item: Item, assessment: Assessment, text: str, by) -> None:
    """The round-2 comment answers the latest answered question on the item (the page shows it under the answer)."""
    question = item.questions.filter(round__lte=assessment.explanation_round).exclude(answer="").order_by("-round").first()
    if question is None or question.reply == text:
        return
    _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.REPLIED, field="reply", old=question.reply,
            new=text, by=by, reason=_("Round %(round)s") % {"round": question.round})
    question.reply, question.replied_by, question.replied_at = text, _user(by), timezone.now()
    question.save(update_fields=["reply", "replied_by", "replied_at"])


@dataclass
class AcceptOutcome:
    accepted: list[Item] = field(default_factory=list)
    without_evidence: list[Item] = field(default_factory=list)
    unclaimed: list[Item] = field(default_factory=list)


@transaction.atomic
def assessment_claims_accept(*, assessment: Assessment, by, under: str | None = None) -> AcceptOutcome:
    """Chấp nhận hàng loạt — the expert team accepts the unit's claim on every item of the
    assessment (or under one criterion or field, `under`) that is not appraised yet in this round
    and whose evidence is present (or not required by the framework). One audit record per item."""
    assessment = _lock(assessment)
    _allowed(assessment, by, "accept_claims")
    if assessment.status == Status.SUBMITTED:
        assessment_appraisal_start(assessment=assessment, by=by)
        assessment.refresh_from_db()
    round2 = assessment.appraisal_round > 1
    codes = None
    if under:
        codes = _codes_under(assessment.cycle.version, under)
        if not codes:
            raise ValidationError(_("%(code)s is not a criterion of this framework.") % {"code": under})
    items = assessment.items.filter(part=Item.SELF).select_related("node").select_for_update(of=("self",)).order_by("order")
    with_evidence = set(
        Evidence.objects.filter(item__assessment=assessment, removed_at__isnull=True).values_list("item_id", flat=True)
    )
    outcome = AcceptOutcome()
    now = timezone.now()
    records = []
    for item in items:
        if codes is not None and item.code not in codes:
            continue
        if item.is_reappraised if round2 else item.is_appraised:
            continue
        if not item.is_claimed:
            outcome.unclaimed.append(item)
            continue
        if item.node.evidence_required and not item.self_na and item.pk not in with_evidence:
            outcome.without_evidence.append(item)
            continue
        prefix = "round2" if round2 else "appraised"
        old = points_text(getattr(item, f"{prefix}_points"), getattr(item, f"{prefix}_na"))
        records.append(event_fields(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.CLAIM_ACCEPTED,
                                    field=f"{prefix}_points", old=old, new=points_text(item.self_points, item.self_na), by=by,
                                    reason=REASON_ACCEPTED))
        setattr(item, f"{prefix}_points", item.self_points)
        setattr(item, f"{prefix}_na", item.self_na)
        setattr(item, f"{prefix}_by", _user(by))
        setattr(item, f"{prefix}_at", now)
        _save_item(item, by, [f"{prefix}_points", f"{prefix}_na", f"{prefix}_by", f"{prefix}_at"])
        outcome.accepted.append(item)
    audit_record_many(records)
    return outcome


def _codes_under(version: FrameworkVersion, code: str) -> set[str]:
    """The sub-criteria under a node (itself, if it is one)."""
    children: dict[str, list[str]] = {}
    types = {}
    for node_code, parent, type_ in version.nodes.values_list("code", "parent_code", "type"):
        children.setdefault(parent, []).append(node_code)
        types[node_code] = type_
    if code not in types:
        return set()
    found, stack = set(), [code]
    while stack:
        current = stack.pop()
        if types.get(current) == Node.Type.INDICATOR:
            found.add(current)
        stack.extend(children.get(current, []))
    return found


def _set_question(item: Item, assessment: Assessment, question: str, by) -> list[str]:
    """Write (or withdraw) the question for the next explanation round; earlier rounds stay as Questions."""
    pending = item.explanation_request if item.explanation_round == assessment.explanation_round + 1 else ""
    if question == pending:
        return []
    if assessment.status not in (Status.SUBMITTED, Status.UNDER_APPRAISAL, Status.EXPLAINED):
        raise queries.status_refusal(assessment, "request_explanation")
    _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.EXPLANATION_ASKED, field="explanation_request",
            old=pending, new=question, by=by)
    item.explanation_request = question
    item.explanation_round = assessment.explanation_round + 1 if question else assessment.explanation_round
    item.explanation, item.explained_at = "", None
    return ["explanation_request", "explanation_round", "explanation", "explained_at"]


def pending_questions(assessment: Assessment):
    return assessment.items.filter(explanation_round=assessment.explanation_round + 1).exclude(explanation_request="")


def current_questions(assessment: Assessment):
    if assessment.explanation_round == 0:
        return assessment.items.none()
    return assessment.items.filter(explanation_round=assessment.explanation_round).exclude(explanation_request="")


@transaction.atomic
def assessment_explanation_request(*, assessment: Assessment, by, now: datetime.datetime | None = None) -> Assessment:
    """Yêu cầu giải trình — send the questions written on items to the unit. The deadline is the
    cycle's number of working days (weekends and public holidays do not count)."""
    assessment = _lock(assessment)
    _allowed(assessment, by, "request_explanation")
    questions = list(pending_questions(assessment))
    if not questions:
        raise ValidationError(_("Write the question on at least one item first."))
    now = now or timezone.now()
    assessment.explanation_round += 1
    assessment.explanation_due = explanation_deadline(now, assessment.cycle.explanation_days)
    Question.objects.bulk_create(
        Question(item=q, round=assessment.explanation_round, text=q.explanation_request, asked_by=_user(by), asked_at=now)
        for q in questions
    )
    _transition(assessment, Status.EXPLANATION_REQUESTED, by,
                reason=_("Round %(round)s: %(codes)s; due %(due)s") % {
                    "round": assessment.explanation_round, "codes": ", ".join(q.code for q in questions),
                    "due": queries.day_text(assessment.explanation_due)})
    par_notices(assessment=assessment, by=by)
    return assessment


@transaction.atomic
def assessment_explanation_extend(*, assessment: Assessment, by, working_days: int, reason: str,
                                  now: datetime.datetime | None = None) -> Assessment:
    """Gia hạn giải trình — the secretariat gives the unit more working days (from the later of
    today and the old deadline); the form opens again until then."""
    assessment = _lock(assessment)
    _allowed(assessment, by, "extend_explanation")
    reason = _reason(reason, _("Give the reason for extending the deadline."))
    if not 1 <= int(working_days) <= 60:
        raise ValidationError(_("Extend by 1 to 60 working days."))
    now = now or timezone.now()
    start = max(now, assessment.explanation_due or now)
    due = explanation_deadline(start, int(working_days))
    _record(cycle=assessment.cycle, assessment=assessment, code=Event.EXPLANATION_EXTENDED, field="explanation_due",
            old=assessment.explanation_due, new=due, by=by, reason=reason)
    assessment.explanation_due = due
    assessment.save()
    return assessment


@transaction.atomic
def item_explain(*, item: Item, by, explanation: str, expected_version: int | None = None) -> Item:
    """Giải trình — the unit's answer to the question on one item, until the deadline."""
    item = _lock_item(item)
    assessment = item.assessment
    _allowed(assessment, by, "explain")
    if not _asked_now(item, assessment):
        raise ValidationError(_("No explanation was asked on %(code)s.") % {"code": item.code})
    _check_version(item, expected_version)
    explanation = explanation.strip()
    if explanation != item.explanation:
        _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.EXPLAINED, field="explanation",
                old=item.explanation, new=explanation, by=by)
        now = timezone.now()
        item.explanation, item.explained_at = explanation, now
        _save_item(item, by, ["explanation", "explained_at"])
        Question.objects.filter(item=item, round=assessment.explanation_round).update(
            answer=explanation, answered_by=_user(by), answered_at=now)
    return item


@transaction.atomic
def assessment_explanation_submit(*, assessment: Assessment, by) -> Assessment:
    """The unit sends its explanations back to the expert team, who then appraise in round 2."""
    assessment = _lock(assessment)
    _allowed(assessment, by, "send_explanation")
    unanswered = [i.code for i in current_questions(assessment) if not i.explanation.strip()]
    if unanswered:
        raise ValidationError(_("Answer every question first: %(codes)s.") % {"codes": ", ".join(unanswered)})
    assessment.appraisal_round = 2
    _transition(assessment, Status.EXPLAINED, by)
    par_notices(assessment=assessment, by=by)
    return assessment


@transaction.atomic
def assessment_explanation_skip(*, assessment: Assessment, by, reason: str) -> Assessment:
    """Past the explanation's deadline (and any extension) the expert team goes on without it."""
    assessment = _lock(assessment)
    _allowed(assessment, by, "skip_explanation")
    reason = _reason(reason, _("Give the reason for going on without the explanation."))
    assessment.appraisal_round = 2
    _transition(assessment, Status.EXPLAINED, by, reason=reason)
    return assessment


@transaction.atomic
def assessment_appraisal_complete(*, assessment: Assessment, by) -> Assessment:
    """Thẩm định xong — every sub-criterion has appraised points; goes to the council."""
    assessment = _lock(assessment)
    _allowed(assessment, by, "complete")
    missing = [i.code for i in assessment.items.filter(part=Item.SELF) if not (i.is_appraised or i.is_reappraised)]
    if missing:
        raise ValidationError(_("Not appraised yet: %(codes)s.") % {"codes": ", ".join(missing)})
    unsent = [i.code for i in pending_questions(assessment)]
    if unsent:
        raise ValidationError(_("Questions not sent yet: %(codes)s. Send them or clear them.") % {"codes": ", ".join(unsent)})
    _transition(assessment, Status.APPRAISED, by)
    par_notices(assessment=assessment, by=by)
    return assessment


# --- council ---------------------------------------------------------------------------

@transaction.atomic
def item_council_adjust(
    *, item: Item, by, points: Decimal | None, not_applicable: bool = False, reason: str, expected_version: int | None = None,
) -> Item:
    """The council changes the appraised points of one item before deciding (the reason is kept)."""
    item, assessment, points = _points_item(
        item, by, "council_adjust", points=points, not_applicable=not_applicable, expected_version=expected_version,
        scored_elsewhere=_("%(code)s is scored from survey results, not by appraisal."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for changing the appraised points."))
    changed = _points_set(item, assessment, by, code=Event.COUNCIL_ADJUSTED, field="council_points",
                          old=points_text(*item.final), points=points, not_applicable=not_applicable,
                          reason=reason.strip(), also={"council_adjusted": True})
    _save_item(item, by, changed)
    return item


@transaction.atomic
def assessment_bonus_penalty_set(*, assessment: Assessment, by, points: dict[str, Decimal | str | None], note: str = "") -> Assessment:
    """Điểm thưởng, điểm trừ — the council chooses among the framework's reasons, each within its
    maximum, each kind's total within its cap (`points`: reason code → points; a penalty is the
    positive number of points deducted). Added to the total after its cap; the audit record of
    each reason names it."""
    assessment = _lock(assessment)
    _allowed(assessment, by, "bonus")
    rules = queries.bonus_penalty_rules(assessment.cycle.version)
    reasons = {r.code: (kind, r) for kind, rule in rules.items() for r in rule.reasons}
    if not reasons:
        raise ValidationError(_("This framework version lists no bonus or penalty reasons."))
    unknown = [code for code in points if code not in reasons]
    if unknown:
        raise ValidationError(_("Not a bonus or penalty reason of this framework: %(codes)s.") % {"codes": ", ".join(unknown)})
    chosen: dict[str, dict[str, Decimal]] = {"bonus": {}, "penalty": {}}
    for code, value in points.items():
        value = points_parse(value)
        if not value:
            continue
        kind, reason = reasons[code]
        if value < 0:
            raise ValidationError(_("Bonus and penalty points are written as positive numbers."))
        if value > reason.maximum:
            raise ValidationError(_("%(reason)s: at most %(max)s points.") % {"reason": reason.name, "max": said(reason.maximum)})
        chosen[kind][code] = value
    for kind, rule in rules.items():
        total = sum(chosen[kind].values(), Decimal(0))
        if rule.cap is not None and total > rule.cap:
            raise ValidationError(_("%(name)s: %(total)s points in all, above the framework's cap of %(cap)s.") % {
                "name": rule.name, "total": said(total), "cap": said(rule.cap)})
    note = note.strip()
    before = assessment.bonus_penalty or {}
    cycle = assessment.cycle
    for code, (kind, reason) in reasons.items():
        old = Decimal(str(before.get(kind, {}).get(code, "0")))
        new = chosen[kind].get(code, Decimal(0))
        if old != new:
            _record(cycle=cycle, assessment=assessment, code=Event.BONUS_PENALTY, field=f"{kind}_points", old=old, new=new, by=by,
                    reason=f"{reason.name}" + (f" — {note}" if note else ""))
    assessment.bonus_penalty = {kind: {code: str(v) for code, v in values.items()} for kind, values in chosen.items() if values}
    assessment.bonus_points = sum(chosen["bonus"].values(), Decimal(0))
    assessment.penalty_points = sum(chosen["penalty"].values(), Decimal(0))
    assessment.save()
    return assessment


def quorum_reached(*, present: int, total: int, quorum_percent: int) -> bool:
    """More than quorum_percent % of the members are present (default: more than half)."""
    return present * 100 > quorum_percent * total


@transaction.atomic
def council_decide(
    *, cycle: Cycle, assessments: list[Assessment], by, meeting_date: datetime.date, members_present: list[str],
    votes_for: int, votes_against: int = 0, votes_abstain: int = 0, minutes_number: str = "", note: str = "",
) -> CouncilDecision:
    """Quyết nghị — the council adopts the proposed final points of these units; they are locked."""
    _require(permissions.is_council(by))
    present = [name.strip() for name in members_present if name.strip()]
    if len(set(present)) != len(present):
        raise ValidationError(_("A member is listed twice among those present."))
    total = cycle.council_size
    if len(present) > total:
        raise ValidationError(_("%(present)s members present, but the council has %(total)s.") % {"present": len(present), "total": total})
    if not quorum_reached(present=len(present), total=total, quorum_percent=cycle.quorum_percent):
        raise ValidationError(
            _("No quorum: %(present)s of %(total)s members present; more than %(quorum)s %% must be.")
            % {"present": len(present), "total": total, "quorum": cycle.quorum_percent}
        )
    if min(votes_for, votes_against, votes_abstain) < 0 or votes_for + votes_against + votes_abstain > len(present):
        raise ValidationError(_("The votes add up to more than the members present."))
    if votes_for * 2 <= len(present):
        raise ValidationError(
            _("Not adopted: %(for)s of %(present)s members present voted for; more than half must.") % {"for": votes_for, "present": len(present)}
        )
    if not assessments:
        raise ValidationError(_("Choose the units the decision covers."))
    locked = [_lock(a) for a in assessments]
    not_ready = [a.unit.name for a in locked if a.cycle_id != cycle.pk or a.status != Status.APPRAISED]
    if not_ready:
        raise ValidationError(_("Not appraised yet, so not for the council: %(units)s.") % {"units": ", ".join(not_ready)})
    decision = CouncilDecision.objects.create(
        cycle=cycle, meeting_date=meeting_date, minutes_number=minutes_number.strip(), members_total=total,
        members_present=present, quorum_percent=cycle.quorum_percent, votes_for=votes_for, votes_against=votes_against,
        votes_abstain=votes_abstain, note=note.strip(), recorded_by=by,
    )
    reason = _("Council decision of %(date)s%(minutes)s: %(for)s for, %(against)s against, %(abstain)s abstaining; %(present)s of %(total)s present") % {
        "date": formats.date_format(meeting_date, "d/m/Y"), "minutes": f" ({decision.minutes_number})" if decision.minutes_number else "",
        "for": votes_for, "against": votes_against, "abstain": votes_abstain, "present": len(present), "total": total,
    }
    for assessment in locked:
        assessment.decision = decision
        _transition(assessment, Status.COUNCIL_DECIDED, by, reason=reason)
        par_notices(assessment=assessment, by=by)
    return decision


# --- converted points (survey results) --------------------------------------------------

@dataclass
class ConversionOutcome:
    changed: int = 0
    unchanged: int = 0
    missing: list[tuple[Unit, str]] = field(default_factory=list)
    locked: list[Unit] = field(default_factory=list)


def conversion_rule(node: Node) -> tuple[str, float]:
    """The framework's rule for a survey item: the code to read in the survey run (`source_code`,
    default the item's own) and the value that earns full points (`source_scale`, default 100:
    a satisfaction percentage). Points = value / scale × the item's maximum, within [0, maximum]."""
    extra = node.extra or {}
    return str(extra.get("source_code") or node.code), float(extra.get("source_scale") or 100)


def converted_points(node: Node, value: float) -> Decimal:
    _code, scale = conversion_rule(node)
    share = min(max(value / scale, 0.0), 1.0)
    return (Decimal(str(share)) * Decimal(str(node.max_points))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def survey_points_apply(*, cycle: Cycle, run: IndexRun, by) -> ConversionOutcome:
    """Fill the survey items of every assessment of the cycle from a published survey index run."""
    _require(permissions.is_secretariat(by))
    if run.status != IndexRun.Status.PUBLISHED:
        raise ValidationError(_("Use a published survey run: a draft may still change."))
    if run.period_id != cycle.period_id:
        raise ValidationError(_("The survey run is for %(run)s, the cycle for %(cycle)s.") % {"run": run.period.name, "cycle": cycle.period.name})
    cycle = Cycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    items = list(
        Item.objects.filter(assessment__cycle=cycle).exclude(part=Item.SELF)
        .select_related("node", "assessment__unit").select_for_update(of=("self",))
    )
    if not items:
        raise ValidationError(_("This framework has no survey items."))
    scores = {(s.unit_id, s.code): s.value for s in RunScore.objects.filter(run=run)}
    outcome = ConversionOutcome()
    source = SOURCE_CONVERTED % run.title
    for item in items:
        assessment = item.assessment
        if assessment.status == Status.PUBLISHED:
            if assessment.unit not in outcome.locked:
                outcome.locked.append(assessment.unit)
            continue
        code, _scale = conversion_rule(item.node)
        value = scores.get((assessment.unit_id, code))
        if value is None:
            outcome.missing.append((assessment.unit, item.code))
            continue
        points = converted_points(item.node, value)
        if item.external_points == points and item.external_source == source:
            outcome.unchanged += 1
            continue
        _record(cycle=cycle, assessment=assessment, item=item, code=Event.CONVERTED, field="external_points",
                old=points_text(item.external_points, False), new=points_text(points, False), by=by,
                reason=f"{run.title}: {code} = {shown(Decimal(f'{value:g}'))}")  # read as written here: 66,9
        item.external_points, item.external_source = points, source
        _save_item(item, by, ["external_points", "external_source"])
        outcome.changed += 1
    old = cycle.survey_run.title if cycle.survey_run else ""
    if cycle.survey_run_id != run.pk:
        cycle.survey_run = run
        cycle.save(update_fields=["survey_run"])
    _record(cycle=cycle, code=Event.SURVEY_APPLIED, field="survey_run", old=old, new=run.title, by=by,
            reason=_("%(changed)s changed, %(missing)s missing") % {"changed": outcome.changed, "missing": len(outcome.missing)})
    return outcome


# --- results and publication ------------------------------------------------------------

def results_problems(cycle: Cycle) -> list[str]:
    problems = []
    assessments = list(cycle.assessments.select_related("unit"))
    undecided = [a.unit.name for a in assessments if a.status not in (Status.COUNCIL_DECIDED, Status.PUBLISHED, Status.EXCLUDED)]
    if undecided:
        problems.append(_("The council has not decided yet on: %(units)s. Decide them, or exclude them from the cycle with a reason.")
                        % {"units": ", ".join(undecided)})
    if not any(a.status != Status.EXCLUDED for a in assessments):
        problems.append(_("Every unit is excluded from the cycle."))
    missing = (Item.objects.filter(assessment__cycle=cycle, external_points__isnull=True).exclude(part=Item.SELF)
               .exclude(assessment__status=Status.EXCLUDED))
    if missing.exists():
        units = sorted({i.assessment.unit.name for i in missing.select_related("assessment__unit")})
        problems.append(_("Survey points are missing for: %(units)s.") % {"units": ", ".join(units)})
    return problems


@transaction.atomic
def cycle_results_compute(*, cycle: Cycle, by) -> IndexRun:
    """Write the decided points as indicator values and compute a draft run (capped sums,
    not-applicable rescaling, bonus and penalty, ranks and bands) with the index run machinery."""
    _require(permissions.is_secretariat(by))
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("version__framework", "period", "block", "run").get(pk=cycle.pk)
    problems = results_problems(cycle)
    if problems:
        raise ValidationError(problems)
    framework = cycle.version.framework
    source = SOURCE_COUNCIL % cycle.title
    assessments = cycle.assessments.exclude(status=Status.EXCLUDED).select_related("unit").prefetch_related("items")
    extra_codes = set(cycle.version.nodes.filter(code__in=["bonus", "penalty"]).values_list("code", flat=True))
    entries = []
    for assessment in assessments:
        for item in assessment.items.all():
            points, na = item.final
            entries.append(ValueEntry(
                unit=assessment.unit, code=item.code, value=None if na else float(points), not_applicable=na,
                source=source if item.is_self_assessed else (item.external_source or source),
            ))
        for code, value in (("bonus", assessment.bonus_points), ("penalty", assessment.penalty_points)):
            if code in extra_codes:
                entries.append(ValueEntry(unit=assessment.unit, code=code, value=float(value), source=source))
    indicator_values_set(framework=framework, period=cycle.period, entries=entries, by=by,
                         source_kind="assessment", produced_by=cycle)
    previous = cycle.run
    if previous is not None and previous.status == IndexRun.Status.DRAFT:
        cycle.run = None
        cycle.save(update_fields=["run"])
        run_discard(run=previous, by=_user(by), owner=cycle)
    run = run_create(version=cycle.version, period=cycle.period, block=cycle.block, by=_user(by), title=cycle.title, owner=cycle)
    cycle.run = run
    cycle.save(update_fields=["run"])
    _record(cycle=cycle, code=Event.RESULTS_COMPUTED, field="run", old=previous.pk if previous else "", new=run.pk, by=by)
    return run


@transaction.atomic
def cycle_publish(*, cycle: Cycle, by, reason: str = "") -> IndexRun:
    """Công bố — publish the results run; every decided assessment of the cycle becomes published."""
    _require(permissions.is_secretariat(by))
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("run").get(pk=cycle.pk)
    run = cycle.run
    if run is None or run.status != IndexRun.Status.DRAFT:
        raise ValidationError(_("Compute the results first."))
    problems = results_problems(cycle)
    stale = (
        Item.objects.filter(assessment__cycle=cycle, updated_at__gt=run.created_at).exists()
        or cycle.assessments.filter(updated_at__gt=run.created_at).exclude(status=Status.PUBLISHED).exists()
    )
    if stale:
        problems.append(_("Points changed after the results were computed: compute them again."))
    if problems:
        raise ValidationError(problems)
    run = run_publish(run=run, by=_user(by), reason=reason, owner=cycle)
    for assessment in cycle.assessments.select_for_update(of=("self",)).filter(status=Status.COUNCIL_DECIDED):
        _transition(assessment, Status.PUBLISHED, by, reason=reason or run.title)
    return run


@transaction.atomic
def assessment_reopen(*, assessment: Assessment, by, reason: str, until: datetime.datetime | None = None) -> Assessment:
    """Mở lại — the secretariat's explicit, recorded exception.

    A draft past its deadline or a submitted self-assessment: the unit may work and submit until
    `until`. An appraised, decided or published assessment goes back to the expert team; the
    council decides again and the results are published again (with a reason).
    """
    assessment = _lock(assessment)
    _allowed(assessment, by, "reopen")
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for reopening."))
    if assessment.status in (Status.DRAFT, Status.SUBMITTED):
        if until is None or until <= timezone.now():
            raise ValidationError(_("Give the new deadline for the unit, in the future."))
        _record(cycle=assessment.cycle, assessment=assessment, code=Event.REOPENED, field="late_until",
                old=assessment.late_until, new=until, by=by, reason=reason)
        assessment.late_until = until
        assessment.not_submitted = False
        if assessment.status == Status.SUBMITTED:
            _transition(assessment, Status.DRAFT, by, reason=reason)
        else:
            assessment.save()
        return assessment
    if assessment.status not in REOPENABLE_TO_APPRAISAL:
        raise queries.status_refusal(assessment, "reopen")
    assessment.decision = None
    _transition(assessment, Status.UNDER_APPRAISAL, by, reason=reason, code=Event.REOPENED)
    return assessment


# --- conflicts of interest, refusals, reminders ----------------------------------------

def _affiliation_record(code: str, affiliation: Affiliation, by, *, field: str = "", old="", new="") -> AuditRecord:
    """On the unit's trail (its history shows who may not appraise it), naming the appraiser."""
    return audit_record(event=code, obj=affiliation, parents=(affiliation.unit,), by=by, field=field, old=old, new=new,
                        details={"user": affiliation.user.username, "unit": affiliation.unit.code})


@transaction.atomic
def affiliation_declare(*, user, unit: Unit, by, note: str = "") -> Affiliation:
    """Quan hệ công tác — the appraiser belongs to (or comes from) the unit and will not appraise it.
    Declared again with another note: the note changes, on record; with the same note: nothing."""
    _require(permissions.is_secretariat(by))
    note = note.strip()
    existing = Affiliation.objects.select_for_update().filter(user=user, unit=unit).first()
    if existing is None:
        affiliation = Affiliation.objects.create(user=user, unit=unit, note=note)
        _affiliation_record(Event.AFFILIATION_DECLARED, affiliation, by, field="user", new=user.username)
        return affiliation
    if existing.note != note:
        old, existing.note = existing.note, note
        existing.save(update_fields=["note"])
        _affiliation_record(Event.AFFILIATION_DECLARED, existing, by, field="note", old=old, new=note)
    return existing


@transaction.atomic
def affiliation_remove(*, affiliation: Affiliation, by) -> None:
    _require(permissions.is_secretariat(by))
    _affiliation_record(Event.AFFILIATION_REMOVED, affiliation, by, field="user", old=affiliation.user.username)
    affiliation.delete()


def access_refusal_record(*, assessment: Assessment, by, action: str) -> AuditRecord:
    """A refused attempt (403) is on record too: who tried what on which assessment."""
    return _record(cycle=assessment.cycle, assessment=assessment, code=Event.ACCESS_REFUSED, field="action",
                   new=action[:200], by=by)


@dataclass
class Reminder:
    recipients: list[str]
    assessments: list[Assessment]
    lines: list[str]


def _due_soon(due, now, days_ahead) -> bool:
    return due is not None and due <= now + datetime.timedelta(days=days_ahead)


def reminders_send(*, now: datetime.datetime | None = None, days_ahead: int = 3, base_url: str = "") -> int:
    """E-mail who has something due within `days_ahead` days or overdue; once a day at most per
    assessment. Returns the number of e-mails sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    open_statuses = [s for s in Status.values if s not in (Status.COUNCIL_DECIDED, Status.PUBLISHED, Status.EXCLUDED)]
    assessments = list(
        Assessment.objects.filter(status__in=open_statuses).select_related("cycle", "unit")
    )
    start_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    reminded_today = set(
        int(pk) for pk in AuditRecord.objects.filter(
            event=Event.REMINDER_SENT, object_type=Assessment._meta.label_lower, at__gte=start_of_day,
        ).values_list("object_id", flat=True)
    )
    experts = [u for u in User.objects.filter(role=Role.APPRAISER, is_active=True).exclude(email="") if permissions.is_expert(u)]
    council = [u for u in User.objects.filter(role=Role.APPRAISER, is_active=True).exclude(email="") if permissions.is_council(u)]
    conflicts = {}
    for aff in Affiliation.objects.all():
        conflicts.setdefault(aff.user_id, set()).add(aff.unit_id)
    mails: dict[str, Reminder] = {}

    def add(users, assessment, line):
        for user in users:
            if assessment.unit_id in conflicts.get(user.pk, set()) and user.role == Role.APPRAISER:
                continue
            reminder = mails.setdefault(user.email, Reminder([user.email], [], []))
            reminder.assessments.append(assessment)
            reminder.lines.append(line)

    with translation.override(settings.LANGUAGE_CODE):
        for a in assessments:
            if a.pk in reminded_today:
                continue
            link = base_url + reverse("assessments:detail", args=[a.pk])
            officers = list(a.unit.officers.filter(is_active=True).exclude(email=""))
            if a.status == Status.DRAFT and _due_soon(a.submission_due, now, days_ahead):
                add(officers, a, _line(_("Self-assessment of %(unit)s"), a, a.submission_due, now, link))
            elif a.status == Status.EXPLANATION_REQUESTED and _due_soon(a.explanation_due, now, days_ahead):
                add(officers, a, _line(_("Explanation requested from %(unit)s"), a, a.explanation_due, now, link))
            elif a.status in (Status.SUBMITTED, Status.UNDER_APPRAISAL, Status.EXPLAINED) and _due_soon(a.cycle.appraisal_due, now, days_ahead):
                add(experts, a, _line(_("Appraisal of %(unit)s"), a, a.cycle.appraisal_due, now, link))
            elif a.status == Status.APPRAISED and _due_soon(a.cycle.council_due, now, days_ahead):
                add(council, a, _line(_("Council decision on %(unit)s"), a, a.cycle.council_due, now, link))
        sent = 0
        for email, reminder in mails.items():
            body = _("These PAR Index assessment tasks are due or overdue:") + "\n\n" + "\n".join(reminder.lines) + "\n"
            EmailMessage(subject=_("[chiso] PAR Index: %(count)s task(s) due") % {"count": len(reminder.lines)},
                         body=body, to=reminder.recipients).send()
            sent += 1
    with transaction.atomic():
        for a in {a.pk: a for r in mails.values() for a in r.assessments}.values():
            recipients = [e for e, r in mails.items() if a in r.assessments]
            # Stamped with `now` (the real time unless a test says otherwise) so once-a-day holds.
            _record(cycle=a.cycle, assessment=a, code=Event.REMINDER_SENT, field="email", by=None,
                    new=", ".join(recipients), at=now)
    return sent


def _line(label: str, assessment: Assessment, due, now, link: str) -> str:
    when = formats.date_format(timezone.localtime(due), "H:i d/m/Y")
    state = _("overdue since %(when)s") % {"when": when} if due < now else _("due %(when)s") % {"when": when}
    return f"- {label % {'unit': assessment.unit.name_vi}}: {state}\n  {link}"
