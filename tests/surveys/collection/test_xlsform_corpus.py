"""Real XLSForms written by others (tests/data/xlsforms-real, see its SOURCE.md) against pyxform.

Every form pyxform accepts is accepted by chiso, or refused for a reason docs/surveys.md lists;
every form pyxform refuses is refused, with pyxform's row when pyxform gives one; never a
traceback; every accepted form renders its first page.
"""

import io
import re
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.utils import translation
from pyxform.xls2xform import convert

from chiso.core.tabular import ImportFailed
from chiso.surveys.collection.evaluation import Evaluation, first_entries
from chiso.surveys.collection.formdef import FormDef
from chiso.surveys.collection.pages import pages_relevant, widgets
from chiso.surveys.collection.xlsform import xlsform_parse
from chiso.surveys.models import Questionnaire, QuestionnaireVersion
from chiso.surveys.services import questionnaire_import

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "data" / "xlsforms-real"
DOCS = (ROOT / "docs" / "surveys.md").read_text(encoding="utf-8")
FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".xls", ".xlsx", ".xlsm"))

# What chiso does with each form of the corpus: accepted, or refused (and why, in a word).
# Changing an outcome here is a decision: say it in docs/surveys.md too.
ACCEPTED = {
    "MCH_v1.xls", "form_with_unicode_in_relevant_column.xlsx", "sample_accent.xlsx",
    "ODKValidateWarnings.xlsx", "badly_named_choices_sheet.xls", "blank_second_row.xls", "excel_with_macros.xlsm",
    "extra_columns.xls", "ict_survey_fails.xls", "spaces_in_choices_header.xls", "xl_date_ambiguous_v1.xlsx",
    "allow_comment_rows_test.xls", "calculate.xls", "cascading_select_test_equivalent.xls", "choice_filter_test.xlsx",
    "choice_name_same_as_select_name.xls", "default_time_demo.xls", "extra_columns.xlsx", "extra_sheet_names.xlsx",
    "field-list.xlsx", "group.xls", "group.xlsx", "hidden.xls", "or_other.xlsx", "repeat_date_test.xls",
    "specify_other.xls", "specify_other.xlsx", "style_settings.xls", "survey_no_name.xlsx", "table-list.xls",
    "text_and_integer.xls", "text_and_integer.xlsx", "tutorial.xls", "xml_escaping.xls", "yes_or_no_question.xls",
    "yes_or_no_question.xlsx",
    # issue 20: forms with photos, recordings, files or locations, asked by surveys that are not anonymous
    "Enumerator_Training_Practice_Survey.xls", "childrens_survey_unicode.xls", "exp_line_break.xlsx", "good_eats_multilang.xls",
    "gps.xls", "groups_in_repeats.xls", "nested_repeats.xls", "sms_info.xls", "test_data_types.xls", "tutorial_arabic_labels.xls",
}


def _pyxform(path: Path):
    """(accepted, message) as pyxform alone says it."""
    file_type = ".xlsx" if path.suffix == ".xlsm" else path.suffix
    try:
        convert(xlsform=io.BytesIO(path.read_bytes()), file_type=file_type, warnings=[], form_name="f")
    except Exception as error:  # pyxform's refusals are of several classes
        return False, str(error)
    return True, ""


def _documented(message: str) -> bool:
    """A refusal is documented when docs/surveys.md names its type, appearance or function."""
    identifying = re.search(r"The type (.+?) is refused: a photo", message)
    unsupported = re.search(r"The type (.+?) is not supported", message)
    external = re.search(r"appearance (\w+)\(|function (\w+)\(\)", message)
    if identifying or unsupported:
        kind = (identifying or unsupported).group(1)
        return f"`{kind}`" in DOCS
    if external:
        return f"`{external.group(1) or external.group(2)}()`" in DOCS
    if "is not valid" in message:
        return "broken expression" in DOCS
    if "Choices from the file" in message:
        return "`select_one_from_file`" in DOCS
    return False


@pytest.mark.django_db
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_each_real_form_is_accepted_or_refused_for_a_documented_reason(path, blocks):
    accepted_by_pyxform, pyxform_message = _pyxform(path)
    with translation.override("en"):
        try:
            parsed = xlsform_parse(path.name, path.read_bytes())
        except ImportFailed as failure:
            problems = failure.problems
            parsed = None
    if not accepted_by_pyxform:
        assert parsed is None, f"pyxform refuses {path.name} ({pyxform_message}); chiso accepted it"
        row = re.match(r"\s*\[row\s*:\s*(\d+)\]", pyxform_message)
        if row:
            assert any(p.row == int(row.group(1)) for p in problems), [str(p) for p in problems]
        assert all(p.file == path.name and p.message for p in problems)
        return
    if path.name in ACCEPTED:
        assert parsed is not None, [str(p) for p in problems]
        _first_page_renders(parsed.survey)
    else:
        assert parsed is None, f"{path.name} is accepted now: add it to ACCEPTED"
        undocumented = [str(p) for p in problems if not _documented(p.message)]
        assert not undocumented, undocumented


def _first_page_renders(survey: dict) -> None:
    form = FormDef(survey)
    answers: dict = {}
    first_entries(form, answers)
    evaluation = Evaluation(form, answers)
    pages = pages_relevant(evaluation)
    if not pages:
        return  # a form of notes and calculations only goes straight to the review
    items = widgets(pages[0], evaluation)
    html = render_to_string("surveys/_page_fields.html", {"widgets": items, "shown": [], "hidden": {}})
    assert 'id="page-fields"' in html
    for widget in items:
        if widget.is_question and (widget.choices or not widget.element.is_select):  # a filtered list may be empty
            assert f'name="{widget.address}"' in html


def test_the_corpus_keeps_its_source_note():
    source = (CORPUS / "SOURCE.md").read_text(encoding="utf-8")
    assert "pyxform" in source and "kpi" in source and "BSD-2-Clause" in source


@pytest.mark.django_db
def test_default_values_are_prefilled_and_shown(blocks):
    path = CORPUS / "pyxform-example_xls" / "default_time_demo.xls"
    form = FormDef(xlsform_parse(path.name, path.read_bytes()).survey)
    answers: dict = {}
    first_entries(form, answers)
    assert answers["start_time"] == "09:30:00"
    evaluation = Evaluation(form, answers)
    [widget] = [w for w in widgets(pages_relevant(evaluation)[0], evaluation) if w.address == "start_time"]
    assert widget.input_value == "09:30"
    # a default cleared by the respondent stays cleared
    cleared = {"start_time": ""}
    first_entries(form, cleared)
    assert cleared["start_time"] == ""


@pytest.mark.django_db
def test_or_other_refreshes_the_page_when_its_choice_changes(blocks):
    path = CORPUS / "pyxform-example_xls" / "or_other.xlsx"
    form = FormDef(xlsform_parse(path.name, path.read_bytes()).survey)
    assert "fav_color" in form.dependencies  # selected(../fav_color, 'other') is a dependency
    shown = Evaluation(form, {"fav_color": "other"})
    hidden = Evaluation(form, {"fav_color": "red"})
    assert shown.relevant["fav_color_other"] and not hidden.relevant["fav_color_other"]


@pytest.mark.django_db
def test_pyxform_aliases_read_as_their_types(blocks, xlsform):
    content = xlsform([("int", "n", "N"), ("phone number", "tel", "Phone"), ("q decimal", "d", "D"), ("add date prompt", "day", "Day")])
    form = FormDef(xlsform_parse("aliases.xlsx", content).survey)
    assert [form.elements[n].type for n in ("n", "tel", "d", "day")] == ["integer", "text", "decimal", "date"]
    assert Evaluation(form, {"n": "1.5"}).errors()["n"]


@pytest.mark.django_db
def test_names_repeated_in_different_groups_keep_their_own_answers(blocks, xlsform):
    rows = [("begin_group", "nguoi_1", "Người 1"), ("text", "ten", "Tên"), ("integer", "tuoi", "Tuổi"), ("end_group",),
            ("begin_group", "nguoi_2", "Người 2"), ("text", "ten", "Tên"), ("integer", "tuoi", "Tuổi"), ("end_group",)]
    form = FormDef(xlsform_parse("nguoi.xlsx", xlsform(rows)).survey)
    assert {"nguoi_1.ten", "nguoi_2.ten", "nguoi_1.tuoi", "nguoi_2.tuoi"} <= set(form.elements)
    evaluation = Evaluation(form, {"nguoi_1.ten": "An", "nguoi_2.ten": "Bình", "nguoi_1.tuoi": "30", "nguoi_2.tuoi": "5"})
    assert evaluation.clean() == {"nguoi_1.ten": "An", "nguoi_2.ten": "Bình", "nguoi_1.tuoi": 30, "nguoi_2.tuoi": 5}
    assert list(Evaluation(form, {"nguoi_2.tuoi": "x"}).errors()) == ["nguoi_2.tuoi"]


@pytest.mark.django_db
def test_forms_without_form_id_are_each_their_own_questionnaire_and_a_second_upload_adds_nothing(blocks, xlsform):
    first = xlsform([("integer", "a", "A")], settings={"form_title": "Một"})
    other = xlsform([("text", "b", "B")], settings={"form_title": "Hai"})
    a = questionnaire_import(file_name="khao_sat_mot.xlsx", content=first, by=None)
    again = questionnaire_import(file_name="khao_sat_mot.xlsx", content=first, by=None)
    b = questionnaire_import(file_name="khao_sat_hai.xlsx", content=other, by=None)
    assert a.created and not again.created and again.version == a.version and b.created
    assert sorted(Questionnaire.objects.values_list("form_id", flat=True)) == ["khao_sat_hai", "khao_sat_mot"]
    assert QuestionnaireVersion.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("row, words", [
    (("select_one c", "x", "X", "search('fruits')", ""), "search("),
    (("calculate", "x", "", "", "pulldata('fruits', 'name', 'key', 'v')"), "pulldata()"),
    (("video", "x", "X", "", ""), "anonymous"),  # image, geopoint: accepted since issue 20 (test_media.py)
    (("geotrace", "x", "X", "", ""), "anonymous"),
])
def test_external_files_and_identifying_types_are_refused_with_the_reason(blocks, xlsform, row, words):
    content = xlsform([row], [("c", "a", "A")], survey_header=("type", "name", "label", "appearance", "calculation"))
    with translation.override("en"), pytest.raises(ImportFailed) as failure:
        xlsform_parse("f.xlsx", content)
    [problem] = failure.value.problems
    assert words in problem.message and problem.row == 2, str(problem)
