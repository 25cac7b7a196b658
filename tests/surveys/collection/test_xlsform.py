"""XLSForm import (pyxform plus chiso's checks), every problem with its sheet and row; export back."""

import io
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook

from chiso.core.tabular import ImportFailed
from chiso.surveys.collection.formdef import FormDef
from chiso.surveys.collection.xlsform import warning_text, xlsform_parse, xlsform_write
from chiso.surveys.models import Questionnaire, QuestionnaireVersion
from chiso.surveys.services import questionnaire_import

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
DATA = Path(__file__).resolve().parents[3] / "src" / "chiso" / "surveys" / "data"


def problems_of(content, name="form.xlsx"):
    with pytest.raises(ImportFailed) as failure:
        questionnaire_import(file_name=name, content=content, by=None)
    return failure.value.problems


@pytest.mark.django_db
@pytest.mark.parametrize("name, form_id, block_codes", [("ddci_departments.xlsx", "ddci_so_nganh", {"department"}), ("ddci_communes.xlsx", "ddci_xa_phuong", {"commune"})])
def test_the_example_ddci_forms_import_with_their_rating_repeat(name, form_id, block_codes, blocks):
    result = questionnaire_import(file_name=name, content=(EXAMPLES / name).read_bytes(), by=None)
    version = result.version
    assert result.created and version.questionnaire.form_id == form_id and version.version == "2025.1"
    form = version.form
    assert form.units_blocks() == block_codes
    [repeat] = form.rating_repeats()
    assert (repeat.name, repeat.rating_select, repeat.rating_field) == ("danh_gia", "don_vi_lien_he", "ma_don_vi")
    assert form.text(form.elements["minh_bach"].label, "vi").startswith("Thông tin, quy định")
    assert form.text(form.elements["minh_bach"].label, "en").startswith("Information, rules")
    assert bytes(version.xlsform) == (EXAMPLES / name).read_bytes()


@pytest.mark.django_db
def test_the_same_workbook_twice_changes_nothing_and_a_changed_form_needs_a_new_version(xlsform):
    first = xlsform([("integer", "a", "A")])
    assert questionnaire_import(file_name="f.xlsx", content=first, by=None).created
    assert not questionnaire_import(file_name="f.xlsx", content=first, by=None).created
    changed = xlsform([("integer", "a", "A changed")])
    [problem] = problems_of(changed)
    assert problem.sheet == "settings" and problem.column == "version"
    assert questionnaire_import(file_name="f.xlsx", content=xlsform([("integer", "a", "A changed")], settings={"form_id": "test_form", "version": "2"}), by=None).created
    assert QuestionnaireVersion.objects.count() == 2 and Questionnaire.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rows, choices, sheet, row, words",
    [
        # syntax error: a group that never ends
        ([("begin_group", "g", "G"), ("integer", "a", "A")], [], "survey", 2, "end_group"),
        # an unknown type
        ([("integer", "a", "A"), ("intgr", "b", "B")], [], "survey", 3, "intgr"),
        # a broken expression (pyxform does not parse XPath)
        ([("integer", "a", "A"), ("integer", "b", "B", "${a} > (1")], [], "survey", 3, "${a} > (1"),
        # a reference to a question that does not exist
        ([("integer", "a", "A", "${zz} > 1")], [], "survey", 2, "zz"),
        # a choices list that is missing
        ([("select_one yn", "a", "A")], [("other", "x", "X")], "survey", 2, "yn"),
        # the same name twice side by side (pyxform's own message)
        ([("integer", "a", "A"), ("integer", "a", "B")], [], "survey", 3, "unique"),
        # an unsupported type
        ([("barcode", "where", "Where")], [], "survey", 2, "barcode"),  # geopoint: accepted since issue 20 (test_media.py)
        # external choices other than the units lists
        ([("select_one_from_file districts.csv", "d", "D")], [], "survey", 2, "districts.csv"),
    ],
)
def test_bad_forms_name_sheet_and_row_and_create_nothing(blocks, xlsform, rows, choices, sheet, row, words):
    header = ("type", "name", "label", "relevant")
    problems = problems_of(xlsform(rows, choices, survey_header=header))
    assert any(p.sheet == sheet and p.row == row and words in p.message for p in problems), [str(p) for p in problems]
    assert "form.xlsx" in str(problems[0])
    assert Questionnaire.objects.count() == 0 and QuestionnaireVersion.objects.count() == 0


@pytest.mark.django_db
def test_broken_constraint_calculation_and_choice_filter_are_each_caught(xlsform):
    header = ("type", "name", "label", "constraint", "calculation", "choice_filter")
    rows = [
        ("integer", "a", "A", ". >= 1 and", "", ""),
        ("calculate", "c", "", "", "${a} +* 2", ""),
        ("select_one l", "s", "S", "", "", "x = = ${a}"),
    ]
    problems = problems_of(xlsform(rows, [("l", "x", "X")], survey_header=header))
    assert {(p.row, p.column) for p in problems} == {(2, "constraint"), (3, "calculation"), (4, "choice_filter")}


@pytest.mark.django_db
def test_not_a_workbook():
    [problem] = problems_of(b"type,name,label\ninteger,a,A\n", "form.csv")
    assert "xlsx" in problem.message.lower()


@pytest.mark.django_db
def test_export_back_to_xlsform_reads_back_to_the_same_form(blocks):
    content = (EXAMPLES / "ddci_communes.xlsx").read_bytes()
    original = xlsform_parse("ddci_communes.xlsx", content).survey
    written = xlsform_write(original)
    book = load_workbook(io.BytesIO(written))
    assert book.sheetnames == ["survey", "choices", "settings"]
    again = xlsform_parse("again.xlsx", written).survey
    a, b = FormDef(original), FormDef(again)
    shape = lambda f: [(e.name, e.type, e.relevant, e.constraint, e.calculation, e.choice_filter, e.required, str(e.label), e.itemset_file, e.list_name) for e in f.root.walk()]
    assert shape(a) == shape(b)
    assert original["choices"] == again["choices"]
    assert (again["id_string"], again["version"], again["default_language"]) == ("ddci_xa_phuong", "2025.1", "Vietnamese (vi)")


def test_the_demo_uses_the_documented_examples():
    for name in ("ddci_departments.xlsx", "ddci_communes.xlsx"):
        assert (EXAMPLES / name).read_bytes() == (DATA / name).read_bytes(), name


def test_import_xlsform_command_exit_status(tmp_path, xlsform, manage):
    """`manage.py import_xlsform FILE [--check]` as a shell script sees it."""
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsform([("integer", "a", "A", "${a} > (1")], survey_header=("type", "name", "label", "relevant")))

    checked = manage("import_xlsform", str(EXAMPLES / "ddci_departments.xlsx"), "--check")
    assert checked.returncode == 0, checked.stderr
    assert "ddci_so_nganh" in checked.stdout
    failed = manage("import_xlsform", str(bad), "--check")
    assert failed.returncode != 0 and "bad.xlsx" in failed.stderr and "survey" in failed.stderr and "2" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert not QuestionnaireVersion.objects.exists()  # --check stores nothing
    imported = manage("import_xlsform", str(EXAMPLES / "ddci_departments.xlsx"))
    assert imported.returncode == 0 and "ddci_so_nganh" in imported.stdout
    assert QuestionnaireVersion.objects.count() == 1


def test_pyxforms_common_warnings_are_said_in_vietnamese():
    with translation.override("vi"):
        missing = warning_text("Language 'English (en)' is missing the survey required_message column.")
        group = warning_text("[row : 7] Group has no label: {'name': 'g'}")
        other = warning_text("Something pyxform says that chiso does not know.")
    assert "English (en)" in missing and "required_message" in missing and "survey" in missing and "missing" not in missing
    assert "7" in group and "nhóm" in group.lower()
    assert other == "Something pyxform says that chiso does not know."
