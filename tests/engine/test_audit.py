"""The statistical audit: the CSV contract, findings, workbook and page, and the command on ASEM."""

import argparse
import csv

import numpy as np
import pytest

from chiso.engine import IndexBuild
from chiso.engine import audit_cli
from chiso.engine.audit import CONTRACT, audit, write_html, write_xlsx

from .conftest import ASEM_IDATA, ASEM_IMETA


@pytest.fixture(scope="module")
def result(asem):
    fw, data = asem
    return audit(IndexBuild(fw, data).normalise().aggregate())


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def run(argv):
    parser = argparse.ArgumentParser()
    audit_cli.add_arguments(parser)
    return audit_cli.run(parser.parse_args(argv))


def test_contract_tables(tmp_path, result, asem):
    assert run(["--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA), "--out", str(tmp_path / "a")]) == 0
    for name, columns in CONTRACT.items():
        rows = read(tmp_path / "a" / name)
        assert tuple(rows[0]) == columns, name
    fw, _ = asem
    cron = read(tmp_path / "a" / "cronbach.csv")[1:]
    assert [r[0] for r in cron] == list(fw.tree.aggregates)
    pca = read(tmp_path / "a" / "pca.csv")[1:]
    assert [r[0] for r in pca] == [c for c in fw.tree.aggregates if fw[c].level == 2]
    assert all(0 < float(r[1]) <= 1 for r in pca)
    eff = read(tmp_path / "a" / "effective_weights.csv")[1:]
    assert len(eff) == len(fw.tree.codes) - 1
    drop = read(tmp_path / "a" / "drop_one.csv")[1:]
    assert [r[0] for r in drop] == [c for c in fw.tree.aggregates if fw[c].level == 2]
    corr = read(tmp_path / "a" / "correlations.csv")[1:]
    pairs = {(a, b) for a, b, _ in corr}
    assert ("LPI", "Physical") in pairs and ("Conn", "Sust") in pairs and ("Physical", "ConEcFin") in pairs


def test_findings_in_words(result):
    text = " ".join(result.findings)
    assert "correlates negatively with its parent" in text      # TBTs in Instit on ASEM
    assert "Removing" in text and "ranks on average" in text
    assert "outliers" in text


def test_effective_weight_finding():
    from chiso.engine import Dataset, Framework

    rows = [{"iCode": f"i{j}", "Level": 1, "Parent": "P1" if j < 6 else "P2", "Type": "Indicator"} for j in range(8)]
    rows += [{"iCode": "P1", "Level": 2, "Parent": "Index", "Type": "Aggregate"},
             {"iCode": "P2", "Level": 2, "Parent": "Index", "Type": "Aggregate", "Weight": 4},
             {"iCode": "Index", "Level": 3, "Type": "Aggregate"}]
    fw = Framework.from_rows(rows)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 8)) + rng.normal(size=(40, 1))
    res = audit(IndexBuild(fw, Dataset.from_arrays([f"u{i}" for i in range(40)], X, fw.indicators))
                .normalise().aggregate())
    assert any(f.startswith("Effective weight at least twice") for f in res.findings)


def test_xlsx_and_html(tmp_path, result):
    write_xlsx(result, tmp_path / "a.xlsx")
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / "a.xlsx", read_only=True)
    assert {"cronbach", "correlations", "pca", "effective_weights", "drop_one"} <= set(wb.sheetnames)
    write_html(result, tmp_path / "a.html")
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert "<svg" in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "<script" not in page


def test_command_formats_and_errors(tmp_path, capsys):
    assert run(["--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA), "--out", str(tmp_path / "r.html"),
                "--format", "html"]) == 0
    assert (tmp_path / "r.html").exists()
    assert run(["--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA), "--out", str(tmp_path),
                "--format", "xlsx"]) == 0
    assert (tmp_path / "audit.xlsx").exists()
    capsys.readouterr()
    assert run(["--idata", str(tmp_path / "missing.csv"), "--imeta", str(ASEM_IMETA), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("chiso: error:") and err.count("\n") == 1
    steps = tmp_path / "s.yaml"
    steps.write_text("steps:\n  - normalise\n")
    assert run(["--idata", str(ASEM_IDATA), "--imeta", str(ASEM_IMETA), "--steps", str(steps), "--out",
                str(tmp_path / "b")]) == 1
    assert "aggregate" in capsys.readouterr().err
