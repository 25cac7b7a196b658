"""Issue 16, point 2: one trail for every door. Every writing service of the project in one table:
the service, the model whose object its record names, and the audit event code it writes.

Each row's case builds the least state with the shared fixtures, then the test calls the service
once, as a real person of the right role, and reads the records the call added: exactly one (or the
documented rule, said after "~" in the row's id), with that event code, that person, naming the
object changed (its own reference or its path through it). A row marked xfail is a defect found and
not fixed here (its app is being edited by someone else): the reason says what is wrong, and the
kind of failure expected is named, so any other failure still fails."""

from __future__ import annotations

import datetime
import inspect
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

import pytest
import yaml
from django.db.models import Max, Q
from django.utils import timezone

from chiso.accounts.models import Role, User
from chiso.accounts.services import user_create
from chiso.api.models import ApiToken
from chiso.api.services import api_token_create, api_token_revoke
from chiso.assessments import services as par
from chiso.assessments.models import Affiliation, Assessment, Cycle, Item
from chiso.audit.models import AuditRecord, ref
from chiso.feedback.models import Feedback, Rating
from chiso.feedback.services import (
    feedback_answer,
    feedback_dismiss,
    feedback_escalate,
    feedback_file,
    feedback_indicators_publish,
    feedback_merge,
    feedback_publish,
    feedback_rate,
    feedback_route,
    feedback_split,
    feedback_unpublish,
)
from chiso.followup import services as followup
from chiso.followup.importing import tasks_import
from chiso.followup.models import Directive, ImprovementPlan, Statistic, Target, Task
from chiso.frameworks.models import FrameworkVersion
from chiso.frameworks.services import framework_import
from chiso.indices.analysis import run_analysis_record
from chiso.indices.models import ExternalResult, IndexRun, IndicatorValue, RunAnalysis
from chiso.indices.national import national_results_import
from chiso.indices.services import (
    ValueEntry,
    indicator_value_remove,
    indicator_value_set,
    indicator_values_set,
    run_create,
    run_discard,
    run_publish,
)
from chiso.indices.values_import import indicator_values_import
from chiso.notices.models import Notice
from chiso.notices.services import notice_send
from chiso.services_stats.fields import STANDARD_MAPPING
from chiso.services_stats.importing import service_stat_enter, service_stats_import
from chiso.services_stats.models import ServiceStat, SourceFormat, StatImport
from chiso.services_stats.services import service_stats_indicators_publish, source_format_save
from chiso.surveys.collection.importing import responses_import
from chiso.surveys.fieldwork.frames import frame_import
from chiso.surveys.fieldwork.mailing import invitation_resend, invitations_email, message_template_set
from chiso.surveys.fieldwork.sampling import member_replace, sample_draw
from chiso.surveys.models import (
    Draft,
    Invitation,
    PaperForm,
    QuestionnaireVersion,
    Response,
    Sample,
    SampleFrame,
    SampleMember,
    Survey,
)
from chiso.surveys.services import (
    draft_for_token,
    invitation_revoke,
    invitations_create,
    paper_form_settle,
    paper_form_start,
    questionnaire_import,
    response_submit,
    survey_analysis_set,
    survey_anonymity_set,
    survey_close,
    survey_create,
    survey_extend,
    survey_open_now,
    survey_paper_double_entry_set,
    survey_version_set,
)
from chiso.units.importing import units_import
from chiso.units.models import Period, Unit
from chiso.units.services import (
    period_close,
    period_create,
    period_reopen,
    period_update,
    unit_create,
    unit_end,
    unit_update,
)
from tests.assessments.conftest import (  # noqa: F401 (fixtures)
    PAR,
    SURVEY,
    appraise_all,
    claim_all,
    cycle,
    par_version,
    people,
    survey_run,
    units,
)
from tests.assessments.test_services import appraised, submitted  # noqa: F401 (fixtures)
from tests.feedback.conftest import defaults, qd766  # noqa: F401 (fixtures)
from tests.followup.conftest import DDCI, VALUES_2023, workbook
from tests.services_stats.conftest import TC, csv_bytes
from tests.surveys.conftest import (  # noqa: F401 (fixtures)
    ddci_answers,
    ddci_survey,
    ddci_version,
    departments,
    frame_csv,
    make_frame,
    make_survey,
    tax_code,
    xlsform_bytes,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()


# --- how a door is checked ---------------------------------------------------------------------------

class WrongRecords(AssertionError):
    """The call wrote other records than its rule says: none, two, or another event code."""


class WrongPerson(AssertionError):
    """A record names someone else than the person who acted."""


class WrongObject(AssertionError):
    """A record does not name the object the call changed."""


@dataclass(frozen=True)
class Door:
    service: Callable
    model: type  # the model of the object the door's record names
    event: str  # the event code the door writes
    arrange: Callable[[Callable[[str], Any]], "Call"]


@dataclass
class Call:
    """What a case arranged: the service's arguments (`by` is added where the service takes it), the
    person acting, and, where the rule is not "one record of the door's event naming the result",
    the records expected and the objects they name, each a function of what the service returned."""

    kwargs: dict
    by: User | None = None
    counts: Callable[[Any], dict[str, int]] | None = None
    named: Callable[[Any], dict[str, list]] | None = None
    check: Callable[[Any], None] | None = None


NOTHING = {"counts": lambda result: {}, "named": lambda result: {}}  # a door that by design leaves no record

DOORS: list = []


def door(service, model, event, *, rule: str = "", defect: AssertionError | None = None):
    """Add the decorated case to the table; `rule` says how the door departs from one record."""

    def add(arrange):
        app = service.__module__.split(".")[1]
        marks = [pytest.mark.xfail(strict=True, raises=type(defect), reason=str(defect))] if defect else []
        name = f"{app}.{service.__name__}" + (f"~{rule}" if rule else "")
        DOORS.append(pytest.param(Door(service, model, event, arrange), id=name, marks=marks))
        return arrange

    return add


def _names(record: AuditRecord, refs: set[str]) -> list[str]:
    return [r for r in refs if f"/{r}/" in record.path]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- small builders --------------------------------------------------------------------------------

def _administrator(get) -> User:
    return get("make_user")("quantri", Role.ADMINISTRATOR)


def _version(doc) -> FrameworkVersion:
    return framework_import(file_name=f"{doc['framework']['code']}.yaml", content=yaml.safe_dump(doc, allow_unicode=True).encode(),
                            by=None).version


def _survey_values(get) -> tuple[FrameworkVersion, list[Unit]]:
    """The small survey framework (one indicator, F1.3) with a value for each of two departments."""
    units, period = get("units"), get("period")
    version = _version(SURVEY)
    for unit, value in zip(units, (80.0, 50.0)):
        indicator_value_set(framework=version.framework, period=period, unit=unit, code="F1.3", value=value, source="Khảo sát thử",
                            by=None)
    return version, units


def _draft_run(get) -> IndexRun:
    version, units = _survey_values(get)
    return run_create(version=version, period=get("period"), block=units[0].block, by=None)


def _questionnaire(version="1") -> QuestionnaireVersion:
    content = xlsform_bytes([("text", "y_kien", "Ý kiến")], settings={"form_id": "mot_dong", "version": version})
    return questionnaire_import(file_name="mot_dong.xlsx", content=content, by=None).version


def _survey(get, **fields) -> Survey:
    return survey_create(code="ks-thu", title_vi="Khảo sát thử", period=get("period"), version=_questionnaire(),
                         opens_at=NOW - datetime.timedelta(days=1), closes_at=NOW + datetime.timedelta(days=30), by=None, **fields)


def _frame_rows(n=12) -> bytes:
    return frame_csv([[tax_code(i), f"Công ty Thử {i:03d}", "Công ty TNHH", "1010" if i % 2 else "4711", "nhỏ", "Xã A", f"Số {i}",
                       f"dn{i}@example.vn", "0912345678"] for i in range(1, n + 1)])


def _sample(get) -> Sample:
    frame = frame_import(name="Khung thử", file_name="frame.csv", content=_frame_rows(), by=None).frame
    return sample_draw(survey=_survey(get), frame=frame, strata=["sector"], size=4, seed=7, by=None)


def _directive() -> Directive:
    return followup.directive_create(number="511/TB-UBND", date=datetime.date(2023, 3, 13), issuer="UBND tỉnh Cao Bằng",
                                     summary="Kết luận về cải cách hành chính", by=None)


def _task(get, lead=None) -> Task:
    return followup.task_create(directive=_directive(), text="Xây dựng kế hoạch cải thiện chỉ số DDCI", deadline="31/12/2023",
                                lead_unit=lead or get("units")[0], by=None)


def _report(get) -> Any:
    """A report of the lead unit asking for its task to be confirmed as done."""
    return followup.progress_report_create(task=_task(get), by=get("people")["officer"], text="Đã ban hành kế hoạch", percent=100,
                                           evidence_link="https://example.vn/ke-hoach", ask_completion=True)


def _published_ddci(get) -> IndexRun:
    """A published DDCI run over the two departments of `units` (2023's figures of the follow-up tests)."""
    units, period = get("units"), get("period")
    version = _version(DDCI)
    for unit, row in zip(units, (VALUES_2023["S-XD"], VALUES_2023["S-TC"])):
        for code, value in zip(["i1", "i2", "i3", "i4"], row):
            indicator_value_set(framework=version.framework, period=period, unit=unit, code=code, value=value, source="Khảo sát DDCI thử",
                                by=None)
    return run_publish(run=run_create(version=version, period=period, block=units[0].block, by=None), by=None)


def _plan(get) -> ImprovementPlan:
    return followup.plan_create(unit=get("units")[0], run=_published_ddci(get), codes=["i1"], by=None)


def _feedback(get) -> Feedback:
    filed, _code = feedback_file(type=get("defaults")["thu-tuc"], title="Hồ sơ bị yêu cầu bổ sung nhiều lần",
                                 text="Doanh nghiệp nộp hồ sơ ba lần.", filer_kind="business", anonymous=True, consent_publish=True,
                                 today=datetime.date(2023, 3, 1))
    return filed


def _routed(get) -> Feedback:
    return feedback_route(feedback=_feedback(get), unit=get("units")[0], by=None, today=datetime.date(2023, 3, 1))


def _answered(get) -> Feedback:
    return feedback_answer(feedback=_routed(get), text="Sở đã hướng dẫn lại thủ tục.", by=get("people")["officer"],
                           today=datetime.date(2023, 3, 6))


def _stats_file(unit_code="S-TC") -> bytes:
    return csv_bytes([[unit_code, *TC[1:]]])


def _standard_format() -> SourceFormat:
    return SourceFormat.objects.get(code="chuan")


def _period_kwargs(period: Period, **changes) -> dict:
    fields = {"year": period.year, "name_vi": period.name_vi, "name_en": period.name_en, "start_date": period.start_date,
              "end_date": period.end_date, "blocks": list(period.blocks.all()), "frameworks": list(period.frameworks.all())}
    return {"period": period, **fields, **changes}


# --- units and periods -----------------------------------------------------------------------------

@door(period_create, Period, "period.created")
def _(get):
    return Call({"code": "2024", "year": 2024, "name_vi": "Năm 2024", "start_date": datetime.date(2024, 1, 1),
                 "end_date": datetime.date(2024, 12, 31), "blocks": [get("blocks")["department"]]}, by=get("people")["secretariat"])


@door(period_update, Period, "period.updated", rule="one_per_field_changed")
def _(get):
    period = get("period")
    return Call(_period_kwargs(period, name_vi="Năm 2023 (kỳ đánh giá)"), by=get("people")["secretariat"])


@door(period_close, Period, "period.closed")
def _(get):
    return Call({"period": get("period")}, by=get("people")["secretariat"])


@door(period_reopen, Period, "period.reopened")
def _(get):
    period = period_close(period=get("period"), by=None)
    return Call({"period": period, "reason": "Bổ sung đơn vị còn thiếu"}, by=get("people")["secretariat"])


@door(unit_create, Unit, "unit.created")
def _(get):
    return Call({"code": "S-NV", "name_vi": "Sở Nội vụ", "block": get("blocks")["department"]}, by=get("people")["secretariat"])


@door(unit_update, Unit, "unit.updated", rule="one_per_field_changed")
def _(get):
    unit = get("units")[0]
    return Call({"unit": unit, "name_vi": "Sở Tài chính tỉnh Cao Bằng", "name_en": unit.name_en, "official_code": unit.official_code,
                 "parent": None, "valid_from": None, "valid_to": None}, by=get("people")["secretariat"])


@door(unit_end, Unit, "unit.ended", rule="and_one_per_succession")
def _(get):
    ended, successor = get("units")
    return Call({"unit": ended, "valid_to": datetime.date(2025, 6, 30), "successors": [(successor, Decimal(1))]},
                by=get("people")["secretariat"],
                counts=lambda result: {"unit.ended": 1, "succession.created": 1},
                named=lambda result: {"unit.ended": [ended], "succession.created": list(ended.succeeded_by.all())})


@door(units_import, Unit, "unit.created", rule="one_per_unit_created")
def _(get):
    get("blocks")
    text = "code,name_vi,block\nS-GD,Sở Giáo dục và Đào tạo,department\nS-YT,Sở Y tế,department\n"
    return Call({"files": [("don_vi.csv", text.encode())]}, by=get("people")["secretariat"],
                counts=lambda result: {"unit.created": 2},
                named=lambda result: {"unit.created": list(Unit.objects.filter(code__in=["S-GD", "S-YT"]))})


# --- accounts and tokens ---------------------------------------------------------------------------

@door(user_create, User, "user.created")
def _(get):
    return Call({"username": "thuky.moi", "password": None, "role": Role.SECRETARIAT, "full_name": "Thư ký mới"},
                by=_administrator(get))


# No service changes a role: roles change in the admin only, which records every field it changes
# (audit.admin.AuditedAdmin, tests/core/test_admin.py).


@door(api_token_create, ApiToken, "api_token.created")
def _(get):
    officer = get("people")["officer"]
    return Call({"user": officer, "name": "Kho dữ liệu của sở"}, by=officer, named=lambda result: {"api_token.created": [result[0]]})


@door(api_token_revoke, ApiToken, "api_token.revoked")
def _(get):
    officer = get("people")["officer"]
    token, _raw = api_token_create(user=officer, name="Kho dữ liệu của sở")
    return Call({"token": token}, by=officer)


# --- frameworks and indices --------------------------------------------------------------------------

@door(framework_import, FrameworkVersion, "framework.version_imported")
def _(get):
    get("blocks")
    return Call({"file_name": "par.yaml", "content": yaml.safe_dump(PAR, allow_unicode=True).encode()}, by=get("people")["secretariat"],
                named=lambda result: {"framework.version_imported": [result.version]})


@door(indicator_value_set, IndicatorValue, "value.set")
def _(get):
    version = _version(SURVEY)
    return Call({"framework": version.framework, "period": get("period"), "unit": get("units")[0], "code": "F1.3", "value": 75.0,
                 "source": "Biên bản khảo sát"}, by=get("people")["secretariat"])


@door(indicator_value_set, IndicatorValue, "value.set", rule="superseding_the_value_in_force")
def _(get):
    version, units = _survey_values(get)
    entries = IndicatorValue.all_entries.filter(framework=version.framework, unit=units[0], code="F1.3")
    return Call({"framework": version.framework, "period": get("period"), "unit": units[0], "code": "F1.3", "value": 82.5,
                 "source": "Khảo sát bổ sung"}, by=get("people")["secretariat"],
                check=lambda row: _equal(entries.count(), 2))  # the value superseded stays


@door(indicator_value_remove, IndicatorValue, "value.removed")
def _(get):
    version, units = _survey_values(get)
    current = IndicatorValue.objects.get(framework=version.framework, unit=units[0], code="F1.3")
    return Call({"framework": version.framework, "period": get("period"), "unit": units[0], "code": "F1.3",
                 "reason": "Nguồn không còn cho giá trị"}, by=get("people")["secretariat"],
                named=lambda result: {"value.removed": [current]})


@door(indicator_values_import, IndicatorValue, "value.set", rule="one_per_value_and_one_for_the_file")
def _(get):
    version = _version(SURVEY)
    get("units")
    return Call({"version": version, "period": get("period"), "file_name": "ks.csv", "content": b"uCode,F1.3\nS-A,80\nS-B,50\n",
                 "source": "Khảo sát 2023"}, by=get("people")["secretariat"],
                counts=lambda result: {"value.set": 2, "indicator_values.imported": 1},
                named=lambda result: {"value.set": list(IndicatorValue.objects.filter(framework=version.framework)),
                                      "indicator_values.imported": [version]})


@door(national_results_import, ExternalResult, "national_result.imported", rule="one_per_result")
def _(get):
    content = "index,year,province,score,rank\nPAR,2024,Cao Bằng,80.5,63\nPAR,2024,Hải Phòng,96.17,1\n".encode()
    return Call({"file_name": "par.csv", "content": content}, by=get("people")["secretariat"],
                counts=lambda result: {"national_result.imported": 2},
                named=lambda result: {"national_result.imported": list(ExternalResult.objects.all())})


@door(indicator_values_set, IndicatorValue, "value.set", rule="one_per_value_written")
def _(get):
    version, (first, second) = _version(SURVEY), get("units")
    entries = [ValueEntry(unit=first, code="F1.3", value=70.0, source="Khảo sát 2023"),
               ValueEntry(unit=second, code="F1.3", value=60.0, source="Khảo sát 2023")]
    return Call({"framework": version.framework, "period": get("period"), "entries": entries}, by=get("people")["secretariat"],
                counts=lambda written: {"value.set": 2},
                named=lambda written: {"value.set": list(IndicatorValue.objects.filter(framework=version.framework))})


@door(run_create, IndexRun, "run.computed")
def _(get):
    version, units = _survey_values(get)
    return Call({"version": version, "period": get("period"), "block": units[0].block}, by=get("people")["secretariat"])


@door(run_publish, IndexRun, "run.published")
def _(get):
    return Call({"run": _draft_run(get)}, by=get("people")["secretariat"])


@door(run_publish, IndexRun, "run.published", rule="and_one_for_the_run_superseded")
def _(get):
    first = run_publish(run=_draft_run(get), by=None)
    second = run_create(version=first.version, period=first.period, block=first.block, by=None)
    return Call({"run": second, "reason": "Bổ sung số liệu khảo sát"}, by=get("people")["secretariat"],
                counts=lambda result: {"run.published": 1, "run.superseded": 1},
                named=lambda result: {"run.published": [second], "run.superseded": [first]})


@door(run_discard, IndexRun, "run.discarded")
def _(get):
    run = _draft_run(get)
    discarded = ref(run)  # the run is gone after the call; its record stays
    return Call({"run": run}, by=get("people")["secretariat"], named=lambda result: {"run.discarded": [discarded]})


@door(run_analysis_record, RunAnalysis, "run_analysis.created")
def _(get):
    return Call({"run": _draft_run(get), "kind": RunAnalysis.Kind.AUDIT, "spec": {}, "result": {"summary": {}}},
                by=get("people")["secretariat"])


# --- surveys ---------------------------------------------------------------------------------------

@door(questionnaire_import, QuestionnaireVersion, "questionnaire.version_imported")
def _(get):
    get("blocks")
    content = xlsform_bytes([("text", "y_kien", "Ý kiến")], settings={"form_id": "mot_dong", "version": "1"})
    return Call({"file_name": "mot_dong.xlsx", "content": content}, by=get("people")["secretariat"],
                named=lambda result: {"questionnaire.version_imported": [result.version]})


@door(survey_create, Survey, "survey.created")
def _(get):
    return Call({"code": "ks-thu", "title_vi": "Khảo sát thử", "period": get("period"), "version": _questionnaire(),
                 "opens_at": NOW, "closes_at": NOW + datetime.timedelta(days=30)}, by=get("people")["secretariat"])


@door(survey_open_now, Survey, "survey.opened")
def _(get):
    survey = _survey(get)
    Survey.objects.filter(pk=survey.pk).update(opens_at=NOW + datetime.timedelta(days=3))
    survey.refresh_from_db()
    return Call({"survey": survey}, by=get("people")["secretariat"])


@door(survey_close, Survey, "survey.closed")
def _(get):
    return Call({"survey": _survey(get), "reason": "Đủ số phiếu"}, by=get("people")["secretariat"])


@door(survey_extend, Survey, "survey.extended")
def _(get):
    return Call({"survey": _survey(get), "closes_at": NOW + datetime.timedelta(days=45), "reason": "Thêm thời gian trả lời"},
                by=get("people")["secretariat"])


@door(survey_version_set, Survey, "survey.version_changed")
def _(get):
    survey = _survey(get)
    return Call({"survey": survey, "version": _questionnaire(version="2")}, by=get("people")["secretariat"])


@door(survey_anonymity_set, Survey, "survey.anonymity_changed")
def _(get):
    return Call({"survey": _survey(get), "anonymous": False, "reason": "Khảo sát có hỏi ảnh chụp"}, by=get("people")["secretariat"])


@door(invitations_create, Survey, "survey.invitations_created", rule="one_record_on_the_survey_for_three_invitations")
def _(get):
    survey = _survey(get)
    return Call({"survey": survey, "labels": ["DN-001", "DN-002", "DN-003"]}, by=get("people")["secretariat"],
                named=lambda result: {"survey.invitations_created": [survey]},
                check=lambda result: _equal(Invitation.objects.filter(survey=survey).count(), 3))


@door(invitation_revoke, Invitation, "invitation.revoked")
def _(get):
    [(invitation, _token)] = invitations_create(survey=_survey(get), labels=["DN-001"], by=None)
    return Call({"invitation": invitation, "reason": "Doanh nghiệp đã giải thể"}, by=get("people")["secretariat"])


@door(survey_paper_double_entry_set, Survey, "survey.paper_double_entry")
def _(get):
    return Call({"survey": _survey(get), "required": True}, by=get("people")["secretariat"])


@door(survey_analysis_set, Survey, "survey.analysis_changed", rule="on_the_survey_whose_settings_change")
def _(get):
    survey = _survey(get)
    return Call({"survey": survey, "min_cell": 10, "min_answers_per_unit": 3, "quality": {}, "weighting": {}},
                by=get("people")["secretariat"], named=lambda result: {"survey.analysis_changed": [survey]})


@door(frame_import, SampleFrame, "sample_frame.imported")
def _(get):
    return Call({"name": "Khung doanh nghiệp 2023", "file_name": "khung.csv", "content": _frame_rows()}, by=get("people")["secretariat"],
                named=lambda result: {"sample_frame.imported": [result.frame]})


@door(sample_draw, Sample, "sample.drawn")
def _(get):
    survey = _survey(get)
    frame = frame_import(name="Khung thử", file_name="frame.csv", content=_frame_rows(), by=None).frame
    return Call({"survey": survey, "frame": frame, "strata": ["sector"], "size": 4, "seed": 7}, by=get("people")["secretariat"])


@door(member_replace, Sample, "sample.replaced", rule="on_the_sample")
def _(get):
    sample = _sample(get)
    member = sample.members.filter(role=SampleMember.Role.PRIMARY).order_by("pk").first()
    return Call({"member": member, "reason": "Doanh nghiệp từ chối trả lời"}, by=get("people")["secretariat"],
                named=lambda result: {"sample.replaced": [sample]})


@door(responses_import, Survey, "survey.responses_imported", rule="one_record_on_the_survey_whatever_the_rows")
def _(get):
    survey = get("ddci_survey")
    main = ("SubmissionDate,doanh_nghiep-loai_hinh,doanh_nghiep-nganh_nghe,doanh_nghiep-so_lao_dong,doanh_nghiep-nam_thanh_lap,"
            "lien_he-don_vi_lien_he,lien_he-hinh_thuc_lien_he,danh_gia_count,meta-instanceID,KEY,SubmitterID,ReviewState\n"
            "2025-04-01T10:00:00.000Z,co_phan,thuong_mai,40,2008,S-TP,truc_tuyen,1,uuid:aa,uuid:aa,5,\n")
    repeat = ("ma_don_vi,ten_don_vi,minh_bach,nang_dong,canh_tranh,so_lan_di_lai,chi_phi_khong_chinh_thuc,ty_le_chi_phi,diem_chung,"
              "PARENT_KEY,KEY\nS-TP,Sở Tư pháp,2,2,3,4,khong,,5,uuid:aa,uuid:aa/danh_gia[1]\n")
    return Call({"survey": survey, "files": [("ddci.csv", main.encode()), ("ddci-danh_gia.csv", repeat.encode())]},
                by=get("people")["secretariat"], named=lambda result: {"survey.responses_imported": [survey]})


@door(paper_form_settle, PaperForm, "paper_form.settled")
def _(get):
    survey = survey_paper_double_entry_set(survey=get("ddci_survey"), required=True, by=None)
    make_user = get("make_user")
    clerks = [make_user("nhaplieu1", Role.SECRETARIAT), make_user("nhaplieu2", Role.SECRETARIAT)]
    for n, (clerk, workers) in enumerate(zip(clerks, ("12", "21"))):  # typed twice, with one difference
        draft = paper_form_start(survey=survey, number="0042", by=clerk)
        Draft.objects.filter(pk=draft.pk).update(answers=ddci_answers(so_lao_dong=workers))
        response_submit(survey_id=survey.pk, draft_key=draft.key, client_key=f"giay-{n}", by=clerk)
    return Call({"paper_form": PaperForm.objects.get(survey=survey), "chosen": {"so_lao_dong": "2"}}, by=get("people")["secretariat"])


@door(invitation_resend, Invitation, "invitation.resent")
def _(get):
    sample = sample_draw(survey=get("ddci_survey"), frame=get("make_frame")(12), strata=[], size=6, seed=7, by=None)
    invitations_email(sample=sample, kind="invitation", base_url="http://testserver", by=None)
    member = SampleMember.objects.filter(sample=sample, active=True, invitation__isnull=False).order_by("pk").first()
    return Call({"invitation": member.invitation, "base_url": "http://testserver"}, by=get("people")["secretariat"])


@door(invitations_email, Sample, "sample.invitations_sent")
def _(get):
    sample = sample_draw(survey=get("ddci_survey"), frame=get("make_frame")(12), strata=[], size=6, seed=7, by=None)
    return Call({"sample": sample, "kind": "invitation", "base_url": "http://testserver"}, by=get("people")["secretariat"],
                named=lambda result: {"sample.invitations_sent": [sample]})


@door(message_template_set, Survey, "survey.message_template_changed")
def _(get):
    survey = _survey(get)
    return Call({"survey": survey, "kind": "invitation", "subject": "Mời tham gia khảo sát",
                 "body": "Kính gửi {{ten_doanh_nghiep}}, mời quý doanh nghiệp trả lời tại {{duong_dan}}."}, by=get("people")["secretariat"],
                named=lambda result: {"survey.message_template_changed": [survey]})


def _submit(survey, token, n):
    draft = draft_for_token(token=token)
    Draft.objects.filter(pk=draft.pk).update(answers=ddci_answers(so_lao_dong=str(100 + n)))
    return draft


@door(response_submit, Response, "", rule="never_a_record_even_when_its_batch_is_written")
def _(get):
    survey = get("ddci_survey")
    invited = invitations_create(survey=survey, labels=[f"DN-{n}" for n in range(5)], by=None)
    for n, (_invitation, token) in enumerate(invited[:4]):
        draft = _submit(survey, token, n)
        response_submit(survey_id=survey.pk, draft_key=draft.key, client_key=f"key-{n}")
    last = _submit(survey, invited[4][1], 4)

    def written(result):  # this fifth submission completed a batch: five responses, and none on the trail
        _equal(Response.objects.filter(survey=survey).count(), 5)
        responses = Q(path__contains="/surveys.response:") | Q(path__contains="/surveys.heldresponse:") | Q(path__contains="/surveys.draft:")
        _equal(AuditRecord.objects.filter(responses).count(), 0)

    return Call({"survey_id": survey.pk, "draft_key": last.key, "client_key": "key-4"}, check=written, **NOTHING)


# --- assessments (PAR Index) -------------------------------------------------------------------------

@door(par.cycle_create, Cycle, "cycle.created", rule="and_one_per_assessment_opened")
def _(get):
    get("units")
    return Call({"version": get("par_version"), "period": get("period"), "block": get("blocks")["department"],
                 "self_assessment_due": NOW + datetime.timedelta(days=10)}, by=get("people")["secretariat"],
                counts=lambda result: {"cycle.created": 1, "assessment.transition": 2},
                named=lambda result: {"cycle.created": [result], "assessment.transition": list(result.assessments.all())})


def _assessment(cycle, code="S-A") -> Assessment:
    return cycle.assessments.get(unit__code=code)


def _item(cycle, code, unit="S-A") -> Item:
    return _assessment(cycle, unit).items.get(code=code)


@door(par.item_self_assess, Item, "item.self_assessed")
def _(get):
    return Call({"item": _item(get("cycle"), "F2.1"), "points": Decimal("3")}, by=get("people")["officer"])


@door(par.assessment_submit, Assessment, "assessment.transition")
def _(get):
    assessment = _assessment(get("cycle"))
    claim_all(assessment, get("people")["officer"])
    return Call({"assessment": assessment}, by=get("people")["officer"])


@door(par.assessment_appraisal_start, Assessment, "assessment.transition")
def _(get):
    return Call({"assessment": _assessment(get("submitted"))}, by=get("people")["expert"])


@door(par.item_appraise, Item, "item.appraised")
def _(get):
    cycle, expert = get("submitted"), get("people")["expert"]
    par.assessment_appraisal_start(assessment=_assessment(cycle), by=expert)
    item = _item(cycle, "F2.1")
    return Call({"item": item, "points": item.self_points}, by=expert)


@door(par.item_appraise, Item, "item.appraised", rule="and_one_for_the_appraisal_it_starts")
def _(get):
    cycle = get("submitted")
    item = _item(cycle, "F2.1")
    return Call({"item": item, "points": item.self_points}, by=get("people")["expert"],
                counts=lambda result: {"item.appraised": 1, "assessment.transition": 1},
                named=lambda result: {"item.appraised": [item], "assessment.transition": [_assessment(cycle)]})


@door(par.assessment_appraisal_complete, Assessment, "assessment.transition")
def _(get):
    assessment, expert = _assessment(get("submitted")), get("people")["expert"]
    appraise_all(assessment, expert)
    return Call({"assessment": assessment}, by=expert)


@door(par.item_council_adjust, Item, "item.council_adjusted")
def _(get):
    return Call({"item": _item(get("appraised"), "F2.1"), "points": Decimal("4"), "reason": "Hội đồng xét thêm tài liệu"},
                by=get("people")["council"])


def _decided(cycle, people, assessments):
    return par.council_decide(cycle=cycle, assessments=assessments, by=people["council"], meeting_date=datetime.date(2024, 2, 1),
                              members_present=["Ông A", "Bà B", "Ông C"], votes_for=3, minutes_number="05/BB-HĐTĐ")


@door(par.council_decide, Assessment, "assessment.transition", rule="one_per_assessment_decided")
def _(get):
    cycle = get("appraised")
    decided = [_assessment(cycle)]
    return Call({"cycle": cycle, "assessments": decided, "meeting_date": datetime.date(2024, 2, 1),
                 "members_present": ["Ông A", "Bà B", "Ông C"], "votes_for": 3}, by=get("people")["council"],
                named=lambda result: {"assessment.transition": decided})


@door(par.cycle_publish, IndexRun, "run.published", rule="and_one_per_assessment_published")
def _(get):
    cycle, people = get("appraised"), get("people")
    _decided(cycle, people, list(cycle.assessments.all()))
    par.survey_points_apply(cycle=cycle, run=get("survey_run"), by=people["secretariat"])
    run = par.cycle_results_compute(cycle=cycle, by=people["secretariat"])
    return Call({"cycle": cycle}, by=people["secretariat"],
                counts=lambda result: {"run.published": 1, "assessment.transition": 2},
                named=lambda result: {"run.published": [run], "assessment.transition": list(cycle.assessments.all())})


@door(par.cycle_schedule_set, Cycle, "cycle.schedule_set", rule="one_per_field_changed")
def _(get):
    cycle = get("cycle")
    return Call({"cycle": cycle, "self_assessment_due": cycle.self_assessment_due, "appraisal_due": cycle.appraisal_due,
                 "council_due": cycle.council_due, "explanation_days": cycle.explanation_days, "council_size": 7,
                 "quorum_percent": cycle.quorum_percent}, by=get("people")["secretariat"])


@door(par.cycle_delete, Cycle, "cycle.deleted")
def _(get):
    cycle = get("cycle")
    deleted = ref(cycle)
    return Call({"cycle": cycle, "reason": "Mở nhầm đợt"}, by=get("people")["secretariat"], named=lambda result: {"cycle.deleted": [deleted]})


@door(par.cycle_unit_add, Assessment, "assessment.included")
def _(get):
    cycle = get("cycle")
    unit = get("make_unit")("S-C", name_vi="Sở Công Thương")
    return Call({"cycle": cycle, "unit": unit, "reason": "Đơn vị mới thành lập"}, by=get("people")["secretariat"])


@door(par.assessment_exclude, Assessment, "assessment.excluded")
def _(get):
    return Call({"assessment": _assessment(get("cycle")), "reason": "Đơn vị đang sáp nhập"}, by=get("people")["secretariat"])


@door(par.assessment_include, Assessment, "assessment.included")
def _(get):
    people = get("people")
    excluded = par.assessment_exclude(assessment=_assessment(get("cycle")), by=people["secretariat"], reason="Đang sáp nhập")
    return Call({"assessment": excluded, "reason": "Không sáp nhập nữa"}, by=people["secretariat"])


@door(par.evidence_document_add, Item, "evidence.added", rule="on_the_item")
def _(get):
    return Call({"item": _item(get("cycle"), "F1.1"), "number": "12/KH-STC", "date": datetime.date(2023, 1, 15), "title": "Kế hoạch CCHC"},
                by=get("people")["officer"], named=lambda result: {"evidence.added": [result.item]})


@door(par.evidence_remove, Item, "evidence.removed", rule="on_the_item")
def _(get):
    officer = get("people")["officer"]
    evidence = par.evidence_document_add(item=_item(get("cycle"), "F1.1"), by=officer, number="12/KH-STC", date=datetime.date(2023, 1, 15))
    return Call({"evidence": evidence, "reason": "Nhầm văn bản"}, by=officer, named=lambda result: {"evidence.removed": [result.item]})


@door(par.assessment_withdraw, Assessment, "assessment.withdrawn", rule="and_the_transition_back_to_draft")
def _(get):
    officer, assessment = get("people")["officer"], _assessment(get("submitted"))
    return Call({"assessment": assessment, "reason": "Bổ sung tài liệu"}, by=officer,
                counts=lambda result: {"assessment.withdrawn": 1, "assessment.transition": 1},
                named=lambda result: {"assessment.withdrawn": [assessment], "assessment.transition": [assessment]})


@door(par.assessment_close_unsubmitted, Assessment, "assessment.not_submitted")
def _(get):
    cycle = get("cycle")
    return Call({"assessment": _assessment(cycle), "reason": "Quá hạn, đơn vị không nộp",
                 "now": cycle.self_assessment_due + datetime.timedelta(days=1)}, by=get("people")["secretariat"])


@door(par.assessment_claims_accept, Item, "item.claim_accepted", rule="one_per_claim_accepted_and_one_for_the_appraisal_it_starts")
def _(get):
    assessment = _assessment(get("submitted"))
    return Call({"assessment": assessment}, by=get("people")["expert"],
                counts=lambda outcome: {"item.claim_accepted": len(outcome.accepted), "assessment.transition": 1},
                named=lambda outcome: {"item.claim_accepted": outcome.accepted, "assessment.transition": [assessment]},
                check=lambda outcome: _equal(len(outcome.accepted), 3))


def _asked(get) -> Assessment:
    """S-A's assessment with a question written on F1.1 (not sent yet)."""
    cycle, expert = get("submitted"), get("people")["expert"]
    par.item_appraise(item=_item(cycle, "F1.1"), by=expert, points=Decimal("2"), comment="Kế hoạch ban hành chậm",
                      explanation_request="Đề nghị cung cấp văn bản ban hành kế hoạch")
    return _assessment(cycle)


def _explaining(get) -> Assessment:
    return par.assessment_explanation_request(assessment=_asked(get), by=get("people")["expert"])


@door(par.assessment_explanation_request, Assessment, "assessment.transition")
def _(get):
    return Call({"assessment": _asked(get)}, by=get("people")["expert"])


@door(par.assessment_explanation_extend, Assessment, "assessment.explanation_extended")
def _(get):
    return Call({"assessment": _explaining(get), "working_days": 3, "reason": "Đơn vị xin thêm thời gian"}, by=get("people")["secretariat"])


@door(par.item_explain, Item, "item.explained")
def _(get):
    assessment = _explaining(get)
    return Call({"item": assessment.items.get(code="F1.1"), "explanation": "Kế hoạch 12/KH-STC ban hành ngày 15/01"},
                by=get("people")["officer"])


@door(par.assessment_explanation_submit, Assessment, "assessment.transition")
def _(get):
    assessment, officer = _explaining(get), get("people")["officer"]
    par.item_explain(item=assessment.items.get(code="F1.1"), by=officer, explanation="Kế hoạch 12/KH-STC ban hành ngày 15/01")
    return Call({"assessment": assessment}, by=officer)


@door(par.assessment_explanation_skip, Assessment, "assessment.transition")
def _(get):
    assessment = _explaining(get)
    Assessment.objects.filter(pk=assessment.pk).update(explanation_due=NOW - datetime.timedelta(days=1))  # the deadline has passed
    return Call({"assessment": assessment, "reason": "Đơn vị không giải trình đúng hạn"}, by=get("people")["expert"])


@door(par.assessment_bonus_penalty_set, Assessment, "assessment.bonus_penalty", rule="one_per_reason_changed")
def _(get):
    return Call({"assessment": _assessment(get("appraised")), "points": {"bonus.award": "1"}, "note": "Bằng khen của UBND tỉnh"},
                by=get("people")["council"])


@door(par.survey_points_apply, Cycle, "cycle.survey_applied", rule="and_one_per_item_converted")
def _(get):
    cycle = get("appraised")
    return Call({"cycle": cycle, "run": get("survey_run")}, by=get("people")["secretariat"],
                counts=lambda outcome: {"cycle.survey_applied": 1, "item.converted_points": 2},
                named=lambda outcome: {"cycle.survey_applied": [cycle],
                                       "item.converted_points": list(Item.objects.filter(assessment__cycle=cycle, code="F1.3"))})


@door(par.cycle_results_compute, Cycle, "cycle.results_computed", rule="and_one_for_the_run_and_one_per_value")
def _(get):
    cycle, people = get("appraised"), get("people")
    _decided(cycle, people, list(cycle.assessments.all()))
    par.survey_points_apply(cycle=cycle, run=get("survey_run"), by=people["secretariat"])
    values = lambda: IndicatorValue.objects.filter(framework=cycle.version.framework)  # noqa: E731
    return Call({"cycle": cycle}, by=people["secretariat"],
                counts=lambda run: {"cycle.results_computed": 1, "run.computed": 1, "value.set": values().count()},
                named=lambda run: {"cycle.results_computed": [cycle], "run.computed": [run], "value.set": list(values())})


@door(par.assessment_reopen, Assessment, "assessment.reopened")
def _(get):
    cycle = get("appraised")
    return Call({"assessment": _assessment(cycle), "reason": "Thanh tra phát hiện sai sót tiêu chí 2.1"}, by=get("people")["secretariat"])


@door(par.affiliation_declare, Affiliation, "affiliation.declared")
def _(get):
    people = get("people")
    return Call({"user": people["expert"], "unit": get("units")[0], "note": "Nguyên cán bộ Sở Tài chính"}, by=people["secretariat"])


@door(par.affiliation_remove, Affiliation, "affiliation.removed")
def _(get):
    people = get("people")
    affiliation = par.affiliation_declare(user=people["expert"], unit=get("units")[0], by=people["secretariat"])
    removed = ref(affiliation)
    return Call({"affiliation": affiliation}, by=people["secretariat"], named=lambda result: {"affiliation.removed": [removed]})


@door(par.access_refusal_record, Assessment, "access.refused")
def _(get):
    return Call({"assessment": _assessment(get("cycle")), "action": "self_assess"}, by=get("people")["officer_b"],
                named=lambda record: {"access.refused": [_assessment(get("cycle"))]})


@door(par.reminders_send, Assessment, "assessment.reminder_sent", rule="one_per_assessment_reminded_by_the_system")
def _(get):
    cycle = get("cycle")
    return Call({"days_ahead": 30}, counts=lambda sent: {"assessment.reminder_sent": 2},
                named=lambda sent: {"assessment.reminder_sent": list(cycle.assessments.all())})


# --- follow-up -------------------------------------------------------------------------------------

@door(followup.directive_create, Directive, "directive.created")
def _(get):
    return Call({"number": "511/TB-UBND", "date": datetime.date(2023, 3, 13), "issuer": "UBND tỉnh Cao Bằng",
                 "summary": "Kết luận về cải cách hành chính"}, by=get("people")["secretariat"])


@door(followup.task_create, Task, "task.created")
def _(get):
    return Call({"directive": _directive(), "text": "Công khai thủ tục trên cổng dịch vụ công", "lead_unit": get("units")[0],
                 "deadline": "30/06/2023"}, by=get("people")["secretariat"])


@door(tasks_import, Task, "task.created", rule="one_per_task_imported")
def _(get):
    directive = _directive()
    get("units")
    content = workbook([(1, "Rà soát thủ tục hành chính", "Sở Tài chính", "", "31/12/2023"),
                        (2, "Công khai kết quả giải quyết hồ sơ", "Sở Tư pháp", "", "30/06/2023")])
    return Call({"directive": directive, "file_name": "nhiem_vu.xlsx", "content": content}, by=get("people")["secretariat"],
                counts=lambda created: {"task.created": 2}, named=lambda created: {"task.created": list(directive.tasks.all())})


@door(followup.task_cancel, Task, "task.cancelled")
def _(get):
    return Call({"task": _task(get), "reason": "Đã lồng ghép vào nhiệm vụ khác"}, by=get("people")["secretariat"])


@door(followup.tasks_hand_over, Task, "task.reassigned", rule="one_per_task_and_role_handed_over")
def _(get):
    make_unit = get("make_unit")
    ended, successor = make_unit("S-CU", name_vi="Sở sáp nhập"), make_unit("S-MOI", name_vi="Sở sau sáp nhập")
    task = _task(get, lead=ended)
    unit_end(unit=ended, valid_to=datetime.date(2023, 6, 30), successors=[(successor, Decimal(1))], by=None)
    return Call({"today": datetime.date(2023, 7, 1)}, by=get("people")["secretariat"],
                named=lambda result: {"task.reassigned": [task]},
                check=lambda result: _equal(Task.objects.get(pk=task.pk).lead_unit, successor))


@door(followup.progress_report_create, Task, "task.reported", rule="on_the_task_it_reports_on")
def _(get):
    task = _task(get)
    return Call({"task": task, "text": "Đã dự thảo kế hoạch", "percent": 50}, by=get("people")["officer"],
                named=lambda result: {"task.reported": [task]})


@door(followup.task_completion_confirm, Task, "task.completion_confirmed")
def _(get):
    return Call({"report": _report(get)}, by=get("people")["secretariat"])


@door(followup.task_completion_reject, Task, "task.completion_rejected")
def _(get):
    return Call({"report": _report(get), "note": "Thiếu quyết định ban hành"}, by=get("people")["secretariat"])


@door(followup.plan_create, ImprovementPlan, "plan.created")
def _(get):
    return Call({"unit": get("units")[0], "run": _published_ddci(get), "codes": ["i1"]}, by=get("people")["officer"])


@door(followup.plan_action_add, ImprovementPlan, "plan.action_added", rule="on_the_plan")
def _(get):
    plan = _plan(get)
    return Call({"item": plan.items.get(), "text": "Công khai văn bản trên trang của sở", "owner": "Văn phòng sở",
                 "deadline": datetime.date(2024, 6, 30)}, by=get("people")["officer"], named=lambda result: {"plan.action_added": [plan]})


@door(followup.plan_action_done, ImprovementPlan, "plan.action_done", rule="on_the_plan")
def _(get):
    plan = _plan(get)
    action = followup.plan_action_add(item=plan.items.get(), text="Công khai văn bản", owner="Văn phòng sở",
                                      deadline=datetime.date(2024, 6, 30), by=None)
    return Call({"action": action}, by=get("people")["officer"], named=lambda result: {"plan.action_done": [plan]})


@door(followup.plan_submit, ImprovementPlan, "plan.submitted")
def _(get):
    plan = _plan(get)
    followup.plan_action_add(item=plan.items.get(), text="Công khai văn bản", owner="Văn phòng sở", deadline=datetime.date(2024, 6, 30),
                             by=None)
    return Call({"plan": plan}, by=get("people")["officer"])


@door(followup.target_create, Target, "target.created")
def _(get):
    return Call({"title": "PCI đạt ít nhất 65 điểm", "source": Target.Source.NATIONAL, "index_code": "PCI", "target_year": 2025,
                 "rule": Target.Rule.AT_LEAST, "amount": 65.0}, by=get("people")["secretariat"])


@door(followup.statistic_create, Statistic, "statistic.created")
def _(get):
    return Call({"code": "ho-so-qua-han", "name_vi": "Tỷ lệ hồ sơ quá hạn", "unit_of_measure": "%", "higher_is_better": False},
                by=get("people")["secretariat"])


@door(followup.statistic_value_set, Statistic, "statistic.value_set", rule="on_the_statistic")
def _(get):
    statistic = followup.statistic_create(code="ho-so-qua-han", name_vi="Tỷ lệ hồ sơ quá hạn", by=None)
    return Call({"statistic": statistic, "year": 2023, "value": 1.5, "source": "Báo cáo CCHC năm 2023"}, by=get("people")["secretariat"],
                named=lambda result: {"statistic.value_set": [statistic]})


# --- feedback --------------------------------------------------------------------------------------

@door(feedback_file, Feedback, "", rule="no_record_the_filers_own_step")
def _(get):
    return Call({"type": get("defaults")["thu-tuc"], "title": "Hồ sơ bị yêu cầu bổ sung nhiều lần", "text": "Nộp hồ sơ ba lần.",
                 "filer_kind": "business", "anonymous": True, "consent_publish": True}, **NOTHING)


@door(feedback_route, Feedback, "feedback.routed")
def _(get):
    return Call({"feedback": _feedback(get), "unit": get("units")[0], "today": datetime.date(2023, 3, 1)}, by=get("people")["secretariat"])


@door(feedback_split, Feedback, "feedback.split", rule="and_one_per_part_routed")
def _(get):
    filed, (first, second) = _feedback(get), get("units")
    return Call({"feedback": filed, "parts": [(first, "Phần của Sở Tài chính"), (second, "Phần của Sở Tư pháp")],
                 "today": datetime.date(2023, 3, 1)}, by=get("people")["secretariat"],
                counts=lambda result: {"feedback.split": 1, "feedback.routed": 2},
                named=lambda result: {"feedback.split": [filed], "feedback.routed": result})


@door(feedback_merge, Feedback, "feedback.merged")
def _(get):
    into = _routed(get)
    return Call({"feedback": _feedback(get), "into": into, "note": "Cùng một vụ việc"}, by=get("people")["secretariat"])


@door(feedback_dismiss, Feedback, "feedback.dismissed")
def _(get):
    return Call({"feedback": _feedback(get), "reason": "Không thuộc thẩm quyền của tỉnh"}, by=get("people")["secretariat"])


@door(feedback_answer, Feedback, "feedback.answered")
def _(get):
    return Call({"feedback": _routed(get), "text": "Sở đã hướng dẫn lại thủ tục.", "today": datetime.date(2023, 3, 6)},
                by=get("people")["officer"])


@door(feedback_publish, Feedback, "feedback.published")
def _(get):
    return Call({"feedback": _answered(get), "summary": "Hồ sơ bị yêu cầu bổ sung nhiều lần; sở đã hướng dẫn lại."},
                by=get("people")["secretariat"])


@door(feedback_unpublish, Feedback, "feedback.unpublished")
def _(get):
    published = feedback_publish(feedback=_answered(get), summary="Tóm tắt đã công khai", by=None)
    return Call({"feedback": published, "reason": "Tóm tắt còn nêu tên doanh nghiệp"}, by=get("people")["secretariat"])


@door(feedback_rate, Rating, "", rule="no_record_the_filers_own_step")
def _(get):
    answered = _answered(get)
    return Call({"tracked": answered, "answered": answered, "score": 5, "today": datetime.date(2023, 3, 8)}, **NOTHING)


@door(feedback_escalate, Feedback, "feedback.escalated", rule="one_per_feedback_escalated_by_the_system")
def _(get):
    routed = _routed(get)
    return Call({"today": datetime.date(2023, 6, 1)}, named=lambda done: {"feedback.escalated": [routed]},
                check=lambda done: _equal([(f.pk, level) for f, level in done], [(routed.pk, 1)]))


@door(feedback_indicators_publish, IndicatorValue, "value.set", rule="one_per_value_written")
def _(get):
    version = get("qd766")
    get("units")
    period = get("period")
    return Call({"period": period, "as_of": datetime.date(2023, 12, 31)}, by=get("people")["secretariat"],
                counts=lambda written: {"value.set": written}, check=lambda written: _equal(written > 0, True),
                named=lambda written: {"value.set": list(IndicatorValue.objects.filter(framework=version.framework, source_kind="feedback"))})


# --- one-stop-shop statistics ------------------------------------------------------------------------

@door(source_format_save, SourceFormat, "source_format.saved")
def _(get):
    mapping = {**STANDARD_MAPPING, "unit": "Mã ĐV"}
    return Call({"code": "igate", "name": "iGate Cao Bằng", "mapping": mapping}, by=get("people")["secretariat"])


@door(service_stats_import, StatImport, "service_stats.imported", rule="and_one_per_unit_added")
def _(get):
    unit = get("make_unit")("S-TC", name_vi="Sở Tài chính")
    return Call({"period": get("period"), "file_name": "xuat.csv", "content": _stats_file(), "source_format": _standard_format()},
                by=get("people")["secretariat"],
                counts=lambda result: {"service_stats.imported": 1, "service_stat.added": 1},
                named=lambda result: {"service_stats.imported": [result], "service_stat.added": list(ServiceStat.objects.filter(unit=unit))})


@door(service_stat_enter, StatImport, "service_stats.imported", rule="and_one_for_the_unit")
def _(get):
    unit = get("units")[0]
    values = {"received_online_full": 4, "received_online_partial": 0, "received_in_person": 6, "received_post": 0,
              "processed_early": 2, "processed_on_time": 8, "processed_late": 0, "pending": 0}
    return Call({"period": get("period"), "unit": unit, "values": values}, by=get("people")["secretariat"],
                counts=lambda result: {"service_stats.imported": 1, "service_stat.added": 1},
                named=lambda result: {"service_stats.imported": [result], "service_stat.added": list(ServiceStat.objects.filter(unit=unit))})


@door(service_stats_indicators_publish, IndicatorValue, "value.set", rule="one_per_value_written")
def _(get):
    get("make_unit")("S-TC", name_vi="Sở Tài chính")
    period = get("period")
    service_stats_import(period=period, file_name="xuat.csv", content=_stats_file(), source_format=_standard_format(), by=None)
    version = get("qd766")  # after the import, so that the import itself wrote no values
    return Call({"period": period}, by=get("people")["secretariat"],
                counts=lambda written: {"value.set": written}, check=lambda written: _equal(written > 0, True),
                named=lambda written: {"value.set": list(IndicatorValue.objects.filter(framework=version.framework,
                                                                                        source_kind="service_statistics"))})


# --- notices ---------------------------------------------------------------------------------------

@door(notice_send, Notice, "", rule="no_record_a_notice_is_no_change_of_its_object")
def _(get):
    return Call({"users": [get("people")["officer"]], "kind": "task.assigned", "obj": _task(get)}, **NOTHING)


# --- the test ----------------------------------------------------------------------------------------

def _equal(found, expected):
    assert found == expected, f"{found!r} ≠ {expected!r}"


@pytest.mark.parametrize("door", DOORS)
def test_each_door_writes_its_audit_record(door: Door, request):
    call = door.arrange(request.getfixturevalue)
    kwargs = dict(call.kwargs)
    if "by" in inspect.signature(door.service).parameters:
        kwargs.setdefault("by", call.by)
    before = AuditRecord.objects.count()
    last = AuditRecord.objects.aggregate(last=Max("pk"))["last"] or 0

    result = door.service(**kwargs)  # the one call

    added = list(AuditRecord.objects.filter(pk__gt=last).order_by("pk"))
    assert AuditRecord.objects.count() - before == len(added)
    expected = call.counts(result) if call.counts else {door.event: 1}
    written = Counter(r.event for r in added)
    if written != Counter(expected):
        raise WrongRecords(f"{door.service.__name__}: expected {dict(expected)}, written {dict(written)}")
    acting = getattr(call.by, "pk", None)
    strangers = [(r.event, r.by_id) for r in added if r.by_id != acting]
    if strangers:
        raise WrongPerson(f"{door.service.__name__}: by {acting} expected, records {strangers}")
    named = call.named(result) if call.named else {door.event: [result]}
    for event, objects in named.items():
        refs = [o if isinstance(o, str) else ref(o) for o in objects]
        if event == door.event:  # the table says what its records name
            assert all(r.startswith(f"{door.model._meta.label_lower}:") for r in refs), refs
        records = [r for r in added if r.event == event]
        found = [_names(r, set(refs)) for r in records]
        if any(len(f) != 1 for f in found) or sorted(f[0] for f in found) != sorted(refs):
            raise WrongObject(f"{event}: records name {[r.path for r in records]}, expected {refs}")
    if call.check:
        call.check(result)


def test_the_table_covers_every_writing_service_named_in_the_issue():
    """The doors the issue lists (issue 16, point 1), each in the table at least once."""
    covered = {p.values[0].service.__name__ for p in DOORS}
    wanted = {
        "period_create", "period_update", "period_close", "period_reopen", "unit_create", "unit_update", "unit_end", "units_import",
        "user_create", "framework_import", "indicator_value_set", "run_create", "run_publish", "run_discard", "indicator_value_remove",
        "indicator_values_import", "national_results_import", "questionnaire_import", "survey_create", "survey_open_now",
        "survey_close", "survey_extend", "survey_version_set", "survey_anonymity_set", "invitations_create", "invitation_revoke",
        "survey_paper_double_entry_set", "survey_analysis_set", "frame_import", "sample_draw", "member_replace", "response_submit",
        "cycle_create", "item_self_assess", "assessment_submit", "item_appraise", "council_decide", "directive_create",
        "task_cancel", "plan_submit", "feedback_route", "feedback_answer", "feedback_publish", "source_format_save",
        "service_stats_indicators_publish", "service_stats_import", "api_token_create", "api_token_revoke", "notice_send",
    }
    assert wanted <= covered, sorted(wanted - covered)
