"""chiso.formats.numbers: numbers as Vietnamese people type them, refused when they could mean two things."""

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from chiso.formats.numbers import (
    AMBIGUOUS,
    INTERNATIONAL,
    VIETNAMESE,
    NumberRefused,
    international,
    number_writing,
    parse_international,
    parse_number,
    parse_written,
    plain,
    said,
    shown,
)


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
    ("1,255", True, "1.255"),      # where at most two decimals are allowed (see below)
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
        parse_number(text, decimals_allowed=decimals, decimal_places=2 if decimals else None)
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


def test_a_message_writes_its_numbers_in_its_own_language():
    with translation.override("vi"):
        assert said(66.9) == "66,9" and said(0.1 + 0.7) == "0,8" and said(4500) == "4.500" and said(-22.5) == "-22,5"
    with translation.override("en"):
        assert said(66.9) == "66.9" and said(4500) == "4,500" and said(Decimal("1234.5")) == "1,234.5"


@given(st.decimals(min_value=-10**12, max_value=10**12, places=3, allow_nan=False, allow_infinity=False))
def test_what_is_shown_reads_back_to_the_same_number(number):
    assert parse_number(shown(number), decimals_allowed=True) == number
    assert parse_number(shown(number, grouped=False), decimals_allowed=True) == number


def test_three_decimals_after_a_comma_are_decimals_where_three_decimals_are_allowed():
    assert parse_number("1,255", decimals_allowed=True) == Decimal("1.255")
    assert parse_number("1,255", decimals_allowed=True, decimal_places=3) == Decimal("1.255")
    assert shown(Decimal("1.001")) == "1,001" and parse_number("1,001", decimals_allowed=True) == Decimal("1.001")


@pytest.mark.parametrize("text, decimals, places", [
    ("1,255", True, 2), ("1,255", False, None), ("1,500", True, 0), ("1.5", True, None), ("1,234.5", True, None),
    ("1,234,567", False, None), ("0.125", True, None), ("1,5", False, None),
])
def test_the_way_to_write_it_is_never_what_was_typed(text, decimals, places):
    with translation.override("vi"), pytest.raises(NumberRefused) as refused:
        parse_number(text, decimals_allowed=decimals, decimal_places=places)
    message = str(refused.value)
    suggestions = message.split(text, 1)[-1]  # what the message proposes, after it names the entry (if it does)
    assert text not in suggestions, message


def test_1255_where_two_decimals_are_allowed_names_both_readings():
    with translation.override("vi"), pytest.raises(NumberRefused) as refused:
        parse_number("1,255", decimals_allowed=True, decimal_places=2)
    assert "1.255" in str(refused.value) and "1,26" in str(refused.value)


def test_a_leading_zero_group_is_never_read_as_thousands():
    with pytest.raises(NumberRefused) as refused:
        parse_number("0.125", decimals_allowed=True)
    assert "0,125" in str(refused.value)


@pytest.mark.parametrize("text, decimals, expected", [
    ("0.5", True, Decimal("0.5")),
    ("1,234.5", True, Decimal("1234.5")),
    ("1,000,000", False, Decimal(1000000)),
    ("1.000", True, Decimal(1)),
    ("-12.75", True, Decimal("-12.75")),
    ("\u22122", False, Decimal(-2)),
    ("1234", False, Decimal(1234)),
    ("2.0", False, Decimal(2)),
])
def test_international_numbers_are_read(text, decimals, expected):
    assert parse_international(text, decimals_allowed=decimals) == expected
    assert parse_written(text, INTERNATIONAL, decimals_allowed=decimals) == expected


@pytest.mark.parametrize("text, decimals, hint", [
    ("0,5", True, "0.5"),            # the Vietnamese way: refused with the international one
    ("1.000.000", True, "1,000,000"),
    ("1.234,5", True, "1,234.5"),
    ("12,34", True, "12.34"),
    ("1,23,456", True, "1,500"),     # not groups of three
    ("abc", True, "2.5"),
    ("1.5", False, "2"),
])
def test_wrong_international_numbers_are_refused_with_how_to_write_them(text, decimals, hint):
    with translation.override("vi"), pytest.raises(NumberRefused) as refused:
        parse_international(text, decimals_allowed=decimals)
    assert hint in str(refused.value)


@pytest.mark.parametrize("text, writing", [
    ("0,5", VIETNAMESE), ("12,75", VIETNAMESE), ("1.000.000", VIETNAMESE), ("1.234,5", VIETNAMESE), ("0,125", VIETNAMESE),
    ("0.5", INTERNATIONAL), ("12.75", INTERNATIONAL), ("1,234.5", INTERNATIONAL), ("1,000,000", INTERNATIONAL),
    ("0.125", INTERNATIONAL),
    ("1.000", AMBIGUOUS), ("1,255", AMBIGUOUS), ("12.500", AMBIGUOUS),
    ("5", None), ("-3", None), ("abc", None), ("", None),
])
def test_what_a_typed_number_says_about_how_numbers_are_written(text, writing):
    assert number_writing(text) == writing


def test_international_writing_for_messages():
    assert international(Decimal("1234.5")) == "1,234.5" and international(-1000000) == "-1,000,000" and international(0.5) == "0.5"


@given(st.decimals(min_value=-10**12, max_value=10**12, places=3, allow_nan=False, allow_infinity=False))
def test_international_writing_reads_back_to_the_same_number(number):
    assert parse_international(international(number)) == number
