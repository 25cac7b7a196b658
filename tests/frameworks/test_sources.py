"""Which version applies to a period and block, and the figures a version takes from the
one-stop-shop statistics and from feedback (its file's `sources:` section)."""

from pathlib import Path

import pytest
import yaml

import chiso.frameworks
from chiso.core.tabular import ImportFailed
from chiso.frameworks.documents import document_read, document_to_xlsx, document_to_yaml
from chiso.frameworks.queries import (
    framework_version_for,
    source_map,
    source_mapping,
    source_unmapped,
    version_document,
)
from chiso.frameworks.services import framework_import

DATA = Path(chiso.frameworks.__file__).parent / "data"


def _doc(label, applies_from, applies_to, blocks=("department",), sources=None, points=4):
    doc = {
        "framework": {"code": "FW-T", "name_vi": "Bộ thử", "method": "points"},
        "version": {"label": label, "applies_from": applies_from, "applies_to": applies_to, "blocks": list(blocks)},
        "iMeta": [
            {"iCode": "T", "Level": 2, "Type": "Aggregate", "max_points": 10},
            {"iCode": "T.1", "Level": 1, "Parent": "T", "Type": "Indicator", "max_points": points},
            {"iCode": "T.2", "Level": 1, "Parent": "T", "Type": "Indicator", "max_points": 6},
        ],
    }
    if sources is not None:
        doc["sources"] = sources
    return yaml.safe_dump(doc, allow_unicode=True).encode()


@pytest.mark.django_db
def test_the_version_valid_for_the_period_year_is_picked_not_the_newest():
    old = framework_import(file_name="a.yaml", content=_doc("2022–2024", 2022, 2024), by=None).version
    new = framework_import(file_name="b.yaml", content=_doc("2025–", 2025, None, points=3), by=None).version
    assert new.number > old.number
    assert framework_version_for("FW-T", 2023) == old
    assert framework_version_for(old.framework, 2024, "department") == old
    assert framework_version_for("FW-T", 2025) == new
    assert framework_version_for("FW-T", 2031) == new
    assert framework_version_for("FW-T", 2021) is None  # no version applies before 2022
    assert framework_version_for("FW-T", 2023, "commune") is None  # nor to a block it does not name


@pytest.mark.django_db
def test_the_mapping_is_read_from_the_file_and_kept_on_the_version():
    sources = {"service_statistics": {"on_time_rate": "T.1", "online_rate": ["T.2"]}, "feedback": {"on_time_rate": "T.2"}}
    version = framework_import(file_name="a.yaml", content=_doc("2022–", 2022, None, sources=sources), by=None).version
    assert source_mapping(version, "service_statistics") == {"T.1": "on_time_rate", "T.2": "online_rate"}
    assert source_mapping(version, "feedback") == {"T.2": "on_time_rate"}
    assert source_map("feedback", 2023) == {"FW-T": {"T.2": "on_time_rate"}}
    # a framework without a mapping for a figure says so
    assert source_unmapped(version, "feedback", ["on_time_rate", "satisfaction_rate"]) == ["satisfaction_rate"]
    # exported and imported again: the same version
    exported = document_to_yaml(version_document(version))
    assert document_read("x.yaml", exported)["sources"]["feedback"] == {"on_time_rate": ["T.2"]}
    assert not framework_import(file_name="x.yaml", content=exported, by=None).created


@pytest.mark.django_db
def test_a_mapping_to_a_criterion_the_framework_lacks_is_refused():
    with pytest.raises(ImportFailed) as failed:
        framework_import(file_name="a.yaml", content=_doc("2022–", 2022, None, sources={"feedback": {"on_time_rate": "G9"}}), by=None)
    assert "G9" in str(failed.value.problems[0].message)
    with pytest.raises(ImportFailed) as failed:  # a misspelt figure would otherwise write nothing, silently
        framework_import(file_name="a.yaml", content=_doc("2022–", 2022, None, sources={"feedback": {"on_time_rte": "T.1"}}), by=None)
    assert "on_time_rte" in str(failed.value.problems[0].message)
    with pytest.raises(ImportFailed):
        framework_import(file_name="a.yaml", content=_doc("2022–", 2022, None, sources={"statistics": {"on_time_rate": "T.1"}}), by=None)


@pytest.mark.django_db
def test_the_mapping_survives_the_workbook_export():
    sources = {"service_statistics": {"on_time_rate": ["T.1"]}}
    version = framework_import(file_name="a.yaml", content=_doc("2022–", 2022, None, sources=sources), by=None).version
    workbook = document_to_xlsx(version_document(version))
    assert document_read("a.xlsx", workbook)["sources"] == sources
    assert not framework_import(file_name="a.xlsx", content=workbook, by=None).created


@pytest.mark.django_db
def test_the_shipped_frameworks_carry_what_the_code_mapped():
    qd766 = framework_import(file_name="qd766.yaml", content=(DATA / "qd766.yaml").read_bytes(), by=None).version
    assert source_mapping(qd766, "service_statistics") == {
        "G1.4": "sync_rate", "G2.1": "on_time_rate", "G3.1": "digitisation_rate",
        "G3.2": "electronic_result_rate", "G4.2": "online_rate", "G4.3": "online_payment_rate"}
    assert source_mapping(qd766, "feedback") == {"G5.1": "on_time_rate", "G5.2": "qd766_satisfaction_rate"}
    so = framework_import(file_name="par_departments.yaml", content=(DATA / "par_departments.yaml").read_bytes(), by=None).version
    assert source_mapping(so, "service_statistics_evidence") == {
        "F3.3.2": "on_time_rate", "F3.3.4": "digitisation_rate", "F7.2.2": "online_rate",
        "F7.2.3": "online_payment_rate", "F7.2.4": "electronic_result_rate"}
    assert source_mapping(so, "service_statistics") == {}  # PAR criteria are not written from the rates
