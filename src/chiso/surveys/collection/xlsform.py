"""XLSForm in and out: pyxform parses, chiso adds the checks pyxform leaves out, and writes forms back.

pyxform (the library behind KoboToolbox and ODK's converters) does the parsing. It does not
parse XPath, so every relevant, constraint, calculation, choice_filter, required and
repeat_count is parsed here too; every problem is reported with the sheet and row a person
sees in Excel.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from django.utils.translation import gettext as _
from openpyxl import Workbook

from chiso.core.safe_cells import formulas_as_text
from chiso.core.tabular import (
    OLE_MAGIC,
    XLSX_MAGIC,
    ImportFailed,
    Problem,
    normalise_header,
    read_tables,
    size_check,
    workbook_trimmed,
)
from chiso.units.models import Block

from chiso.surveys.collection import expressions
from chiso.surveys.collection.evaluation import _compile_for, choice_filter_compiled
from chiso.surveys.collection.formdef import EXTERNAL_APPEARANCE, IDENTIFYING_TYPES, MEDIA_TYPES, QUESTION_TYPES, FormDef

ROW_IN_MESSAGE = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
SHEET_IN_MESSAGE = re.compile(r"On the '(\w+)' sheet")
DEFAULT_FORM_ID = "data"  # pyxform's id_string for a form without form_id
EXTERNAL_FUNCTION = re.compile(r"\b(pulldata|instance)\s*\(")
EXPRESSION_COLUMNS = [
    ("relevant", "relevant"),
    ("constraint", "constraint"),
    ("calculation", "calculation"),
    ("required", "required"),
]


@dataclass
class ParsedForm:
    survey: dict
    warnings: list[str] = field(default_factory=list)

    @property
    def form_id(self) -> str:
        return self.survey.get("id_string") or ""

    @property
    def version(self) -> str:
        return str(self.survey.get("version") or "")

    @property
    def title(self) -> str:
        return self.survey.get("title") or self.form_id


class _Rows:
    """Where each name and type sits in the workbook, for messages pyxform gives without a row."""

    def __init__(self, file_name: str, content: bytes):
        self.by_name: dict[str, int] = {}
        self.by_type: dict[str, int] = {}
        self.duplicates: list[tuple[str, int]] = []
        if not content.startswith(XLSX_MAGIC):
            return
        try:
            tables = read_tables(file_name, content)
        except ImportFailed:
            return
        for table in tables:
            if normalise_header(table.sheet) != "survey":
                continue
            for row, values in table.rows:
                cells = {normalise_header(k): v for k, v in values.items()}
                name = str(cells.get("name") or "").strip()
                kind = str(cells.get("type") or "").strip()
                if name:
                    if name in self.by_name:
                        self.duplicates.append((name, row))
                    else:
                        self.by_name[name] = row
                if kind:
                    self.by_type.setdefault(kind.split()[0], row)
                    self.by_type.setdefault(kind, row)


def xlsform_parse(file_name: str, content: bytes) -> ParsedForm:
    """Parse an XLSForm (XLSX, or the old XLS) into pyxform's survey dict; raise ImportFailed.

    pyxform reads every cell a sheet claims, so it is given a copy of an XLSX that holds only the
    cells with a value, made by the bounded reader (size, archive, rows and columns checked first).
    An .xls is read by pyxform itself (xlrd), bounded by the size limit alone.
    """
    # pyxform takes a second and 60 MB to load: only a process that parses a workbook pays it.
    from pyxform.errors import PyXFormError, PyXFormReadError
    from pyxform.xls2xform import convert

    if not content.strip():
        raise ImportFailed([Problem(file=file_name, message=_("The file is empty."))])
    size_check(kind="xlsform", file_name=file_name, size=len(content))
    if content.startswith(XLSX_MAGIC):
        file_type = ".xlsx"
        content = workbook_trimmed(file_name, content)
    elif content.startswith(OLE_MAGIC):
        file_type = ".xls"
    else:
        raise ImportFailed([Problem(file=file_name, message=_("An XLSForm must be an Excel workbook (.xlsx or .xls)."))])
    rows = _Rows(file_name, content)
    warnings: list[str] = []
    try:
        try:
            result = convert(xlsform=io.BytesIO(content), file_type=file_type, warnings=warnings, form_name=_stem(file_name))
        except PyXFormError as error:
            if "same as the survey root" not in str(error):
                raise
            # pyxform names the form's root after the file; a repeat may carry the same name
            # (thu_tuc.xlsx with a repeat thu_tuc): the file's name is not the author's mistake.
            warnings = []
            result = convert(xlsform=io.BytesIO(content), file_type=file_type, warnings=warnings, form_name=f"{_stem(file_name)}_form")
    except PyXFormReadError:  # pyxform's own words name every file type it knows: the file is simply broken
        raise ImportFailed([Problem(file=file_name, message=_("The file is damaged or is not an Excel workbook (.xlsx or .xls)."))]) from None
    except PyXFormError as error:
        raise ImportFailed([_pyxform_problem(file_name, str(error), rows)]) from None
    except Exception as error:  # pyxform raises plain errors for some broken workbooks
        raise ImportFailed([Problem(file=file_name, message=_("pyxform could not read this form: %(error)s") % {"error": error})]) from None
    survey = result._pyxform
    if survey.get("id_string") in (None, "", DEFAULT_FORM_ID):
        # No form_id on the settings sheet: pyxform calls every such form "data", which would make
        # unrelated forms versions of one questionnaire. Each is its own, named after its file.
        survey["id_string"] = _stem(file_name)
        if survey.get("title") in (None, "", DEFAULT_FORM_ID):
            survey["title"] = PurePath(file_name).stem
    problems = check_survey(file_name, survey, rows)
    if problems:
        raise ImportFailed(problems)
    return ParsedForm(survey=survey, warnings=warnings)


def _stem(file_name: str) -> str:
    stem = re.sub(r"[^\w]", "_", PurePath(file_name).stem) or "form"
    return stem if not stem[0].isdigit() else f"f_{stem}"


def _pyxform_problem(file_name: str, message: str, rows: _Rows) -> Problem:
    row = None
    match = ROW_IN_MESSAGE.match(message)
    if match:
        row = int(match.group(1))
        message = message[match.end():]
    sheet_match = SHEET_IN_MESSAGE.search(message)
    sheet = sheet_match.group(1) if sheet_match else "survey"
    if row is None:
        unknown = re.search(r"Unknown question type '([^']+)'", message)
        named = re.search(r"named '([^']+)'", message)
        if unknown:
            row = rows.by_type.get(unknown.group(1)) or rows.by_type.get(unknown.group(1).split()[0])
        elif named:
            row = rows.by_name.get(named.group(1))
    if "choices" in message and "sheet" in message and not sheet_match and row is None:
        sheet = "choices"
    return Problem(file=file_name, sheet=sheet, row=row, message=message.strip())


def check_survey(file_name: str, survey: dict, rows: _Rows | None = None) -> list[Problem]:
    """What pyxform accepts but chiso cannot run: broken expressions, duplicate names,
    unsupported types and external choice files other than the units lists."""
    rows = rows or _Rows(file_name, b"")
    form = FormDef(survey)
    problems: list[Problem] = []

    def problem(element, message, column=None):
        problems.append(Problem(file=file_name, sheet="survey", row=rows.by_name.get(element.name), column=column, message=message))

    for element in form.key_clashes:
        problem(element, _("The name %(name)s in the group %(group)s is also the name of another question: rename one of them.") % {"name": element.name, "group": element.parent.name}, "name")
    blocks = set(Block.objects.values_list("code", flat=True))
    for element in form.root.walk():
        if element is form.root:
            continue
        if element.type in MEDIA_TYPES and not str(element.raw.get("type", "")).startswith("background"):
            continue  # issue 20: asked only in surveys that are not anonymous (media.media_refusal)
        if element.type in IDENTIFYING_TYPES:
            problem(
                element,
                _("The type %(type)s is refused: a photo, a recording, a file or a location identifies a respondent, and chiso's surveys are anonymous.")
                % {"type": element.raw.get("type")},
                "type",
            )
            continue
        if element.type.startswith("unsupported:"):
            problem(
                element,
                _("The type %(type)s is not supported by chiso's web form (supported: %(supported)s).")
                % {"type": element.type.split(":", 1)[1], "supported": ", ".join(sorted(set(QUESTION_TYPES.values())) + ["begin_group", "begin_repeat"])},
                "type",
            )
            continue
        if EXTERNAL_APPEARANCE.search(element.appearance):
            problem(
                element,
                _("The appearance %(appearance)s reads choices from a file on the device; chiso does not: put the choices on the choices sheet.")
                % {"appearance": element.appearance},
                "appearance",
            )
            continue
        if element.default and ("${" in element.default or "(" in element.default):
            problem(element, _("The default %(default)s is an expression; chiso takes a fixed value as a default (use calculation for a computed one).") % {"default": element.default}, "default")
        if element.itemset_file:
            if element.units_block is None:
                problem(element, _("Choices from the file %(file)s: chiso provides only units_<block>.csv (e.g. units_department.csv); put other choices on the choices sheet.") % {"file": element.itemset_file}, "type")
            elif element.units_block not in blocks:
                problem(element, _("There is no block %(block)s for %(file)s (blocks: %(blocks)s).") % {"block": element.units_block, "file": element.itemset_file, "blocks": ", ".join(sorted(blocks))}, "type")
        for attribute, column in EXPRESSION_COLUMNS:
            expression = getattr(element, attribute if attribute != "required" else "required")
            if attribute == "required" and expression.lower() in ("yes", "true", "true()", "no", "false", "false()"):
                continue
            if expression:
                external = EXTERNAL_FUNCTION.search(expression)
                if external:
                    problem(element, _("The function %(function)s() reads a file on the device; chiso's web form cannot.") % {"function": external.group(1)}, column)
                    continue
                _check_expression(problem, form, element, expression, element.path, column)
        if element.repeat_count:
            _check_expression(problem, form, element, element.repeat_count, element.parent.path, "repeat_count")
        if element.choice_filter and not element.itemset_file:
            try:
                choice_filter_compiled(form, element)
            except expressions.ExpressionError as error:
                problem(element, _("The expression %(expression)s is not valid: %(error)s") % {"expression": element.choice_filter, "error": error}, "choice_filter")
        if element.is_select and not element.itemset_file and not form.choices.get(element.list_name or ""):
            problem(element, _("The choices list %(list)s is missing or empty.") % {"list": element.list_name}, "type")
    return problems


def _check_expression(problem, form, element, expression, context_path, column) -> None:
    try:
        _compile_for(form, expression, context_path)
    except expressions.ExpressionError as error:
        problem(element, _("The expression %(expression)s is not valid: %(error)s") % {"expression": expression, "error": error}, column)


# --- writing back ----------------------------------------------------------------------

REVERSE_TYPES = {v: k for k, v in QUESTION_TYPES.items() if k not in ("string",)}
XLS_TYPE = {"datetime": "dateTime"}


def xlsform_write(survey: dict) -> bytes:
    """An XLSX XLSForm (survey, choices, settings) equivalent to the stored survey dict."""
    form = FormDef(survey)
    languages = [lang for lang in form.languages if lang != "default"]
    generated = {f"{e.name}_count" for e in form.root.walk() if e.is_repeat and form.repeat_count_as_written(e) != e.repeat_count}
    generated_counts = {e.name: form.repeat_count_as_written(e) for e in form.root.walk() if e.is_repeat and e.repeat_count}

    def texts(prefix: str, value) -> dict:
        if value is None:
            return {}
        if isinstance(value, str):
            return {prefix: value}
        out = {}
        for lang, text in value.items():
            out[prefix if lang == "default" else f"{prefix}::{lang}"] = text
        return out

    survey_rows: list[dict] = []

    def emit(element):
        for child in element.children:
            if child.name in generated:
                continue
            row: dict = {"name": child.name}
            row.update(texts("label", child.label))
            row.update(texts("hint", child.hint))
            if child.relevant:
                row["relevant"] = child.relevant
            if child.appearance:
                row["appearance"] = child.appearance
            if child.is_group:
                kind = "repeat" if child.is_repeat else "group"
                row["type"] = f"begin_{kind}"
                if child.is_repeat and child.name in generated_counts:
                    row["repeat_count"] = generated_counts[child.name]
                if child.is_repeat and child.control.get("jr:noAddRemove"):
                    row["body::jr:noAddRemove"] = child.control["jr:noAddRemove"]
                survey_rows.append(row)
                emit(child)
                survey_rows.append({"type": f"end_{kind}"})
                continue
            if child.type == "metadata":
                row = {"type": child.raw.get("type"), "name": child.name}
            elif child.is_select:
                base = child.type
                row["type"] = f"{base}_from_file {child.itemset_file}" if child.itemset_file else f"{base} {child.list_name}"
            else:
                row["type"] = XLS_TYPE.get(child.type, child.type)
            if child.constraint:
                row["constraint"] = child.constraint
                row.update(texts("constraint_message", child.constraint_message))
            if child.required:
                row["required"] = child.required
                row.update(texts("required_message", child.required_message))
            if child.calculation:
                row["calculation"] = child.calculation
            if child.choice_filter:
                row["choice_filter"] = child.choice_filter
            if child.type == "range" and child.parameters:
                row["parameters"] = " ".join(f"{k}={v}" for k, v in child.parameters.items())
            if child.raw.get("default") not in (None, ""):
                row["default"] = child.raw["default"]
            if child.bind.get("readonly") and child.type != "calculate":
                row["read_only"] = child.bind["readonly"]
            survey_rows.append(row)

    emit(form.root)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    _write_sheet(sheet, survey_rows, ["type", "name", *[f"label::{l}" for l in languages], "label"])
    choice_rows = []
    for list_name, choices in (survey.get("choices") or {}).items():
        for choice in choices:
            row = {"list_name": list_name, "name": choice.get("name")}
            row.update(texts("label", choice.get("label")))
            for key, value in choice.items():
                if key not in ("name", "label"):
                    row[key] = value
            choice_rows.append(row)
    if choice_rows:
        _write_sheet(workbook.create_sheet("choices"), choice_rows, ["list_name", "name"])
    settings = {"form_title": form.title, "form_id": form.form_id, "version": form.version}
    if form.default_language:
        settings["default_language"] = form.default_language
    _write_sheet(workbook.create_sheet("settings"), [settings], list(settings))
    formulas_as_text(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_sheet(sheet, rows: list[dict], first: list[str]) -> None:
    headers: list[str] = []
    for name in first:
        if any(name in row for row in rows) and name not in headers:
            headers.append(name)
    for row in rows:
        for key in row:
            if key not in headers:
                headers.append(key)
    sheet.append(headers)
    for row in rows:
        sheet.append([_cell(row.get(h)) for h in headers])


def _cell(value):
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return str(value)
    return value


# pyxform's warnings are English text. The common ones are said again in the user's language;
# any other is shown as pyxform wrote it. They are stored as pyxform wrote them (data).
_WARNINGS = [
    (re.compile(r"^Language '(?P<language>[^']+)' is missing the (?P<sheet>\w+) (?P<column>[\w:]+) column\.$"),
     lambda m: _("Language %(language)s has no %(column)s column on the %(sheet)s sheet: those texts show in the form's default language.") % m.groupdict()),
    (re.compile(r"^Language '(?P<language>[^']+)' is missing the (?P<sheet>\w+) columns (?P<column>.+)\.$"),
     lambda m: _("Language %(language)s has no %(column)s columns on the %(sheet)s sheet: those texts show in the form's default language.") % m.groupdict()),
    (re.compile(r"^\[row : (?P<row>\d+)\] Group has no label"),
     lambda m: _("Row %(row)s of the survey sheet: the group has no label.") % m.groupdict()),
    (re.compile(r"^\[row : (?P<row>\d+)\] Repeat has no label"),
     lambda m: _("Row %(row)s of the survey sheet: the repeat has no label.") % m.groupdict()),
    (re.compile(r"^\[row : (?P<row>\d+)\] Row without name, text, or label is being skipped"),
     lambda m: _("Row %(row)s of the survey sheet has no name, type or label and is skipped.") % m.groupdict()),
    (re.compile(r"^\[row : (?P<row>\d+)\] The 'disabled' column header is not part of the current spec"),
     lambda m: _("Row %(row)s of the survey sheet: the disabled column is not part of XLSForm; use relevant instead.") % m.groupdict()),
    (re.compile(r"^The following language declarations do not contain valid machine-readable codes: (?P<languages>.+?)\. Learn more"),
     lambda m: _("These languages have no machine-readable code, as in label::Vietnamese (vi): %(languages)s.") % m.groupdict()),
]


def warning_text(warning: str) -> str:
    """A pyxform warning in the user's language when it is a common one, else as pyxform wrote it."""
    for pattern, say in _WARNINGS:
        match = pattern.match(warning.strip())
        if match:
            return say(match)
    return warning
