"""The engine's messages reach people in Vietnamese, by code: every code of the engine's table has its
template here, with the same English and the same parameters, and a Vietnamese translation."""

import pickle
import re

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from chiso.engine import Framework, FrameworkError, StepError, parse_steps
from chiso.engine.errors import Message, at, where_row
from chiso.engine.messages import MESSAGES
from chiso.frameworks.engine_messages import TRANSLATIONS, engine_error_message, engine_message

PARAMETER = re.compile(r"%\((\w+)\)([sr])")


def _parameters(template: str) -> set[tuple[str, str]]:
    return set(PARAMETER.findall(template))


def _msgid(template) -> str:
    with translation.override(None):  # no catalogue: gettext gives the msgid back
        return str(template)


def test_every_engine_code_has_a_template_with_the_same_english_and_parameters():
    missing = sorted(set(MESSAGES) - set(TRANSLATIONS))
    assert not missing, f"engine codes without a translation in chiso.frameworks.engine_messages: {missing}"
    assert not sorted(set(TRANSLATIONS) - set(MESSAGES)), "codes the engine no longer has"
    differ = {code: (MESSAGES[code], _msgid(template)) for code, template in TRANSLATIONS.items()
              if _msgid(template) != MESSAGES[code]}
    assert not differ, f"reworded in the engine: change the msgid here and its translation too: {differ}"


def test_every_engine_template_is_translated_with_the_same_parameters():
    catalogue = trans_real.translation("vi")._catalog
    untranslated, wrong = [], {}
    for code, english in MESSAGES.items():
        if english not in catalogue:
            untranslated.append(code)
            continue
        vietnamese = catalogue[english]
        if _parameters(vietnamese) != _parameters(english):
            wrong[code] = (english, vietnamese)
    assert not untranslated, f"no Vietnamese in the catalogue for {untranslated}"
    assert not wrong, f"the Vietnamese names other parameters: {wrong}"


def test_a_framework_problem_is_given_in_vietnamese_with_its_row():
    problem = at(where_row(4), "framework.unknown_parent", parent="X", code="a")
    assert problem == "row 4: unknown parent 'X' of 'a'"  # the engine's English, unchanged
    with translation.override("vi"):
        text = engine_message(problem)
    assert text == "dòng 4: không có nút cha 'X' của 'a'"


def test_every_problem_of_a_framework_file_is_translated():
    rows = [{"iCode": "T", "Level": 2, "Type": "Aggregate"},
            {"iCode": "x", "Level": 1, "Parent": "NOWHERE", "Weight": "heavy", "Type": "Indicator"},
            {"iCode": "x", "Level": 1.5, "Parent": "T", "Weight": 1, "Type": "Indicator"}]
    with pytest.raises(FrameworkError) as failure:
        Framework.from_rows(rows, first_row=2)
    codes = {p.params["problem"].code for p in failure.value.problems if p.code == "at"}
    assert {"framework.weight_not_number", "framework.level_not_whole"} <= codes
    with translation.override("vi"):
        lines = engine_error_message(failure.value).split("\n")
    assert len(lines) == len(failure.value.problems)
    assert "dòng 3: trọng số của 'x' không phải là số: 'heavy'" in lines
    assert "dòng 4: cấp của 'x' không phải là số nguyên: 1.5" in lines
    assert not any(line.startswith("row ") for line in lines), lines


def test_nested_messages_and_lists_are_translated_as_parts():
    with pytest.raises(StepError) as failure:
        parse_steps([{"normalise": {"methd": "minmax"}}])
    error = failure.value
    assert error.code == "steps.in_step" and error.params["error"].code == "steps.unknown_parameters"
    assert str(error).startswith("steps: step 1: normalise: unknown parameter(s) methd (known: ")
    with translation.override("vi"):
        text = engine_error_message(error)
    assert text.startswith("steps: bước 1: normalise: không có (các) tham số methd (các tham số có: ")


def test_text_without_a_code_is_shown_as_written():
    assert engine_message("something new") == "something new"
    assert engine_error_message(StepError("plain text")) == "plain text"


def test_a_message_survives_pickling_with_its_code():
    error = StepError(Message("aggregate.unknown_method", method="x", methods=["amean", "gmean"]))
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == "aggregate: unknown method 'x' (one of amean, gmean)"
    assert again.code == "aggregate.unknown_method" and again.params["methods"] == ["amean", "gmean"]
