"""Anonymity by design, proved on the tables, the logs and every page as each role."""

import logging
import re

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from chiso.accounts.models import Role
from chiso.surveys import models
from chiso.surveys.collection import draft_cookies
from chiso.surveys.collection.logfilters import redact
from chiso.surveys.models import Draft, Invitation, Response
from chiso.surveys.services import draft_for_token, invitations_create, response_submit, responses_flush, token_hash

LABEL = "Công ty TNHH Minh Khai (DN-007)"


def journey(client, token, answers):
    """A respondent's whole journey through the web form without JavaScript."""
    response = client.get(f"/s/{token}/", follow=True)
    for _ in range(20):
        html = response.content.decode()
        if "submission_key" in html:
            key = re.search(r'name="submission_key" value="([^"]+)"', html).group(1)
            submit_url = re.search(r'action="(/s/r/[^"]+/submit/)"', html).group(1)
            return client.post(submit_url, {"submission_key": key}, follow=True)
        action = re.search(r'<form method="post" action="(/s/r/[^"]+/p/[^"]+/)"', html).group(1)
        shown = re.findall(r'name="_shown" value="([^"]+)"', html)
        data = {"_shown": shown, "action": "next"}
        data.update({name: value for name, value in re.findall(r'name="(_calc:[^"]+)" value="([^"]*)"', html)})
        for address in shown:
            data[address] = answers(address)
        response = client.post(action, data, follow=True)
    raise AssertionError("the journey did not reach the review page")


def ddci_value(address):
    name = address.rsplit("/", 1)[-1]
    return {
        "loai_hinh": "tnhh", "nganh_nghe": "du_lich", "so_lao_dong": "25", "nam_thanh_lap": "2012",
        "don_vi_lien_he": ["S-TC", "S-TP"], "hinh_thuc_lien_he": "truc_tiep", "minh_bach": "4", "nang_dong": "4",
        "canh_tranh": "3", "so_lan_di_lai": "2", "chi_phi_khong_chinh_thuc": "khong", "diem_chung": "8",
        "can_cai_thien": "thu_tuc", "ngay_gan_nhat": "2023-05-04", "gop_y": "Cần rút ngắn thời gian.",
    }.get(name, "")


@pytest.fixture
def completed(ddci_survey, db):
    [(invitation, token)] = invitations_create(survey=ddci_survey, labels=[LABEL], by=None)
    client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="Mozilla/5.0 (Android 14; Mobile)")
    done = journey(client, token, ddci_value)
    assert "Cảm ơn" in done.content.decode()
    responses_flush(survey=ddci_survey, force=True)  # as when the survey closes: the batch is written
    return invitation, token, client


def test_a_response_row_holds_no_token_no_respondent_no_address_and_only_a_date(completed):
    invitation, token, _client = completed
    response = Response.objects.get()
    columns = {f.column for f in Response._meta.concrete_fields}
    # duration_seconds (Surveys II, speeder checks) is a number of seconds with no time of day.
    assert columns == {"id", "survey_id", "version_id", "answers", "rated_units", "channel", "submitted_on", "idempotency_key", "duration_seconds"}
    assert Response._meta.get_field("submitted_on").get_internal_type() == "DateField"
    assert Response._meta.get_field("id").get_internal_type() == "UUIDField"
    row = repr(Response.objects.values().get())
    for secret in (token, token_hash(token), LABEL, "203.0.113.77", "Android"):
        assert secret not in row
    assert response.answers["danh_gia"][1]["ma_don_vi"] == "S-TP"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.COMPLETED  # the invitation learns this, and only this


def test_no_table_but_the_invitations_holds_the_token_or_its_hash_and_no_draft_survives(completed):
    invitation, token, _client = completed
    found = {}
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = model._meta.db_table
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                text = " ".join(str(v) for v in row)
                for name, secret in (("token", token), ("hash", token_hash(token)), ("label", LABEL)):
                    if secret in text:
                        found.setdefault(name, set()).add(table)
    assert found.get("hash") == {"surveys_invitation"}
    assert found.get("label") == {"surveys_invitation"}
    assert "token" not in found
    assert not Session.objects.exists()  # a respondent's browser has no server-side session row at all
    kept = repr(draft_cookies.decode(_client.cookies[draft_cookies.COOKIE_NAME].value))  # what the browser keeps: references
    assert "draft" in kept and token not in kept and token_hash(token) not in kept
    assert not Draft.objects.exists()


def test_responses_cannot_be_joined_or_ordered_back_to_invitations(ddci_survey, answers):
    created = invitations_create(survey=ddci_survey, labels=[f"DN-{n}" for n in range(12)], by=None)
    for n, (_invitation, token) in enumerate(created):
        draft = draft_for_token(token=token)
        Draft.objects.filter(pk=draft.pk).update(answers=answers())
        response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key=f"key-{n}")
    assert Response.objects.count() == 10  # two batches of five; two answers wait for the next
    invitation_columns = {f.column for f in Invitation._meta.concrete_fields}
    response_fks = {f.related_model for f in Response._meta.concrete_fields if f.is_relation}
    assert response_fks == {type(ddci_survey), type(ddci_survey.version)}
    assert not ({f.column for f in Response._meta.concrete_fields} & (invitation_columns - {"id", "survey_id"}))
    # Ordered by id, responses follow no order of arrival: the ids are random.
    ids = list(Response.objects.order_by("id").values_list("id", flat=True))
    assert len({i.version for i in ids}) == 1 and ids[0].version == 4
    assert len(set(Response.objects.values_list("submitted_on", flat=True))) == 1  # a date, no time to line up


def test_the_token_never_reaches_a_log_line(ddci_survey, caplog):
    [(_invitation, token)] = invitations_create(survey=ddci_survey, labels=["x"], by=None)
    client = Client(HTTP_HOST="127.0.0.1")
    with caplog.at_level(logging.INFO):
        client.get(f"/s/{token}/")
        client.get("/s/an-invalid-token-of-some-length/")  # a 404, which django.request logs
        # runserver's request line (django.server) and gunicorn's access log line, as they log them
        logging.getLogger("django.server").info('"%s" %s %s', f"GET /s/{token}/ HTTP/1.1", "302", "0")
        logging.getLogger("gunicorn.access").info('%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": f"GET /s/{token}/ HTTP/1.1", "s": "302"})
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert token not in text and "an-invalid-token-of-some-length" not in text
    assert text.count("/s/[token]/") >= 3
    assert redact("GET /s/r/abcdefghijkl/p/g-x/ HTTP/1.1") == "GET /s/r/abcdefghijkl/p/g-x/ HTTP/1.1"


@pytest.mark.parametrize(
    "role, survey_pages, response_pages",
    [
        (Role.UNIT_OFFICER, 403, 403),
        (Role.APPRAISER, 403, 403),
        (Role.LEADER, 200, 403),
        (Role.ANALYST, 200, 200),
        (Role.SECRETARIAT, 200, 200),
    ],
)
def test_every_page_as_each_role(completed, make_user, departments, role, survey_pages, response_pages):
    invitation, token, _client = completed
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(make_user("someone", role, unit=departments[0] if role == Role.UNIT_OFFICER else None))
    response = Response.objects.get()
    code = invitation.survey.code
    pages = {
        "/surveys/": survey_pages, f"/surveys/{code}/": survey_pages,
        f"/surveys/{code}/responses/": response_pages, f"/surveys/{code}/responses/{response.pk}/": response_pages,
    }
    for url, status in pages.items():
        page = client.get(url)
        assert page.status_code == status, url
        html = page.content.decode()
        assert token not in html and token_hash(token) not in html and LABEL not in html, url
    if response_pages == 200:
        detail = client.get(f"/surveys/{code}/responses/{response.pk}/").content.decode()
        assert "Sở Tư pháp" in detail and "Cần rút ngắn thời gian." in detail
    home = client.get("/").content.decode()
    assert ("/surveys/" in home) is (role in {Role.ANALYST, Role.SECRETARIAT})


def test_no_path_of_foreign_keys_joins_the_sample_frame_to_the_answers():
    """Surveys II: frames, sample members and invitations (identity) on one side; responses,
    flags, decisions and indicator computations (answers) on the other; no foreign key crosses."""
    identity = {models.SampleFrame, models.FrameEntry, models.Sample, models.SampleMember, models.Invitation, models.Draft,
                models.MessageTemplate, models.SpentLink}
    answers = {models.Response, models.HeldResponse, models.QualityFlag, models.QualityDecision, models.IndicatorComputation,
               models.IndicatorRule, models.SurveyDay}
    for model in identity | answers:
        related = {f.related_model for f in model._meta.concrete_fields if f.is_relation}
        other = answers if model in identity else identity
        assert not (related & other), model
