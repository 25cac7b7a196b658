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
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from chiso.audit.models import AuditRecord
from chiso.audit.services import audit_record, audit_record_many, value_text
from chiso.frameworks.models import Framework, FrameworkVersion, Node
from chiso.frameworks.services import version_freeze
from chiso.indices.models import IndexRun, RunScore
from chiso.indices.services import indicator_value_set, run_create, run_discard, run_publish
from chiso.units.models import Block, Period, Unit

from . import access
from .evidence import evidence_store
from .models import Affiliation, Assessment, CouncilDecision, Cycle, Evidence, Item

Status = Assessment.Status


class Event:
    """Stable codes of audit events (never renamed: old records keep them)."""

    CYCLE_CREATED = "cycle.created"
    SCHEDULE_SET = "cycle.schedule_set"
    SURVEY_APPLIED = "cycle.survey_applied"
    RESULTS_COMPUTED = "cycle.results_computed"
    TRANSITION = "assessment.transition"
    REOPENED = "assessment.reopened"
    BONUS_PENALTY = "assessment.bonus_penalty"
    REMINDER_SENT = "assessment.reminder_sent"
    ACCESS_REFUSED = "access.refused"
    SELF_ASSESSED = "item.self_assessed"
    APPRAISED = "item.appraised"
    EXPLANATION_ASKED = "item.explanation_asked"
    EXPLAINED = "item.explained"
    COUNCIL_ADJUSTED = "item.council_adjusted"
    CONVERTED = "item.converted_points"
    EVIDENCE_ADDED = "evidence.added"
    EVIDENCE_REMOVED = "evidence.removed"


# What each transition needs the assessment to be in.
APPRAISAL_OPEN = (Status.SUBMITTED, Status.UNDER_APPRAISAL, Status.EXPLANATION_REQUESTED, Status.EXPLAINED)
REOPENABLE_TO_APPRAISAL = (Status.APPRAISED, Status.COUNCIL_DECIDED, Status.PUBLISHED)

SOURCE_COUNCIL = "Điểm Hội đồng thẩm định — %s"  # stored data, the same in every language
SOURCE_CONVERTED = "Điểm quy đổi từ kết quả điều tra xã hội học — %s"


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


def number(value) -> str:
    """A number as people read it here (0,25 in Vietnamese)."""
    value = Decimal(str(value))
    text = format(value.normalize(), "f")
    return formats.number_format(Decimal(text), use_l10n=True)


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
            % {"code": node.code, "points": number(points), "max": number(maximum)}
        )
    if node.points_step:
        step = Decimal(str(node.points_step))
        if (points / step) % 1 != 0:
            raise ValidationError(
                _("%(code)s: %(points)s is not allowed; the points go in steps of %(step)s (0, %(step)s, %(two)s, …).")
                % {"code": node.code, "points": number(points), "step": number(step), "two": number(step * 2)}
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


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _refuse_status(assessment: Assessment, action: str) -> ValidationError:
    return ValidationError(
        _("%(unit)s's assessment is %(status)s: it cannot be %(action)s now.")
        % {"unit": assessment.unit.name, "status": _status_label(assessment.status).lower(), "action": action}
    )


def _transition(assessment: Assessment, to: str, by, reason: str = "") -> None:
    old = assessment.status
    assessment.status = to
    assessment.save()
    _record(cycle=assessment.cycle, assessment=assessment, code=Event.TRANSITION, field="status", old=old, new=to, by=by, reason=reason)


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


# --- cycles ----------------------------------------------------------------------------

@transaction.atomic
def cycle_create(
    *, version: FrameworkVersion, period: Period, block: Block, by, self_assessment_due: datetime.datetime,
    title: str = "", appraisal_due: datetime.datetime | None = None, council_due: datetime.datetime | None = None,
    explanation_days: int = 5, council_size: int = 9, quorum_percent: int = 50,
) -> Cycle:
    """Open a cycle: one assessment per unit of the block active in the period, one item per sub-criterion."""
    _require(access.is_secretariat(by))
    if version.framework.method != Framework.Method.POINTS:
        raise ValidationError(_("%(version)s is not a points framework: self-assessment needs points per sub-criterion.") % {"version": version})
    if version.blocks and block.code not in version.blocks:
        raise ValidationError(
            _("%(version)s is for %(blocks)s, not for %(block)s.") % {"version": version, "blocks": ", ".join(version.blocks), "block": block.name}
        )
    if Cycle.objects.filter(version__framework=version.framework, period=period, block=block).exists():
        raise ValidationError(_("There is already a %(framework)s cycle for %(block)s in %(period)s.") % {
            "framework": version.framework.code, "block": block.name, "period": period.name})
    nodes = list(version.nodes.filter(type=Node.Type.INDICATOR).order_by("order"))
    if not nodes:
        raise ValidationError(_("%(version)s has no sub-criteria.") % {"version": version})
    without_max = [n.code for n in nodes if not n.max_points]
    if without_max:
        raise ValidationError(_("These sub-criteria have no maximum points: %(codes)s.") % {"codes": ", ".join(without_max)})
    units = list(Unit.objects.active_in(period).filter(block=block).order_by("code"))
    if not units:
        raise ValidationError(_("No unit of this block exists in this period."))
    _check_schedule(self_assessment_due, appraisal_due, council_due, council_size, quorum_percent)
    version_freeze(version)
    cycle = Cycle.objects.create(
        version=version, period=period, block=block,
        title=title.strip() or f"{version.framework.name_vi} — {period.name_vi}",
        self_assessment_due=self_assessment_due, appraisal_due=appraisal_due, council_due=council_due,
        explanation_days=explanation_days, council_size=council_size, quorum_percent=quorum_percent, created_by=_user(by),
    )
    _record(cycle=cycle, code=Event.CYCLE_CREATED, by=by, new=f"{version} · {period.code} · {block.code} · {len(units)}")
    assessments = Assessment.objects.bulk_create(Assessment(cycle=cycle, unit=u) for u in units)
    Item.objects.bulk_create(
        Item(assessment=a, node=n, code=n.code, order=n.order, part=str(n.extra.get("part") or Item.SELF))
        for a in assessments for n in nodes
    )
    audit_record_many(
        event_fields(cycle=cycle, assessment=a, code=Event.TRANSITION, field="status", new=Status.DRAFT, by=by)
        for a in assessments
    )
    return cycle


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
    _require(access.is_secretariat(by))
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


# --- self-assessment -------------------------------------------------------------------

def _check_officer(item_or_assessment, by) -> Assessment:
    assessment = item_or_assessment if isinstance(item_or_assessment, Assessment) else item_or_assessment.assessment
    _require(access.is_officer_of(by, assessment.unit))
    return assessment


@transaction.atomic
def item_self_assess(
    *, item: Item, by, points: Decimal | None, not_applicable: bool = False, note: str = "",
    evidence_explanation: str = "", expected_version: int | None = None,
) -> Item:
    """Điểm tự đánh giá — the unit's claim on one sub-criterion, with a note."""
    item = _lock_item(item)
    assessment = _check_officer(item, by)
    if not item.is_self_assessed:
        raise ValidationError(_("%(code)s is scored from survey results, not by the unit.") % {"code": item.code})
    if assessment.status != Status.DRAFT:
        raise _refuse_status(assessment, _("changed by the unit"))
    _check_version(item, expected_version)
    points = None if not_applicable else points_parse(points)
    points_check(item.node, points, not_applicable)
    changed = []
    old_points, new_points = points_text(item.self_points, item.self_na), points_text(points, not_applicable)
    if old_points != new_points:
        _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.SELF_ASSESSED, field="self_points",
                old=old_points, new=new_points, by=by)
        item.self_points, item.self_na = points, not_applicable
        changed += ["self_points", "self_na"]
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
    assessment = _check_officer(item, by)
    if assessment.status == Status.DRAFT:
        return assessment
    if assessment.status == Status.EXPLANATION_REQUESTED and _asked_now(item, assessment):
        return assessment
    raise _refuse_status(assessment, _("given new evidence"))


def _asked_now(item: Item, assessment: Assessment) -> bool:
    return bool(item.explanation_request) and assessment.explanation_round > 0 and item.explanation_round == assessment.explanation_round


@transaction.atomic
def evidence_file_add(*, item: Item, by, name: str, chunks) -> Evidence:
    """Upload a file as evidence: its type is read from its content, its size is limited."""
    item = Item.objects.select_for_update(of=("self",)).select_related("assessment__cycle", "assessment__unit").get(pk=item.pk)
    assessment = _check_evidence_open(item, by)
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or "file"
    stored = evidence_store(name=name, chunks=chunks)
    evidence = Evidence.objects.create(
        item=item, kind=Evidence.Kind.FILE, during_explanation=assessment.status == Status.EXPLANATION_REQUESTED,
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
    _check_officer(assessment, by)
    if assessment.status != Status.DRAFT:
        raise _refuse_status(assessment, _("submitted"))
    now = now or timezone.now()
    if now > assessment.submission_due:
        raise ValidationError(
            _("The deadline was %(due)s. Only the secretariat can reopen the self-assessment for a late submission.")
            % {"due": formats.date_format(timezone.localtime(assessment.submission_due), "H:i d/m/Y")}
        )
    problems = submission_problems(assessment)
    if problems:
        raise ValidationError(problems)
    assessment.submitted_at, assessment.submitted_by = now, _user(by)
    _transition(assessment, Status.SUBMITTED, by)
    return assessment


# --- appraisal -------------------------------------------------------------------------

def _check_appraiser(assessment: Assessment, by) -> None:
    _require(access.is_expert(by))
    if access.has_conflict(by, assessment.unit):
        raise PermissionDenied(_("You are tied to %(unit)s and do not appraise it.") % {"unit": assessment.unit.name})


@transaction.atomic
def assessment_appraisal_start(*, assessment: Assessment, by) -> Assessment:
    assessment = _lock(assessment)
    _check_appraiser(assessment, by)
    if assessment.status != Status.SUBMITTED:
        raise _refuse_status(assessment, _("taken into appraisal"))
    _transition(assessment, Status.UNDER_APPRAISAL, by)
    return assessment


@transaction.atomic
def item_appraise(
    *, item: Item, by, points: Decimal | None, not_applicable: bool = False, comment: str = "",
    explanation_request: str | None = None, expected_version: int | None = None,
) -> Item:
    """Điểm thẩm định — the expert team's points and comment on one sub-criterion; optionally a
    question for the unit, sent with the next explanation request."""
    item = _lock_item(item)
    assessment = item.assessment
    _check_appraiser(assessment, by)
    if not item.is_self_assessed:
        raise ValidationError(_("%(code)s is scored from survey results, not by appraisal.") % {"code": item.code})
    if assessment.status not in APPRAISAL_OPEN:
        raise _refuse_status(assessment, _("appraised"))
    _check_version(item, expected_version)
    if assessment.status == Status.SUBMITTED:
        assessment_appraisal_start(assessment=assessment, by=by)
        assessment.refresh_from_db()
    points = None if not_applicable else points_parse(points)
    points_check(item.node, points, not_applicable)
    changed = []
    old, new = points_text(item.appraised_points, item.appraised_na), points_text(points, not_applicable)
    if old != new:
        _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.APPRAISED, field="appraised_points",
                old=old, new=new, by=by, reason=comment.strip())
        item.appraised_points, item.appraised_na = points, not_applicable
        item.appraised_by, item.appraised_at = _user(by), timezone.now()
        changed += ["appraised_points", "appraised_na", "appraised_by", "appraised_at"]
    if item.appraisal_comment != comment.strip():
        _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.APPRAISED, field="appraisal_comment",
                old=item.appraisal_comment, new=comment.strip(), by=by)
        item.appraisal_comment = comment.strip()
        changed.append("appraisal_comment")
    if explanation_request is not None:
        changed += _set_question(item, assessment, explanation_request.strip(), by)
    if changed:
        _save_item(item, by, changed)
    return item


def _set_question(item: Item, assessment: Assessment, question: str, by) -> list[str]:
    """Write (or withdraw) the question for the next explanation round; earlier rounds stay in the trail."""
    pending = item.explanation_request if item.explanation_round == assessment.explanation_round + 1 else ""
    if question == pending:
        return []
    if assessment.status not in (Status.SUBMITTED, Status.UNDER_APPRAISAL, Status.EXPLAINED):
        raise _refuse_status(assessment, _("sent new questions"))
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
def assessment_explanation_request(*, assessment: Assessment, by, due: datetime.datetime | None = None) -> Assessment:
    """Yêu cầu giải trình — send the questions written on items to the unit, with a deadline."""
    assessment = _lock(assessment)
    _check_appraiser(assessment, by)
    if assessment.status not in (Status.UNDER_APPRAISAL, Status.EXPLAINED):
        raise _refuse_status(assessment, _("sent an explanation request"))
    questions = list(pending_questions(assessment))
    if not questions:
        raise ValidationError(_("Write the question on at least one item first."))
    assessment.explanation_round += 1
    assessment.explanation_due = due or timezone.now() + datetime.timedelta(days=assessment.cycle.explanation_days)
    _transition(assessment, Status.EXPLANATION_REQUESTED, by,
                reason=_("Round %(round)s: %(codes)s") % {"round": assessment.explanation_round, "codes": ", ".join(q.code for q in questions)})
    return assessment


@transaction.atomic
def item_explain(*, item: Item, by, explanation: str, expected_version: int | None = None) -> Item:
    """Giải trình — the unit's answer to the question on one item."""
    item = _lock_item(item)
    assessment = _check_officer(item, by)
    if assessment.status != Status.EXPLANATION_REQUESTED:
        raise _refuse_status(assessment, _("explained"))
    if not _asked_now(item, assessment):
        raise ValidationError(_("No explanation was asked on %(code)s.") % {"code": item.code})
    _check_version(item, expected_version)
    explanation = explanation.strip()
    if explanation != item.explanation:
        _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.EXPLAINED, field="explanation",
                old=item.explanation, new=explanation, by=by)
        item.explanation, item.explained_at = explanation, timezone.now()
        _save_item(item, by, ["explanation", "explained_at"])
    return item


@transaction.atomic
def assessment_explanation_submit(*, assessment: Assessment, by) -> Assessment:
    """The unit sends its explanations back to the expert team."""
    assessment = _lock(assessment)
    _check_officer(assessment, by)
    if assessment.status != Status.EXPLANATION_REQUESTED:
        raise _refuse_status(assessment, _("sent back with explanations"))
    unanswered = [i.code for i in current_questions(assessment) if not i.explanation.strip()]
    if unanswered:
        raise ValidationError(_("Answer every question first: %(codes)s.") % {"codes": ", ".join(unanswered)})
    _transition(assessment, Status.EXPLAINED, by)
    return assessment


@transaction.atomic
def assessment_appraisal_complete(*, assessment: Assessment, by) -> Assessment:
    """Thẩm định xong — every sub-criterion has appraised points; goes to the council."""
    assessment = _lock(assessment)
    _check_appraiser(assessment, by)
    if assessment.status not in (Status.UNDER_APPRAISAL, Status.EXPLAINED):
        raise _refuse_status(assessment, _("marked as appraised"))
    missing = [i.code for i in assessment.items.filter(part=Item.SELF) if not i.is_appraised]
    if missing:
        raise ValidationError(_("Not appraised yet: %(codes)s.") % {"codes": ", ".join(missing)})
    unsent = [i.code for i in pending_questions(assessment)]
    if unsent:
        raise ValidationError(_("Questions not sent yet: %(codes)s. Send them or clear them.") % {"codes": ", ".join(unsent)})
    _transition(assessment, Status.APPRAISED, by)
    return assessment


# --- council ---------------------------------------------------------------------------

@transaction.atomic
def item_council_adjust(
    *, item: Item, by, points: Decimal | None, not_applicable: bool = False, reason: str, expected_version: int | None = None,
) -> Item:
    """The council changes the appraised points of one item before deciding (the reason is kept)."""
    item = _lock_item(item)
    assessment = item.assessment
    _require(access.is_council(by))
    if assessment.status != Status.APPRAISED:
        raise _refuse_status(assessment, _("changed by the council"))
    _check_version(item, expected_version)
    if not item.is_self_assessed:
        raise ValidationError(_("%(code)s is scored from survey results, not by appraisal.") % {"code": item.code})
    if not reason.strip():
        raise ValidationError(_("Give the reason for changing the appraised points."))
    points = None if not_applicable else points_parse(points)
    points_check(item.node, points, not_applicable)
    old_points, old_na = item.final
    _record(cycle=assessment.cycle, assessment=assessment, item=item, code=Event.COUNCIL_ADJUSTED, field="council_points",
            old=points_text(old_points, old_na), new=points_text(points, not_applicable), by=by, reason=reason.strip())
    item.council_adjusted, item.council_points, item.council_na = True, points, not_applicable
    _save_item(item, by, ["council_adjusted", "council_points", "council_na"])
    return item


@transaction.atomic
def assessment_bonus_penalty_set(*, assessment: Assessment, by, bonus: Decimal, penalty: Decimal, reason: str) -> Assessment:
    """Điểm thưởng, điểm trừ — added to the total after its cap."""
    assessment = _lock(assessment)
    _require(access.is_council(by))
    if assessment.status != Status.APPRAISED:
        raise _refuse_status(assessment, _("given bonus or penalty points"))
    bonus, penalty = points_parse(bonus) or Decimal(0), points_parse(penalty) or Decimal(0)
    if bonus < 0 or penalty < 0:
        raise ValidationError(_("Bonus and penalty points are written as positive numbers."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the bonus or penalty."))
    for name, value in (("bonus_points", bonus), ("penalty_points", penalty)):
        if getattr(assessment, name) != value:
            _record(cycle=assessment.cycle, assessment=assessment, code=Event.BONUS_PENALTY, field=name,
                    old=getattr(assessment, name), new=value, by=by, reason=reason.strip())
            setattr(assessment, name, value)
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
    _require(access.is_council(by))
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
    _require(access.is_secretariat(by))
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
                reason=f"{run.title}: {code} = {value:g}")
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
    undecided = [a.unit.name for a in assessments if a.status not in (Status.COUNCIL_DECIDED, Status.PUBLISHED)]
    if undecided:
        problems.append(_("The council has not decided yet on: %(units)s.") % {"units": ", ".join(undecided)})
    missing = Item.objects.filter(assessment__cycle=cycle, external_points__isnull=True).exclude(part=Item.SELF)
    if missing.exists():
        units = sorted({i.assessment.unit.name for i in missing.select_related("assessment__unit")})
        problems.append(_("Survey points are missing for: %(units)s.") % {"units": ", ".join(units)})
    return problems


@transaction.atomic
def cycle_results_compute(*, cycle: Cycle, by) -> IndexRun:
    """Write the decided points as indicator values and compute a draft run (capped sums,
    not-applicable rescaling, bonus and penalty, ranks and bands) with the index run machinery."""
    _require(access.is_secretariat(by))
    cycle = Cycle.objects.select_for_update(of=("self",)).select_related("version__framework", "period", "block", "run").get(pk=cycle.pk)
    problems = results_problems(cycle)
    if problems:
        raise ValidationError(problems)
    framework = cycle.version.framework
    source = SOURCE_COUNCIL % cycle.title
    assessments = cycle.assessments.select_related("unit").prefetch_related("items")
    extra_codes = set(cycle.version.nodes.filter(code__in=["bonus", "penalty"]).values_list("code", flat=True))
    for assessment in assessments:
        for item in assessment.items.all():
            points, na = item.final
            indicator_value_set(
                framework=framework, period=cycle.period, unit=assessment.unit, code=item.code,
                value=None if na else float(points), not_applicable=na,
                source=source if item.is_self_assessed else (item.external_source or source), by=by,
            )
        for code, value in (("bonus", assessment.bonus_points), ("penalty", assessment.penalty_points)):
            if code in extra_codes:
                indicator_value_set(framework=framework, period=cycle.period, unit=assessment.unit, code=code,
                                    value=float(value), source=source, by=by)
    previous = cycle.run
    if previous is not None and previous.status == IndexRun.Status.DRAFT:
        cycle.run = None
        cycle.save(update_fields=["run"])
        run_discard(run=previous)
    run = run_create(version=cycle.version, period=cycle.period, block=cycle.block, by=_user(by), title=cycle.title)
    cycle.run = run
    cycle.save(update_fields=["run"])
    _record(cycle=cycle, code=Event.RESULTS_COMPUTED, field="run", old=previous.pk if previous else "", new=run.pk, by=by)
    return run


@transaction.atomic
def cycle_publish(*, cycle: Cycle, by, reason: str = "") -> IndexRun:
    """Công bố — publish the results run; every decided assessment of the cycle becomes published."""
    _require(access.is_secretariat(by))
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
    run = run_publish(run=run, by=_user(by), reason=reason)
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
    _require(access.is_secretariat(by))
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give the reason for reopening."))
    if assessment.status in (Status.DRAFT, Status.SUBMITTED):
        if until is None or until <= timezone.now():
            raise ValidationError(_("Give the new deadline for the unit, in the future."))
        _record(cycle=assessment.cycle, assessment=assessment, code=Event.REOPENED, field="late_until",
                old=assessment.late_until, new=until, by=by, reason=reason)
        assessment.late_until = until
        if assessment.status == Status.SUBMITTED:
            _transition(assessment, Status.DRAFT, by, reason=reason)
        else:
            assessment.save()
        return assessment
    if assessment.status not in REOPENABLE_TO_APPRAISAL:
        raise _refuse_status(assessment, _("reopened"))
    _record(cycle=assessment.cycle, assessment=assessment, code=Event.REOPENED, field="status",
            old=assessment.status, new=Status.UNDER_APPRAISAL, by=by, reason=reason)
    assessment.decision = None
    _transition(assessment, Status.UNDER_APPRAISAL, by, reason=reason)
    return assessment


# --- conflicts of interest, refusals, reminders ----------------------------------------

@transaction.atomic
def affiliation_declare(*, user, unit: Unit, by, note: str = "") -> Affiliation:
    _require(access.is_secretariat(by))
    affiliation, _created = Affiliation.objects.update_or_create(user=user, unit=unit, defaults={"note": note.strip()})
    return affiliation


@transaction.atomic
def affiliation_remove(*, affiliation: Affiliation, by) -> None:
    _require(access.is_secretariat(by))
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
    from chiso.accounts.models import Role, User

    now = now or timezone.now()
    today = timezone.localdate(now)
    open_statuses = [s for s in Status.values if s not in (Status.COUNCIL_DECIDED, Status.PUBLISHED)]
    assessments = list(
        Assessment.objects.filter(status__in=open_statuses).select_related("cycle", "unit")
    )
    start_of_day = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    reminded_today = set(
        int(pk) for pk in AuditRecord.objects.filter(
            event=Event.REMINDER_SENT, object_type=Assessment._meta.label_lower, at__gte=start_of_day,
        ).values_list("object_id", flat=True)
    )
    experts = [u for u in User.objects.filter(role=Role.APPRAISER, is_active=True).exclude(email="") if access.is_expert(u)]
    council = [u for u in User.objects.filter(role=Role.APPRAISER, is_active=True).exclude(email="") if access.is_council(u)]
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
