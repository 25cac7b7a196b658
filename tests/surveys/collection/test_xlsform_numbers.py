"""Numbers typed on the survey form (web and paper entry) are read the Vietnamese way (chiso.formats.numbers)."""

import pytest
from django.utils import translation

from chiso.surveys.collection.answers import answers_with_values
from chiso.surveys.collection.evaluation import Evaluation, normalise_input, range_values
from chiso.surveys.collection.formdef import FormDef
from chiso.surveys.collection.pages import display_value, pages_relevant, widgets
from chiso.surveys.collection.xlsform import xlsform_parse


@pytest.fixture
def form(blocks, xlsform):
    header = ("type", "name", "label", "parameters")
    rows = [("integer", "so_lao_dong", "Số lao động", ""), ("decimal", "doanh_thu", "Doanh thu (tỷ đồng)", ""),
            ("range", "diem", "Điểm", "start=1 end=10 step=1"), ("range", "ty_le", "Tỷ lệ", "start=0 end=1 step=0.25")]
    return FormDef(xlsform_parse("so.xlsx", xlsform(rows, survey_header=header)).survey)


def typed(form, values):
    return answers_with_values(form, {}, values, list(values))


def test_thousands_and_decimal_commas_are_stored_as_plain_numbers(form):
    answers = typed(form, {"so_lao_dong": "1.000", "doanh_thu": "1.234,5"})
    assert answers == {"so_lao_dong": "1000", "doanh_thu": "1234.5"}
    evaluation = Evaluation(form, answers)
    assert not evaluation.errors() and evaluation.clean() == {"so_lao_dong": 1000, "doanh_thu": 1234.5}
    assert typed(form, {"so_lao_dong": "1.000.000"})["so_lao_dong"] == "1000000"
    assert typed(form, {"doanh_thu": "1,5"})["doanh_thu"] == "1.5"


def test_an_ambiguous_number_is_refused_with_how_to_write_it_and_shown_as_typed(form):
    with translation.override("vi"):
        evaluation = Evaluation(form, typed(form, {"doanh_thu": "1.5", "so_lao_dong": "1,500"}))
        errors = evaluation.errors()
        assert "1,5" in errors["doanh_thu"] and "1.500" in errors["so_lao_dong"]
        page = pages_relevant(evaluation)[0]
        by_address = {w.address: w for w in widgets(page, evaluation)}
    assert by_address["doanh_thu"].input_value == "1.5"  # as typed, never changed


def test_stored_and_imported_numbers_keep_their_point(form):
    # a draft keeps 1.5 (one and a half); an import from KoboToolbox writes 2.25
    assert normalise_input(form.elements["doanh_thu"], "1.5") == "1.5"
    assert Evaluation(form, {"doanh_thu": "2.25"}).clean() == {"doanh_thu": 2.25}


def test_numbers_shown_to_people_are_vietnamese_and_never_scientific(form):
    assert range_values(form.elements["diem"])[-1] == ("10", "10")  # was '1E+1'
    assert range_values(form.elements["ty_le"])[1] == ("0.25", "0,25")
    evaluation = Evaluation(form, {"so_lao_dong": "12500", "doanh_thu": "1234.5", "diem": "10"})
    by_address = {w.address: w for w in widgets(pages_relevant(evaluation)[0], evaluation)}
    assert display_value(by_address["so_lao_dong"]) == "12.500" and display_value(by_address["doanh_thu"]) == "1.234,5"
    assert by_address["doanh_thu"].input_value == "1234,5" and display_value(by_address["diem"]) == "10"
    # a button's value is for scripts: posted as written, never read as a typed number
    assert typed(form, {"diem": "10", "ty_le": "0.25"}) == {"diem": "10", "ty_le": "0.25"}
