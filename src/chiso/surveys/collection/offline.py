"""Offline collection: the form an enumerator's device keeps, and the one door its answers come in by.

An enumerator (a user who may type in paper forms: `accounts.permissions.user_manages`) opens
a survey in the enumerator app (`enumerator_views.py`, a web app with a service worker): the
device keeps the form described here and the answers it collects, and sends each set of
answers when the network returns. The server checks every answer again
(`offline_response_submit`), holds it for its batch like a paper form, and remembers the
submission key (OfflineKey), so that a resend — the device never heard the first answer —
stores nothing new, even after the batch is written. docs/surveys.md, "Offline collection".
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.accounts.permissions import user_manages

from chiso.surveys.collection.answers import answers_with_values
from chiso.surveys.collection.entries import addresses_allowed
from chiso.surveys.collection.evaluation import Evaluation, first_entries
from chiso.surveys.collection.formdef import Element, FormDef
from chiso.surveys.models import HeldResponse, OfflineKey, QuestionnaireVersion, Response, Survey
from chiso.surveys.queries import units_choices
from chiso.surveys.services import (
    AccessRefused,
    Submission,
    SubmissionRejected,
    idempotency_hash,
    paper_entry_count,
    responses_flush_due,
)

# The device's keys live in their own namespace: a web form's key can never collide with one.
KEY_PREFIX = "offline:"
MAX_ANSWERS = 2000  # addresses in one submission; a form with more is not one of ours


def may_collect_offline(user) -> bool:
    """Enumerators are the users who may type in paper forms (the same people, in the field)."""
    return bool(user is not None and user.is_active and user_manages(user))


def offline_surveys():
    """The surveys an enumerator's app lists: every survey that has opened (a form collected in
    time may still be sent after closing, as a paper form may be typed in)."""
    return Survey.objects.filter(opens_at__lte=timezone.now()).select_related("version__questionnaire").order_by("-opens_at", "code")


def offline_unsupported(form: FormDef) -> list[str]:
    """Why the offline form cannot carry this questionnaire (empty when it can): lists the
    respondent adds entries to, and counted lists other than "one entry per selected unit"."""
    reasons = []
    for element in form.root.walk():
        if element.is_repeat and not element.rating_select:
            reasons.append(element.key)
        if element.type in ("geopoint", "image", "file", "audio"):  # issue 20: files and places are not carried offline
            reasons.append(element.key)
    return reasons


def _text(form: FormDef, value) -> str:
    return form.text(value, "Vietnamese (vi)") if value else ""


def _question(form: FormDef, element: Element, external: dict) -> dict:
    choices = []
    if element.is_select:
        listed = external.get(element.itemset_file, []) if element.itemset_file else form.choices.get(element.list_name or "", [])
        choices = [{"name": c.name, "label": _text(form, c.label) or c.name} for c in listed]
    question = {
        "key": element.key,
        "type": element.type,
        "label": _text(form, element.label),
        "hint": _text(form, element.hint),
        "required": element.required,
        "required_message": _text(form, element.required_message),
        "relevant": element.relevant,
        "constraint": element.constraint,
        "constraint_message": _text(form, element.constraint_message),
        "choices": choices,
        "readonly": element.readonly,
        "multiline": "multiline" in element.appearance,
    }
    if element.type == "range":
        params = element.parameters or {}
        question["range"] = {k: str(params.get(k, d)) for k, d in (("start", 1), ("end", 10), ("step", 1))}
    return question


def _items(form: FormDef, parent: Element, external: dict) -> list[dict]:
    items = []
    for element in parent.children:
        if element.is_repeat:
            items.append({
                "key": element.key, "type": "repeat", "label": _text(form, element.label), "relevant": element.relevant,
                "rating_select": element.rating_select, "rating_field": element.rating_field,
                "items": _items(form, element, external),
            })
        elif element.is_group:
            items.append({"key": element.key, "type": "group", "label": _text(form, element.label), "relevant": element.relevant,
                          "items": _items(form, element, external)})
        elif element.is_displayed:
            items.append(_question(form, element, external))
        elif element.type == "calculate" and element.repeat is not None and element.repeat.rating_field == element.key:
            items.append({"key": element.key, "type": "unit_code"})
    return items


def offline_form(*, survey: Survey) -> dict:
    """The survey's form as the device keeps it: questions, choices (the period's units
    included), the rules it can check itself (required, relevant, constraint). The server
    checks everything again on submission; a rule the device cannot read, it leaves to the server."""
    version = survey.version
    form = version.form
    external = units_choices(survey, version)
    return {
        "survey": survey.code,
        "title": survey.title_vi,
        "version": version.pk,
        "version_name": version.version,
        "unsupported": offline_unsupported(form),
        "items": _items(form, form.root, external),
    }


def offline_response_submit(*, survey: Survey, version_id: int, values: dict, client_key: str, by) -> Submission:
    """Accept one set of answers from an enumerator's device, once.

    `values`: answers by address (`so_lao_dong`, `danh_gia[2]/diem_chung`), as typed. The form
    is checked in full as a paper form is; SubmissionRejected carries the messages by address
    (the device keeps the answers for correction). The answers are held for their batch like a
    paper form's, with no user, device or time; the hashed key is kept on its own (OfflineKey),
    so the same key again — before or after the batch — stores nothing and reports a duplicate.
    No audit record: responses never get one (docs/security.md).
    """
    if not may_collect_offline(by):
        raise PermissionDenied
    client_key = (client_key or "").strip()[:200]
    if not client_key:
        raise SubmissionRejected({"": _("The form was incomplete; please submit again.")})
    key = idempotency_hash(survey.pk, KEY_PREFIX + client_key)
    if OfflineKey.objects.filter(key=key).exists():
        return Submission(survey=survey, duplicate=True)
    if survey.state() == "scheduled":
        raise AccessRefused("scheduled", survey)
    if version_id != survey.version_id:
        # The device kept an older version: its answers are checked against the form it showed.
        version = QuestionnaireVersion.objects.filter(pk=version_id, questionnaire_id=survey.version.questionnaire_id).first()
        if version is None:
            raise SubmissionRejected({"": _("This form is no longer used by the survey; open the survey again to get its current form.")})
    else:
        version = survey.version
    if not isinstance(values, dict) or len(values) > MAX_ANSWERS:
        raise SubmissionRejected({"": _("The form was incomplete; please submit again.")})
    form = version.form
    values = {str(a): v if isinstance(v, (list, str)) else ("" if v is None else str(v)) for a, v in values.items()}
    answers = answers_with_values(form, {}, values, addresses_allowed(form, {}, list(values)))
    first_entries(form, answers)
    evaluation = Evaluation(form, answers, external=units_choices(survey, version, cached=True))
    errors = evaluation.errors()
    if errors:
        raise SubmissionRejected(errors)
    try:
        with transaction.atomic():
            OfflineKey.objects.create(id=uuid.uuid4(), survey=survey, key=key)
            HeldResponse.objects.create(
                id=uuid.uuid4(), survey=survey, version=version, answers=evaluation.clean(), rated_units=evaluation.rated_units(),
                channel=Response.Channel.PAPER, duration_seconds=None, idempotency_key=key,
            )
    except IntegrityError:
        return Submission(survey=survey, duplicate=True)  # two sends of the same key at once
    with transaction.atomic():
        paper_entry_count(user=by, survey=survey)
    responses_flush_due(survey=survey, channel=Response.Channel.PAPER)
    return Submission(survey=survey, duplicate=False)
