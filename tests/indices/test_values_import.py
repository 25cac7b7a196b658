import pytest
import yaml
from django.urls import reverse

from chiso.accounts.models import Role
from chiso.core.tabular import ImportFailed
from chiso.frameworks.services import framework_import
from chiso.indices.models import IndicatorValue
from chiso.indices.services import run_create, run_publish
from chiso.indices.values_import import indicator_values_import

DOC = {"framework": {"code": "P", "name_vi": "Điểm", "method": "points"}, "version": {}, "steps": [{"points": {}}],
       "iMeta": [{"iCode": "T", "Level": 2, "Type": "Aggregate", "max_points": 10},
                 {"iCode": "a", "Level": 1, "Parent": "T", "Type": "Indicator", "max_points": 6},
                 {"iCode": "b", "Level": 1, "Parent": "T", "Type": "Indicator", "max_points": 4}]}


@pytest.fixture
def version(db):
    return framework_import(file_name="p.yaml", content=yaml.safe_dump(DOC).encode()).version


def test_values_import_with_not_applicable_and_a_source(version, make_unit, period):
    make_unit("S-A"), make_unit("S-B")
    content = "uCode,uName,a,b\nS-A,Sở A,\"5,5\",N/A\nS-B,Sở B,3,4\n".encode("utf-8-sig")
    assert indicator_values_import(version=version, period=period, file_name="diem.csv", content=content, source="Biên bản Hội đồng") == 4
    b = IndicatorValue.objects.get(unit__code="S-A", code="b")
    assert b.not_applicable and b.source == "Biên bản Hội đồng"
    assert IndicatorValue.objects.get(unit__code="S-A", code="a").value == 5.5
    run = run_create(by=None, version=version, period=period, block=version.framework.values.first().unit.block)
    # S-A: 5.5 of the 6 applicable points = 91.67 %; S-B: 7 of 10 = 70 %
    scores = {s.unit.code: s.value for s in run.scores.filter(code="T")}
    assert scores["S-A"] == pytest.approx(5.5 / 6 * 100) and scores["S-B"] == pytest.approx(70)


def test_values_import_is_all_or_nothing_with_named_cells(version, make_unit, period):
    make_unit("S-A")
    content = b"uCode,a,zz\nS-A,abc,1\nS-NONE,1,1\n"
    with pytest.raises(ImportFailed) as failure:
        indicator_values_import(version=version, period=period, file_name="diem.csv", content=content, source="x")
    text = " ".join(map(str, failure.value.problems))
    assert "zz" in text and "abc" in text and "S-NONE" in text
    assert IndicatorValue.objects.count() == 0


def test_unit_results_page_follows_lineage_and_is_refused_to_other_officers(client, version, make_unit, make_user, period):
    a, b = make_unit("S-A"), make_unit("S-B")
    indicator_values_import(version=version, period=period, file_name="d.csv", content=b"uCode,a,b\nS-A,6,4\nS-B,1,1\n", source="x")
    run_publish(run=run_create(by=None, version=version, period=period, block=a.block), by=None)
    client.force_login(make_user("canbo", Role.UNIT_OFFICER, unit=a))
    response = client.get(reverse("indices:unit_results", args=["S-A"]))
    assert response.status_code == 200 and "100" in response.content.decode()
    assert client.get(reverse("indices:unit_results", args=["S-B"])).status_code == 403
