"""chiso.formats.numbers: numbers as Vietnamese people type them, refused when they could mean two things."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from chiso.formats.numbers import NumberRefused, parse_number, plain, shown


@pytest.mark.parametrize("text, decimals, expected", [
    ("1.000", False, Decimal(1000)),
    ("1.000.000", False, Decimal(1000000)),
    ("1.000", True, Decimal(1000)),
    ("1000", False, Decimal(1000)),
    ("1,5", True, Decimal("1.5")),
    ("1.234,5", True, Decimal("1234.5")),
    ("0,125", True, Decimal("0.125")),
    ("-2", False, Decimal(-2)),
    ("\u22123,5", True, Decimal("-3.5")),
    (" 12 500 ", False, Decimal(12500)),
    ("2,0", False, Decimal(2)),
    ("+7", False, Decimal(7)),
])
def test_vietnamese_numbers_are_read(text, decimals, expected):
    assert parse_number(text, decimals_allowed=decimals) == expected


@pytest.mark.parametrize("text, decimals, hint", [
    ("1.5", True, "1,5"),          # a decimal point: refused with the Vietnamese way
    ("1.25", True, "1,25"),
    ("1.5", False, "1.000"),
    ("1,500", False, "1.500"),     # a thousand and a half in English, one and a half in Vietnamese
    ("1,500", True, "1.500"),
    ("1,234,567", False, "1.234.567"),
    ("1,234.5", True, "1.234,5"),
    ("1,5", False, "2"),           # decimals in a whole-number field
    ("1e5", True, "1.500"),
    ("abc", True, "2,5"),
    ("1.2.3", False, ""),
    ("12 5", False, ""),
])
def test_ambiguous_or_wrong_numbers_are_refused_with_how_to_write_them(text, decimals, hint):
    with pytest.raises(NumberRefused) as refused:
        parse_number(text, decimals_allowed=decimals)
    assert hint in str(refused.value)
    assert isinstance(refused.value, ValueError)


def test_the_message_is_vietnamese_in_a_vietnamese_request():
    with translation.override("vi"), pytest.raises(NumberRefused) as refused:
        parse_number("1.5", decimals_allowed=True)
    assert "1,5" in str(refused.value) and "dấu phẩy" in str(refused.value)


def test_plain_and_shown_never_write_an_exponent():
    assert plain(Decimal("1E+1")) == "10" and shown(Decimal("1E+1")) == "10"
    assert plain(Decimal("1234.50")) == "1234.5" and shown(Decimal("1234.5")) == "1.234,5"
    assert shown(Decimal("-1000000")) == "-1.000.000" and shown(10.0) == "10" and plain(-0.0) == "0"
    assert shown(Decimal("1234.5"), grouped=False) == "1234,5"


@given(st.decimals(min_value=-10**12, max_value=10**12, places=3, allow_nan=False, allow_infinity=False))
def test_what_is_shown_reads_back_to_the_same_number(number):
    assert parse_number(shown(number), decimals_allowed=True) == number
    assert parse_number(shown(number, grouped=False), decimals_allowed=True) == number
