"""PCI 2013-2016: 10 x sum(w_i s_i) over the 10 published sub-indices reproduces the composite and all 63 ranks."""

import csv
from pathlib import Path

import numpy as np
import pytest

from chiso.engine import Dataset, Framework, IndexBuild
from chiso.engine.cli import main

PCI_DIR = Path(__file__).resolve().parents[1] / "data" / "pci"
SUBINDICES = ("entry_costs", "land_access", "transparency", "time_costs", "informal_charges", "policy_bias",
              "proactivity", "business_support", "labor_training", "legal_institutions")
WEIGHTS = (5, 5, 20, 5, 10, 5, 5, 20, 20, 5)  # percent


def pci_framework() -> Framework:
    rows = [{"iCode": c, "Level": 1, "Parent": "PCI", "Weight": w / 100, "Type": "Indicator"}
            for c, w in zip(SUBINDICES, WEIGHTS)]
    rows.append({"iCode": "PCI", "Level": 2, "Type": "Aggregate", "name_vi": "Chỉ số năng lực cạnh tranh cấp tỉnh"})
    return Framework.from_rows(rows)


def published(year):
    with open(PCI_DIR / f"pci_{year}_vcci_workbook.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    data = Dataset.from_arrays(units=[r["province"] for r in rows],
                               values=[[float(r[c]) for c in SUBINDICES] for r in rows], codes=SUBINDICES)
    return data, np.array([float(r["pci"]) for r in rows]), np.array([int(r["pci_rank"]) for r in rows])


@pytest.mark.parametrize("year", [2013, 2014, 2015, 2016])
def test_weighted_sum_reproduces_published_pci_and_ranks(year):
    data, pci, pci_rank = published(year)
    build = IndexBuild(pci_framework(), data).aggregate(method="sum", scale=10)
    res = build.results()
    # the workbook cells are float32: agreement to about 1e-5
    assert np.max(np.abs(res.column("PCI") - pci)) < 2e-5
    np.testing.assert_array_equal(res.rank, pci_rank)
    # the weights sum to 1, so the weighted mean times 10 is the same composite
    mean = IndexBuild(pci_framework(), data).aggregate().results().column("PCI")
    np.testing.assert_allclose(10 * mean, res.column("PCI"), rtol=1e-14)


def test_pci_through_the_command_line(tmp_path):
    data, pci, pci_rank = published(2016)
    with open(tmp_path / "meta.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["iCode", "iName", "Level", "Parent", "Direction", "Weight", "Type"])
        for c, wt in zip(SUBINDICES, WEIGHTS):
            w.writerow([c, c, 1, "PCI", 1, wt, "Indicator"])
        w.writerow(["PCI", "PCI", 2, "", 1, 1, "Aggregate"])
    with open(tmp_path / "data.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["uCode", "uName", *SUBINDICES])
        for i, u in enumerate(data.units):
            w.writerow([f"P{i + 1:02d}", u, *[repr(float(v)) for v in data.values[i]]])
    # weights in percent: 10 x sum(w/100 s) = sum(w s) / 10
    rc = main(["index", "compute", "--idata", str(tmp_path / "data.csv"), "--imeta", str(tmp_path / "meta.csv"),
               "--normalise", "none", "--aggregate", "sum:0.1", "--out", str(tmp_path / "r.csv")])
    assert rc == 0
    rows = list(csv.DictReader(open(tmp_path / "r.csv", encoding="utf-8")))
    assert [r["uName"] for r in rows] == list(data.units)
    np.testing.assert_allclose([float(r["PCI"]) for r in rows], pci, atol=2e-5)
    assert [int(r["Rank"]) for r in rows] == pci_rank.tolist()
