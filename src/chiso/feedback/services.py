"""Writes about feedback: filing, routing, splitting, merging, answering, publishing, rating,
escalation, and the figures written as indicator values. Every change goes through here and
leaves an audit record (except the filer's own steps, which leave nothing datable)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.accounts.models import Role, User
from chiso.accounts.permissions import feedback_check, values_check
from chiso.audit.models import AuditRecord
from chiso.audit.services import audit_record
from chiso.indices.services import UnitFigures, figures_indicator_values_set
from chiso.notices.services import notice_send, unit_officers
from chiso.units.models import Period, Unit

from .attachments import attachment_store, attachment_type_check, attachments_check
from .models import Attachment, Feedback, FeedbackType, FilerContact, Rating
from .queries import answers_for_filer, figures_by_unit
from .tracking_codes import tracking_code_new, tracking_hash
from .workdays import working_days_add

ESCALATE_AGAIN_AFTER = 5  # working days overdue before the leaders are told


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _number_next(day: datetime.date) -> str:
    prefix = f"PA-{day.year}-"
    last = (
        Feedback.objects.filter(number__startswith=prefix, parent__isnull=True)
        .order_by("-number").values_list("number", flat=True).first()
    )
    return f"{prefix}{int(last[len(prefix):len(prefix) + 5]) + 1 if last else 1:05d}"


class FeedbackEvent:
    """Stable codes of the handling's audit records (the filer's own steps leave none)."""

    ROUTED = "feedback.routed"
    REROUTED = "feedback.rerouted"
    SPLIT = "feedback.split"
    MERGED = "feedback.merged"
    DISMISSED = "feedback.dismissed"
    ANSWERED = "feedback.answered"
    PUBLISHED = "feedback.published"
    UNPUBLISHED = "feedback.unpublished"
    ESCALATED = "feedback.escalated"


def _event(feedback: Feedback, code: str, by=None, note: str = "", **details) -> AuditRecord:
    return audit_record(event=code, obj=feedback, by=by, reason=note, details=details)


def _mail(subject: str, body: str, recipients: list[str]) -> None:
    recipients = sorted({r for r in recipients if r})
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)


def _officer_emails(unit: Unit) -> list[str]:
    return list(User.objects.filter(unit=unit, role=Role.UNIT_OFFICER, is_active=True).values_list("email", flat=True))


def _role_emails(*roles: str) -> list[str]:
    return list(User.objects.filter(role__in=roles, is_active=True).values_list("email", flat=True))


def feedback_file(
    *, type: FeedbackType, title: str, text: str, filer_kind: str, anonymous: bool, consent_publish: bool,
    unit_suggested: Unit | None = None, on_behalf_of: str = "", contact: dict | None = None,
    attachments: list[tuple[str, bytes]] = (), today: datetime.date | None = None,
) -> tuple[Feedback, str]:
    """File a feedback; returns it and its tracking code (shown once, only its hash is kept).

    An anonymous filing keeps no contact details even if some were typed.
    """
    if not title.strip() or not text.strip():
        raise ValidationError(_("Give a title and describe the issue."))
    attachments_check([(name, len(content), None) for name, content in attachments])
    checked = [attachment_type_check(name, content) for name, content in attachments]
    contact = {k: (v or "").strip() for k, v in (contact or {}).items()}
    if not anonymous and not any(contact.values()):
        raise ValidationError(_("Give at least one way to contact you, or file anonymously."))
    if filer_kind == Feedback.FilerKind.ASSOCIATION and not anonymous and not contact.get("organisation"):
        raise ValidationError(_("Name the association that files on behalf of its members."))
    day = _today(today)
    code = tracking_code_new()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                feedback = Feedback.objects.create(
                    number=_number_next(day), tracking_hash=tracking_hash(code), type=type, title=title.strip()[:200],
                    text=text.strip(), filer_kind=filer_kind, on_behalf_of=on_behalf_of.strip()[:255],
                    anonymous=anonymous, consent_publish=consent_publish, filed_on=day, unit_suggested=unit_suggested,
                )
                break
        except IntegrityError:  # two filings took the same number at once
            continue
    else:
        raise RuntimeError("could not number the feedback")
    if not anonymous:
        FilerContact.objects.create(feedback=feedback, **{k: contact.get(k, "") for k in ("name", "organisation", "tax_code", "email", "phone", "address")})
    for index, file in enumerate(checked, start=1):
        path, size, digest = attachment_store(file)
        Attachment.objects.create(
            feedback=feedback, file=path, size=size, sha256=digest, content_type=file.content_type,
            display_name=_("Attachment %(n)s.%(ext)s") % {"n": index, "ext": file.extension},
        )
    _mail(
        _("New feedback %(number)s") % {"number": feedback.number},
        _("A new feedback awaits routing: %(number)s — %(title)s.") % {"number": feedback.number, "title": feedback.title},
        _role_emails(Role.SECRETARIAT),
    )
    return feedback, code


def _assign(feedback: Feedback, unit: Unit, day: datetime.date) -> None:
    feedback.unit = unit
    feedback.assigned_on = day
    feedback.deadline = working_days_add(day, feedback.type.response_days)
    feedback.escalation_level = 0
    feedback.state = Feedback.State.ASSIGNED


def _notify_unit(feedback: Feedback) -> None:
    _mail(
        _("Feedback %(number)s to answer by %(deadline)s") % {"number": feedback.number, "deadline": f"{feedback.deadline:%d/%m/%Y}"},
        _("The secretariat has routed feedback %(number)s (%(title)s) to your unit. Answer it in chiso by %(deadline)s.")
        % {"number": feedback.number, "title": feedback.title, "deadline": f"{feedback.deadline:%d/%m/%Y}"},
        _officer_emails(feedback.unit),
    )
    notice_send(users=unit_officers([feedback.unit]), kind="feedback.routed", obj=feedback,
                key=f"{feedback.unit.code}:{feedback.assigned_on:%Y-%m-%d}")


@transaction.atomic
def feedback_route(*, feedback: Feedback, unit: Unit, by, note: str = "", today: datetime.date | None = None) -> Feedback:
    """Chuyển xử lý — send to the responsible unit; the deadline runs from today in working days.
    Routing an item that is with a unit to another one restarts its deadline."""
    feedback_check(by)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.state not in (Feedback.State.RECEIVED, Feedback.State.ASSIGNED):
        raise ValidationError(_("Only feedback that is awaiting routing or an answer can be routed."))
    previous = feedback.unit
    _assign(feedback, unit, _today(today))
    feedback.save()
    kind = FeedbackEvent.REROUTED if previous else FeedbackEvent.ROUTED
    _event(feedback, kind, by, note, unit=unit.code, previous=previous.code if previous else None,
           deadline=feedback.deadline.isoformat())
    _notify_unit(feedback)
    return feedback


@transaction.atomic
def feedback_split(*, feedback: Feedback, parts: list[tuple[Unit, str]], by, today: datetime.date | None = None) -> list[Feedback]:
    """Tách — one filing about several units becomes one part per unit, each routed at once.
    The filer follows every part with the same code."""
    feedback_check(by)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.state != Feedback.State.RECEIVED:
        raise ValidationError(_("Only feedback awaiting routing can be split."))
    parts = [(unit, text.strip()) for unit, text in parts if unit is not None]
    if len(parts) < 2:
        raise ValidationError(_("A split needs at least two parts, each with a unit."))
    day = _today(today)
    created = []
    for index, (unit, text) in enumerate(parts, start=1):
        part = Feedback(
            number=f"{feedback.number}-{index}", type=feedback.type, title=feedback.title, text=text or feedback.text,
            filer_kind=feedback.filer_kind, on_behalf_of=feedback.on_behalf_of, anonymous=feedback.anonymous,
            consent_publish=feedback.consent_publish, filed_on=feedback.filed_on, unit_suggested=feedback.unit_suggested,
            parent=feedback,
        )
        _assign(part, unit, day)
        part.save()
        for attachment in feedback.attachments.all():
            Attachment.objects.create(
                feedback=part, file=attachment.file, display_name=attachment.display_name,
                content_type=attachment.content_type, size=attachment.size, sha256=attachment.sha256,
            )
        _event(part, FeedbackEvent.ROUTED, by, unit=unit.code, deadline=part.deadline.isoformat(), split_from=feedback.number)
        created.append(part)
    feedback.state = Feedback.State.SPLIT
    feedback.save(update_fields=["state"])
    _event(feedback, FeedbackEvent.SPLIT, by, parts=[p.number for p in created])
    for part in created:
        _notify_unit(part)
    return created


@transaction.atomic
def feedback_merge(*, feedback: Feedback, into: Feedback, by, note: str = "") -> Feedback:
    """Gộp — the same issue filed twice: this one follows the other's answer and is not counted."""
    feedback_check(by)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.pk == into.pk:
        raise ValidationError(_("A feedback cannot be merged with itself."))
    if feedback.state not in (Feedback.State.RECEIVED, Feedback.State.ASSIGNED):
        raise ValidationError(_("Only feedback awaiting routing or an answer can be merged."))
    if into.state in (Feedback.State.SPLIT, Feedback.State.MERGED, Feedback.State.DISMISSED):
        raise ValidationError(_("Merge into a feedback that is being handled or answered."))
    if feedback.merged.exists() or feedback.parts.exists():
        raise ValidationError(_("Other feedback depends on this one; merge the other way round."))
    feedback.state = Feedback.State.MERGED
    feedback.merged_into = into
    feedback.save(update_fields=["state", "merged_into"])
    _event(feedback, FeedbackEvent.MERGED, by, note, into=into.number)
    return feedback


@transaction.atomic
def feedback_dismiss(*, feedback: Feedback, reason: str, by) -> Feedback:
    """Không xử lý — spam, or not for the province; the filer sees the reason."""
    feedback_check(by)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.state != Feedback.State.RECEIVED:
        raise ValidationError(_("Only feedback awaiting routing can be set aside."))
    if not reason.strip():
        raise ValidationError(_("Give the reason, which the filer will see."))
    feedback.state = Feedback.State.DISMISSED
    feedback.dismissed_reason = reason.strip()
    feedback.save(update_fields=["state", "dismissed_reason"])
    _event(feedback, FeedbackEvent.DISMISSED, by, reason.strip())
    return feedback


def user_may_answer(user, feedback: Feedback) -> bool:
    if feedback.state != Feedback.State.ASSIGNED:
        return False
    if user.is_superuser or user.role in (Role.SECRETARIAT, Role.ADMINISTRATOR):
        return True  # an answer received on paper, typed in by the secretariat
    return user.role == Role.UNIT_OFFICER and user.unit_id == feedback.unit_id


@transaction.atomic
def feedback_answer(*, feedback: Feedback, text: str, by, today: datetime.date | None = None) -> Feedback:
    """Trả lời — the unit's answer; on time when given on or before the deadline."""
    feedback = Feedback.objects.select_for_update(of=("self",)).select_related("unit").get(pk=feedback.pk)
    if not user_may_answer(by, feedback):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError(_("Write the answer."))
    feedback.answer = text.strip()
    feedback.answered_on = _today(today)
    feedback.answered_by = by
    feedback.state = Feedback.State.ANSWERED
    feedback.save(update_fields=["answer", "answered_on", "answered_by", "state"])
    late = feedback.answered_on > feedback.deadline
    _event(feedback, FeedbackEvent.ANSWERED, by, late=late)
    recipients = []
    for item in [feedback, feedback.parent, *Feedback.objects.filter(merged_into=feedback)]:
        if item is not None and not item.anonymous:
            contact = FilerContact.objects.filter(feedback=item).first()
            if contact:
                recipients.append(contact.email)
    _mail(
        _("Your feedback has an answer"),
        _("The unit responsible has answered your feedback \"%(title)s\". Look it up with your tracking code on the feedback page.")
        % {"title": feedback.title},
        recipients,
    )
    return feedback


@transaction.atomic
def feedback_publish(*, feedback: Feedback, summary: str, by) -> Feedback:
    """Công khai — the question (as the secretariat summarised it, without identity) and the answer."""
    feedback_check(by)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.state != Feedback.State.ANSWERED:
        raise ValidationError(_("Only an answered feedback can be published."))
    if not feedback.consent_publish:
        raise ValidationError(_("The filer did not agree to publication."))
    if not summary.strip():
        raise ValidationError(_("Write the summary to publish, without anything that identifies the filer."))
    feedback.public_summary = summary.strip()
    feedback.published_at = timezone.now()
    feedback.save(update_fields=["public_summary", "published_at"])
    _event(feedback, FeedbackEvent.PUBLISHED, by)
    return feedback


@transaction.atomic
def feedback_unpublish(*, feedback: Feedback, by, reason: str) -> Feedback:
    """Rút công khai — take a published answer off the public page (with the reason, if given)."""
    feedback_check(by)
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.published_at is None:
        raise ValidationError(_("Only a published answer can be withdrawn from publication."))
    feedback.published_at = None
    feedback.save(update_fields=["published_at"])
    _event(feedback, FeedbackEvent.UNPUBLISHED, by, reason)
    return feedback


@transaction.atomic
def feedback_rate(*, tracked: Feedback, answered: Feedback, score: int, today: datetime.date | None = None) -> Rating:
    """Đánh giá — the filer rates an answer once (through the code of `tracked`)."""
    if answered.pk not in {f.pk for f in answers_for_filer(tracked)}:
        raise PermissionDenied
    if answered.state != Feedback.State.ANSWERED:
        raise ValidationError(_("Only an answer can be rated."))
    if score not in Rating.Score.values:
        raise ValidationError(_("Choose a rating from 1 to 5."))
    if Rating.objects.filter(feedback=answered, via=tracked).exists():
        raise ValidationError(_("You have already rated this answer."))
    return Rating.objects.create(feedback=answered, via=tracked, score=score, rated_on=_today(today))


def feedback_escalate(*, today: datetime.date | None = None) -> list[tuple[Feedback, int]]:
    """Quá hạn — each unanswered item past its deadline is escalated once to the unit and the
    secretariat, and again after ESCALATE_AGAIN_AFTER more working days to the leaders.
    Run daily (`manage.py feedback_escalate`); running it twice a day changes nothing."""
    day = _today(today)
    done = []
    overdue = Feedback.objects.filter(state=Feedback.State.ASSIGNED, deadline__lt=day, escalation_level__lt=2).select_related("unit")
    for feedback in overdue:
        level = 1
        if feedback.escalation_level >= 1:
            if working_days_add(feedback.deadline, ESCALATE_AGAIN_AFTER) >= day:
                continue
            level = 2
        with transaction.atomic():
            updated = Feedback.objects.filter(pk=feedback.pk, escalation_level=feedback.escalation_level, state=Feedback.State.ASSIGNED).update(escalation_level=level)
            if not updated:
                continue
            _event(feedback, FeedbackEvent.ESCALATED, None, level=level, deadline=feedback.deadline.isoformat())
        subject = _("Overdue feedback %(number)s (deadline %(deadline)s)") % {"number": feedback.number, "deadline": f"{feedback.deadline:%d/%m/%Y}"}
        body = _("Feedback %(number)s (%(title)s), routed to %(unit)s, has not been answered by its deadline of %(deadline)s.") % {
            "number": feedback.number, "title": feedback.title, "unit": feedback.unit.name_vi, "deadline": f"{feedback.deadline:%d/%m/%Y}"}
        recipients = _officer_emails(feedback.unit) + _role_emails(Role.SECRETARIAT)
        if level == 2:
            recipients += _role_emails(Role.LEADER)
        _mail(subject, body, recipients)
        done.append((feedback, level))
    return done


# --- figures as indicator values --------------------------------------------------------------

SOURCE = "Phản ánh, kiến nghị (chiso)"


def feedback_indicators_publish(*, period: Period, by, as_of: datetime.date | None = None) -> int:
    """Write each unit's figures for `period` as indicator values of the frameworks whose version
    for the period takes them (its file's `sources: feedback:` section; Decision 766 G5.1 and
    G5.2; a figure a version does not take is written for none of its criteria), with their
    source, through the one writer of figures (`indices.services.figures_indicator_values_set`).
    A unit without feedback gets "not applicable" where the item allows it. Returns the number of
    values that changed."""
    values_check(by)
    figures = figures_by_unit(period, as_of=as_of)
    stamp = f"{SOURCE}, {_today(as_of):%d/%m/%Y}"
    units = Unit.objects.active_in(period).select_related("block")
    done = figures_indicator_values_set(
        kind="feedback", period=period, by=by, source_kind="feedback",
        figures=[UnitFigures(unit=unit, figures=figures.get(unit.pk), source=stamp) for unit in units])
    return sum(framework.written for framework in done)
