"""Small factories for the assessment tests: a small PAR framework, two departments, one user per role."""

import datetime
from decimal import Decimal

import pytest
import yaml
from django.utils import timezone

PAR = {
    "framework": {"code": "PAR-T", "name_vi": "Chỉ số CCHC thử", "method": "points"},
    "version": {"label": "thử", "blocks": ["department"]},
    "steps": [{"points": {"bonus": {"PAR": "bonus"}, "penalty": {"PAR": "penalty"}, "output": "percent"}}],
    "iMeta": [
        {"iCode": "PAR", "Level": 3, "Type": "Aggregate", "max_points": 10, "name_vi": "Chỉ số CCHC", "Bands": "A>=90; B>=80; C"},
        {"iCode": "bonus", "Type": "Other", "name_vi": "Điểm thưởng", "max_points": 2},
        {"iCode": "penalty", "Type": "Other", "name_vi": "Điểm trừ", "max_points": 3},
        {"iCode": "bonus.initiative", "Type": "Other", "adjusts": "bonus", "max_points": 1.5, "name_vi": "Sáng kiến CCHC được công nhận",
         "to_confirm": True},
        {"iCode": "bonus.award", "Type": "Other", "adjusts": "bonus", "max_points": 1, "name_vi": "Được khen thưởng về CCHC"},
        {"iCode": "penalty.late", "Type": "Other", "adjusts": "penalty", "max_points": 2, "name_vi": "Chậm báo cáo CCHC"},
        {"iCode": "penalty.violation", "Type": "Other", "adjusts": "penalty", "max_points": 3, "name_vi": "Vi phạm kỷ luật hành chính"},
        {"iCode": "F1", "Level": 2, "Parent": "PAR", "Type": "Aggregate", "max_points": 6, "name_vi": "Công tác chỉ đạo, điều hành"},
        {"iCode": "F1.1", "Level": 1, "Parent": "F1", "Type": "Indicator", "max_points": 3, "step": 0.5, "evidence": True,
         "name_vi": "Ban hành kế hoạch CCHC năm", "guidance": "Đúng hạn: 3 điểm"},
        {"iCode": "F1.2", "Level": 1, "Parent": "F1", "Type": "Indicator", "max_points": 2, "step": 0.25, "na_allowed": True,
         "name_vi": "Kiểm tra CCHC"},
        {"iCode": "F1.3", "Level": 1, "Parent": "F1", "Type": "Indicator", "max_points": 1, "part": "survey",
         "name_vi": "Hài lòng về chỉ đạo CCHC"},
        {"iCode": "F2", "Level": 2, "Parent": "PAR", "Type": "Aggregate", "max_points": 4, "name_vi": "Cải cách thể chế"},
        {"iCode": "F2.1", "Level": 1, "Parent": "F2", "Type": "Indicator", "max_points": 4, "step": 1, "name_vi": "Rà soát văn bản"},
    ],
}
SURVEY = {
    "framework": {"code": "KS-T", "name_vi": "Điều tra xã hội học thử", "method": "composite"},
    "version": {"blocks": ["department"]},
    "steps": [{"aggregate": {"method": "amean"}}],
    "iMeta": [
        {"iCode": "KS", "Level": 2, "Type": "Aggregate", "name_vi": "Hài lòng"},
        {"iCode": "F1.3", "Level": 1, "Parent": "KS", "Type": "Indicator", "Weight": 1, "name_vi": "Hài lòng về chỉ đạo"},
    ],
}


@pytest.fixture
def par_version(db):
    from chiso.frameworks.services import framework_import

    return framework_import(file_name="par.yaml", content=yaml.safe_dump(PAR, allow_unicode=True).encode(), by=None).version


@pytest.fixture
def units(make_unit):
    return [make_unit("S-A", name_vi="Sở Tài chính"), make_unit("S-B", name_vi="Sở Tư pháp")]


@pytest.fixture
def people(make_user, units):
    from chiso.accounts.models import AppraisalBody, Role

    return {
        "officer": make_user("canbo.a", Role.UNIT_OFFICER, unit=units[0], email="a@example.vn"),
        "officer_b": make_user("canbo.b", Role.UNIT_OFFICER, unit=units[1], email="b@example.vn"),
        "expert": make_user("thamdinh", Role.APPRAISER, appraisal_body=AppraisalBody.EXPERT_TEAM, email="td@example.vn"),
        "expert2": make_user("thamdinh2", Role.APPRAISER, appraisal_body=AppraisalBody.EXPERT_TEAM),
        "council": make_user("hoidong", Role.APPRAISER, appraisal_body=AppraisalBody.COUNCIL, email="hd@example.vn"),
        "secretariat": make_user("thuky", Role.SECRETARIAT),
        "leader": make_user("lanhdao", Role.LEADER),
    }


@pytest.fixture
def cycle(par_version, period, blocks, units, people):
    from chiso.assessments.services import cycle_create

    return cycle_create(
        version=par_version, period=period, block=blocks["department"], by=people["secretariat"],
        self_assessment_due=timezone.now() + datetime.timedelta(days=10),
        appraisal_due=timezone.now() + datetime.timedelta(days=20),
        council_due=timezone.now() + datetime.timedelta(days=30), council_size=5,
    )


def assessment_of(cycle, unit_code):
    return cycle.assessments.get(unit__code=unit_code)


def item_of(assessment, code):
    return assessment.items.get(code=code)


def claim_all(assessment, officer, points=None):
    """Score every self-assessed item (full points by default) with a document reference where needed."""
    from chiso.assessments.services import evidence_document_add, item_self_assess

    points = points or {}
    for item in assessment.items.filter(part="self").select_related("node"):
        value = points.get(item.code, Decimal(str(item.node.max_points)))
        item_self_assess(item=item, by=officer, points=value)
        if item.node.evidence_required:
            evidence_document_add(item=item, by=officer, number="12/KH-STC", date=datetime.date(2023, 1, 15), title="Kế hoạch CCHC")


def appraise_all(assessment, expert, points=None):
    """Appraise every self-assessed item: the claim, or `points` (with a reason where they differ)."""
    from chiso.assessments.services import item_appraise

    points = points or {}
    for item in assessment.items.filter(part="self").select_related("node"):
        value = points.get(item.code, item.self_points)
        comment = "Tài liệu chưa đủ" if item.code in points and value != item.self_points else ""
        item_appraise(item=item, by=expert, points=value, not_applicable=item.self_na and item.code not in points, comment=comment)


@pytest.fixture
def survey_run(db, period, blocks, units):
    """A published survey index run: satisfaction 80 % in S-A, 50 % in S-B."""
    from chiso.frameworks.services import framework_import
    from chiso.indices.services import indicator_value_set, run_create, run_publish

    version = framework_import(file_name="ks.yaml", content=yaml.safe_dump(SURVEY, allow_unicode=True).encode(), by=None).version
    for unit, value in zip(units, (80.0, 50.0)):
        indicator_value_set(framework=version.framework, period=period, unit=unit, code="F1.3", value=value, source="Khảo sát thử", by=None)
    return run_publish(run=run_create(version=version, period=period, block=blocks["department"], by=None), by=None)
