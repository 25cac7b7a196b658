"""Read and write frameworks and data: COINr iMeta/iData CSV, YAML and XLSX; results tables."""

from __future__ import annotations

import csv
import io as _io
import math
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from .coinr_files import load_r_csv, read_coinr6_workbook, strip_row_names
from .dataset import Dataset
from .errors import FrameworkError, Message
from .framework import Framework
from .ingest import Fallback, read_csv_rows

META_SHEETS = ("imeta", "framework", "meta")
DATA_SHEETS = ("idata", "data")


# ---------------------------------------------------------------------- numbers
def format_number(x: Any) -> str:
    """Full precision (shortest repr that reads back to the same double); missing -> ''."""
    if x is None:
        return ""
    if isinstance(x, (float, np.floating)):
        if math.isnan(x):
            return ""
        return repr(float(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return str(x)


def _format_cell(x: Any) -> str:
    if isinstance(x, (float, np.floating)) and not math.isnan(x) and float(x).is_integer() \
            and abs(x) < 1e15:
        return str(int(x))
    return format_number(x)


# ---------------------------------------------------------------------- CSV
def _write_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]],
               fmt=_format_cell) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in rows:
            w.writerow([fmt(v) for v in row])


def read_imeta_csv(path: str | Path) -> Framework:
    header, rows = read_csv_rows(path)
    dict_rows = [dict(zip(header, r)) for r in rows]
    return Framework.from_rows(dict_rows, source=str(path), first_row=2)


def read_idata_csv(path: str | Path, framework: Framework, spare_columns: int = 0, processes: int = 1) -> Dataset:
    """Column-wise through chiso.engine.ingest; a file only the csv module can read goes row by row
    (and gets no `spare_columns`: see Dataset.read_csv)."""
    try:
        return Dataset.read_csv(path, framework, source=str(path), first_row=2, spare_columns=spare_columns,
                                processes=processes)
    except Fallback:
        header, rows = read_csv_rows(path)
        return Dataset.from_rows(header, rows, framework, source=str(path), first_row=2)


def write_imeta_csv(framework: Framework, path: str | Path) -> None:
    rows = framework.to_rows()
    header = list(rows[0]) if rows else []
    _write_csv(path, header, ([r.get(h) for h in header] for r in rows), fmt=_format_cell)


def write_idata_csv(data: Dataset, path: str | Path) -> None:
    header, rows = data.to_rows()
    _write_csv(path, header, rows, fmt=_format_cell)


# ---------------------------------------------------------------------- YAML
def _load_yaml(path: str | Path) -> Any:
    import yaml  # lazy: no YAML for a CSV compute (issue 22)

    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except yaml.YAMLError as e:
        raise FrameworkError(Message("file.not_yaml", error=str(e)), str(path)) from None


def read_yaml(path: str | Path) -> tuple[Framework, Dataset | None]:
    """A YAML file with `iMeta:` (a list of node mappings) and optionally `iData:` (a list of unit mappings)."""
    doc = _load_yaml(path)
    if isinstance(doc, list):
        doc = {"iMeta": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("iMeta", doc.get("framework")), list):
        raise FrameworkError(Message("file.yaml_no_imeta"), str(path))
    meta_rows = doc.get("iMeta", doc.get("framework"))
    framework = Framework.from_rows(meta_rows, source=str(path), first_row=1)
    data_rows = doc.get("iData", doc.get("data"))
    data = None
    if data_rows is not None:
        if not isinstance(data_rows, list) or not all(isinstance(r, dict) for r in data_rows):
            raise FrameworkError(Message("file.yaml_idata_not_list"), str(path))
        columns: list[str] = []
        for r in data_rows:
            columns.extend(str(k) for k in r if str(k) not in columns)
        rows = [[r.get(c) for c in columns] for r in data_rows]
        data = Dataset.from_rows(columns, rows, framework, source=f"{path} (iData)", first_row=1)
    return framework, data


def write_yaml(framework: Framework, path: str | Path, data: Dataset | None = None) -> None:
    import yaml  # lazy: no YAML for a CSV compute (issue 22)

    doc: dict[str, Any] = {"iMeta": [{k: _plain(v) for k, v in r.items() if v is not None}
                                     for r in framework.to_rows()]}
    if data is not None:
        header, rows = data.to_rows()
        doc["iData"] = [{h: _plain(v) for h, v in zip(header, row)} for row in rows]
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True)


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


# ---------------------------------------------------------------------- XLSX
def _open_workbook(path: str | Path):
    # lazy: no openpyxl (nor zipfile, which it imports) for a CSV compute (issue 22)
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as e:
        if isinstance(e, FileNotFoundError):
            raise
        raise FrameworkError(Message("file.not_xlsx", error=str(e)), str(path)) from None


def _sheet(wb, names: Sequence[str]):
    for ws in wb.worksheets:
        if ws.title.strip().lower() in names:
            return ws
    return None


def _sheet_rows(ws) -> tuple[list[str], list[list[Any]]]:
    it = ws.iter_rows(values_only=True)
    header = next(it, None) or ()
    header = [("" if h is None else str(h).strip()) for h in header]
    while header and header[-1] == "":
        header.pop()
    rows = [list(r[: len(header)]) for r in it]
    return header, rows


def read_xlsx(path: str | Path) -> tuple[Framework, Dataset | None]:
    """A workbook with a sheet 'iMeta' (the tree) and optionally a sheet 'iData' (the data)."""
    wb = _open_workbook(path)
    try:
        ws = _sheet(wb, META_SHEETS)
        if ws is None:
            raise FrameworkError(Message("file.no_imeta_sheet"), str(path))
        header, rows = _sheet_rows(ws)
        framework = Framework.from_rows([dict(zip(header, r)) for r in rows],
                                        source=f"{path} [{ws.title}]", first_row=2)
        ws = _sheet(wb, DATA_SHEETS)
        data = None
        if ws is not None:
            header, rows = _sheet_rows(ws)
            data = Dataset.from_rows(header, rows, framework, source=f"{path} [{ws.title}]", first_row=2)
        return framework, data
    finally:
        wb.close()


def write_xlsx(framework: Framework, path: str | Path, data: Dataset | None = None) -> None:
    import openpyxl  # lazy: no openpyxl for a CSV compute (issue 22)
    wb = openpyxl.Workbook(write_only=True)
    rows = framework.to_rows()
    header = list(rows[0]) if rows else []
    ws = wb.create_sheet("iMeta")
    ws.append(header)
    for r in rows:
        ws.append([_plain(r.get(h)) for h in header])
    if data is not None:
        ws = wb.create_sheet("iData")
        dheader, drows = data.to_rows()
        ws.append(dheader)
        for r in drows:
            ws.append([_plain(v) for v in r])
    wb.save(path)


# ---------------------------------------------------------------------- by extension
def read_framework(path: str | Path) -> Framework:
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return read_yaml(path)[0]
    if suffix == ".xlsx":
        return read_xlsx(path)[0]
    return read_imeta_csv(path)


def read_data(path: str | Path, framework: Framework, spare_columns: int = 0, processes: int = 1) -> Dataset:
    """iData from CSV, YAML or XLSX, checked against `framework`; `spare_columns` and `processes` are
    honoured for CSV only (see Dataset.read_csv)."""
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml", ".xlsx"):
        reader = read_yaml if suffix != ".xlsx" else read_xlsx
        fw_in_file, data = reader(path)
        if data is None:
            raise FrameworkError(Message("file.no_idata"), str(path))
        if fw_in_file.to_rows() != framework.to_rows():
            # The data was checked against the framework stored beside it; recheck against ours.
            header, rows = data.to_rows()
            return Dataset.from_rows(header, rows, framework, source=str(path))
        return data
    return read_idata_csv(path, framework, spare_columns, processes)


def load(idata: str | Path, imeta: str | Path | None = None) -> tuple[Framework, Dataset]:
    """Framework and data from files; `imeta` may be omitted when `idata` is a YAML/XLSX holding both.
    COINr users' files are read too (see load_with_notes, which also says how)."""
    framework, data, _notes = load_with_notes(idata, imeta)
    return framework, data


def load_with_notes(idata: str | Path, imeta: str | Path | None = None, room_for_aggregates: bool = False,
                    processes: int = 1) -> tuple[Framework, Dataset, list[str]]:
    """As `load`, with notes on what was converted: CSVs written by R's write.csv (a row-name column
    first) and COINr < 1.0 workbooks (sheets IndData/IndMeta/AggMeta) go through
    chiso.engine.coinr_files; other files are read as before, with no notes.

    `room_for_aggregates`: an iData CSV's values matrix is allocated with a column for every
    aggregate after the indicators, for IndexBuild(in_place=True) (the compute command).
    `processes` > 1: a large iData CSV is read by two processes (forked: for a single-threaded
    caller only, see chiso.engine.ingest.read_table)."""
    csvs = [p for p in (idata, imeta) if p is not None and Path(p).suffix.lower() == ".csv"]
    if imeta is not None and len(csvs) == 2 and any(_has_r_row_names(p) for p in csvs):
        return load_r_csv(idata, imeta)
    try:
        framework = read_framework(imeta if imeta is not None else idata)
    except FrameworkError as e:
        # Looked for only when the iMeta sheet is missing: today's workbooks pay nothing.
        if imeta is None and e.code == "file.no_imeta_sheet" and _is_coinr6_workbook(idata):
            return read_coinr6_workbook(idata)
        raise
    spare = len(framework.aggregates) if room_for_aggregates else 0
    return framework, read_data(idata, framework, spare, processes), []


def _has_r_row_names(path: str | Path) -> bool:
    """A header as R's write.csv writes it with row names: an empty first cell ("" or nothing)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            first = next(reader, None)
    except (OSError, UnicodeDecodeError, csv.Error):
        return False  # the ordinary reader says what is wrong with the file
    if not header or not first:
        return False
    return strip_row_names([h.strip() for h in header], [first])[2]


def _is_coinr6_workbook(path: str | Path) -> bool:
    wb = _open_workbook(path)
    try:
        titles = {ws.title.strip().lower() for ws in wb.worksheets}
    finally:
        wb.close()
    return {"inddata", "indmeta", "aggmeta"} <= titles


# ---------------------------------------------------------------------- results
def results_table(units: Sequence[str], names: Sequence[str], columns: Sequence[str],
                  values: np.ndarray, rank: np.ndarray | None,
                  time: np.ndarray | None = None) -> tuple[list[str], list[list[Any]]]:
    """uCode, uName, (Time, for panel data,) the score columns, Rank."""
    header = ["uCode", "uName", *(["Time"] if time is not None else []), *columns]
    if rank is not None:
        header.append("Rank")
    rows = []
    for i in range(len(units)):
        row = [units[i], names[i]]
        if time is not None:
            t = time[i]
            row.append(int(t) if float(t).is_integer() else t)
        row.extend(values[i].tolist())
        if rank is not None:
            r = rank[i]
            row.append(None if math.isnan(r) else int(r))
        rows.append(row)
    return header, rows


def write_results(path: str | Path, units: Sequence[str], names: Sequence[str], columns: Sequence[str],
                  values: np.ndarray, rank: np.ndarray | None, time: np.ndarray | None = None) -> None:
    """The results table of `results_table`, the same text as write_results_csv, without a Python
    call per cell: the csv module writes the unit columns (it decides the quoting), the scores are
    their shortest repr joined row by row (missing cells empty), the file is written at once."""
    header, _ = results_table([], [], columns, values[:0], None if rank is None else rank[:0],
                              None if time is None else time[:0])
    lines = _Lines()
    w = csv.writer(lines)
    w.writerow(header)
    n, k = values.shape
    if n:
        lead: list[list] = [list(units), list(names)]
        if time is not None:
            lead.append([int(t) if float(t).is_integer() else t for t in time.tolist()])
        w.writerows(zip(*lead))
        cells = list(map(repr, values.ravel().tolist()))
        for i in np.flatnonzero(np.isnan(values.ravel())).tolist():
            cells[i] = ""
        if rank is not None:
            ranks = ["" if r != r else str(int(r)) for r in rank.tolist()]
        for i in range(n):
            row = cells[i * k:(i + 1) * k]
            if rank is not None:
                row.append(ranks[i])
            # The csv module's line for the unit columns, its "\r\n" replaced by the scores.
            lines[i + 1] = lines[i + 1][:-2] + ("," if row else "") + ",".join(row) + "\r\n"
    with open(path, "w", newline="", encoding="utf-8") as f:
        f.write("".join(lines))


class _Lines(list):
    """A csv writer's target that keeps each record's line (the writer writes a record at once)."""

    write = list.append


def write_results_csv(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Scores at full float precision (shortest round-trip repr); missing cells empty."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        # The rows hold str, int, float and None: float's repr is format_number's, NaN and None empty.
        w.writerows([v if type(v) is str else ("" if v is None or v != v else repr(v) if type(v) is float
                                               else format_number(v)) for v in row] for row in rows)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    buf = _io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        w.writerow([format_number(v) for v in r])
    return buf.getvalue()


def write_workbook(path: str | Path, sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Any]]]]) -> None:
    """A workbook with one sheet per entry: {title: (header, rows)}; NaN cells left empty."""
    import openpyxl  # lazy: no openpyxl for a CSV compute (issue 22)
    wb = openpyxl.Workbook(write_only=True)
    for title, (header, rows) in sheets.items():
        ws = wb.create_sheet(title[:31])
        ws.append(list(header))
        for r in rows:
            ws.append([_plain(v) for v in r])
    wb.save(path)
