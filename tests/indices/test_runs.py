import csv
import datetime
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError

from chiso.accounts.models import Role
from chiso.frameworks.services import framework_import
from chiso.indices.computing import compute
from chiso.indices.models import IndexRun, RunScore
from chiso.indices.queries import run_table, unit_score_trend
from chiso.indices.services import (
    indicator_value_set, run_create, run_discard, run_inputs_preview, run_publish, run_recompute_matches,
)
from chiso.units.models import Period, UnitSuccession

PCI_DIR = Path(__file__).resolve().parents[1] / "data" / "pci"
SUBINDICES = ["entry_costs", "land_access", "transparency", "time_costs", "informal_charges", "policy_bias",
              "proactivity", "business_support", "labor_training", "legal_institutions"]
WEIGHTS = [0.05, 0.05, 0.20, 0.05, 0.10, 0.05, 0.05, 0.20, 0.20, 0.05]

DDCI = {
    "framework": {"code": "DDCI-T", "name_vi": "DDCI thử", "method": "composite"},
    "version": {"label": "2022"},
    "steps": [{"normalise": {"method": "minmax", "l_u": [1, 10]}}, {"aggregate": {"method": "amean"}}],
    "iMeta": [
        {"iCode": "DDCI", "Level": 3, "Type": "Aggregate", "name_vi": "DDCI", "Bands": "Tốt>=7; Khá>=4; Trung bình"},
        {"iCode": "P1", "Level": 2, "Parent": "DDCI", "Type": "Aggregate", "name_vi": "Minh bạch"},
        {"iCode": "P2", "Level": 2, "Parent": "DDCI", "Type": "Aggregate", "name_vi": "Chi phí không chính thức"},
        {"iCode": "i1", "Level": 1, "Parent": "P1", "Type": "Indicator", "name_vi": "Tiếp cận tài liệu"},
        {"iCode": "i2", "Level": 1, "Parent": "P1", "Type": "Indicator", "name_vi": "Thông tin trên cổng"},
        {"iCode": "i3", "Level": 1, "Parent": "P2", "Type": "Indicator", "Direction": -1, "name_vi": "Phải trả chi phí"},
    ],
}
VALUES = {"S-A": [8, 7, 10], "S-B": [6, 9, 30], "S-C": [3, 2, 60]}


@pytest.fixture
def ddci(db):
    return framework_import(file_name="ddci.yaml", content=yaml.safe_dump(DDCI, allow_unicode=True).encode(), by=None).version


@pytest.fixture
def filled(ddci, make_unit, period, blocks):
    units = {code: make_unit(code, name_vi=f"Sở {code}") for code in VALUES}
    for code, values in VALUES.items():
        for indicator, value in zip(["i1", "i2", "i3"], values):
            indicator_value_set(by=None, framework=ddci.framework, period=period, unit=units[code], code=indicator, value=value, source="Khảo sát DDCI 2023")
    return units


@pytest.mark.parametrize("year", [2013, 2016])
def test_the_pci_framework_reproduces_the_published_composite(db, year):
    doc = {"framework": {"code": "PCI", "method": "composite"}, "version": {}, "steps": [{"aggregate": {"method": "sum", "scale": 10}}],
           "iMeta": [{"iCode": "PCI", "Level": 2, "Type": "Aggregate"}]
           + [{"iCode": c, "Level": 1, "Parent": "PCI", "Type": "Indicator", "Weight": w} for c, w in zip(SUBINDICES, WEIGHTS)]}
    version = framework_import(file_name="pci.yaml", content=yaml.safe_dump(doc).encode(), by=None).version
    with open(PCI_DIR / f"pci_{year}_vcci_workbook.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    inputs = {"units": [f"P{i:02d}" for i in range(len(rows))], "names": [r["province"] for r in rows], "codes": SUBINDICES,
              "values": [[float(r[c]) for c in SUBINDICES] for r in rows]}
    result = {(u, c): (v, rank) for u, c, v, rank, _ in compute(version, inputs).rows}
    for i, row in enumerate(rows):
        value, rank = result[(f"P{i:02d}", "PCI")]
        assert value == pytest.approx(float(row["pci"]), abs=2e-5)
        assert rank == int(row["pci_rank"])


def test_preview_shows_missing_values_before_running(ddci, filled, period, blocks, make_unit):
    make_unit("S-D", name_vi="Sở chưa có số liệu")
    preview = run_inputs_preview(version=ddci, period=period, block=blocks["department"])
    assert [u.code for u in preview.units_without_data] == ["S-D"]
    assert len(preview.missing) == 3 and preview.cells == 12


def test_a_run_stores_every_level_ranks_bands_and_freezes_the_version(ddci, filled, period, blocks):
    run = run_create(by=None, version=ddci, period=period, block=blocks["department"])
    ddci.refresh_from_db()
    assert ddci.is_frozen and run.status == IndexRun.Status.DRAFT
    top = {s.unit.code: s for s in RunScore.objects.filter(run=run, code="DDCI")}
    assert [top[c].rank for c in ("S-A", "S-B", "S-C")] == [1, 2, 3]
    # S-A: i1 and i2 normalised (8→10, 7→ (7-2)/7*9+1), i3 reversed (10 is best → 10)
    p1 = (10 + (1 + 9 * 5 / 7)) / 2
    assert top["S-A"].value == pytest.approx((p1 + 10) / 2)
    assert top["S-A"].band == "Tốt" and top["S-C"].band == "Trung bình"
    assert RunScore.objects.get(run=run, unit__code="S-C", code="i3").rank == 3  # 60 is the worst (direction −1)
    assert run.details["strengths"]["S-A"] and run.steps_log[0][0] == "normalise"
    columns, rows = run_table(run)
    assert [c.code for c in columns] == ["DDCI", "P1", "P2"] and rows[0].unit.code == "S-A"


def test_recompute_of_a_published_run_gives_the_identical_checksum(ddci, filled, period, blocks, make_user):
    run = run_create(by=None, version=ddci, period=period, block=blocks["department"])
    run_publish(run=run, by=make_user("thuky", Role.SECRETARIAT))
    run.refresh_from_db()
    assert run.status == IndexRun.Status.PUBLISHED and run_recompute_matches(run)
    # Values entered later do not touch the published run.
    indicator_value_set(by=None, framework=ddci.framework, period=period, unit=filled["S-C"], code="i1", value=10, source="sửa")
    assert run_recompute_matches(run)
    tampered = IndexRun.objects.get(pk=run.pk)
    tampered.inputs["values"][0][0] = 9
    assert not run_recompute_matches(tampered)


def test_republishing_needs_a_reason_and_supersedes(ddci, filled, period, blocks, make_user):
    user = make_user("thuky", Role.SECRETARIAT)
    first = run_publish(run=run_create(by=None, version=ddci, period=period, block=blocks["department"]), by=user)
    second = run_create(by=None, version=ddci, period=period, block=blocks["department"])
    with pytest.raises(ValidationError):
        run_publish(run=second, by=user)
    run_publish(run=second, by=user, reason="Sửa số liệu khảo sát của Sở S-C")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == IndexRun.Status.SUPERSEDED and second.supersedes == first
    with pytest.raises(ValidationError):
        run_publish(run=second, by=user)
    with pytest.raises(Exception):
        run_discard(run=first)


def test_a_run_without_values_is_refused(ddci, period, blocks, make_unit):
    make_unit("S-A")
    with pytest.raises(ValidationError):
        run_create(by=None, version=ddci, period=period, block=blocks["department"])


def test_history_crosses_the_2025_reform_through_lineage(ddci, make_unit, blocks, make_user):
    p2023 = Period.objects.create(code="2023", year=2023, name_vi="Năm 2023", start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 12, 31))
    p2026 = Period.objects.create(code="2026", year=2026, name_vi="Năm 2026", start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31))
    districts = [make_unit(f"H-{i}", block="district", valid_to=datetime.date(2025, 6, 30)) for i in range(3)]
    communes = [make_unit(f"X-{i}", block="commune", valid_from=datetime.date(2025, 7, 1)) for i in range(3)]
    for d, c in zip(districts, communes):
        UnitSuccession.objects.create(predecessor=d, successor=c, date=datetime.date(2025, 7, 1))
    user = make_user("thuky", Role.SECRETARIAT)
    for period, units in ((p2023, districts), (p2026, communes)):
        for unit, values in zip(units, VALUES.values()):
            for indicator, value in zip(["i1", "i2", "i3"], values):
                indicator_value_set(by=None, framework=ddci.framework, period=period, unit=unit, code=indicator, value=value, source="thử")
        run_publish(run=run_create(by=None, version=ddci, period=period, block=units[0].block), by=user)
    history = unit_score_trend(communes[0], ddci.framework)
    assert [p.run.period.code for p in history] == ["2023", "2026"]
    assert history[0].via == {districts[0]: 1.0} and history[0].value == pytest.approx(history[1].value)
