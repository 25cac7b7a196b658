"""Writes about surveys: the only way questionnaires, surveys, invitations, drafts and responses change."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from copy import deepcopy
from dataclasses import dataclass, field

from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.audit.services import audit_record
from chiso.core.tabular import ImportFailed, Problem

from .engine import Evaluation, first_entries, normalise_input
from .form import Choice
from .models import Draft, Invitation, PaperEntryLog, Questionnaire, QuestionnaireVersion, Response, Survey, SurveyDay
from .xlsform import ParsedForm, xlsform_parse


class SurveyEventCode:
    CREATED = "survey.created"
    OPENED = "survey.opened"
    CLOSED = "survey.closed"
    EXTENDED = "survey.extended"
    VERSION_CHANGED = "survey.version_changed"
    INVITATIONS_CREATED = "survey.invitations_created"
    RESPONSES_IMPORTED = "survey.responses_imported"


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


def questionnaire_import(*, file_name: str, content: bytes, by=None, check_only: bool = False) -> QuestionnaireImport:
    """Parse an XLSForm and store it as a new version; all or nothing.

    Uploading the same workbook again changes nothing. A changed form must carry a new
    `version` on its settings sheet: answered versions are never rewritten.
    """
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
    return QuestionnaireImport(version=created, parsed=parsed, created=True)


# --- surveys ------------------------------------------------------------------------------

@transaction.atomic
def survey_create(*, code: str, title_vi: str, period, version: QuestionnaireVersion, opens_at, closes_at, title_en: str = "", open_link: bool = False, by=None) -> Survey:
    survey = Survey(
        code=code, title_vi=title_vi, title_en=title_en, period=period, version=version,
        opens_at=opens_at, closes_at=closes_at, open_link=open_link, open_key=secrets.token_urlsafe(12) if open_link else "",
    )
    survey.full_clean()
    survey.save()
    _event(survey, SurveyEventCode.CREATED, by, new=f"{opens_at:%Y-%m-%d %H:%M} – {closes_at:%Y-%m-%d %H:%M}")
    return survey


@transaction.atomic
def survey_open_now(*, survey: Survey, by=None) -> Survey:
    now = timezone.now()
    old = survey.opens_at
    survey.opens_at = now
    if survey.closes_at <= now:
        survey.closes_at = now + datetime.timedelta(days=30)
    survey.save(update_fields=["opens_at", "closes_at"])
    _event(survey, SurveyEventCode.OPENED, by, old=old.isoformat(), new=now.isoformat())
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, by=None, reason: str = "") -> Survey:
    now = timezone.now()
    old = survey.closes_at
    survey.closes_at = max(now, survey.opens_at + datetime.timedelta(seconds=1))
    survey.save(update_fields=["closes_at"])
    _event(survey, SurveyEventCode.CLOSED, by, old=old.isoformat(), new=survey.closes_at.isoformat(), reason=reason)
    return survey


@transaction.atomic
def survey_extend(*, survey: Survey, closes_at, by=None, reason: str = "") -> Survey:
    from django.core.exceptions import ValidationError

    if closes_at <= survey.opens_at:
        raise ValidationError(_("The new closing time must be after the opening time."))
    old = survey.closes_at
    survey.closes_at = closes_at
    survey.save(update_fields=["closes_at"])
    _event(survey, SurveyEventCode.EXTENDED, by, old=old.isoformat(), new=closes_at.isoformat(), reason=reason)
    return survey


@transaction.atomic
def survey_version_set(*, survey: Survey, version: QuestionnaireVersion, by=None) -> Survey:
    """Later drafts use the new version; drafts already started keep theirs, as responses do."""
    old = survey.version
    survey.version = version
    survey.save(update_fields=["version"])
    _event(survey, SurveyEventCode.VERSION_CHANGED, by, old=str(old), new=str(version))
    return survey


# A unit added to a period reaches respondents' forms within this many seconds: the list is
# read on every page and every submission, and it changes a few times a year.
UNITS_CACHE_SECONDS = 60


def units_choices(survey: Survey, version: QuestionnaireVersion | None = None, *, cached: bool = False) -> dict[str, list[Choice]]:
    """The units a respondent may pick, per units_<block>.csv list of the form (the survey's
    version unless another is given): the period's units. `cached`: a copy up to a minute old
    will do (the respondent's pages and submission); analysis and imports read the table."""
    from chiso.units.models import Unit

    period = survey.period
    external = {}
    for block in sorted((version or survey.version).form.units_blocks()):
        key = f"chiso:units-choices:{period.pk}:{period.start_date}:{period.end_date}:{block}"
        choices = caches["local"].get(key) if cached else None  # this process's copy (settings.CACHES)
        if choices is None:
            units = Unit.objects.active_in(period).filter(block__code=block).order_by("name_vi").values_list("code", "name_vi", "name_en")
            choices = [
                Choice(name=code, label={"Vietnamese (vi)": name_vi, "English (en)": name_en or name_vi}) for code, name_vi, name_en in units
            ]
            caches["local"].set(key, choices, UNITS_CACHE_SECONDS)
        external[f"units_{block}.csv"] = choices
    return external


def evaluation_for(*, survey: Survey, version: QuestionnaireVersion, answers: dict, language: str | None = None) -> Evaluation:
    """A draft's answers as its respondent's pages read them."""
    external = units_choices(survey, version, cached=True)
    return Evaluation(version.form, answers, external=external, language=language)


# --- invitations and access -----------------------------------------------------------------

def invitations_create(*, survey: Survey, labels: list[str], by=None) -> list[tuple[Invitation, str]]:
    """New single-use tokens. The raw token is returned once, to be sent; only its hash is kept."""
    created = []
    with transaction.atomic():
        for label in labels:
            token = secrets.token_urlsafe(18)
            created.append((Invitation.objects.create(survey=survey, token_hash=token_hash(token), label=label[:255]), token))
        _event(survey, SurveyEventCode.INVITATIONS_CREATED, by, new=str(len(labels)))
    return created


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
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("survey").filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise AccessRefused("unknown")
    if invitation.status == Invitation.Status.COMPLETED:
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

def answers_set(answers: dict, address: str, value) -> None:
    """Put one value at an address such as `danh_gia[2]/diem` into the nested answers."""
    scope = answers
    parts = address.split("/")
    for part in parts[:-1]:
        name, index = part[:-1].split("[")
        entries = scope.setdefault(name, [])
        while len(entries) < int(index):
            entries.append({})
        scope = entries[int(index) - 1]
    scope[parts[-1]] = value


def answers_with_values(form, answers: dict, values: dict[str, str], addresses: list[str]) -> dict:
    """The draft's answers with one page's posted values put in (the page's own questions only)."""
    merged = deepcopy(answers or {})
    for address in addresses:
        element = form.elements.get(address.rsplit("/", 1)[-1])
        if element is None or not element.is_displayed or element.type == "note" or element.readonly:
            continue
        answers_set(merged, address, normalise_input(element, values.get(address, "")))
    return merged


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
    response: Response | None
    duplicate: bool


def response_submit(*, survey_id: int, draft_key: str, client_key: str, by=None) -> Submission:
    """Store the draft as a response, once. The same client key again returns the first response.

    Raises SubmissionRejected with messages by address when any answer fails the form's
    rules (the whole form is checked again here), and AccessRefused when the draft is gone
    or the survey closed meanwhile.
    """
    client_key = (client_key or "").strip()[:200]
    if not client_key:
        raise SubmissionRejected({"": _("The form was incomplete; please submit again.")})
    key = idempotency_hash(survey_id, client_key)
    try:
        return _response_store_once(survey_id=survey_id, draft_key=draft_key, key=key, by=by)
    except IntegrityError:
        # The same key was stored meanwhile (its transaction committed first): that response.
        return Submission(response=Response.objects.filter(idempotency_key=key).first(), duplicate=True)


@transaction.atomic
def _response_store_once(*, survey_id: int, draft_key: str, key: str, by) -> Submission:
    # One query for the draft, its survey and period and its version, without the version's
    # parsed form and workbook: each process keeps the parsed form (QuestionnaireVersion.form).
    draft = (Draft.objects.select_for_update(of=("self",)).select_related("survey__period", "version")
             .defer("version__survey", "version__xlsform", "version__warnings")
             .filter(key=draft_key, survey_id=survey_id).first())
    if draft is None:
        # Submitted already (a double click waits on the lock above, then sees the response).
        stored = Response.objects.filter(idempotency_key=key).first()
        if stored is not None:
            return Submission(response=stored, duplicate=True)
        survey = Survey.objects.filter(pk=survey_id).first()
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
    if draft.invitation_id:
        Invitation.objects.filter(pk=draft.invitation_id).update(status=Invitation.Status.COMPLETED)
    if channel == Response.Channel.PAPER and getattr(by, "pk", None):
        paper_entry_count(user=by, survey=survey)
    Draft.objects.filter(pk=draft.pk).delete()
    # Last, so that a key already used (unique) rolls the whole submission back, draft included.
    response = Response.objects.create(
        id=uuid.uuid4(), survey=survey, version=draft.version, answers=evaluation.clean(),
        rated_units=evaluation.rated_units(), channel=channel, submitted_on=timezone.localdate(), idempotency_key=key,
        duration_seconds=active_seconds(draft),
    )
    return Submission(response=response, duplicate=False)


def paper_entry_count(*, user, survey: Survey) -> None:
    day = timezone.localdate()
    log, _created = PaperEntryLog.objects.get_or_create(user=user, survey=survey, day=day)
    PaperEntryLog.objects.filter(pk=log.pk).update(count=F("count") + 1)


def response_store(
    *, survey: Survey, version: QuestionnaireVersion, evaluation: Evaluation, key: str, day: datetime.date,
    channel: str = Response.Channel.IMPORT, duration_seconds: int | None = None,
) -> Response:
    """Store an already checked set of answers (imports, the demo's synthetic responses)."""
    return Response.objects.create(
        id=uuid.uuid4(), survey=survey, version=version, answers=evaluation.clean(), rated_units=evaluation.rated_units(),
        channel=channel, submitted_on=day, idempotency_key=key, duration_seconds=duration_seconds,
    )
