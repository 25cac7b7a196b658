"""XLSForm expressions through elementpath with ODK's functions, as ODK Collect evaluates them."""

import xml.etree.ElementTree as ET

import pytest
from elementpath import XPathContext
from hypothesis import given
from hypothesis import strategies as st

from chiso.surveys.collection import expressions
from chiso.surveys.collection.evaluation import Evaluation, relative_path
from chiso.surveys.collection.formdef import FormDef
from chiso.surveys.collection.xlsform import xlsform_parse


def run(expression, **values):
    root = ET.Element("data")
    for name, value in values.items():
        ET.SubElement(root, name).text = value
    here = ET.SubElement(root, "here")
    context = XPathContext(root)
    item = next(n for n in context.root.iter_descendants() if getattr(n, "value", None) is here)
    token = expressions.parse(expressions.to_xpath(expression, lambda name, quoted: name if quoted else f"../{name}"))
    return token, expressions.evaluate(token, context, item)


def truth(expression, **values):
    token, value = run(expression, **values)
    return expressions.as_boolean(token, value)


def text(expression, **values):
    token, value = run(expression, **values)
    return expressions.as_string(token, value)


@pytest.mark.parametrize(
    "expression, values, expected",
    [
        ("${age} > 18", {"age": "20"}, True),
        ("${age} = 20", {"age": "20"}, True),
        ("${age} = '20'", {"age": "20"}, True),
        ("${age} != 20", {"age": "20"}, False),
        ("${age} > 18", {"age": ""}, False),  # unanswered is NaN, not an error
        ("${a} = ''", {"a": ""}, True),
        ("selected(${s}, 'b')", {"s": "a b"}, True),
        ("selected(${s}, 'c')", {"s": "a b"}, False),
        ("count-selected(${s}) <= 2", {"s": "a b"}, True),
        ("not(selected(${s}, 'a'))", {"s": "b"}, True),
        ("${d} <= '2025-03-13'", {"d": "2025-01-01"}, True),  # dates compare as days, as in ODK
        ("${d} > '2025-03-13'", {"d": "2025-01-01"}, False),
        ("regex(${p}, '^[0-9]{10}$')", {"p": "0912345678"}, True),
        ("boolean-from-string(${b})", {"b": "true"}, True),
        ("ends-with(${a}, 'xyz')", {"a": "abcxyz"}, True),
    ],
)
def test_truth(expression, values, expected):
    assert truth(expression, **values) is expected


@pytest.mark.parametrize(
    "expression, values, expected",
    [
        ("if(${age} >= 18, 'adult', 'minor')", {"age": "17"}, "minor"),
        ("coalesce(${a}, ${b})", {"a": "", "b": "x"}, "x"),
        ("coalesce(${a}, ${b})", {"a": "y", "b": "x"}, "y"),
        ("selected-at(${s}, 1)", {"s": "S-TC S-XD S-TP"}, "S-XD"),
        ("selected-at(${s}, 5)", {"s": "S-TC"}, ""),
        ("concat(${a}, '-', ${b})", {"a": "x", "b": "y"}, "x-y"),
        ("int(${n})", {"n": "7.9"}, "7"),
        ("round(${n}, 1)", {"n": "2.25"}, "2.3"),
        ("substr(${s}, 0, 4)", {"s": "2025-03-13"}, "2025"),
        ("${a} + ${b}", {"a": "2", "b": "3"}, "5"),
        ("${a} * 2", {"a": "1.5"}, "3"),
        ("max(${a}, ${b}, 4)", {"a": "2", "b": "9"}, "9"),
        ("join(', ', ${a})", {"a": "x"}, "x"),
        ("string-length(${a})", {"a": "Cao Bằng"}, "8"),
        ("date('2025-03-13')", {}, "2025-03-13"),
    ],
)
def test_values(expression, values, expected):
    assert text(expression, **values) == expected


def test_position_of_a_repeat_entry_and_the_odk_unit_pattern():
    root = ET.fromstring("<data><sel>S-TC S-XD</sel><r><u/></r><r><u/></r></data>")
    context = XPathContext(root)
    token = expressions.parse("selected-at(../../sel, position(..) - 1)")
    second = root.findall("r")[1].find("u")
    item = next(n for n in context.root.iter_descendants() if getattr(n, "value", None) is second)
    assert expressions.as_string(token, expressions.evaluate(token, context, item)) == "S-XD"


@pytest.mark.parametrize("broken", ["${a} > (1", "selected(${a}", "frobnicate(1)", "${a} ==", "if(1, 2)", "'abc"])
def test_broken_expressions_are_refused_at_parse_time(broken):
    with pytest.raises(expressions.ExpressionError):
        expressions.parse(expressions.to_xpath(broken, lambda name, quoted: name))


def test_reference_inside_a_string_literal_stands_for_the_name():
    xpath = expressions.to_xpath("jr:choice-name(${u}, '${units}')", lambda name, quoted: name if quoted else f"../{name}")
    assert xpath == "jr:choice-name(../u, 'units')"


@pytest.mark.parametrize(
    "context, target, expected",
    [
        (("data", "g", "q"), ("data", "g", "x"), "../x"),
        (("data", "r", "q"), ("data", "s"), "../../s"),
        (("data", "q"), ("data", "q"), "."),
        (("data",), ("data", "r", "q"), "r/q"),
    ],
)
def test_relative_paths(context, target, expected):
    assert relative_path(context, target) == expected


# --- properties: the evaluation agrees with Python on the cases people write --------------

names = st.text(alphabet="abcdefghij", min_size=1, max_size=4)


@given(st.lists(names, max_size=6, unique=True), names)
def test_selected_and_count_selected_agree_with_a_split(values, probe):
    joined = " ".join(values)
    assert truth("selected(${s}, '%s')" % probe, s=joined) is (probe in values)
    assert text("count-selected(${s})", s=joined) == str(len(values))


@given(st.lists(names, min_size=1, max_size=6, unique=True), st.integers(min_value=-2, max_value=8))
def test_selected_at_is_zero_based_and_empty_outside(values, index):
    expected = values[index] if 0 <= index < len(values) else ""
    assert text("selected-at(${s}, %d)" % index, s=" ".join(values)) == expected


@given(st.integers(min_value=-10**6, max_value=10**6), st.integers(min_value=-10**6, max_value=10**6))
def test_integer_comparisons_match_python(a, b):
    assert truth("${a} < ${b}", a=str(a), b=str(b)) is (a < b)
    assert truth("${a} = ${b}", a=str(a), b=str(b)) is (a == b)
    assert truth("${a} >= %d and ${a} <= %d" % (min(a, b), max(a, b)), a=str(a)) is True


@given(st.integers(min_value=-1000, max_value=1000), st.integers(min_value=-1000, max_value=1000))
def test_if_picks_the_branch_python_would(a, b):
    assert text("if(${a} > ${b}, ${a}, ${b})", a=str(a), b=str(b)) == str(max(a, b))


def test_indexed_repeat_reads_another_entry_of_its_own_repeat(xlsform, blocks):
    """ODK's pattern for "the previous entry": references inside indexed-repeat are absolute."""
    content = xlsform([
        ("begin_repeat", "thu_tuc", "Thủ tục"),
        ("text", "ten", "Tên thủ tục"),
        ("calculate", "truoc", "", "if(position(..) > 1, indexed-repeat(${ten}, ${thu_tuc}, position(..) - 1), '')"),
        ("end_repeat", "", ""),
        ("calculate", "thu_hai", "", "indexed-repeat(${ten}, ${thu_tuc}, 2)"),
    ], survey_header=("type", "name", "label", "calculation"))
    form = FormDef(xlsform_parse("lien_tiep.xlsx", content).survey)
    evaluation = Evaluation(form, {"thu_tuc": [{"ten": "Cấp phép"}, {"ten": "Đăng ký"}, {"ten": "Thẩm định"}]})
    assert [evaluation.values.get(f"thu_tuc[{i}]/truoc") for i in (1, 2, 3)] == ["", "Cấp phép", "Đăng ký"]
    assert evaluation.values.get("thu_hai") == "Đăng ký"
