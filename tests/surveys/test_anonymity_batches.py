"""Responses arrive in shuffled batches of at least k; one submission changes nothing anyone sees.

docs/security.md, "Responses and invitations". The PostgreSQL half (xmin, dump order) is in
test_anonymity_pg.py.
"""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from chiso.accounts.models import Role
from chiso.surveys import services
from chiso.surveys.fieldwork.mailing import member_invitation, members_to_email
from chiso.surveys.models import Draft, HeldResponse, Invitation, Response, SampleMember, SpentLink, SurveyAnalysis
from chiso.surveys.fieldwork.sampling import sample_draw
from chiso.surveys.services import (
    DURATION_BUCKETS,
    AccessRefused,
    draft_for_paper,
    draft_for_token,
    duration_bucket,
    idempotency_hash,
    invitations_create,
    response_submit,
    survey_close,
    token_hash,
)

pytestmark = pytest.mark.django_db


def submit(survey, token, answers, n):
    draft = draft_for_token(token=token)
    Draft.objects.filter(pk=draft.pk).update(answers=answers(so_lao_dong=str(100 + n)), active_seconds=600 + n)
    return response_submit(survey_id=survey.pk, draft_key=draft.key, client_key=f"key-{n}")


def test_a_submission_is_held_with_no_link_the_draft_goes_and_the_invitation_row_is_untouched(ddci_survey, answers):
    [(invitation, token)] = invitations_create(survey=ddci_survey, labels=["DN-001"], by=None)
    draft = draft_for_token(token=token)
    before = Invitation.objects.filter(pk=invitation.pk).values().get()
    submission = submit(ddci_survey, token, answers, 1)
    assert not submission.duplicate and submission.survey == ddci_survey
    assert Response.objects.count() == 0 and not Draft.objects.filter(pk=draft.pk).exists()
    assert Invitation.objects.filter(pk=invitation.pk).values().get() == before  # in progress, as before
    held = HeldResponse.objects.values().get()
    assert set(held) == {"id", "survey_id", "version_id", "answers", "rated_units", "channel", "submitted_on", "duration_seconds", "idempotency_key"}
    assert held["submitted_on"] is None and held["duration_seconds"] == 600 and held["id"].version == 4
    mark = SpentLink.objects.get().mark  # an HMAC under the secret key: nothing in it names the invitation
    assert invitation.token_hash not in mark and len(mark) == 64 and token_hash(str(invitation.pk)) != mark
    with pytest.raises(AccessRefused) as refused:  # the link is single-use at once
        draft_for_token(token=token)
    assert refused.value.reason == "completed"


def test_five_submissions_are_written_as_one_shuffled_batch_with_their_completions(ddci_survey, answers):
    created = invitations_create(survey=ddci_survey, labels=[f"DN-{n}" for n in range(5)], by=None)
    for n, (_invitation, token) in enumerate(created[:4]):
        submit(ddci_survey, token, answers, n)
    assert Response.objects.count() == 0 and HeldResponse.objects.count() == 4
    assert not Invitation.objects.filter(status=Invitation.Status.COMPLETED).exists()
    submit(ddci_survey, created[4][1], answers, 4)
    assert Response.objects.count() == 5 and not HeldResponse.objects.exists() and not SpentLink.objects.exists()
    assert Invitation.objects.filter(status=Invitation.Status.COMPLETED).count() == 5
    rows = list(Response.objects.values("submitted_on", "duration_seconds", "idempotency_key", "answers"))
    assert len({r["submitted_on"] for r in rows}) == 1  # the batch's day
    assert {r["duration_seconds"] for r in rows} == {600}  # 600..604 seconds: one bucket
    assert {r["answers"]["so_lao_dong"] for r in rows} == {100, 101, 102, 103, 104}
    # the submission keys went with the held rows: no response repeats a browser's key
    assert not Response.objects.filter(idempotency_key__in=[idempotency_hash(ddci_survey.pk, f"key-{n}") for n in range(5)]).exists()


def test_the_batch_is_the_surveys_k_but_never_fewer_than_five(ddci_survey, answers):
    SurveyAnalysis.objects.create(survey=ddci_survey, min_cell=7)
    created = invitations_create(survey=ddci_survey, labels=[f"DN-{n}" for n in range(7)], by=None)
    for n, (_invitation, token) in enumerate(created[:6]):
        submit(ddci_survey, token, answers, n)
    assert Response.objects.count() == 0
    submit(ddci_survey, created[6][1], answers, 6)
    assert Response.objects.count() == 7
    SurveyAnalysis.objects.filter(survey=ddci_survey).update(min_cell=1)  # the secretariat cannot make batches of one
    more = invitations_create(survey=ddci_survey, labels=["a", "b"], by=None)
    for n, (_invitation, token) in enumerate(more, start=10):
        submit(ddci_survey, token, answers, n)
    assert Response.objects.count() == 7 and HeldResponse.objects.count() == 2


def test_a_double_click_is_held_once_and_a_retry_after_the_batch_stores_nothing(ddci_survey, answers):
    [(_invitation, token)] = invitations_create(survey=ddci_survey, labels=["DN"], by=None)
    draft = draft_for_token(token=token)
    Draft.objects.filter(pk=draft.pk).update(answers=answers())
    first = response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="same")
    again = response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="same")
    assert (first.duplicate, again.duplicate) == (False, True) and HeldResponse.objects.count() == 1
    survey_close(survey=ddci_survey, by=None)  # closing writes what is held, however few
    assert Response.objects.count() == 1 and Invitation.objects.get().status == Invitation.Status.COMPLETED
    with pytest.raises(AccessRefused):
        response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="same")
    assert Response.objects.count() == 1


def test_a_failure_after_the_answers_are_held_loses_nothing_and_the_retry_finishes(ddci_survey, answers, monkeypatch):
    [(invitation, token)] = invitations_create(survey=ddci_survey, labels=["DN"], by=None)
    draft = draft_for_token(token=token)
    Draft.objects.filter(pk=draft.pk).update(answers=answers())
    real = services.SpentLink.objects.bulk_create

    def broken(*args, **kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(services.SpentLink.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="k")
    assert HeldResponse.objects.count() == 1 and Draft.objects.filter(pk=draft.pk).exists()  # answers kept
    monkeypatch.setattr(services.SpentLink.objects, "bulk_create", real)
    retry = response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="k")  # the browser resends
    assert retry.duplicate and HeldResponse.objects.count() == 1 and not Draft.objects.exists()
    assert SpentLink.objects.count() == 1


def test_paper_forms_and_imports_wait_for_their_own_batch(ddci_survey, answers, make_user):
    clerk = make_user("thuky", Role.SECRETARIAT)
    for n in range(4):
        draft = draft_for_paper(survey=ddci_survey)
        Draft.objects.filter(pk=draft.pk).update(answers=answers())
        response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key=f"p{n}", by=clerk)
    assert Response.objects.count() == 0 and set(HeldResponse.objects.values_list("channel", flat=True)) == {"paper"}
    draft = draft_for_paper(survey=ddci_survey)
    Draft.objects.filter(pk=draft.pk).update(answers=answers())
    response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="p4", by=clerk)
    assert Response.objects.filter(channel="paper").count() == 5


def test_the_scheduled_command_writes_what_closed_surveys_hold(ddci_survey, answers):
    created = invitations_create(survey=ddci_survey, labels=["a", "b"], by=None)
    for n, (_invitation, token) in enumerate(created):
        submit(ddci_survey, token, answers, n)
    call_command("surveys_flush")
    assert Response.objects.count() == 0  # open, and fewer than k: they wait
    type(ddci_survey).objects.filter(pk=ddci_survey.pk).update(closes_at=timezone.now())  # its closing time passed
    call_command("surveys_flush")
    assert Response.objects.count() == 2 and Invitation.objects.filter(status=Invitation.Status.COMPLETED).count() == 2


def test_answering_time_is_kept_as_a_bucket():
    assert [duration_bucket(s) for s in (None, 0, 59, 61, 299, 301, 659, 10_000)] == [None, 0, 0, 60, 240, 300, 600, 7200]
    assert list(DURATION_BUCKETS) == sorted(DURATION_BUCKETS)


def test_reminders_skip_a_business_whose_answers_wait_for_their_batch(ddci_survey, make_frame, answers):
    sample = sample_draw(survey=ddci_survey, frame=make_frame(12), strata=[], size=6, seed=7, by=None)
    members = list(SampleMember.objects.filter(sample=sample, active=True).order_by("pk"))
    tokens = [member_invitation(m)[1] for m in members]
    SampleMember.objects.filter(pk__in=[m.pk for m in members]).update(emailed_at="2025-05-01T08:00:00+07:00")
    submit(ddci_survey, tokens[0], answers, 0)
    due = set(members_to_email(sample, "reminder").values_list("pk", flat=True))
    assert members[0].pk not in due and len(due) == 5


# --- the secretariat's pages over time ------------------------------------------------------------

def _pages(client, survey):
    code = survey.code
    urls = [f"/surveys/{code}/", f"/surveys/{code}/sample/", f"/surveys/{code}/monitor/", f"/surveys/{code}/contact/",
            f"/surveys/{code}/responses/", f"/surveys/{code}/export/responses.csv", f"/surveys/{code}/quality/", "/surveys/",
            f"/surveys/{code}/invitations/status/"]
    pages = {}
    for url in urls:
        page = client.get(url)
        assert page.status_code == 200, url
        body = b"".join(page.streaming_content) if page.streaming else page.content
        # what differs between two loads of the same page anyway
        pages[url] = re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+', r"\1", body.decode())
    return pages


def test_the_secretariats_pages_do_not_change_when_one_business_submits(ddci_survey, make_frame, answers, make_user):
    sample = sample_draw(survey=ddci_survey, frame=make_frame(20), strata=["sector"], size=10, seed=3, by=None)
    members = list(SampleMember.objects.filter(sample=sample, active=True).order_by("pk"))
    tokens = [member_invitation(m)[1] for m in members]
    drafts = [draft_for_token(token=t) for t in tokens[:6]]  # six businesses have started
    for n, draft in enumerate(drafts):
        Draft.objects.filter(pk=draft.pk).update(answers=answers(so_lao_dong=str(100 + n)), active_seconds=700)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(make_user("thuky", Role.SECRETARIAT))

    before = _pages(client, ddci_survey)
    response_submit(survey_id=ddci_survey.pk, draft_key=drafts[0].key, client_key="one")
    after = _pages(client, ddci_survey)
    changed = [url for url in before if before[url] != after[url]]
    assert changed == []

    for n, draft in enumerate(drafts[1:4], start=1):
        response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key=f"k{n}")
    assert _pages(client, ddci_survey) == before  # four held: still nothing to see
    response_submit(survey_id=ddci_survey.pk, draft_key=drafts[4].key, client_key="k4")
    batch = _pages(client, ddci_survey)
    assert batch[f"/surveys/{ddci_survey.code}/responses/"] != before[f"/surveys/{ddci_survey.code}/responses/"]
    # the sample page turns five businesses completed at once
    completed = "Đã hoàn thành"
    assert batch[f"/surveys/{ddci_survey.code}/sample/"].count(completed) - before[f"/surveys/{ddci_survey.code}/sample/"].count(completed) == 5
    assert Invitation.objects.filter(status=Invitation.Status.COMPLETED, token_hash__in=[token_hash(t) for t in tokens[:5]]).count() == 5


def test_the_invitation_status_list_shows_each_stage_and_completion_only_with_its_batch(ddci_survey, make_frame, answers, make_user):
    """Issue 20: created, sent, opened, completed, opted out, bounced — per invitation."""
    sample = sample_draw(survey=ddci_survey, frame=make_frame(20), strata=[], size=10, seed=5, by=None)
    members = list(SampleMember.objects.filter(sample=sample, active=True).order_by("pk"))
    tokens = [member_invitation(m)[1] for m in members]
    SampleMember.objects.filter(pk__in=[m.pk for m in members[1:10]]).update(emailed_at="2025-05-01T08:00:00+07:00")
    SampleMember.objects.filter(pk=members[8].pk).update(send_error="550 mailbox unavailable")
    SampleMember.objects.filter(pk=members[7].pk).update(opted_out_at="2025-05-02T08:00:00+07:00")
    for n, token in enumerate(tokens[1:6], start=1):
        draft = draft_for_token(token=token)
        Draft.objects.filter(pk=draft.pk).update(answers=answers())
        if n < 5:
            response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key=f"s{n}")
    draft_for_token(token=tokens[6])
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(make_user("thuky", Role.SECRETARIAT))
    url = f"/surveys/{ddci_survey.code}/invitations/status/"

    def states():
        html = client.get(url).content.decode()
        return {label: int(n) for label, n in re.findall(r'state=\w+">([^<]+)</a>: (\d+)', html)}

    # four submitted, held: still "opened", like the two who have not submitted
    assert states() == {"đã tạo": 1, "đã gửi": 1, "đã mở": 6, "đã hoàn thành": 0, "từ chối": 1, "gửi lỗi": 1, "đã thu hồi": 0}
    draft = Draft.objects.get(invitation__member=members[5])
    response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key="s5")  # the fifth: the batch
    assert states() == {"đã tạo": 1, "đã gửi": 1, "đã mở": 1, "đã hoàn thành": 5, "từ chối": 1, "gửi lỗi": 1, "đã thu hồi": 0}
    page = client.get(url + "?state=completed").content.decode()
    assert all(m.entry.name in page for m in members[1:6]) and members[6].entry.name not in page
    for role in (Role.ANALYST, Role.LEADER):
        other = Client(HTTP_HOST="127.0.0.1")
        other.force_login(make_user(f"u-{role}", role))
        assert other.get(url).status_code == 403
