"""COINr users' files as they come: R's write.csv output (an unnamed row-name column first) and
COINr < 1.0 (COINr6) workbooks with IndData/IndMeta/AggMeta sheets; results as pandas DataFrames."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .dataset import Dataset
from .errors import FrameworkError, Message
from .framework import Framework
from .ingest import read_csv_rows


def strip_row_names(header: list[str], rows: list[list[Any]]) -> tuple[list[str], list[list[Any]], bool]:
    """Drop R's row-name column: an empty first header cell ("" from write.csv) above row names."""
    if header and str(header[0]).strip() in ("", "X", "...1") and \
            str(header[0]).strip() not in [h.strip() for h in header[1:]] and len(header) > 1:
        if str(header[0]).strip() == "" or all(str(r[0]).strip() == str(i + 1) for i, r in enumerate(rows) if r):
            return header[1:], [r[1:] for r in rows], True
    return header, rows, False


def read_r_csv(path: str | Path) -> tuple[list[str], list[list[str]], list[str]]:
    """A CSV as (header, rows, notes); R's row-name column removed with a note. A file that is
    empty, not UTF-8 or not CSV is a FrameworkError, as for any CSV the engine reads."""
    header, rows = read_csv_rows(path)
    header, rows, stripped = strip_row_names(header, rows)
    notes = [f"{Path(path).name}: R's row-name column (write.csv) ignored"] if stripped else []
    return header, rows, notes


def load_r_csv(idata: str | Path, imeta: str | Path) -> tuple[Framework, Dataset, list[str]]:
    """iData/iMeta CSVs written by R's write.csv (row names kept or not): (framework, data, notes)."""
    mh, mrows, notes = read_r_csv(imeta)
    fw = Framework.from_rows([dict(zip(mh, r)) for r in mrows], source=str(imeta))
    dh, drows, dnotes = read_r_csv(idata)
    data = Dataset.from_rows(dh, drows, fw, source=str(idata))
    return fw, data, notes + dnotes


_OLD_DATA_COLUMNS = {"unitcode": "uCode", "unitname": "uName", "year": "Time"}


def read_coinr6_workbook(path: str | Path) -> tuple[Framework, Dataset, list[str]]:
    """A COINr < 1.0 workbook (sheets IndData, IndMeta, AggMeta) as today's framework and data.

    IndMeta's IndCode/IndName/Direction/IndWeight/Denominator/IndUnit/Target and Agg1, Agg2, ...
    (the indicator's aggregate at each level) become iMeta rows at level 1; AggMeta's rows
    (AgLevel, Code, Name, Weight) become aggregates, their parent read from the Agg columns.
    IndData's UnitCode/UnitName/Year become uCode/uName/Time, Group_* columns groups and Den_*
    denominators. Returns notes saying what was converted.
    """
    import openpyxl  # lazy: no openpyxl for a CSV compute, which imports this module (issue 22)

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)

    def sheet(name):
        for ws in wb.worksheets:
            if ws.title.lower() == name.lower():
                rows = [list(r) for r in ws.iter_rows(values_only=True)]
                rows = [r for r in rows if any(v not in (None, "") for v in r)]
                return [str(h).strip() if h is not None else "" for h in rows[0]], rows[1:]
        raise FrameworkError(Message("file.no_coinr6_sheet", sheet=name), str(path))

    ih, irows = sheet("IndMeta")
    ah, arows = sheet("AggMeta")
    dh, drows = sheet("IndData")
    ind = [dict(zip(ih, r)) for r in irows]
    agg = [dict(zip(ah, r)) for r in arows]
    agg_cols = sorted((c for c in ih if c.lower().startswith("agg") and c[3:].isdigit()), key=lambda c: int(c[3:]))
    level_of = {str(a["Code"]).strip(): int(a.get("AgLevel") or 0) for a in agg}
    # COINr6 numbers aggregation levels from 2 (level 1 = indicators); accept 1-based too.
    shift = 1 if level_of and min(level_of.values()) == 1 else 0
    nodes: list[dict[str, Any]] = []
    parent_of: dict[str, str] = {}
    for r in ind:
        chain = [str(r[c]).strip() for c in agg_cols if r.get(c) not in (None, "")]
        for child, par in zip(chain, chain[1:]):
            parent_of.setdefault(child, par)
        nodes.append({"iCode": r.get("IndCode"), "iName": r.get("IndName"), "Level": 1,
                      "Parent": chain[0] if chain else None, "Direction": r.get("Direction", 1),
                      "Weight": r.get("IndWeight", 1), "Unit": r.get("IndUnit"), "Target": r.get("Target"),
                      "Type": "Indicator"})
    for a in agg:
        code = str(a["Code"]).strip()
        nodes.append({"iCode": code, "iName": a.get("Name"), "Level": level_of[code] + shift,
                      "Parent": parent_of.get(code), "Weight": a.get("Weight", 1), "Type": "Aggregate"})
    header = [_OLD_DATA_COLUMNS.get(h.lower(), h) for h in dh]
    for h in header:
        if h.startswith("Group_"):
            nodes.append({"iCode": h, "Type": "Group"})
        elif h.startswith("Den_"):
            nodes.append({"iCode": h, "Type": "Denominator"})
    known = {n["iCode"] for n in nodes} | {"uCode", "uName", "Time"}
    for h in header:
        if h not in known:
            nodes.append({"iCode": h, "Type": "Other"})
    dens = {n["iCode"] for n in nodes if n["Type"] == "Denominator"}
    for n, r in zip(nodes, ind):
        d = r.get("Denominator")
        n["Denominator"] = d if d in dens else None
    fw = Framework.from_rows(nodes, source=str(path))
    data = Dataset.from_rows(header, drows, fw, source=str(path))
    notes = [f"{Path(path).name}: read as a COINr < 1.0 workbook (IndData/IndMeta/AggMeta): "
             f"{len(ind)} indicators, {len(agg)} aggregates; UnitCode/UnitName/Year read as uCode/uName/Time"]
    return fw, data, notes


def to_pandas(build: Any) -> dict[str, Any]:
    """The build as pandas DataFrames (pandas is optional): "results" (uCode, uName, every aggregate,
    Rank), "data" (the latest data set, indexed by uCode) and "log" (step, parameter, value)."""
    try:
        import pandas as pd  # lazy: pandas is optional and heavy
    except ImportError:  # pragma: no cover
        raise ImportError("to_pandas needs pandas: pip install pandas") from None
    res = build.results()
    results = pd.DataFrame(res.scores, columns=list(res.codes))
    results.insert(0, "uName", list(res.names))
    results.insert(0, "uCode", list(res.units))
    if res.time is not None:
        results.insert(2, "Time", res.time)
    results["Rank"] = res.rank
    data = pd.DataFrame(build.data.values, columns=list(build.data.codes), index=pd.Index(build.data.units, name="uCode"))
    log = pd.DataFrame([(i, s, k, v) for i, (s, p) in enumerate(build.log, 1) for k, v in p.items()],
                       columns=["#", "step", "parameter", "value"])
    return {"results": results, "data": data, "log": log}
