"""Issue 16: the survey services check who acts through accounts.permissions and leave one audit row
each; a survey's anonymity changes only before anyone began answering (issue 20)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from chiso.accounts.models import Role
from chiso.audit.models import AuditRecord
from chiso.frameworks.services import framework_import
from chiso.surveys.models import Draft
from chiso.surveys.services import (
    invitations_create,
    questionnaire_import,
    survey_anonymity_set,
    survey_close,
    survey_extend,
    survey_open_now,
    survey_version_set,
)

from .conftest import EXAMPLES

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(make_user):
    return make_user("lanhdao", Role.LEADER)


@pytest.fixture
def secretariat(make_user):
    return make_user("thuky", Role.SECRETARIAT)


def test_a_leader_changes_no_survey_through_any_service(make_survey, ddci_version, departments, leader):
    survey = make_survey(ddci_version)
    path = EXAMPLES / "ddci_departments.xlsx"
    refused = [
        lambda: questionnaire_import(file_name=path.name, content=path.read_bytes(), by=leader),
        lambda: survey_open_now(survey=survey, by=leader),
        lambda: survey_close(survey=survey, by=leader),
        lambda: survey_extend(survey=survey, closes_at=survey.closes_at, by=leader),
        lambda: survey_version_set(survey=survey, version=ddci_version, by=leader),
        lambda: survey_anonymity_set(survey=survey, anonymous=False, by=leader),
        lambda: invitations_create(survey=survey, labels=["DN-1"], by=leader),
        lambda: framework_import(file_name="x.yaml", content=b"framework: {code: X}\n", by=leader),
    ]
    before = AuditRecord.objects.count()
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    assert AuditRecord.objects.count() == before


def test_imports_of_a_questionnaire_and_a_framework_each_leave_one_record(blocks, secretariat, xlsform):
    content = xlsform([("text", "y_kien", "Ý kiến")], settings={"form_id": "mot_dong", "version": "3"})
    version = questionnaire_import(file_name="mot_dong.xlsx", content=content, by=secretariat).version
    record = AuditRecord.objects.get(event="questionnaire.version_imported")
    assert record.by == secretariat and record.new_value == "mot_dong 3" and record.reason == "mot_dong.xlsx"
    assert record.object_id == str(version.pk)
    questionnaire_import(file_name="mot_dong.xlsx", content=content, by=secretariat)  # the same again: nothing new
    assert AuditRecord.objects.filter(event="questionnaire.version_imported").count() == 1

    doc = (b"framework: {code: THU, name_vi: Thu, method: composite}\nversion: {}\nsteps: []\n"
           b"iMeta:\n- {iCode: T, Level: 2, Type: Aggregate}\n- {iCode: a, Level: 1, Parent: T, Type: Indicator}\n")
    framework_import(file_name="thu.yaml", content=doc, by=secretariat)
    framework_import(file_name="thu.yaml", content=doc, by=secretariat)
    [record] = AuditRecord.objects.filter(event="framework.version_imported")
    assert record.by == secretariat and record.new_value == "THU v1" and record.reason == "thu.yaml"


def test_anonymity_changes_until_someone_begins_answering(make_survey, ddci_version, departments, secretariat):
    survey = make_survey(ddci_version)
    survey = survey_anonymity_set(survey=survey, anonymous=False, by=secretariat, reason="cần ảnh biển hiệu")
    assert survey.anonymous is False
    record = AuditRecord.objects.get(event="survey.anonymity_changed")
    assert (record.old_value, record.new_value, record.reason, record.by) == ("true", "false", "cần ảnh biển hiệu", secretariat)
    survey = survey_anonymity_set(survey=survey, anonymous=True, by=secretariat)
    assert survey.anonymous is True

    Draft.objects.create(key="k", survey=survey, version=survey.version)  # someone began answering
    with pytest.raises(ValidationError, match="begun answering|bắt đầu trả lời"):
        survey_anonymity_set(survey=survey, anonymous=False, by=secretariat)
    survey.refresh_from_db()
    assert survey.anonymous is True and AuditRecord.objects.filter(event="survey.anonymity_changed").count() == 2


def test_the_survey_page_offers_the_change_only_while_it_is_allowed(make_survey, ddci_version, departments, secretariat):
    survey = make_survey(ddci_version)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(secretariat)
    page = client.get(f"/surveys/{survey.code}/").content.decode()
    assert 'id="anonymity-form"' in page
    client.post(f"/surveys/{survey.code}/action/anonymity/", {"not_anonymous": "on", "reason": "ảnh"})
    survey.refresh_from_db()
    assert survey.anonymous is False
    assert 'id="not-anonymous"' in client.get(f"/surveys/{survey.code}/").content.decode()
    Draft.objects.create(key="k", survey=survey, version=survey.version)
    assert 'id="anonymity-form"' not in client.get(f"/surveys/{survey.code}/").content.decode()
    refused = client.post(f"/surveys/{survey.code}/action/anonymity/", {"reason": "x"}, follow=True)
    survey.refresh_from_db()
    assert survey.anonymous is False and "bắt đầu trả lời" in refused.content.decode()
