"""Small factories for the follow-up tests: the notice, departments with officers, two published
DDCI runs (2022 and 2023), tables of tasks as offices send them."""

import datetime
import io

import pytest
import yaml
from openpyxl import Workbook

DDCI = {
    "framework": {"code": "DDCI-T", "name_vi": "DDCI thử", "method": "composite"},
    "version": {"label": "thử"},
    "steps": [{"normalise": {"method": "minmax", "l_u": [1, 10]}}, {"aggregate": {"method": "amean"}}],
    "iMeta": [
        {"iCode": "DDCI", "Level": 3, "Type": "Aggregate", "name_vi": "DDCI"},
        {"iCode": "P1", "Level": 2, "Parent": "DDCI", "Type": "Aggregate", "name_vi": "Tính minh bạch"},
        {"iCode": "P2", "Level": 2, "Parent": "DDCI", "Type": "Aggregate", "name_vi": "Chi phí không chính thức"},
        {"iCode": "i1", "Level": 1, "Parent": "P1", "Type": "Indicator", "name_vi": "Tiếp cận tài liệu của sở"},
        {"iCode": "i2", "Level": 1, "Parent": "P1", "Type": "Indicator", "name_vi": "Thông tin trên trang của sở"},
        {"iCode": "i3", "Level": 1, "Parent": "P2", "Type": "Indicator", "Direction": -1, "name_vi": "Phải trả chi phí không chính thức"},
        {"iCode": "i4", "Level": 1, "Parent": "P2", "Type": "Indicator", "name_vi": "Nhũng nhiễu giảm"},
    ],
}
# Sở Xây dựng is worst on i3 (lower is better, it has the highest) and on i1.
VALUES_2022 = {
    "S-XD": [30, 60, 70, 55],
    "S-TC": [80, 70, 20, 60],
    "S-TP": [60, 50, 40, 40],
    "S-NV": [70, 90, 30, 70],
}
VALUES_2023 = {
    "S-XD": [65, 58, 40, 55],  # i1 and i3 (lower is better) better, i2 slightly worse
    "S-TC": [82, 72, 22, 61],
    "S-TP": [61, 52, 41, 42],
    "S-NV": [71, 91, 31, 71],
}
NAMES = {"S-XD": "Sở Xây dựng", "S-TC": "Sở Tài chính", "S-TP": "Sở Tư pháp", "S-NV": "Sở Nội vụ",
         "S-VHTTDL": "Sở Văn hóa, Thể thao và Du lịch"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Evidence files go to a folder of the test's own, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def units(make_unit):
    return {code: make_unit(code, name_vi=name) for code, name in NAMES.items()}


@pytest.fixture
def officers(make_user, units):
    from chiso.accounts.models import Role

    return {code: make_user(f"canbo.{code.lower()}", Role.UNIT_OFFICER, unit=unit, email=f"{code.lower()}@example.vn")
            for code, unit in units.items() if code != "S-VHTTDL"}


@pytest.fixture
def secretariat(make_user):
    from chiso.accounts.models import Role

    return make_user("thuky", Role.SECRETARIAT, email="thuky@example.vn")


@pytest.fixture
def leader(make_user):
    from chiso.accounts.models import Role

    return make_user("lanhdao", Role.LEADER, email="lanhdao@example.vn")


@pytest.fixture
def notice(db, secretariat):
    from chiso.followup.services import directive_create

    return directive_create(number="511/TB-UBND", date=datetime.date(2023, 3, 13), issuer="UBND tỉnh Cao Bằng",
                            summary="Kết luận của Chủ tịch UBND tỉnh tại Hội nghị Tổng kết công tác CCHC", by=secretariat)


@pytest.fixture
def make_task(notice, units, secretariat):
    from chiso.followup.services import task_create

    def make(lead="S-XD", deadline="31/03/2023", cooperating=(), text="Xây dựng kế hoạch cải thiện chỉ số DDCI năm 2023", **fields):
        return task_create(directive=fields.pop("directive", notice), text=text, lead_unit=units[lead], deadline=deadline,
                           cooperating_units=[units[c] for c in cooperating], by=fields.pop("by", secretariat), **fields)

    return make


@pytest.fixture
def period_2022(db):
    from chiso.units.models import Period

    return Period.objects.create(code="2022", year=2022, name_vi="Năm 2022", name_en="Year 2022",
                                 start_date=datetime.date(2022, 1, 1), end_date=datetime.date(2022, 12, 31))


@pytest.fixture
def ddci_runs(db, units, blocks, period, period_2022):
    """Published DDCI runs of 2022 and 2023 over four departments: (run 2022, run 2023)."""
    from chiso.frameworks.services import framework_import
    from chiso.indices.services import indicator_value_set, run_create, run_publish

    version = framework_import(file_name="ddci.yaml", content=yaml.safe_dump(DDCI, allow_unicode=True).encode(), by=None).version
    runs = []
    for p, values in ((period_2022, VALUES_2022), (period, VALUES_2023)):
        for code, row in values.items():
            for indicator, value in zip(["i1", "i2", "i3", "i4"], row):
                indicator_value_set(by=None, framework=version.framework, period=p, unit=units[code], code=indicator, value=value,
                                    source="Khảo sát DDCI thử")
        runs.append(run_publish(run=run_create(by=None, version=version, period=p, block=blocks["department"]), by=None))
    return tuple(runs)


def workbook(rows, header=("STT", "Nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn")) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Nhiệm vụ"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def tasks_workbook():
    return workbook
