"""Writes about surveys: the only way questionnaires, surveys, invitations, drafts and responses change."""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import secrets
import uuid
from copy import deepcopy
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from chiso.accounts.permissions import may_set_survey_analysis, surveys_check
from chiso.audit.services import audit_record, value_text
from chiso.core.tabular import ImportFailed, Problem

from chiso.surveys.collection.answers import answers_differences, answers_flat, answers_set, answers_with_values
from chiso.surveys.collection.evaluation import Evaluation, first_entries, normalise_input
from chiso.surveys.collection.links import code_hashes, link_code, link_token
from chiso.surveys.collection.media import media_refusal
from chiso.surveys.collection.xlsform import ParsedForm, xlsform_parse
from chiso.surveys.models import (
    Draft,
    HeldResponse,
    Invitation,
    PaperEntry,
    PaperEntryLog,
    PaperForm,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    SpentLink,
    Survey,
    SurveyAnalysis,
    SurveyDay,
)
from chiso.surveys.queries import survey_anonymity_refusal, units_choices


class SurveyEventCode:
    CREATED = "survey.created"
    OPENED = "survey.opened"
    CLOSED = "survey.closed"
    EXTENDED = "survey.extended"
    VERSION_CHANGED = "survey.version_changed"
    ANONYMITY_CHANGED = "survey.anonymity_changed"
    INVITATIONS_CREATED = "survey.invitations_created"
    RESPONSES_IMPORTED = "survey.responses_imported"
    PAPER_DOUBLE_ENTRY = "survey.paper_double_entry"
    ANALYSIS_CHANGED = "survey.analysis_changed"


class InvitationEventCode:
    RESENT = "invitation.resent"
    REVOKED = "invitation.revoked"


class QuestionnaireEventCode:
    VERSION_IMPORTED = "questionnaire.version_imported"


class PaperEventCode:
    SETTLED = "paper_form.settled"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def idempotency_hash(survey_id: int, client_key: str) -> str:
    # Hashed with the survey so that the stored key is meaningless anywhere else.
    return hashlib.sha256(f"{survey_id}:{client_key}".encode()).hexdigest()


def _event(survey: Survey, code: str, by, old="", new="", reason="") -> None:
    """The audit record of the secretariat's action on a survey (never of a response)."""
    audit_record(event=code, obj=survey, by=by, old=old, new=new, reason=reason)


# --- questionnaires ----------------------------------------------------------------------

@dataclass
class QuestionnaireImport:
    version: QuestionnaireVersion | None
    parsed: ParsedForm
    created: bool


def questionnaire_import(*, file_name: str, content: bytes, by, check_only: bool = False) -> QuestionnaireImport:
    """Parse an XLSForm and store it as a new version; all or nothing.

    Uploading the same workbook again changes nothing. A changed form must carry a new
    `version` on its settings sheet: answered versions are never rewritten.
    """
    surveys_check(by)
    parsed = xlsform_parse(file_name, content)
    form_id = parsed.form_id
    version = parsed.version
    existing = QuestionnaireVersion.objects.filter(questionnaire__form_id=form_id, version=version).first() if version else None
    if not version:
        # A form without a version is named by its upload time; the same form again is that version.
        for earlier in QuestionnaireVersion.objects.filter(questionnaire__form_id=form_id).only("survey", "version"):
            if {**earlier.survey, "version": None} == {**parsed.survey, "version": None}:
                existing = earlier
                parsed.survey["version"] = earlier.version
                break
    if existing is not None and existing.survey != parsed.survey:
        raise ImportFailed(
            [
                Problem(
                    file=file_name, sheet="settings", row=2, column="version",
                    message=_("The form %(form)s already has a version %(version)s with different content; raise the version on the settings sheet.")
                    % {"form": form_id, "version": version},
                )
            ]
        )
    if check_only:
        return QuestionnaireImport(version=existing, parsed=parsed, created=False)
    if existing is not None:
        return QuestionnaireImport(version=existing, parsed=parsed, created=False)
    if not version:
        # Like KoboToolbox: a form without a version gets one from the upload time.
        version = timezone.localtime().strftime("%Y%m%d%H%M%S")
        parsed.survey["version"] = version
    with transaction.atomic():
        questionnaire, _created = Questionnaire.objects.get_or_create(form_id=form_id, defaults={"title": parsed.title[:255]})
        if questionnaire.title != parsed.title[:255]:
            questionnaire.title = parsed.title[:255]
            questionnaire.save(update_fields=["title"])
        created = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire, version=version, title=parsed.title[:255], survey=parsed.survey,
            xlsform=content, file_name=file_name[:255], warnings=parsed.warnings, created_by=by if getattr(by, "pk", None) else None,
        )
        audit_record(event=QuestionnaireEventCode.VERSION_IMPORTED, obj=created, parents=[questionnaire], by=by,
                     new=f"{form_id} {version}", reason=file_name[:255])
    return QuestionnaireImport(version=created, parsed=parsed, created=True)


# --- surveys ------------------------------------------------------------------------------

@transaction.atomic
def survey_create(*, code: str, title_vi: str, period, version: QuestionnaireVersion, opens_at, closes_at, title_en: str = "", open_link: bool = False,
                  anonymous: bool = True, by) -> Survey:
    surveys_check(by)
    survey = Survey(
        code=code, title_vi=title_vi, title_en=title_en, period=period, version=version,
        opens_at=opens_at, closes_at=closes_at, open_link=open_link, open_key=secrets.token_urlsafe(12) if open_link else "",
        anonymous=anonymous,
    )
    _media_check(survey, version)  # issue 20
    survey.full_clean()
    survey.save()
    created = f"{opens_at:%Y-%m-%d %H:%M} – {closes_at:%Y-%m-%d %H:%M}"
    _event(survey, SurveyEventCode.CREATED, by, new=created if anonymous else f"{created} ({_('not anonymous')})")
    return survey


def _media_check(survey: Survey, version: QuestionnaireVersion) -> None:
    """issue 20: an anonymous survey refuses location and media questions (media.py)."""
    refusal = media_refusal(anonymous=survey.anonymous, form=version.form)
    if refusal:
        raise ValidationError(refusal)


@transaction.atomic
def survey_open_now(*, survey: Survey, by) -> Survey:
    surveys_check(by)
    _media_check(survey, survey.version)  # issue 20
    now = timezone.now()
    old = survey.opens_at
    survey.opens_at = now
    if survey.closes_at <= now:
        survey.closes_at = now + datetime.timedelta(days=30)
    survey.save(update_fields=["opens_at", "closes_at"])
    _event(survey, SurveyEventCode.OPENED, by, old=old.isoformat(), new=now.isoformat())
    return survey


def survey_close(*, survey: Survey, by, reason: str = "") -> Survey:
    """Close now; the answers still held are written, whatever their number (after the
    closing is committed, in their own transactions)."""
    surveys_check(by)
    with transaction.atomic():
        now = timezone.now()
        old = survey.closes_at
        survey.closes_at = max(now, survey.opens_at + datetime.timedelta(seconds=1))
        survey.save(update_fields=["closes_at"])
        _event(survey, SurveyEventCode.CLOSED, by, old=old.isoformat(), new=survey.closes_at.isoformat(), reason=reason)
    responses_flush(survey=survey, force=True)
    return survey


@transaction.atomic
def survey_extend(*, survey: Survey, closes_at, by, reason: str = "") -> Survey:
    surveys_check(by)
    if closes_at <= survey.opens_at:
        raise ValidationError(_("The new closing time must be after the opening time."))
    old = survey.closes_at
    survey.closes_at = closes_at
    survey.save(update_fields=["closes_at"])
    _event(survey, SurveyEventCode.EXTENDED, by, old=old.isoformat(), new=closes_at.isoformat(), reason=reason)
    return survey


@transaction.atomic
def survey_version_set(*, survey: Survey, version: QuestionnaireVersion, by) -> Survey:
    """Later drafts use the new version; drafts already started keep theirs, as responses do."""
    surveys_check(by)
    _media_check(survey, version)  # issue 20
    old = survey.version
    survey.version = version
    survey.save(update_fields=["version"])
    _event(survey, SurveyEventCode.VERSION_CHANGED, by, old=str(old), new=str(version))
    return survey


@transaction.atomic
def survey_anonymity_set(*, survey: Survey, anonymous: bool, by, reason: str = "") -> Survey:
    """Anonymous or not (issue 20: only a survey that is not anonymous may ask for a location, a
    photo, a recording or a file), changed before anyone began answering."""
    surveys_check(by)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.anonymous == anonymous:
        return survey
    refusal = survey_anonymity_refusal(survey)
    if refusal:
        raise ValidationError(refusal)
    survey.anonymous = anonymous
    _media_check(survey, survey.version)  # an anonymous survey refuses media questions
    survey.save(update_fields=["anonymous"])
    _event(survey, SurveyEventCode.ANONYMITY_CHANGED, by, old=value_text(not anonymous), new=value_text(anonymous), reason=reason)
    return survey


def evaluation_for(*, survey: Survey, version: QuestionnaireVersion, answers: dict, language: str | None = None) -> Evaluation:
    """A draft's answers as its respondent's pages read them."""
    external = units_choices(survey, version, cached=True)
    return Evaluation(version.form, answers, external=external, language=language)


# --- invitations and access -----------------------------------------------------------------

def invitation_new(*, survey: Survey, label: str, salt: str | None = None) -> tuple[Invitation, str]:
    """One invitation with a link and a typeable code made from a random salt and the secret key
    (links.py), so both can be printed or sent again; only their hashes are kept."""
    for _attempt in range(5):
        salt = salt or secrets.token_hex(16)
        token = link_token(salt)
        code_hash = code_hashes(link_code(salt))[0]
        if not Invitation.objects.filter(code_hash=code_hash).exists():  # 1 in 2**40 per invitation
            return Invitation.objects.create(survey=survey, token_hash=token_hash(token), code_hash=code_hash, label=label[:255], link_salt=salt), token
        salt = None
    raise RuntimeError("no free invitation code")


def invitation_code(invitation: Invitation) -> str:
    """The invitation's typeable code ("" for one without a salt, such as the demo's fixed
    tokens). An invitation made before codes existed gets its code's hash now."""
    if not invitation.link_salt or token_hash(link_token(invitation.link_salt)) != invitation.token_hash:
        return ""
    code = link_code(invitation.link_salt)
    if not invitation.code_hash:
        invitation.code_hash = code_hashes(code)[0]
        Invitation.objects.filter(pk=invitation.pk, code_hash__isnull=True).update(code_hash=invitation.code_hash)
    return code


def invitations_create(*, survey: Survey, labels: list[str], by) -> list[tuple[Invitation, str]]:
    """New single-use invitations, each with its link token (returned) and its typeable code
    (`invitation_code`); only hashes are kept, and both can be made again from the salt."""
    surveys_check(by)
    created = []
    with transaction.atomic():
        for label in labels:
            created.append(invitation_new(survey=survey, label=label))
        _event(survey, SurveyEventCode.INVITATIONS_CREATED, by, new=str(len(labels)))
    return created


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by, reason: str = "") -> Invitation:
    """Thu hồi — the link and the code no longer open the form, and a form begun is discarded.

    Refused only for what the invitation page already shows as completed or revoked: answers
    waiting for their batch are not looked up, so revoking says nothing the page does not.
    (Such answers still count, and the invitation turns completed with its batch.)
    """
    surveys_check(by)
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("survey").get(pk=invitation.pk)
    if invitation.status in (Invitation.Status.COMPLETED, Invitation.Status.REVOKED):
        raise ValidationError(_("This invitation is %(status)s and cannot be revoked.") % {"status": invitation.get_status_display().lower()})
    old = invitation.status
    Draft.objects.filter(invitation=invitation).delete()
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.REVOKED)
    invitation.status = Invitation.Status.REVOKED
    audit_record(event=InvitationEventCode.REVOKED, obj=invitation, by=by, parents=[invitation.survey], old=old,
                 new=Invitation.Status.REVOKED, reason=reason)
    return invitation


def invitation_with_token(*, survey: Survey, token: str, label: str = "") -> Invitation:
    """An invitation for a token chosen by the caller (the demo prints its links)."""
    invitation, _created = Invitation.objects.get_or_create(token_hash=token_hash(token), defaults={"survey": survey, "label": label})
    return invitation


class AccessRefused(Exception):
    """Why a link does not open a form: 'unknown', 'completed', 'scheduled' or 'closed'."""

    def __init__(self, reason: str, survey: Survey | None = None):
        self.reason = reason
        self.survey = survey
        super().__init__(reason)


def _check_open(survey: Survey) -> None:
    state = survey.state()
    if state != "open":
        raise AccessRefused(state, survey)


@transaction.atomic
def draft_for_token(*, token: str) -> Draft:
    """The draft an invitation's link opens: the one saved earlier, or a new one."""
    return _draft_for_invitation(Invitation.objects.filter(token_hash=token_hash(token)))


@transaction.atomic
def draft_for_code(*, code: str) -> Draft:
    """The draft an invitation's typeable code opens (`links.code_normalise`d), like its link."""
    return _draft_for_invitation(Invitation.objects.filter(code_hash__in=code_hashes(code)))


def _draft_for_invitation(invitations) -> Draft:
    invitation = invitations.select_for_update(of=("self",)).select_related("survey").first()
    if invitation is None or invitation.status == Invitation.Status.REVOKED:
        raise AccessRefused("unknown")
    if invitation_spent(invitation):
        raise AccessRefused("completed", invitation.survey)
    _check_open(invitation.survey)
    draft = Draft.objects.filter(invitation=invitation).first()
    if draft is None:
        draft = Draft.objects.create(key=secrets.token_hex(32), survey=invitation.survey, version=invitation.survey.version, invitation=invitation)
        Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.IN_PROGRESS)
        survey_day_started(survey=invitation.survey)
    return draft


def survey_day_started(*, survey: Survey) -> None:
    """Count one form started today (monitoring), apart from any draft or invitation."""
    day, _created = SurveyDay.objects.get_or_create(survey=survey, day=timezone.localdate())
    SurveyDay.objects.filter(pk=day.pk).update(started=F("started") + 1)


def draft_for_open_link(*, survey: Survey) -> Draft:
    if not survey.open_link:
        raise AccessRefused("unknown")
    _check_open(survey)
    survey_day_started(survey=survey)
    return Draft.objects.create(key=secrets.token_hex(32), survey=survey, version=survey.version)


def draft_for_paper(*, survey: Survey) -> Draft:
    """A paper form typed in by staff goes through the same form; allowed after closing too,
    for forms collected in time."""
    if survey.state() == "scheduled":
        raise AccessRefused("scheduled", survey)
    return Draft.objects.create(key=secrets.token_hex(32), survey=survey, version=survey.version, channel=Draft.Channel.PAPER)


# --- answering ------------------------------------------------------------------------------

class SubmissionRejected(Exception):
    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass
class PageSave:
    evaluation: Evaluation
    errors: dict[str, str] = field(default_factory=dict)


def draft_save(*, draft: Draft, values: dict[str, str], page: str, addresses: list[str], validate: bool, hidden: dict[str, str] | None = None) -> PageSave:
    """Save one page's answers into the draft; with `validate`, check that page's questions.

    `addresses` are the questions the page showed: an address it showed but the browser did
    not send (an unticked select_multiple) is saved as empty. `hidden` are computed values
    the page carried; one that the server computes differently rejects the page unsaved.
    """
    answers = answers_with_values(draft.version.form, draft.answers, values, addresses)
    evaluation = evaluation_for(survey=draft.survey, version=draft.version, answers=answers)
    tampered = evaluation.tampered(hidden or {})
    if tampered:
        return PageSave(evaluation=evaluation, errors=tampered)
    errors = evaluation.errors(addresses=set(addresses)) if validate else {}
    draft.answers = evaluation.answers_computed()
    draft.page = page
    draft.active_seconds = active_seconds(draft)
    draft.save(update_fields=["answers", "page", "updated_at", "active_seconds"])
    return PageSave(evaluation=evaluation, errors=errors)


MAX_PAGE_SECONDS = 20 * 60  # a longer gap between two saves is a pause, counted as this much


def active_seconds(draft: Draft) -> int:
    """The draft's answering time up to now: earlier gaps plus this one, each capped."""
    if draft.updated_at is None:
        return draft.active_seconds
    gap = (timezone.now() - draft.updated_at).total_seconds()
    return int(draft.active_seconds + min(max(gap, 0), MAX_PAGE_SECONDS))


@dataclass
class Submission:
    """A submission accepted: the answers wait for their batch (HeldResponse); there is no
    response to show yet, and none may be shown to whoever submitted it."""

    survey: Survey
    duplicate: bool
    paper_form: PaperForm | None = None  # a numbered paper form typed twice: where it stands


# Answering time is stored as the lower bound of its bucket, never to the second: exact
# durations and a web server's access log would line each response up with its respondent.
DURATION_BUCKETS = (0, 60, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200)


def duration_bucket(seconds: int | None) -> int | None:
    """The lower bound of the bucket of `seconds` (None stays None)."""
    if seconds is None:
        return None
    return max(b for b in DURATION_BUCKETS if b <= max(0, int(seconds)))


def response_submit(*, survey_id: int, draft_key: str, client_key: str, by=None) -> Submission:
    """Accept the draft's answers, once; they are written as a response with their batch.

    Three steps, each its own transaction, so that nothing on the invitation's side shares a
    transaction (hence a PostgreSQL xmin) with the answers:
    1. the answers, checked again in full, go to HeldResponse (no invitation, draft or time);
    2. the draft is deleted and the invitation's link marked used (SpentLink) — the invitation
       row itself is not written, so no page changes;
    3. when the survey's held answers of this channel reach the batch size, they are written
       (responses_flush), outside both.
    The answers are stored before the draft goes, so a failure in between loses nothing; the
    same client key again (a double click, a retry) stores nothing more and finishes step 2.

    Raises SubmissionRejected with messages by address when any answer fails the form's
    rules, and AccessRefused when the draft is gone or the survey closed meanwhile.
    """
    client_key = (client_key or "").strip()[:200]
    if not client_key:
        raise SubmissionRejected({"": _("The form was incomplete; please submit again.")})
    key = idempotency_hash(survey_id, client_key)
    # One query for the draft, its survey and period, its version (without the parsed form and
    # workbook: each process keeps the parsed form) and its invitation's id and hash.
    draft = (Draft.objects.select_related("survey__period", "version", "invitation")
             .defer("version__survey", "version__xlsform", "version__warnings", "invitation__label", "invitation__link_salt")
             .filter(key=draft_key, survey_id=survey_id).first())
    if draft is None:
        # Submitted already: a double click whose first request finished, or a retry.
        survey = Survey.objects.filter(pk=survey_id).first()
        if survey is not None and HeldResponse.objects.filter(idempotency_key=key).exists():
            return Submission(survey=survey, duplicate=True)
        raise AccessRefused("completed" if survey else "unknown", survey)
    survey = draft.survey
    if draft.channel == Draft.Channel.WEB and survey.state() != "open":
        raise AccessRefused(survey.state(), survey)
    # A list the respondent never opened has its one empty entry, as the pages and the review show it.
    first_entries(draft.version.form, draft.answers)
    evaluation = Evaluation(draft.version.form, draft.answers, external=units_choices(survey, draft.version, cached=True))
    errors = evaluation.errors()
    if errors:
        raise SubmissionRejected(errors)
    channel = Response.Channel.PAPER if draft.channel == Draft.Channel.PAPER else Response.Channel.WEB
    # A numbered paper form (số phiếu): typed twice, each entry waits for the other and the settlement.
    entry = PaperEntry.objects.select_related("paper_form").filter(draft=draft).first() if channel == Response.Channel.PAPER else None
    if entry is not None and entry.paper_form.entries_required > 1:
        paper_form = paper_entry_keep(entry=entry, draft=draft, answers=evaluation.clean(), by=by)
        return Submission(survey=survey, duplicate=False, paper_form=paper_form)
    duplicate = False
    try:
        with transaction.atomic():
            HeldResponse.objects.create(
                id=uuid.uuid4(), survey=survey, version=draft.version, answers=evaluation.clean(), rated_units=evaluation.rated_units(),
                channel=channel, duration_seconds=duration_bucket(active_seconds(draft)), idempotency_key=key,
            )
    except IntegrityError:
        duplicate = True  # this key's answers are held already (a double click): finish the rest
    with transaction.atomic():
        deleted = Draft.objects.filter(pk=draft.pk).delete()[0]
        if deleted and draft.invitation_id:
            SpentLink.objects.bulk_create([SpentLink(survey=survey, mark=spent_marks(draft.invitation)[0])], ignore_conflicts=True)
        if deleted and channel == Response.Channel.PAPER and getattr(by, "pk", None):
            paper_entry_count(user=by, survey=survey)
        if deleted and entry is not None:  # typed once: the number is used, the entry done
            PaperForm.objects.filter(pk=entry.paper_form_id).update(status=PaperForm.Status.SETTLED)
            PaperEntry.objects.filter(pk=entry.pk).delete()
    # Outside both transactions: maybe this submission completes a batch.
    responses_flush_due(survey=survey, channel=channel)
    # `duplicate`: these answers were held by an earlier request with the same key. (Answers held
    # here for a draft another key had just submitted stay: an exact copy, flagged as one by the
    # quality check, rather than a risk of losing the only copy.)
    return Submission(survey=survey, duplicate=duplicate)


# --- batches: held answers become responses ------------------------------------------------

SPENT_SALT = "chiso.surveys.spent-link"
# The smallest batch whatever the survey's k: k is a setting of the secretariat, whose pages
# the batches protect, so it cannot make batches of one.
MIN_BATCH = 5


def spent_marks(invitation: Invitation) -> list[str]:
    """The invitation's SpentLink mark under the secret key and each fallback (the first is
    the one written): without the key, nobody can tell whose mark it is."""
    value = f"{invitation.pk}:{invitation.token_hash}"
    secrets_ = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [salted_hmac(SPENT_SALT, value, secret=secret, algorithm="sha256").hexdigest() for secret in secrets_]


def invitation_spent(invitation: Invitation) -> bool:
    """Has this invitation submitted its answers (completed, or waiting for its batch)?"""
    if invitation.status == Invitation.Status.COMPLETED:
        return True
    return SpentLink.objects.filter(mark__in=spent_marks(invitation)).exists()


def invitations_spent(survey: Survey) -> set[int]:
    """The ids of the survey's invitations whose answers wait for their batch (for reminders,
    letters and replacements: a business that answered is not asked again)."""
    marks = set(SpentLink.objects.filter(survey=survey).values_list("mark", flat=True))
    if not marks:
        return set()
    spent = set()
    for invitation in Invitation.objects.filter(survey=survey).exclude(status=Invitation.Status.COMPLETED).only("pk", "token_hash"):
        if marks.intersection(spent_marks(invitation)):
            spent.add(invitation.pk)
    return spent


def batch_size(survey: Survey) -> int:
    k = SurveyAnalysis.objects.filter(survey=survey).values_list("min_cell", flat=True).first()
    return max(k or MIN_BATCH, MIN_BATCH)


def responses_flush_due(*, survey: Survey, channel: str) -> int:
    """Write the survey's held answers of one channel if they make a batch (or the survey has
    closed: then whatever is held). Called after each submission, outside its transactions."""
    held = HeldResponse.objects.filter(survey=survey, channel=channel).count()
    if not held:
        return 0
    closed = survey.state() == "closed"
    if not closed and (held < MIN_BATCH or held < batch_size(survey)):
        return 0
    return responses_flush(survey=survey, force=closed)


def responses_flush(*, survey: Survey, force: bool = False) -> int:
    """Write held answers as responses, one shuffled batch per channel of at least the batch
    size (any size with `force`: the survey closed), then mark the invitations whose links
    were used completed. Returns the number of responses written.

    Each batch is one transaction that only inserts responses and deletes held rows (the
    answers' side); the invitations are marked in another (the identity side), each in
    random order, so neither transaction ids, physical order nor ids follow arrival.
    """
    size = batch_size(survey)
    written = 0
    channels = HeldResponse.objects.filter(survey=survey).values_list("channel", flat=True).distinct()
    for channel in sorted(set(channels)):
        written += _batch_write(survey=survey, channel=channel, size=size, force=force)
    if written or force:
        _completions_mark(survey=survey)
    return written


def _batch_write(*, survey: Survey, channel: str, size: int, force: bool) -> int:
    shuffle = random.SystemRandom().shuffle
    with transaction.atomic():
        # Rows another flush is writing are skipped, never written twice.
        held = list(HeldResponse.objects.select_for_update(skip_locked=True).filter(survey=survey, channel=channel))
        if not held or (len(held) < size and not force):
            return 0
        shuffle(held)
        day = timezone.localdate()
        Response.objects.bulk_create([
            Response(
                id=uuid.uuid4(), survey_id=h.survey_id, version_id=h.version_id, answers=h.answers, rated_units=h.rated_units,
                channel=h.channel, submitted_on=h.submitted_on or day, duration_seconds=h.duration_seconds,
                # An import's key stays, so the same export imported again adds nothing; a web
                # or paper form's key goes with its held row (it came with the submission).
                idempotency_key=h.idempotency_key if h.channel == Response.Channel.IMPORT else secrets.token_hex(32),
            )
            for h in held
        ])
        HeldResponse.objects.filter(pk__in=[h.pk for h in held]).delete()
    return len(held)


def _completions_mark(*, survey: Survey) -> int:
    """Mark completed, in random order, every invitation whose link was used."""
    with transaction.atomic():
        marks = dict(SpentLink.objects.select_for_update(skip_locked=True).filter(survey=survey).values_list("mark", "pk"))
        if not marks:
            return 0
        done, used = [], []
        for invitation in Invitation.objects.filter(survey=survey).exclude(status=Invitation.Status.COMPLETED).only("pk", "token_hash"):
            found = [marks[m] for m in spent_marks(invitation) if m in marks]
            if found:
                done.append(invitation.pk)
                used.extend(found)
        random.SystemRandom().shuffle(done)
        for pk in done:
            Invitation.objects.filter(pk=pk).update(status=Invitation.Status.COMPLETED)
        SpentLink.objects.filter(pk__in=used).delete()
    return len(done)


def surveys_flush_held() -> list[tuple[Survey, int]]:
    """For the scheduled command: every survey with held answers or used links writes what
    makes a batch, and a survey whose closing time has passed writes everything it holds."""
    ids = set(HeldResponse.objects.values_list("survey_id", flat=True)) | set(SpentLink.objects.values_list("survey_id", flat=True))
    done = []
    for survey in Survey.objects.filter(pk__in=ids).order_by("pk"):
        closed = survey.state() == "closed"
        written = responses_flush(survey=survey, force=closed)
        done.append((survey, written))
    return done


# --- paper forms: numbers, double entry, settlement ------------------------------------------

@transaction.atomic
def survey_paper_double_entry_set(*, survey: Survey, required: bool, by) -> Survey:
    """Nhập kép — whether each paper form started from now on is typed by two clerks."""
    surveys_check(by)
    old = survey.paper_double_entry
    Survey.objects.filter(pk=survey.pk).update(paper_double_entry=required)
    survey.paper_double_entry = required
    _event(survey, SurveyEventCode.PAPER_DOUBLE_ENTRY, by, old=value_text(old), new=value_text(required))
    return survey


def paper_form_start(*, survey: Survey, number: str, by) -> Draft:
    """An empty draft for paper form `number` (số phiếu), typed by `by`.

    Without a number (allowed when forms are typed once) the form is not numbered. With double
    entry, each number is typed by two different clerks; a clerk who returns to a form they have
    not saved gets their own draft back.
    """
    surveys_check(by)
    if survey.state() == "scheduled":
        raise AccessRefused("scheduled", survey)
    number = " ".join((number or "").split())[:40]
    required = 2 if survey.paper_double_entry else 1
    if not number:
        if required > 1:
            raise ValidationError(_("Type the form number written on the paper form: each form is typed twice."))
        return draft_for_paper(survey=survey)
    if not getattr(by, "pk", None):
        raise ValidationError(_("A numbered paper form is typed by a signed-in clerk."))
    with transaction.atomic():
        form, _created = PaperForm.objects.select_for_update().get_or_create(survey=survey, number=number, defaults={"entries_required": required})
        if form.status != PaperForm.Status.TYPING:
            raise ValidationError(_("Form %(number)s has been typed already (%(status)s).") % {"number": number, "status": form.get_status_display().lower()})
        # An entry whose draft was cleared away unsaved (housekeeping) holds nothing: typed again.
        form.entries.filter(draft__isnull=True, answers__isnull=True).delete()
        entries = list(form.entries.all())
        mine = next((e for e in entries if e.clerk_id == by.pk), None)
        if mine is not None and mine.draft_id:
            return Draft.objects.get(pk=mine.draft_id)
        if mine is not None:
            raise ValidationError(_("You have typed form %(number)s already: another clerk types it the second time.") % {"number": number})
        if len(entries) >= form.entries_required:
            raise ValidationError(_("Form %(number)s is being typed already.") % {"number": number})
        draft = Draft.objects.create(key=secrets.token_hex(32), survey=survey, version=survey.version, channel=Draft.Channel.PAPER)
        PaperEntry.objects.create(paper_form=form, clerk=by, draft=draft, version=survey.version)
    return draft


def paper_entry_keep(*, entry: PaperEntry, draft: Draft, answers: dict, by) -> PaperForm:
    """A clerk saved their entry of a form typed twice: the checked answers wait with the entry.
    When both entries are in, they are compared; equal entries are settled at once, others wait
    for a third person (`paper_form_settle`)."""
    with transaction.atomic():
        form = PaperForm.objects.select_for_update().select_related("survey").get(pk=entry.paper_form_id)
        if not Draft.objects.filter(pk=draft.pk).delete()[0]:
            return form  # saved already (a double click)
        PaperEntry.objects.filter(pk=entry.pk).update(answers=answers, draft=None)
        if getattr(by, "pk", None):
            paper_entry_count(user=by, survey=form.survey)
        entries = list(form.entries.select_related("version").order_by("pk"))
        if len(entries) < form.entries_required or any(e.answers is None for e in entries):
            return form
        differing = answers_differences(entries[0].answers, entries[1].answers)
        if differing:
            form.status, form.differences = PaperForm.Status.TO_SETTLE, len(differing)
            form.save(update_fields=["status", "differences"])
            return form
        _paper_form_hold(form=form, entry=entries[0], answers=entries[0].answers, settled_by=None)
    responses_flush_due(survey=form.survey, channel=Response.Channel.PAPER)
    return form


def paper_form_settle(*, paper_form: PaperForm, chosen: dict[str, str], typed: dict[str, str] | None = None, by) -> PaperForm:
    """Đối chiếu — a third person settles a form typed twice: for each difference, the first
    entry's value ("1"), the second's ("2") or a value typed from the paper. The settled answers
    are checked again in full and held like any paper form; the entries and their answers go.
    Neither clerk of the form may settle it."""
    surveys_check(by)
    typed = {k: v for k, v in (typed or {}).items() if (v or "").strip()}
    with transaction.atomic():
        form = PaperForm.objects.select_for_update().select_related("survey").get(pk=paper_form.pk)
        if form.status != PaperForm.Status.TO_SETTLE:
            raise ValidationError(_("Form %(number)s has no differences to settle.") % {"number": form.number})
        entries = list(form.entries.select_related("version").order_by("pk"))
        if by is not None and any(e.clerk_id == by.pk for e in entries):
            raise PermissionDenied(_("You typed form %(number)s yourself: a third person settles its differences.") % {"number": form.number})
        first, second = entries[0], entries[1]
        flat_second = answers_flat(second.answers)
        differing = answers_differences(first.answers, second.answers)
        left = [a for a in differing if a not in typed and chosen.get(a) not in ("1", "2")]
        if left:
            raise ValidationError(_("Choose a value for every difference (%(n)s left).") % {"n": len(left)})
        answers = deepcopy(first.answers)
        elements = first.version.form.elements
        for address in differing:
            if address in typed:
                element = elements.get(address.rsplit("/", 1)[-1])
                value = normalise_input(element, typed[address], typed=True) if element is not None else typed[address].strip()
            elif chosen[address] == "2":
                value = flat_second.get(address, "")
            else:
                continue
            answers_set(answers, address, value)
        settled = _paper_form_hold(form=form, entry=first, answers=answers, settled_by=by)
        audit_record(event=PaperEventCode.SETTLED, obj=settled, by=by, parents=[form.survey], new=str(len(differing)))
    responses_flush_due(survey=form.survey, channel=Response.Channel.PAPER)
    return settled


def _paper_form_hold(*, form: PaperForm, entry: PaperEntry, answers: dict, settled_by) -> PaperForm:
    """Check the agreed answers in full and hold them for the paper batch; the entries go."""
    evaluation = Evaluation(entry.version.form, answers, external=units_choices(form.survey, entry.version))
    errors = evaluation.errors()
    if errors:
        raise ValidationError([f"{address}: {message}" for address, message in errors.items()])
    HeldResponse.objects.create(
        id=uuid.uuid4(), survey=form.survey, version=entry.version, answers=evaluation.clean(), rated_units=evaluation.rated_units(),
        channel=Response.Channel.PAPER, idempotency_key=idempotency_hash(form.survey_id, secrets.token_hex(32)),
    )
    form.status, form.settled_by = PaperForm.Status.SETTLED, settled_by if getattr(settled_by, "pk", None) else None
    form.save(update_fields=["status", "settled_by"])
    PaperEntry.objects.filter(paper_form=form).delete()
    return form


def paper_entry_count(*, user, survey: Survey) -> None:
    day = timezone.localdate()
    log, _created = PaperEntryLog.objects.get_or_create(user=user, survey=survey, day=day)
    PaperEntryLog.objects.filter(pk=log.pk).update(count=F("count") + 1)


def response_store(
    *, survey: Survey, version: QuestionnaireVersion, evaluation: Evaluation, key: str, day: datetime.date,
    channel: str = Response.Channel.IMPORT, duration_seconds: int | None = None,
) -> Response:
    """Write an already checked set of answers straight to the responses: the demo's and the
    tests' synthetic answers, which no respondent gave. Real ones go through HeldResponse
    (response_submit, response_hold)."""
    return Response.objects.create(
        id=uuid.uuid4(), survey=survey, version=version, answers=evaluation.clean(), rated_units=evaluation.rated_units(),
        channel=channel, submitted_on=day, idempotency_key=key, duration_seconds=duration_bucket(duration_seconds),
    )


def response_hold(*, survey: Survey, version: QuestionnaireVersion, evaluation: Evaluation, key: str, day: datetime.date | None,
                  channel: str = Response.Channel.IMPORT) -> HeldResponse:
    """Hold an already checked set of answers for the survey's next batch (imports)."""
    return HeldResponse.objects.create(
        id=uuid.uuid4(), survey=survey, version=version, answers=evaluation.clean(), rated_units=evaluation.rated_units(),
        channel=channel, submitted_on=day, idempotency_key=key,
    )


# --- how answers are analysed ----------------------------------------------------------------

@transaction.atomic
def survey_analysis_set(*, survey: Survey, by, min_cell: int, min_answers_per_unit: int, quality: dict, weighting: dict) -> SurveyAnalysis:
    """Change a survey's analysis settings (its anonymity threshold k among them); recorded with the
    values before and after."""
    if not may_set_survey_analysis(by):
        raise PermissionDenied
    fields = {"min_cell": min_cell, "min_answers_per_unit": min_answers_per_unit, "quality": quality or {}, "weighting": weighting or {}}
    analysis = SurveyAnalysis.objects.select_for_update().filter(survey=survey).first()
    old = {name: getattr(analysis, name) for name in fields} if analysis else {}
    if analysis is None:
        analysis = SurveyAnalysis.objects.create(survey=survey, **fields)
    else:
        for name, value in fields.items():
            setattr(analysis, name, value)
        analysis.save(update_fields=list(fields))
    changed = {name: value for name, value in fields.items() if old.get(name) != value}
    if changed:
        audit_record(event=SurveyEventCode.ANALYSIS_CHANGED, obj=survey, by=by,
                     old=json.dumps({k: old.get(k) for k in changed}, ensure_ascii=False, sort_keys=True) if old else "",
                     new=json.dumps(changed, ensure_ascii=False, sort_keys=True))
    return analysis
