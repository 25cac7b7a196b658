"""Framework documents: the one in-memory shape that YAML, XLSX and COINr's iMeta CSV share.

A document is a dict with `framework` (code, names, method), `version` (label, legal basis,
years, blocks, sources, what is to be confirmed), `steps` (the engine pipeline) and `iMeta`
(one mapping per node, COINr's columns plus ours). Files are read into a document and written
from one; the database is filled from a document by services.framework_import.
"""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import yaml
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from chiso.core.safe_cells import csv_value, formulas_as_text
from chiso.core.tabular import ImportFailed, Problem, read_tables, text_read

FRAMEWORK_KEYS = ("code", "name_vi", "name_en", "method")
VERSION_KEYS = (
    "label", "legal_basis", "decision_date", "applies_from", "applies_to", "blocks", "source", "to_confirm",
    "weights_policy",
)
# Node columns in the order files show them; the first ten are COINr's iMeta.
NODE_COLUMNS = (
    "iCode", "iName", "Level", "Parent", "Type", "Direction", "Weight", "Unit", "Target", "Denominator",
    "name_vi", "name_en", "max_points", "goalpost_lower", "goalpost_upper", "Bands",
    "guidance", "evidence", "step", "na_allowed", "to_confirm",
)
# Columns the engine ignores: they guide people (scoring guidance, evidence) or the app.
APP_NODE_KEYS = ("guidance", "evidence", "step", "na_allowed", "to_confirm")


def engine_rows(nodes: list[dict]) -> list[dict]:
    """Document nodes without the columns only people and the app read."""
    return [{k: v for k, v in row.items() if k not in APP_NODE_KEYS and not k.startswith("_")} for row in nodes]


# libyaml's parser where PyYAML was built with it (its wheels are): a framework of some thousand
# nodes parses in milliseconds instead of about a tenth of a second.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _aliases_refuse(text: str) -> None:
    """YAML without anchors and aliases (&a, *a): a framework has no use for them, and a file that
    nests aliases (a "billion laughs") would grow without bound once it is hashed or stored. The
    events are scanned before anything is built from them."""
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            raise _AliasRefused(event.start_mark.line + 1, event.start_mark.column + 1)


class _AliasRefused(Exception):
    def __init__(self, line: int, column: int):
        self.line, self.column = line, column


def document_from_yaml(file_name: str, content: bytes) -> dict:
    text = text_read(file_name, content, kind="framework")
    try:
        _aliases_refuse(text)
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 — the safe loader (libyaml's where built in)
    except _AliasRefused as refused:
        raise ImportFailed([Problem(file=file_name, row=refused.line, column=str(refused.column), message=_(
            "Anchors and aliases (&name, *name) are not accepted in a framework file; write the values out."))]) from None
    except yaml.YAMLError as error:
        raise ImportFailed([Problem(file=file_name, message=_("This is not valid YAML: %(error)s") % {"error": error})]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("iMeta"), list):
        raise ImportFailed(
            [Problem(file=file_name, message=_("Expected a mapping with 'framework', 'version', 'steps' and an 'iMeta' list."))]
        )
    return doc


def document_from_tables(file_name: str, content: bytes, *, framework_code: str | None = None) -> dict:
    """An XLSX workbook (sheets 'framework' and 'iMeta') or a COINr iMeta CSV file."""
    tables = read_tables(file_name, content, kind="framework")
    by_sheet = {(t.sheet or "").strip().lower(): t for t in tables}
    meta = by_sheet.get("imeta") or next((t for t in tables if "iCode" in t.headers), None)
    if meta is None:
        raise ImportFailed(
            [Problem(file=file_name, message=_("No sheet or table with an iCode column: is this a framework file?"))]
        )
    doc: dict[str, Any] = {"framework": {}, "version": {}, "steps": [], "iMeta": []}
    header_sheet = by_sheet.get("framework")
    if header_sheet is not None:
        for number, values in header_sheet.rows:
            key, value = (list(values.values()) + ["", ""])[:2]
            key = str(key).strip()
            if key in FRAMEWORK_KEYS:
                doc["framework"][key] = value
            elif key in VERSION_KEYS:
                doc["version"][key] = value
            elif key == "steps":
                try:
                    doc["steps"] = yaml.safe_load(str(value)) or []
                except yaml.YAMLError as error:
                    raise ImportFailed(
                        [header_sheet.problem(_("The steps are not valid YAML: %(error)s") % {"error": error}, row=number, column="B")]
                    ) from None
            elif key == "sources":
                try:
                    doc["sources"] = yaml.safe_load(str(value)) or {}
                except yaml.YAMLError as error:
                    raise ImportFailed(
                        [header_sheet.problem(_("The sources are not valid YAML: %(error)s") % {"error": error}, row=number, column="B")]
                    ) from None
        for key in ("blocks", "to_confirm"):
            if isinstance(doc["version"].get(key), str):
                separator = "," if key == "blocks" else "\n"
                doc["version"][key] = [v.strip() for v in doc["version"][key].split(separator) if v.strip()]
    if framework_code:
        doc["framework"]["code"] = framework_code
    for number, values in meta.rows:
        doc["iMeta"].append({k: v for k, v in values.items() if k and v not in ("", None)} | {"_row": number})
    doc["_sheet"] = meta.sheet
    return doc


def document_read(file_name: str, content: bytes, *, framework_code: str | None = None) -> dict:
    if file_name.lower().endswith((".yaml", ".yml")):
        doc = document_from_yaml(file_name, content)
        if framework_code:
            doc.setdefault("framework", {})["code"] = framework_code
        return doc
    return document_from_tables(file_name, content, framework_code=framework_code)


# --- writing -------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def document_to_yaml(doc: dict) -> bytes:
    out = {
        "framework": doc["framework"],
        "version": {k: _plain(v) for k, v in doc["version"].items()},
        "steps": doc["steps"],
        **({"sources": doc["sources"]} if doc.get("sources") else {}),
        "iMeta": doc["iMeta"],
    }
    return yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=120).encode("utf-8")


def document_to_imeta_csv(doc: dict) -> bytes:
    buffer = io.StringIO()
    columns = [c for c in NODE_COLUMNS if any(c in row for row in doc["iMeta"])]
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in doc["iMeta"]:
        writer.writerow({key: csv_value(value) for key, value in row.items()})
    return buffer.getvalue().encode("utf-8")


def appendix_numbers(rows: list[dict]) -> dict[str, str]:
    """Numbering as decisions' appendices write it (1, 1.1, 1.1.1), from the top of the tree down."""
    children: dict[str | None, list[str]] = {}
    codes = {r["iCode"] for r in rows}
    for r in rows:
        if r.get("Type", "Indicator") in ("Indicator", "Aggregate"):
            parent = r.get("Parent") if r.get("Parent") in codes else None
            children.setdefault(parent, []).append(r["iCode"])
    numbers: dict[str, str] = {}

    def walk(parent: str | None, prefix: str) -> None:
        for i, code in enumerate(children.get(parent, []), start=1):
            numbers[code] = f"{prefix}{i}" if prefix else str(i)
            walk(code, numbers[code] + ".")

    roots = children.get(None, [])
    if len(roots) == 1:  # the index itself is not numbered; its fields are 1, 2, 3 …
        numbers[roots[0]] = ""
        walk(roots[0], "")
    else:
        walk(None, "")
    return numbers


def document_to_xlsx(doc: dict) -> bytes:
    workbook = Workbook()
    appendix = workbook.active
    appendix.title = "Phụ lục"  # the tree as a decision's appendix lays it out; read by people only
    appendix.append([doc["framework"].get("name_vi", ""), "", "", "", ""])
    appendix.append([f"{doc['version'].get('legal_basis', '')} {doc['version'].get('label', '')}".strip()])
    appendix.append(["STT", "Nội dung", "Điểm tối đa / Trọng số", "Hướng dẫn chấm điểm", "Tài liệu kiểm chứng"])
    numbers = appendix_numbers(doc["iMeta"])
    order = sorted((r for r in doc["iMeta"] if r["iCode"] in numbers), key=lambda r: [int(p) for p in numbers[r["iCode"]].split(".") if p])
    for r in order:
        amount = r.get("max_points", r.get("Weight", ""))
        appendix.append(
            [numbers[r["iCode"]], r.get("name_vi") or r.get("iName", ""), amount, r.get("guidance", ""), "x" if r.get("evidence") else ""]
        )
    appendix["A1"].font = Font(bold=True, size=13)
    for cell in appendix[3]:
        cell.font = Font(bold=True)
    appendix.column_dimensions["B"].width = 70
    appendix.column_dimensions["D"].width = 60
    for row in appendix.iter_rows(min_row=4):
        row[1].alignment = row[3].alignment = Alignment(wrap_text=True, vertical="top")

    header = workbook.create_sheet("framework")
    header.append(["key", "value"])
    for key in FRAMEWORK_KEYS:
        header.append([key, doc["framework"].get(key, "")])
    for key in VERSION_KEYS:
        value = doc["version"].get(key, "")
        if isinstance(value, list):
            value = (", " if key == "blocks" else "\n").join(map(str, value))
        header.append([key, _plain(value) if value is not None else ""])
    header.append(["steps", yaml.safe_dump(doc["steps"], sort_keys=False, allow_unicode=True)])
    if doc.get("sources"):
        header.append(["sources", yaml.safe_dump(doc["sources"], sort_keys=False, allow_unicode=True)])

    meta = workbook.create_sheet("iMeta")
    columns = [c for c in NODE_COLUMNS if any(c in row for row in doc["iMeta"])]
    extra = sorted({k for row in doc["iMeta"] for k in row if k not in NODE_COLUMNS and not k.startswith("_")})
    meta.append(columns + extra)
    for row in doc["iMeta"]:
        meta.append([row.get(c) for c in columns + extra])
    formulas_as_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
