import io

import pytest
import yaml
from django.utils import translation
from openpyxl import load_workbook

from chiso.core.tabular import ImportFailed
from chiso.engine.errors import at, where_row
from chiso.frameworks.documents import document_to_imeta_csv, document_to_xlsx, document_to_yaml
from chiso.frameworks.engine_messages import engine_message
from chiso.frameworks.models import FrameworkVersion
from chiso.frameworks.queries import version_document, version_engine_framework, version_tree, versions_diff
from chiso.frameworks.services import framework_import, version_freeze

PAR = {
    "framework": {"code": "PAR-TEST", "name_vi": "Chỉ số CCHC thử", "name_en": "Test PAR", "method": "points"},
    "version": {"label": "2023", "legal_basis": "123/QĐ-UBND", "decision_date": "2023-03-13", "applies_from": 2023,
                "blocks": ["department"], "to_confirm": ["Điểm tối đa từng lĩnh vực"]},
    "steps": [{"points": {}}],
    "iMeta": [
        {"iCode": "PAR", "Level": 3, "Type": "Aggregate", "max_points": 10, "name_vi": "Chỉ số CCHC", "Bands": "A>=90; B>=80; C"},
        {"iCode": "F1", "Level": 2, "Parent": "PAR", "Type": "Aggregate", "max_points": 6, "name_vi": "Chỉ đạo, điều hành"},
        {"iCode": "F2", "Level": 2, "Parent": "PAR", "Type": "Aggregate", "max_points": 4, "name_vi": "Thể chế"},
        {"iCode": "a", "Level": 1, "Parent": "F1", "Type": "Indicator", "max_points": 4, "name_vi": "Kế hoạch CCHC",
         "guidance": "Ban hành đúng hạn: 4 điểm", "evidence": True, "step": 0.5},
        {"iCode": "b", "Level": 1, "Parent": "F1", "Type": "Indicator", "max_points": 2, "name_vi": "Báo cáo", "na_allowed": True},
        {"iCode": "c", "Level": 1, "Parent": "F2", "Type": "Indicator", "max_points": 4, "name_vi": "Văn bản QPPL"},
    ],
}


def yaml_bytes(doc):
    return yaml.safe_dump(doc, allow_unicode=True).encode()


@pytest.mark.django_db
def test_import_stores_the_tree_and_a_second_import_changes_nothing():
    outcome = framework_import(file_name="par.yaml", content=yaml_bytes(PAR), by=None)
    version = outcome.version
    assert outcome.created and version.number == 1 and version.framework.method == "points"
    assert version.legal_basis == "123/QĐ-UBND" and str(version.decision_date) == "2023-03-13"
    a = version.nodes.get(code="a")
    assert (a.max_points, a.evidence_required, a.points_step, a.guidance) == (4, True, 0.5, "Ban hành đúng hạn: 4 điểm")
    assert version.nodes.get(code="b").na_allowed
    again = framework_import(file_name="par.yaml", content=yaml_bytes(PAR), by=None)
    assert not again.created and again.version == version
    assert [r.number for r in version_tree(version)] == ["", "1", "1.1", "1.2", "2", "2.1"]


@pytest.mark.django_db
@pytest.mark.parametrize("writer,name", [(document_to_yaml, "x.yaml"), (document_to_xlsx, "x.xlsx")])
def test_export_and_import_round_trip_is_the_same_version(writer, name):
    version = framework_import(file_name="par.yaml", content=yaml_bytes(PAR), by=None).version
    outcome = framework_import(file_name=name, content=writer(version_document(version)), by=None)
    assert not outcome.created and outcome.version == version


@pytest.mark.django_db
def test_xlsx_export_has_an_appendix_sheet_laid_out_like_a_decision():
    version = framework_import(file_name="par.yaml", content=yaml_bytes(PAR), by=None).version
    workbook = load_workbook(io.BytesIO(document_to_xlsx(version_document(version))))
    assert workbook.sheetnames == ["Phụ lục", "framework", "iMeta"]
    rows = list(workbook["Phụ lục"].iter_rows(values_only=True))
    assert rows[2][:3] == ("STT", "Nội dung", "Điểm tối đa / Trọng số")
    assert ("1.1", "Kế hoạch CCHC", 4) == rows[5][:3]


@pytest.mark.django_db
def test_coinr_imeta_csv_imports_with_a_code_and_exports_back():
    csv = b"iCode,iName,Level,Parent,Direction,Weight,Type\nx1,X one,1,P,1,1,Indicator\nx2,X two,1,P,-1,1,Indicator\nP,Pillar,2,,1,1,Aggregate\n"
    version = framework_import(file_name="meta.csv", content=csv, framework_code="COINR", by=None).version
    assert version.framework.code == "COINR" and version.nodes.get(code="x2").direction == -1
    text = document_to_imeta_csv(version_document(version)).decode()
    assert text.splitlines()[0].startswith("iCode,iName,Level,Parent,Type,Direction,Weight")
    assert version_engine_framework(version).indicators == ("x1", "x2")


@pytest.mark.django_db
def test_a_change_makes_a_new_version_and_the_diff_shows_it():
    first = framework_import(file_name="par.yaml", content=yaml_bytes(PAR), by=None).version
    version_freeze(first)
    changed = yaml.safe_load(yaml_bytes(PAR))
    changed["iMeta"][3]["guidance"] = "Ban hành trước 31/12: 4 điểm"
    changed["iMeta"].append({"iCode": "d", "Level": 1, "Parent": "F2", "Type": "Indicator", "max_points": 0, "name_vi": "Mới"})
    second = framework_import(file_name="par.yaml", content=yaml_bytes(changed), by=None).version
    assert second.number == 2 and not second.is_frozen and first.is_frozen
    diff = {row.code: row for row in versions_diff(first, second)}
    assert diff["d"].status == "added" and diff["b"].status == "same"
    assert diff["a"].status == "changed" and diff["a"].changes[0][1:] == ("Ban hành đúng hạn: 4 điểm", "Ban hành trước 31/12: 4 điểm")


@pytest.mark.django_db
def test_children_points_above_the_parent_maximum_are_refused_and_nothing_is_written():
    bad = yaml.safe_load(yaml_bytes(PAR))
    bad["iMeta"][3]["max_points"] = 5  # a + b = 7 > F1's 6
    with pytest.raises(ImportFailed) as failure:
        framework_import(file_name="par.yaml", content=yaml_bytes(bad), by=None)
    assert any("F1" in str(p) and "7" in str(p) and "6" in str(p) for p in failure.value.problems)
    assert FrameworkVersion.objects.count() == 0


@pytest.mark.django_db
def test_engine_problems_are_all_reported():
    bad = yaml.safe_load(yaml_bytes(PAR))
    bad["iMeta"][4]["Parent"] = "NOWHERE"
    bad["iMeta"].append(dict(bad["iMeta"][5]))  # duplicate code c
    with pytest.raises(ImportFailed) as failure:
        framework_import(file_name="par.yaml", content=yaml_bytes(bad), by=None)
    text = " ".join(str(p) for p in failure.value.problems)
    assert "NOWHERE" in text and "'c'" in text


@pytest.mark.django_db
def test_weights_that_do_not_sum_to_one_warn_or_refuse_as_configured():
    doc = {"framework": {"code": "W", "method": "composite"}, "version": {}, "steps": [],
           "iMeta": [{"iCode": "T", "Level": 2, "Type": "Aggregate"},
                     {"iCode": "x", "Level": 1, "Parent": "T", "Weight": 0.5, "Type": "Indicator"},
                     {"iCode": "y", "Level": 1, "Parent": "T", "Weight": 0.3, "Type": "Indicator"}]}
    outcome = framework_import(file_name="w.yaml", content=yaml_bytes(doc), by=None)
    assert outcome.warnings and "là 0,8," in outcome.warnings[0]  # written the Vietnamese way
    doc["version"]["weights_policy"] = "refuse"
    with pytest.raises(ImportFailed) as failure:
        framework_import(file_name="w.yaml", content=yaml_bytes(doc), by=None)
    assert "0,8" in str(failure.value)


@pytest.mark.django_db
def test_unknown_steps_are_refused():
    bad = yaml.safe_load(yaml_bytes(PAR))
    bad["steps"] = [{"normalize_everything": {}}]
    with pytest.raises(ImportFailed) as failure:
        framework_import(file_name="par.yaml", content=yaml_bytes(bad), by=None)
    assert "normalize_everything" in str(failure.value)


def test_engine_messages_are_given_in_vietnamese():
    with translation.override("vi"):
        text = engine_message(at(where_row(4), "framework.unknown_parent", parent="X", code="a"))
    assert text.startswith("dòng 4: ") and "'X'" in text and "'a'" in text and "unknown" not in text
    assert engine_message("something new") == "something new"
