"""A small made-up province with published, superseded and draft runs, for the results,
portal and API tests.

Departments S-A…S-D are ranked by a DDCI-like composite (three pillars) in 2022 and 2023 and by a
PAR-like points framework in 2022 and 2023; districts H-1 and H-2 in 2023 become communes X-1
(from H-1) and X-2 (half H-1, half H-2) on 1 July 2025. The 2023 DDCI of departments was
published twice (the first run is superseded); a 2025 DDCI run of departments is a draft.
"""

import datetime
from types import SimpleNamespace

import pytest
import yaml
from django.core.cache import cache

from chiso.frameworks.services import framework_import
from chiso.indices.services import ValueEntry, indicator_values_set, run_create, run_publish
from chiso.units.models import Period, UnitSuccession

DDCI = {
    "framework": {"code": "DDCI-T", "name_vi": "DDCI thử", "name_en": "Test DDCI", "method": "composite"},
    "version": {"label": "thử", "legal_basis": "Kế hoạch 01/KH-UBND"},
    "steps": [{"normalise": {"method": "minmax", "l_u": [1, 10]}}, {"aggregate": {"method": "amean", "methods": {3: "sum"}, "scale": 10}}],
    "iMeta": [
        {"iCode": "DDCI", "Level": 3, "Type": "Aggregate", "name_vi": "Chỉ số DDCI thử", "Bands": "Tốt>=70; Khá>=40; Trung bình"},
        {"iCode": "P1", "Level": 2, "Parent": "DDCI", "Type": "Aggregate", "Weight": 0.4, "name_vi": "Tính minh bạch"},
        {"iCode": "P2", "Level": 2, "Parent": "DDCI", "Type": "Aggregate", "Weight": 0.3, "name_vi": "Chi phí thời gian"},
        {"iCode": "P3", "Level": 2, "Parent": "DDCI", "Type": "Aggregate", "Weight": 0.3, "name_vi": "Chi phí không chính thức"},
        {"iCode": "i1", "Level": 1, "Parent": "P1", "Type": "Indicator", "name_vi": "Tiếp cận tài liệu", "Unit": "%"},
        {"iCode": "i2", "Level": 1, "Parent": "P1", "Type": "Indicator", "name_vi": "Thông tin trên cổng", "Unit": "%"},
        {"iCode": "i3", "Level": 1, "Parent": "P2", "Type": "Indicator", "name_vi": "Đi lại nhiều lần", "Direction": -1, "Unit": "%"},
        {"iCode": "i4", "Level": 1, "Parent": "P2", "Type": "Indicator", "name_vi": "Giải quyết đúng hạn", "Unit": "%"},
        {"iCode": "i5", "Level": 1, "Parent": "P3", "Type": "Indicator", "name_vi": "Phải trả chi phí", "Direction": -1, "Unit": "%"},
        {"iCode": "i6", "Level": 1, "Parent": "P3", "Type": "Indicator", "name_vi": "Chi phí hợp lý", "Unit": "%"},
    ],
}
PAR = {
    "framework": {"code": "PAR-T", "name_vi": "Chỉ số CCHC thử", "method": "points"},
    "version": {"label": "thử"},
    "steps": [{"points": {}}],
    "iMeta": [
        {"iCode": "PAR", "Level": 3, "Type": "Aggregate", "max_points": 10, "name_vi": "Chỉ số CCHC thử", "Bands": "A>=90; B>=80; C"},
        {"iCode": "F1", "Level": 2, "Parent": "PAR", "Type": "Aggregate", "max_points": 6, "name_vi": "Công tác chỉ đạo, điều hành"},
        {"iCode": "F2", "Level": 2, "Parent": "PAR", "Type": "Aggregate", "max_points": 4, "name_vi": "Cải cách thể chế"},
        {"iCode": "a", "Level": 1, "Parent": "F1", "Type": "Indicator", "max_points": 6, "name_vi": "Kế hoạch CCHC năm"},
        {"iCode": "b", "Level": 1, "Parent": "F2", "Type": "Indicator", "max_points": 4, "name_vi": "Rà soát văn bản"},
    ],
}
# indicator values i1…i6 per unit and year; S-A improves, S-D falls behind
DDCI_VALUES = {
    "2022": {"S-A": [50, 50, 40, 60, 30, 50], "S-B": [80, 70, 20, 80, 10, 80], "S-C": [60, 60, 30, 70, 20, 60], "S-D": [70, 80, 25, 75, 15, 70]},
    "2023": {"S-A": [90, 85, 10, 90, 5, 90], "S-B": [70, 60, 30, 70, 20, 70], "S-C": [60, 55, 35, 65, 25, 60], "S-D": [40, 45, 50, 50, 40, 40]},
    "2025": {"S-A": [11, 11, 11, 11, 11, 11], "S-B": [99, 99, 1, 99, 1, 99], "S-C": [50, 50, 50, 50, 50, 50], "S-D": [30, 30, 70, 30, 70, 30]},
    "districts": {"H-1": [80, 80, 20, 80, 10, 80], "H-2": [40, 40, 60, 40, 50, 40]},
    "communes": {"X-1": [70, 70, 30, 70, 20, 70], "X-2": [60, 65, 35, 60, 30, 60]},
}
PAR_VALUES = {"2022": {"S-A": (3, 2), "S-B": (6, 4), "S-C": (4.5, 3), "S-D": (5, 3.5)},
              "2023": {"S-A": (6, 4), "S-B": (5, 3), "S-C": (4, 2), "S-D": (5.5, 4)}}
SUPERSEDED_VALUE = 3  # S-C's i1 in the first 2023 publication, corrected to 60 afterwards


def _period(code: str, year: int, name_vi: str) -> Period:
    return Period.objects.get_or_create(code=code, defaults={
        "year": year, "name_vi": name_vi, "name_en": f"Year {year}",
        "start_date": datetime.date(year, 1, 1), "end_date": datetime.date(year, 12, 31)})[0]


def _values(framework, period, units, table, codes, source="Khảo sát thử"):
    indicator_values_set(by=None, framework=framework, period=period, entries=[
        ValueEntry(unit=units[code], code=indicator, value=value, source=source)
        for code, values in table.items() for indicator, value in zip(codes, values)])


def build(make_unit, blocks, period) -> SimpleNamespace:
    p2022, p2023, p2025 = _period("2022", 2022, "Năm 2022"), period, _period("2025", 2025, "Năm 2025")
    names = {"S-A": "Sở Tài chính", "S-B": "Sở Tư pháp", "S-C": "Sở Y tế", "S-D": "Sở Xây dựng"}
    units = {code: make_unit(code, name_vi=name) for code, name in names.items()}
    units["H-1"] = make_unit("H-1", block="district", name_vi="Huyện Hòa An", valid_to=datetime.date(2025, 6, 30))
    units["H-2"] = make_unit("H-2", block="district", name_vi="Huyện Hà Quảng", valid_to=datetime.date(2025, 6, 30))
    units["X-1"] = make_unit("X-1", block="commune", name_vi="Xã Hòa An", valid_from=datetime.date(2025, 7, 1))
    units["X-2"] = make_unit("X-2", block="commune", name_vi="Xã Hà Quảng", valid_from=datetime.date(2025, 7, 1))
    reform = datetime.date(2025, 7, 1)
    UnitSuccession.objects.create(predecessor=units["H-1"], successor=units["X-1"], date=reform, share=1)
    UnitSuccession.objects.create(predecessor=units["H-1"], successor=units["X-2"], date=reform, share=0.5)
    UnitSuccession.objects.create(predecessor=units["H-2"], successor=units["X-2"], date=reform, share=0.5)

    ddci = framework_import(file_name="ddci.yaml", content=yaml.safe_dump(DDCI, allow_unicode=True).encode(), by=None).version
    par = framework_import(file_name="par.yaml", content=yaml.safe_dump(PAR, allow_unicode=True).encode(), by=None).version
    codes = [f"i{k}" for k in range(1, 7)]
    dept = blocks["department"]

    def publish(version, period, block, reason=""):
        return run_publish(run=run_create(by=None, version=version, period=period, block=block), by=None, reason=reason)

    _values(ddci.framework, p2022, units, DDCI_VALUES["2022"], codes)
    ddci_2022 = publish(ddci, p2022, dept)
    first_2023 = dict(DDCI_VALUES["2023"], **{"S-C": [SUPERSEDED_VALUE, *DDCI_VALUES["2023"]["S-C"][1:]]})
    _values(ddci.framework, p2023, units, first_2023, codes)
    superseded = publish(ddci, p2023, dept)
    _values(ddci.framework, p2023, units, DDCI_VALUES["2023"], codes)
    ddci_2023 = publish(ddci, p2023, dept, reason="Sửa số liệu khảo sát của Sở Y tế")
    superseded.refresh_from_db()
    _values(ddci.framework, p2025, units, DDCI_VALUES["2025"], codes)
    draft = run_create(by=None, version=ddci, period=p2025, block=dept)
    _values(ddci.framework, p2023, units, DDCI_VALUES["districts"], codes)
    districts = publish(ddci, p2023, blocks["district"])
    _values(ddci.framework, p2025, units, DDCI_VALUES["communes"], codes)
    communes = publish(ddci, p2025, blocks["commune"])

    for year, p in (("2022", p2022), ("2023", p2023)):
        _values(par.framework, p, units, {u: list(v) for u, v in PAR_VALUES[year].items()}, ["a", "b"], source="Điểm thẩm định")
    par_2022 = publish(par, p2022, dept)
    par_2023 = publish(par, p2023, dept)
    return SimpleNamespace(
        units=units, periods={"2022": p2022, "2023": p2023, "2025": p2025}, ddci=ddci, par=par,
        ddci_2022=ddci_2022, ddci_2023=ddci_2023, superseded=superseded, draft=draft, districts=districts,
        communes=communes, par_2022=par_2022, par_2023=par_2023,
    )


# --- fixtures, imported by the conftest.py of tests/results, tests/portal and tests/api ----------

@pytest.fixture(autouse=True)
def isolated_media_and_cache(settings, tmp_path):
    """Charts are drawn into a temporary media folder; rankings are not kept between tests."""
    from chiso.results.queries import rankings_forget

    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    rankings_forget()
    yield
    cache.clear()
    rankings_forget()


@pytest.fixture
def sample(make_unit, blocks, period):
    return build(make_unit, blocks, period)
