"""Exports for analysts: CSV, XLSX, SPSS .sav and Stata .dta with a codebook, and no identity.

One table per response (`responses`) and one per top-level repeat (`danh_gia`: one row per rated
unit), joined by the random response id. Columns carry the response's date, channel, version,
answering time, weight, the quality flags and the analyst's decision — never an invitation, a
frame entry or anything else that names a respondent; free-text answers only when asked for.
Every format is written row by row from the database in chunks (constant memory). SPSS and Stata
files come from the ReadStat command-line tool (Debian package `readstat`, the C library that
pyreadstat wraps): each table is streamed into a temporary CSV, its variables (value labels from
the XLSForm choices, variable labels from the questions) go into a JSON file, and `readstat`
converts the pair row by row. Without the tool the files are built in memory by pyreadstat, one
table at a time (memory then grows with the survey; a warning in the log says so once).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
import math
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from chiso.core.safe_cells import csv_writer

from chiso.surveys.collection.formdef import Element, FormDef
from chiso.surveys.models import QualityFlag, Response, Survey
from chiso.surveys.fieldwork.monitoring import analysis_for
from chiso.surveys.fieldwork.quality import decisions_in_force
from chiso.surveys.fieldwork.weighting import survey_weights
from chiso.surveys.fieldwork.xlsx_stream import StreamedWorkbook

FORMATS = ("csv", "xlsx", "sav", "dta")
CHUNK = 2000

log = logging.getLogger(__name__)


class ExportError(Exception):
    """An export that could not be written: the exception's text is for the log, `user_message` for the person."""

    def __init__(self, detail: str, user_message: str):
        super().__init__(detail)
        self.user_message = user_message


@dataclass
class Variable:
    name: str
    label: str
    kind: str  # number, string, date (an ISO date; a date in SPSS and Stata), choice, binary
    source: str = ""  # question name ("" for the fixed columns)
    choice: str = ""  # for a binary column of a select_multiple
    codes: dict = field(default_factory=dict)  # choice name → numeric code
    labels: dict = field(default_factory=dict)  # numeric code → label
    integer: bool = False  # an integer question

    def reader(self, numeric: bool):
        """`value` for one export, as a function of the scope alone: the kind's branch chosen once,
        not for each of a million cells."""
        source, kind = self.source, self.kind
        if kind == "choice":
            codes = self.codes

            def read(scope):
                raw = scope.get(source)
                if raw is None or raw == "":
                    return None
                return codes.get(str(raw)) if numeric else str(raw)
            return read
        if kind == "string" or kind == "date":
            def read(scope):
                raw = scope.get(source)
                if raw is None or raw == "":
                    return None
                if isinstance(raw, list):
                    return " ".join(str(v) for v in raw)
                return raw if type(raw) is str else str(raw)
            return read
        if kind == "number":
            whole = self.integer and not numeric  # an integer question's answer reads 2, not 2.0

            def read(scope):
                raw = scope.get(source)
                if raw is None or raw == "":
                    return None
                try:
                    number = float(raw)
                except (TypeError, ValueError):
                    return None
                return int(number) if whole and number.is_integer() else number
            return read
        if kind == "binary":
            choice = self.choice

            def read(scope):
                raw = scope.get(source)
                if raw is None:
                    return None
                return 1 if choice in (raw if isinstance(raw, list) else str(raw).split()) else 0
            return read
        return lambda scope: self.value(scope, numeric)

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
                number = float(raw)
            except (TypeError, ValueError):
                return None
            # An integer question's answer reads 2 in CSV and Excel, not 2.0.
            return int(number) if self.integer and not numeric and number.is_integer() else number
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
        return [Variable(name=element.key, label=label, kind="choice", source=element.key, codes=codes, labels=labels)]
    if element.type == "select_multiple" and not element.itemset_file:
        return [
            Variable(name=f"{element.key}_{c.name}", label=f"{label}: {form.text(c.label, 'vi') or c.name}", kind="binary", source=element.key,
                     choice=c.name, labels={0.0: "Không chọn", 1.0: "Có chọn"})
            for c in form.choices.get(element.list_name or "", [])
        ]
    if element.type in ("integer", "decimal", "range"):
        return [Variable(name=element.key, label=label, kind="number", source=element.key, integer=element.type == "integer")]
    if element.type == "date":
        return [Variable(name=element.key, label=label, kind="date", source=element.key)]
    if element.type == "text" and not include_text:
        return []
    if element.type == "calculate" and element.name.endswith("_count") and element.readonly:
        return []  # pyxform's repeat counter
    if element.type in ("text", "select_one", "select_multiple", "calculate", "time", "datetime", "acknowledge"):
        return [Variable(name=element.key, label=label, kind="string", source=element.key)]
    if element.type in ("geopoint", "image", "file", "audio"):  # issue 20: the place as typed, the stored file's name (media.py)
        return [Variable(name=element.key, label=label, kind="string", source=element.key)]
    return []


def _binary_names_apart(variables: list[Variable]) -> None:
    """The 0/1 column of a choice is named question_choice; when a question already has that name
    (or_other's `x_other`, the text of the "other" choice), the column becomes question__choice,
    so neither is renamed by chance further down."""
    taken = {v.name.lower() for v in variables if v.kind != "binary"}
    for variable in variables:
        if variable.kind == "binary" and variable.name.lower() in taken:
            variable.name = f"{variable.source}__{variable.choice}"


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def table_specs(form: FormDef, include_text: bool = False) -> list[TableSpec]:
    fixed = [
        Variable("response_id", _("Response id (random)"), "string", "_id"),
        Variable("submitted_on", _("Date submitted"), "date", "_date"),
        Variable("channel", _("Channel"), "string", "_channel"),
        Variable("form_version", _("Questionnaire version"), "string", "_version"),
        Variable("duration_s", _("Time spent answering (seconds)"), "number", "_duration", integer=True),
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
        _binary_names_apart(table.variables)
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
    readers = [v.reader(numeric) for v in spec.variables]
    for rid, submitted_on, channel, version, duration, answers in rows.iterator(chunk_size=CHUNK):
        fixed = context.fixed(rid, submitted_on, channel, version, duration)
        if spec.repeat is None:
            scope = {**answers, **fixed}
            yield [read(scope) for read in readers]
        else:
            for entry in answers.get(spec.repeat.key) or []:
                scope = {**entry, **fixed}
                yield [read(scope) for read in readers]


def all_table_rows(survey: Survey, specs: list[TableSpec], context: _Context, numeric: bool):
    """(table index, row) for every table in one pass over the responses: each response's answers
    are read and decoded once, whatever the number of tables (a writer that can keep several
    tables open at once, as the XLSX workbook does)."""
    rows = Response.objects.filter(survey=survey).order_by("id").values_list("id", "submitted_on", "channel", "version__version", "duration_seconds", "answers")
    readers = [[v.reader(numeric) for v in spec.variables] for spec in specs]
    for rid, submitted_on, channel, version, duration, answers in rows.iterator(chunk_size=CHUNK):
        fixed = context.fixed(rid, submitted_on, channel, version, duration)
        for index, spec in enumerate(specs):
            table_readers = readers[index]
            if spec.repeat is None:
                scope = {**answers, **fixed}
                yield index, [read(scope) for read in table_readers]
            else:
                for entry in answers.get(spec.repeat.key) or []:
                    scope = {**entry, **fixed}
                    yield index, [read(scope) for read in table_readers]


def _csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv_writer(buffer).writerows(rows)
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
        _write_xlsx(survey, specs, context, target, tick)
        if progress:
            progress(total, total)
        return target
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in specs:
            if fmt == "csv":
                with archive.open(f"{spec.name}.csv", "w", force_zip64=True) as raw:
                    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                    writer = csv_writer(text)
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


def _write_xlsx(survey: Survey, specs: list[TableSpec], context: _Context, target: Path, tick) -> None:
    """One sheet per table and the codebook, row by row (xlsx_stream: constant memory, texts never
    formulas); the date submitted and date questions as dates, whole numbers as integers."""
    with StreamedWorkbook(target) as book:
        sheets, dates = [], []
        for spec in specs:
            sheets.append(book.sheet(spec.name))
            sheets[-1].row_append([v.name for v in spec.variables], header=True)
            dates.append([i for i, v in enumerate(spec.variables) if v.kind == "date" or v.source == "_date"])
        for index, row in all_table_rows(survey, specs, context, numeric=False):
            for i in dates[index]:
                row[i] = _date_or_none(row[i]) or row[i]  # a text that is not a date stays as typed
            sheets[index].row_append(row)
            tick()
        for spec, sheet in zip(specs, sheets):
            if sheet.overflow:
                log.warning("%s: %d rows past Excel's last row were left out of the XLSX export", spec.name, sheet.overflow)
        sheet = book.sheet("codebook")
        for i, row in enumerate(codebook_rows(specs)):
            sheet.row_append(row, header=i == 0)


# What SPSS and Stata hold, in UTF-8 bytes (a Vietnamese letter takes two or three) and, for Stata,
# in characters: labels as (characters, bytes), strings in bytes. ReadStat keeps a variable label
# in 256 bytes and cuts longer ones in the middle of a letter, so every label is cut here first.
_LIMITS = {
    "sav": {"variable": (None, 255), "value": (None, 120), "string": 32767},
    "dta": {"variable": (80, 320), "value": (80, 320), "string": 2045},  # str2045; the tool writes no strL
}
_without_readstat_warned = False


def _fit(text: str, chars: int | None, size: int) -> str:
    if chars is not None:
        text = text[:chars]
    data = text.encode("utf-8")
    return data[:size].decode("utf-8", "ignore") if len(data) > size else text


def _clean_label(text: str) -> str:
    """One line, without double quotes or backslashes: ReadStat copies JSON strings without undoing
    escapes, so `"` would show as `\\"`; both writers get the same text so their files match."""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text).replace('"', "'").replace("\\", "/").strip()


def _stat_labels(spec: TableSpec, fmt: str) -> tuple[dict, dict]:
    """Variable labels and value labels of a table, within the format's limits."""
    limits = _LIMITS[fmt]
    labels = {v.name: _fit(_clean_label(v.label), *limits["variable"]).rstrip() for v in spec.variables}
    value_labels = {}
    for v in spec.variables:
        if not v.labels:
            continue
        if fmt == "dta":
            if not all(float(code).is_integer() for code in v.labels):
                continue  # Stata labels whole numbers only
            value_labels[v.name] = {int(code): _fit(_clean_label(text), *limits["value"]).rstrip() for code, text in v.labels.items()}
        else:
            value_labels[v.name] = {float(code): _fit(_clean_label(text), *limits["value"]).rstrip() for code, text in v.labels.items()}
    return labels, value_labels


def _write_stat(archive, survey, spec: TableSpec, context, fmt: str, tick) -> None:
    rows = table_rows(survey, spec, context, numeric=True)
    binary = shutil.which("readstat")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{spec.name}.{fmt}"
        if binary:
            _stat_with_readstat(binary, spec, rows, fmt, path, tick)
        else:
            _warn_without_readstat()
            _stat_in_memory(spec, rows, fmt, path, tick)
        archive.write(path, path.name)


def _warn_without_readstat() -> None:
    global _without_readstat_warned
    if not _without_readstat_warned:  # once per process: the log should not fill with it
        _without_readstat_warned = True
        log.warning("The readstat program is not installed (Debian package readstat): SPSS and Stata exports are built "
                    "in memory with pyreadstat, and their memory grows with the number of responses.")


def _stat_with_readstat(binary: str, spec: TableSpec, rows, fmt: str, path: Path, tick) -> None:
    """Stream the rows into a CSV file, describe the variables in JSON, and let `readstat` convert the pair."""
    numbers = [i for i, v in enumerate(spec.variables) if v.kind == "number"]
    # Dates go in as numbers in the format's own count (SPSS: seconds since 14 October 1582; Stata:
    # days since 1960) and get their date format afterwards (_display_formats): ReadStat 1.1.8
    # (Debian's) writes no display format of its own, nor the "decimals" asked.
    dates = [i for i, v in enumerate(spec.variables) if v.kind == "date"]
    strings = [i for i, v in enumerate(spec.variables) if v.kind not in ("number", "choice", "binary", "date")]
    limit = _LIMITS[fmt]["string"]
    fractional: set[int] = set()  # number columns with a non-whole value, shown with decimals
    cut = count = 0
    data = path.with_suffix(".csv")
    with open(data, "w", encoding="utf-8", newline="") as out:
        # Texts quoted, or ReadStat's CSV reader trims their spaces; an empty cell is a missing value.
        writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC)
        writer.writerow([v.name for v in spec.variables])
        for row in rows:
            for i in numbers:
                value = row[i]
                if value is not None:
                    if not math.isfinite(value):
                        row[i] = None
                    elif not value.is_integer():
                        fractional.add(i)
            for i in dates:
                row[i] = _date_count(row[i], fmt)
            for i in strings:
                value = row[i]
                if value is not None and len(value) * 4 > limit:  # only a long text can be over the byte limit
                    row[i] = _fit(value, None, limit)
                    cut += row[i] != value
            writer.writerow(row)
            count += 1
            tick()
    if not count:
        # ReadStat reads a CSV without data rows as having no columns; an empty table is small anyway.
        _stat_in_memory(spec, [], fmt, path, tick)
        return
    if cut:
        log.info("%s: %d texts cut to %d bytes, the longest string the format holds", path.name, cut, limit)
    labels, value_labels = _stat_labels(spec, fmt)
    variables = []
    for i, v in enumerate(spec.variables):
        entry = {"type": "STRING" if i in strings else "NUMERIC", "name": v.name}
        if labels[v.name]:
            entry["label"] = labels[v.name]
        if i not in strings:
            whole = i not in fractional and all(float(code).is_integer() for code in v.codes.values())
            entry["decimals"] = 0 if whole else 2  # display only: the values keep every digit
        if v.name in value_labels:
            entry["categories"] = [{"code": code, "label": text} for code, text in value_labels[v.name].items()]
        variables.append(entry)
    metadata = path.with_suffix(".json")
    metadata.write_text(json.dumps({"type": "SPSS" if fmt == "sav" else "STATA", "variables": variables}, ensure_ascii=False), encoding="utf-8")
    # ReadStat parses numbers with strtod, which follows the locale: keep the decimal point a point.
    done = subprocess.run([binary, str(data), str(metadata), str(path)], capture_output=True, env={**os.environ, "LC_ALL": "C"})
    if path.exists():
        whole = [i for i, entry in enumerate(variables) if entry.get("decimals") == 0 and i not in dates]
        _display_formats(path, fmt, dates=dates, whole=whole)
    messages = (done.stdout + done.stderr).decode("utf-8", "replace")
    # readstat exits with 0 even when it failed, so read what it says: errors, and how much it converted.
    converted = re.search(r"Converted (\d+) variables and (\d+) rows", messages)
    if (done.returncode != 0 or not path.exists() or any(line.startswith("Error") for line in messages.splitlines())
            or (converted and (int(converted[1]), int(converted[2])) != (len(spec.variables), count))):
        raise ExportError(
            f"readstat could not write {path.name} (exit code {done.returncode}): {messages.strip()}",
            _("The %(format)s file of table %(table)s could not be written. The administrator can find ReadStat's message in the server log.")
            % {"format": "SPSS" if fmt == "sav" else "Stata", "table": spec.name},
        )


_SPSS_EPOCH = datetime.date(1582, 10, 14)
_STATA_EPOCH = datetime.date(1960, 1, 1)


def _date_count(value, fmt: str):
    """An ISO date as SPSS (seconds since 14 October 1582) or Stata (days since 1960) keep it."""
    day = _date_or_none(value)
    if day is None:
        return None
    return (day - _SPSS_EPOCH).days * 86400 if fmt == "sav" else (day - _STATA_EPOCH).days


def _display_formats(path: Path, fmt: str, *, dates: list[int], whole: list[int]) -> None:
    """Give ReadStat's file the display formats it leaves out: dates as dates (SPSS DATE11, Stata
    %td), whole numbers without decimals (SPSS F8.0; Stata's default %10.0g shows them so already).
    Only fixed-width fields are rewritten in place: the file keeps its size and every offset."""
    if not dates and not (whole and fmt == "sav"):
        return
    data = bytearray(path.read_bytes())
    if fmt == "dta":
        start = data.index(b"<formats>") + len(b"<formats>")
        width = 57 if data[data.index(b"<release>") + 9:data.index(b"</release>")] in (b"118", b"119") else 49
        for i in dates:
            data[start + i * width:start + (i + 1) * width] = b"%td".ljust(width, b"\0")
    else:
        little = struct.unpack_from("<i", data, 64)[0] == 2  # the header's layout code
        order = "<" if little else ">"
        position, formats = 176, []  # the variable records follow the 176-byte header
        while struct.unpack_from(order + "i", data, position)[0] == 2:
            _rec, kind, has_label, missing, _print, _write = struct.unpack_from(order + "6i", data, position)
            if kind != -1:  # not the continuation of a long string
                formats.append(position + 16)
            position += 32
            if has_label:
                position += 4 + (struct.unpack_from(order + "i", data, position)[0] + 3) // 4 * 4
            position += 8 * abs(missing)
        for i, code in [(i, (20 << 16) | (11 << 8)) for i in dates] + [(i, (5 << 16) | (8 << 8)) for i in whole]:
            struct.pack_into(order + "2i", data, formats[i], code, code)  # print and write formats
    path.write_bytes(bytes(data))


def _stat_in_memory(spec: TableSpec, rows, fmt: str, path: Path, tick) -> None:
    """The table as a data frame written by pyreadstat: memory grows with the table (the fallback)."""
    # pandas and pyreadstat take a second to load: only an SPSS or Stata export needs them.
    import pandas as pd
    import pyreadstat

    # Numbers go into compact arrays (8 bytes a cell); only text and date columns hold Python objects.
    numeric = [v.kind in ("number", "choice", "binary") for v in spec.variables]
    is_date = [v.kind == "date" for v in spec.variables]
    columns: list = [array("d") if is_number else [] for is_number in numeric]
    shared: list[dict] = [{} for _ in numeric]  # repeated texts (unit codes, dates) stored once
    nan = float("nan")
    for row in rows:
        for column, is_number, day, same, value in zip(columns, numeric, is_date, shared, row):
            if is_number:
                column.append(nan if value is None else float(value))
            elif day:
                column.append(_date_or_none(value))
            else:
                text = "" if value is None else str(value)
                if len(same) < 5000:
                    text = same.setdefault(text, text)
                column.append(text)
        tick()
    data = {}
    whole = {}
    for variable, is_number, values in zip(spec.variables, numeric, columns):
        data[variable.name] = np.frombuffer(values, dtype=float) if is_number else pd.Series(values, dtype=object)
        if is_number and all(float(code).is_integer() for code in variable.codes.values()):
            numbers = data[variable.name]
            if np.all(np.isnan(numbers) | (numbers == np.round(numbers))):
                whole[variable.name] = "F8.0" if fmt == "sav" else "%9.0f"  # whole numbers shown as integers
    frame = pd.DataFrame(data, columns=[v.name for v in spec.variables])
    labels, value_labels = _stat_labels(spec, fmt)
    if fmt == "sav":
        pyreadstat.write_sav(frame, str(path), column_labels=labels, variable_value_labels=value_labels, variable_format=whole)
    else:
        pyreadstat.write_dta(frame, str(path), column_labels=labels, variable_value_labels=value_labels, version=15, variable_format=whole)


def _date_or_none(value):
    try:
        return datetime.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
