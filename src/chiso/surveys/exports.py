"""Exports for analysts: CSV, XLSX, SPSS .sav and Stata .dta with a codebook, and no identity.

One table per response (`responses`) and one per top-level repeat (`danh_gia`: one row per rated
unit), joined by the random response id. Columns carry the response's date, channel, version,
answering time, weight, the quality flags and the analyst's decision — never an invitation, a
frame entry or anything else that names a respondent; free-text answers only when asked for.
CSV and XLSX are written row by row from the database in chunks (constant memory); SPSS and
Stata files are built one table at a time with pyreadstat, with value labels from the XLSForm
choices and variable labels from the questions.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from .form import Element, FormDef
from .models import QualityFlag, Response, Survey
from .quality import decisions_in_force
from .weighting import survey_weights

FORMATS = ("csv", "xlsx", "sav", "dta")
CHUNK = 2000


@dataclass
class Variable:
    name: str
    label: str
    kind: str  # number, string, date, choice, binary
    source: str = ""  # question name ("" for the fixed columns)
    choice: str = ""  # for a binary column of a select_multiple
    codes: dict = field(default_factory=dict)  # choice name → numeric code
    labels: dict = field(default_factory=dict)  # numeric code → label

    def value(self, scope: dict, numeric: bool):
        raw = scope.get(self.source)
        if self.kind == "binary":
            if raw is None:
                return None
            return 1 if self.choice in (raw if isinstance(raw, list) else str(raw).split()) else 0
        if raw is None or raw == "":
            return None
        if self.kind == "choice":
            return self.codes.get(str(raw)) if numeric else str(raw)
        if self.kind == "number":
            try:
                return float(raw)
            except (TypeError, ValueError):
                return None
        if isinstance(raw, list):
            return " ".join(str(v) for v in raw)
        return str(raw)


@dataclass
class TableSpec:
    name: str
    repeat: Element | None
    variables: list[Variable]


def _safe_names(variables: list[Variable]) -> None:
    """Names SPSS and Stata accept: letters, digits, _; a letter first; at most 32 characters; unique."""
    used = set()
    for variable in variables:
        base = re.sub(r"[^A-Za-z0-9_]", "_", variable.name) or "v"
        if not re.match(r"[A-Za-z_]", base):
            base = "v_" + base
        base = base[:32]
        name, n = base, 1
        while name.lower() in used:
            n += 1
            name = f"{base[:32 - len(str(n)) - 1]}_{n}"
        used.add(name.lower())
        variable.name = name


def _question_variables(form: FormDef, element: Element, include_text: bool) -> list[Variable]:
    label = form.text(element.label, "vi") or element.name
    if element.type == "select_one" and not element.itemset_file:
        choices = form.choices.get(element.list_name or "", [])
        numeric = all(_is_number(c.name) for c in choices)
        codes = {c.name: (float(c.name) if numeric else float(i)) for i, c in enumerate(choices, start=1)}
        labels = {codes[c.name]: form.text(c.label, "vi") or c.name for c in choices}
        return [Variable(name=element.name, label=label, kind="choice", source=element.name, codes=codes, labels=labels)]
    if element.type == "select_multiple" and not element.itemset_file:
        return [
            Variable(name=f"{element.name}_{c.name}", label=f"{label}: {form.text(c.label, 'vi') or c.name}", kind="binary", source=element.name,
                     choice=c.name, labels={0.0: "Không chọn", 1.0: "Có chọn"})
            for c in form.choices.get(element.list_name or "", [])
        ]
    if element.type in ("integer", "decimal", "range"):
        return [Variable(name=element.name, label=label, kind="number", source=element.name)]
    if element.type == "date":
        return [Variable(name=element.name, label=label, kind="string", source=element.name)]
    if element.type == "text" and not include_text:
        return []
    if element.type == "calculate" and element.name.endswith("_count") and element.readonly:
        return []  # pyxform's repeat counter
    if element.type in ("text", "select_one", "select_multiple", "calculate", "time", "datetime", "acknowledge"):
        return [Variable(name=element.name, label=label, kind="string", source=element.name)]
    return []


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def table_specs(form: FormDef, include_text: bool = False) -> list[TableSpec]:
    fixed = [
        Variable("response_id", _("Response id (random)"), "string", "_id"),
        Variable("submitted_on", _("Date submitted"), "string", "_date"),
        Variable("channel", _("Channel"), "string", "_channel"),
        Variable("form_version", _("Questionnaire version"), "string", "_version"),
        Variable("duration_s", _("Time spent answering (seconds)"), "number", "_duration"),
        Variable("weight", _("Survey weight"), "number", "_weight"),
        Variable("included", _("Included in the analysis"), "binary", "_included", choice="1", labels={0.0: "Loại", 1.0: "Sử dụng"}),
        Variable("quality_flags", _("Quality flags"), "string", "_flags"),
    ]
    tables = [TableSpec("responses", None, list(fixed))]

    def visit(element: Element, target: TableSpec):
        for child in element.children:
            if child.is_repeat:
                if target.repeat is None:
                    spec = TableSpec(child.name, child, [fixed[0], fixed[5], fixed[6]])
                    spec.variables = [Variable(v.name, v.label, v.kind, v.source, v.choice, v.codes, v.labels) for v in spec.variables]
                    tables.append(spec)
                    visit(child, spec)
            elif child.is_group:
                visit(child, target)
            else:
                target.variables.extend(_question_variables(form, child, include_text))

    visit(form.root, tables[0])
    for table in tables:
        _safe_names(table.variables)
    return tables


def codebook_rows(specs: list[TableSpec]) -> list[list[str]]:
    rows = [["table", "variable", "label", "type", "question", "values"]]
    for spec in specs:
        for v in spec.variables:
            values = "; ".join(f"{('%g' % code)}={label}" for code, label in v.labels.items())
            if v.kind == "choice":
                values = "; ".join(f"{name} ({'%g' % code})={v.labels.get(code, '')}" for name, code in v.codes.items())
            rows.append([spec.name, v.name, v.label, v.kind, v.source if not v.source.startswith("_") else "", values])
    return rows


class _Context:
    """What every row needs beside its answers: weights, flags, decisions (loaded once)."""

    def __init__(self, survey: Survey):
        self.decisions = decisions_in_force(survey)
        self.flags: dict = {}
        for rid, code in QualityFlag.objects.filter(response__survey=survey).values_list("response_id", "code").order_by("response_id", "code"):
            codes = self.flags.setdefault(rid, [])
            if code not in codes:
                codes.append(code)
        from .monitoring import analysis_for

        spec = analysis_for(survey).weighting or {}
        self.weights = None
        if spec.get("method", "none") != "none":
            wanted = [v.get("question") for v in spec.get("variables") or []]
            answers = ((rid, {q: a.get(q) for q in wanted}) for rid, a in Response.objects.filter(survey=survey).values_list("id", "answers").iterator(chunk_size=CHUNK))
            self.weights = survey_weights(survey, list(answers))

    def fixed(self, rid, submitted_on, channel, version, duration) -> dict:
        return {
            "_id": str(rid), "_date": submitted_on.isoformat(), "_channel": channel, "_version": version, "_duration": duration,
            "_weight": self.weights.of(rid) if self.weights else 1.0, "_included": "1" if self.decisions.get(rid, True) else "",
            "_flags": " ".join(self.flags.get(rid, [])),
        }


def table_rows(survey: Survey, spec: TableSpec, context: _Context, numeric: bool):
    """Rows of one table, streamed from the database in chunks."""
    rows = Response.objects.filter(survey=survey).order_by("id").values_list("id", "submitted_on", "channel", "version__version", "duration_seconds", "answers")
    for rid, submitted_on, channel, version, duration, answers in rows.iterator(chunk_size=CHUNK):
        fixed = context.fixed(rid, submitted_on, channel, version, duration)
        if spec.repeat is None:
            scope = {**answers, **fixed}
            yield [v.value(scope, numeric) for v in spec.variables]
        else:
            for entry in answers.get(spec.repeat.name) or []:
                scope = {**entry, **fixed}
                yield [v.value(scope, numeric) for v in spec.variables]


def _csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def csv_stream(survey: Survey, include_text: bool = False):
    """The responses table as CSV lines (UTF-8 with BOM, so Excel reads Vietnamese), for streaming."""
    spec = table_specs(survey.version.form, include_text)[0]
    yield "\ufeff".encode() + _csv_bytes([[v.name for v in spec.variables]])
    context = _Context(survey)
    batch = []
    for row in table_rows(survey, spec, context, numeric=False):
        batch.append(row)
        if len(batch) >= 500:
            yield _csv_bytes(batch)
            batch = []
    if batch:
        yield _csv_bytes(batch)


def survey_export(*, survey: Survey, fmt: str, target: Path, include_text: bool = False, progress=None) -> Path:
    """Write the export to `target` (a .zip for csv, sav and dta; an .xlsx workbook for xlsx)."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    specs = table_specs(survey.version.form, include_text)
    context = _Context(survey)
    total = Response.objects.filter(survey=survey).count() * len(specs)
    done = 0

    def tick(n=1):
        nonlocal done
        done += n
        if progress and done % 5000 == 0:
            progress(done, total)

    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        for spec in specs:
            sheet = book.create_sheet(spec.name[:31])
            sheet.append([v.name for v in spec.variables])
            for row in table_rows(survey, spec, context, numeric=False):
                sheet.append(row)
                tick()
        sheet = book.create_sheet("codebook")
        for row in codebook_rows(specs):
            sheet.append(row)
        book.save(target)
        return target
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in specs:
            if fmt == "csv":
                with archive.open(f"{spec.name}.csv", "w", force_zip64=True) as raw:
                    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                    writer = csv.writer(text)
                    writer.writerow([v.name for v in spec.variables])
                    for row in table_rows(survey, spec, context, numeric=False):
                        writer.writerow(row)
                        tick()
                    text.flush()
                    text.detach()
            else:
                _write_stat(archive, survey, spec, context, fmt, tick)
        archive.writestr("codebook.csv", "\ufeff".encode() + _csv_bytes(codebook_rows(specs)))
    if progress:
        progress(total, total)
    return target


def _write_stat(archive, survey, spec: TableSpec, context, fmt: str, tick) -> None:
    import numpy as np
    import pandas as pd
    import pyreadstat

    from array import array

    # Numbers go into compact arrays (8 bytes a cell); only text columns hold Python strings.
    numeric = [v.kind in ("number", "choice", "binary") for v in spec.variables]
    columns: list = [array("d") if is_number else [] for is_number in numeric]
    shared: list[dict] = [{} for _ in numeric]  # repeated texts (unit codes, dates) stored once
    nan = float("nan")
    for row in table_rows(survey, spec, context, numeric=True):
        for column, is_number, same, value in zip(columns, numeric, shared, row):
            if is_number:
                column.append(nan if value is None else float(value))
            else:
                text = "" if value is None else str(value)
                if len(same) < 5000:
                    text = same.setdefault(text, text)
                column.append(text)
        tick()
    data = {}
    for variable, is_number, values in zip(spec.variables, numeric, columns):
        data[variable.name] = np.frombuffer(values, dtype=float) if is_number else pd.Series(values, dtype=object)
    frame = pd.DataFrame(data, columns=[v.name for v in spec.variables])
    labels = {v.name: v.label[:80 if fmt == "dta" else 250] for v in spec.variables}
    if fmt == "dta":
        value_labels = {v.name: {int(k): lab[:80] for k, lab in v.labels.items()} for v in spec.variables if v.labels and all(float(k).is_integer() for k in v.labels)}
    else:
        value_labels = {v.name: dict(v.labels) for v in spec.variables if v.labels}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{spec.name}.{fmt}"
        if fmt == "sav":
            pyreadstat.write_sav(frame, str(path), column_labels=labels, variable_value_labels=value_labels)
        else:
            pyreadstat.write_dta(frame, str(path), column_labels=labels, variable_value_labels=value_labels, version=15)
        archive.write(path, path.name)
