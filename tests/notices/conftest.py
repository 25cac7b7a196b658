"""Factories for the notices tests: two departments with officers, the secretariat, an expert, the
council, a small PAR framework and cycle, a task and a feedback."""

import datetime

import pytest
import yaml
from django.utils import timezone

PAR = {
    "framework": {"code": "PAR-N", "name_vi": "Chỉ số CCHC thử", "method": "points"},
    "version": {"label": "thử", "blocks": ["department"]},
    "steps": [{"points": {"output": "percent"}}],
    "iMeta": [
        {"iCode": "PAR", "Level": 3, "Type": "Aggregate", "max_points": 4, "name_vi": "Chỉ số CCHC"},
        {"iCode": "F1", "Level": 2, "Parent": "PAR", "Type": "Aggregate", "max_points": 4, "name_vi": "Cải cách thể chế"},
        {"iCode": "F1.1", "Level": 1, "Parent": "F1", "Type": "Indicator", "max_points": 4, "step": 1, "name_vi": "Rà soát văn bản"},
    ],
}


@pytest.fixture
def units(make_unit):
    return {"S-TC": make_unit("S-TC", name_vi="Sở Tài chính"), "S-XD": make_unit("S-XD", name_vi="Sở Xây dựng")}


@pytest.fixture
def people(make_user, units):
    from chiso.accounts.models import AppraisalBody, Role

    return {
        "officer": make_user("canbo.tc", Role.UNIT_OFFICER, unit=units["S-TC"], email="tc@example.vn"),
        "other_officer": make_user("canbo.xd", Role.UNIT_OFFICER, unit=units["S-XD"], email="xd@example.vn"),
        "secretariat": make_user("thuky", Role.SECRETARIAT, email="thuky@example.vn"),
        "expert": make_user("thamdinh", Role.APPRAISER, appraisal_body=AppraisalBody.EXPERT_TEAM, email="td@example.vn"),
        "council": make_user("hoidong", Role.APPRAISER, appraisal_body=AppraisalBody.COUNCIL, email="hd@example.vn"),
        "leader": make_user("lanhdao", Role.LEADER, email="lanhdao@example.vn"),
    }


@pytest.fixture
def cycle(db, period, blocks, units, people):
    from chiso.assessments.services import cycle_create
    from chiso.frameworks.services import framework_import

    version = framework_import(file_name="par.yaml", content=yaml.safe_dump(PAR, allow_unicode=True).encode(), by=None).version
    return cycle_create(
        version=version, period=period, block=blocks["department"], by=people["secretariat"],
        self_assessment_due=timezone.now() + datetime.timedelta(days=10), council_size=1,
    )


@pytest.fixture
def task(db, units, people):
    from chiso.followup.services import directive_create, task_create

    directive = directive_create(number="511/TB-UBND", date=datetime.date(2023, 3, 13), issuer="UBND tỉnh",
                                 summary="Kết luận về CCHC", by=people["secretariat"])
    return task_create(directive=directive, text="Xây dựng kế hoạch cải thiện DDCI", lead_unit=units["S-TC"],
                       deadline="31/12/2023", by=people["secretariat"])


@pytest.fixture
def feedback(db, units):
    from chiso.feedback.models import FeedbackType
    from chiso.feedback.services import feedback_file

    filed, _code = feedback_file(type=FeedbackType.objects.first(), title="Hồ sơ bị yêu cầu bổ sung nhiều lần",
                                 text="Doanh nghiệp nộp hồ sơ ba lần.", filer_kind="business", anonymous=True,
                                 consent_publish=False, today=datetime.date(2023, 3, 1))
    return filed
