"""Writes: invitations, drafts, submission (idempotent, re-checked), open/close/extend, paper entry."""

import datetime
import io
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from chiso.accounts.models import Role
from chiso.audit.models import AuditRecord
from chiso.surveys.models import Draft, Invitation, PaperEntryLog, Response
from chiso.surveys.services import (
    AccessRefused,
    SubmissionRejected,
    draft_for_open_link,
    draft_for_paper,
    draft_for_token,
    draft_save,
    invitations_create,
    questionnaire_import,
    response_submit,
    responses_flush,
    survey_close,
    survey_extend,
    survey_version_set,
    token_hash,
)


def fill(draft, answers):
    Draft.objects.filter(pk=draft.pk).update(answers=answers)
    draft.refresh_from_db()
    return draft


@pytest.mark.django_db
def test_a_token_opens_one_draft_resumed_later_and_is_spent_by_submitting(ddci_survey, answers):
    [(invitation, token)] = invitations_create(survey=ddci_survey, labels=["DN-001"], by=None)
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    draft = draft_for_token(token=token)
    assert draft_for_token(token=token).pk == draft.pk  # the next day, the same link resumes
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.IN_PROGRESS
    fill(draft, answers())
    submission = response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="k1")
    assert not submission.duplicate and Response.objects.count() == 0  # held until its batch (test_anonymity_batches.py)
    responses_flush(survey=ddci_survey, force=True)
    assert Response.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.COMPLETED
    assert not Draft.objects.exists()
    with pytest.raises(AccessRefused) as refused:
        draft_for_token(token=token)
    assert refused.value.reason == "completed"
    with pytest.raises(AccessRefused) as refused:
        draft_for_token(token="not-a-real-token-at-all")
    assert refused.value.reason == "unknown"


@pytest.mark.django_db
def test_submitting_twice_with_the_same_key_stores_one_response(ddci_survey, answers):
    draft = fill(draft_for_open_link(survey=_open(ddci_survey)), answers())
    first = response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="same")
    again = response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="same")
    assert again.duplicate and not first.duplicate
    responses_flush(survey=ddci_survey, force=True)
    assert Response.objects.count() == 1


def _open(survey):
    survey.open_link = True
    survey.open_key = "k"
    survey.save()
    return survey


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_store_one_response(ddci_survey, answers):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the PostgreSQL run checks the row lock")
    draft = fill(draft_for_open_link(survey=_open(ddci_survey)), answers())
    results, barrier = [], threading.Barrier(2)

    def go():
        barrier.wait()
        try:
            results.append(response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="click"))
        finally:
            connection.close()

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.duplicate for r in results) == [False, True]
    responses_flush(survey=ddci_survey, force=True)
    assert Response.objects.count() == 1


@pytest.mark.django_db
def test_the_server_rechecks_everything_on_submit_and_stores_nothing_when_wrong(ddci_survey, answers):
    draft = fill(draft_for_open_link(survey=_open(ddci_survey)), answers(so_lao_dong="-5", units=("S-TC", "S-NOPE")))
    with pytest.raises(SubmissionRejected) as rejected:
        response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="x")
    assert rejected.value.errors["so_lao_dong"] == "Số lao động phải từ 0 đến 100.000."
    assert "S-NOPE" in rejected.value.errors["don_vi_lien_he"]
    assert Response.objects.count() == 0 and Draft.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
def test_a_page_with_a_tampered_unit_is_not_saved(ddci_survey, answers):
    draft = fill(draft_for_open_link(survey=_open(ddci_survey)), answers())
    saved = draft_save(
        draft=draft, values={"danh_gia[1]/diem_chung": "2"}, page="r-danh_gia-1", addresses=["danh_gia[1]/diem_chung"],
        validate=True, hidden={"danh_gia[1]/ma_don_vi": "S-TP"},
    )
    assert "danh_gia[1]/ma_don_vi" in saved.errors
    draft.refresh_from_db()
    assert draft.answers["danh_gia"][0]["diem_chung"] == "7"


@pytest.mark.django_db
def test_closed_and_scheduled_surveys_refuse_links_and_the_secretariat_can_extend(ddci_survey, make_user):
    [(_inv, token)] = invitations_create(survey=ddci_survey, labels=["a"], by=None)
    user = make_user("thuky", Role.SECRETARIAT)
    survey_close(survey=ddci_survey, by=user)
    with pytest.raises(AccessRefused) as refused:
        draft_for_token(token=token)
    assert refused.value.reason == "closed"
    survey_extend(survey=ddci_survey, closes_at=timezone.now() + datetime.timedelta(days=7), by=user, reason="low response")
    assert draft_for_token(token=token)
    with pytest.raises(ValidationError):
        survey_extend(survey=ddci_survey, closes_at=ddci_survey.opens_at - datetime.timedelta(days=1), by=user)
    assert list(AuditRecord.objects.filter(object_type="surveys.survey").values_list("event", flat=True).order_by("at", "pk"))[-2:] == ["survey.closed", "survey.extended"]


@pytest.mark.django_db
def test_a_survey_that_has_not_opened(make_survey, ddci_version, departments):
    survey = make_survey(ddci_version, opens=2, closes=30)
    [(_inv, token)] = invitations_create(survey=survey, labels=["a"], by=None)
    with pytest.raises(AccessRefused) as refused:
        draft_for_token(token=token)
    assert refused.value.reason == "scheduled"


@pytest.mark.django_db
def test_closing_while_a_respondent_is_answering_refuses_the_submit(ddci_survey, answers):
    [(_inv, token)] = invitations_create(survey=ddci_survey, labels=["a"], by=None)
    draft = fill(draft_for_token(token=token), answers())
    survey_close(survey=ddci_survey, by=None)
    with pytest.raises(AccessRefused):
        response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="late")
    assert Response.objects.count() == 0


@pytest.mark.django_db
def test_paper_entry_records_the_typist_apart_from_the_answers(ddci_survey, answers, make_user):
    clerk = make_user("thuky", Role.SECRETARIAT)
    for n in range(2):
        draft = fill(draft_for_paper(survey=ddci_survey), answers())
        response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key=f"p{n}", by=clerk)
    responses_flush(survey=ddci_survey, force=True)
    assert set(Response.objects.values_list("channel", flat=True)) == {"paper"}
    log = PaperEntryLog.objects.get()
    assert (log.user, log.count, log.day) == (clerk, 2, timezone.localdate())
    # Paper forms collected before closing may be typed in afterwards.
    survey_close(survey=ddci_survey, by=None)
    assert draft_for_paper(survey=ddci_survey).channel == "paper"


@pytest.mark.django_db
def test_a_response_keeps_the_version_it_was_answered_on(ddci_survey, answers, xlsform):
    [(_inv, token)] = invitations_create(survey=ddci_survey, labels=["a"], by=None)
    draft = fill(draft_for_token(token=token), answers())
    path = Path(__file__).resolve().parents[2] / "docs" / "examples" / "ddci_departments.xlsx"
    book = load_workbook(path)
    book["settings"]["C2"] = "2025.2"
    buffer = io.BytesIO()
    book.save(buffer)
    newer = questionnaire_import(file_name="v2.xlsx", content=buffer.getvalue(), by=None).version
    old = ddci_survey.version
    survey_version_set(survey=ddci_survey, version=newer, by=None)
    response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="v")
    responses_flush(survey=ddci_survey, force=True)
    response = Response.objects.get()
    assert response.version == old and ddci_survey.version == newer
