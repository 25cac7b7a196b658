"""Numbers as Vietnamese people write them: '1.000' is a thousand, '1,5' is one and a half.

One parser for every place a person types a number (the survey's web form and paper entry
first). It is strict: an entry that could be read two ways ('1.5', '1,500', '1,234,567') is
refused with a message that shows how to write it, never guessed. Written by hand (no Babel):
Babel's parser accepts '1.5' as 15 in Vietnamese, which is exactly the silent change to avoid.

Values meant for scripts, stored answers and `data-` attributes use `plain()` (a point, no
grouping, never an exponent); people see `shown()` ('1.234,5'); a message translated into the
language of the request writes its numbers with `said()`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _

__all__ = ["INTERNATIONAL", "VIETNAMESE", "NumberRefused", "number_writing", "parse_international", "parse_number",
           "parse_written", "international", "plain", "said", "shown"]

VIETNAMESE, INTERNATIONAL, AMBIGUOUS = "vi", "intl", "ambiguous"  # how a number is written: 1.234,5 or 1,234.5

SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2060\u200b]+")
SIGN = re.compile(r"^([+\-\u2212]?)(.*)$")
DIGITS = re.compile(r"^\d+$")
GROUPED = re.compile(r"^[1-9]\d{0,2}(\.\d{3})+$")  # 1.000, 12.345.678 (never 0.125: an English decimal)
INTERNATIONAL_NUMBER = re.compile(r"^(\d+|[1-9]\d{0,2}(,\d{3})+)(\.\d+)?$")  # 1234.5, 1,234.5, 1,000,000
VIETNAMESE_DECIMAL = re.compile(r"^(\d+|[1-9]\d{0,2}(\.\d{3})+),\d+$")  # 0,5, 1.234,5
GROUPED_SPACES = re.compile(r"^\d{1,3}( \d{3})+$")  # 1 000 000
MAX_DIGITS = 30


class NumberRefused(ValueError):
    """A number that cannot be read; the message (Vietnamese in a Vietnamese request) says how to write it."""


def parse_number(text: str, *, decimals_allowed: bool, decimal_places: int | None = None) -> Decimal:
    """The number a person typed: '1.000' → 1000, '1,5' → 1.5, '1.234,5' → 1234.5, '-2' → -2.

    Raises NumberRefused for anything else, with a message giving the right way to write it (never
    the input itself). '1,255' is one point two five five where three decimals are allowed; where
    `decimal_places` is fewer it may be an English thousand, so it is refused with both readings.
    """
    raw = (text or "").strip()
    if not raw:
        raise NumberRefused(_("Enter a number."))
    sign, body = SIGN.match(SPACES.sub(" ", raw).strip()).groups()
    body = body.strip()
    if GROUPED_SPACES.match(body):
        body = body.replace(" ", ".")
    elif " " in body:
        raise NumberRefused(_("%(text)s is not a number.") % {"text": raw[:40]})
    return _signed(_read(raw, body, decimals_allowed, decimal_places), sign, decimals_allowed, shown)


def _signed(number: Decimal, sign: str, decimals_allowed: bool, write) -> Decimal:
    """The number read, checked for length, signed and, in a whole-number field, checked whole
    (the example written by `write`, the way the number was read)."""
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise NumberRefused(_("This number is too long."))
    number = -number if sign in ("-", "\u2212") else number
    if not decimals_allowed:
        if number != number.to_integral_value():
            raise NumberRefused(_("Enter a whole number, without decimals (e.g. %(example)s).") % {"example": write(number.to_integral_value())})
        number = number.quantize(Decimal(1))
    return number


def _read(raw: str, body: str, decimals_allowed: bool, decimal_places: int | None) -> Decimal:
    whole, comma, fraction = body.partition(",")
    if comma and ("," in fraction or "." in fraction):
        # 1,234,567 or 1,234.5: written the English way
        raise NumberRefused(_("%(text)s is written the English way. In Vietnamese, write thousands with a point and decimals with a comma: %(example)s.")
                            % {"text": raw[:40], "example": _english_example(body)})
    if not (DIGITS.match(whole) or GROUPED.match(whole)) or (comma and not DIGITS.match(fraction)):
        if re.fullmatch(r"\d+\.\d+", body):
            # 1.5 or 1.25: a decimal point, or a thousands point in the wrong place; never guessed
            whole_part, decimals = body.split(".")
            return _refuse_ambiguous(raw, whole_part, decimals, decimals_allowed)
        raise NumberRefused(_("%(text)s is not a number. Write it with digits, e.g. 1.500 or 2,5.") % {"text": raw[:40]})
    if comma and len(fraction) == 3 and whole != "0" and "." not in whole and not decimals_allowed:
        # 1,500 in a whole-number field: a thousand and a half in English, 1.5 in Vietnamese
        raise NumberRefused(_("%(text)s can be read two ways. Write %(thousands)s for the whole number (a point between thousands).")
                            % {"text": raw[:40], "thousands": f"{whole}.{fraction}"})
    if comma and len(fraction) == 3 and whole != "0" and "." not in whole and decimal_places is not None and decimal_places < 3:
        # 1,255 where at most two decimals are allowed: 1.255 (English thousands) or a rounding to make
        rounded = Decimal(f"{whole}.{fraction}").quantize(Decimal(1).scaleb(-decimal_places), rounding=ROUND_HALF_UP)
        raise NumberRefused(_("%(text)s can be read two ways. Write %(thousands)s for the whole number, or at most %(places)s decimals, e.g. %(decimal)s.")
                            % {"text": raw[:40], "thousands": f"{whole}.{fraction}", "places": decimal_places, "decimal": shown(rounded)})
    try:
        return Decimal(whole.replace(".", "") + ("." + fraction if comma else ""))
    except InvalidOperation:  # pragma: no cover - the patterns above admit digits only
        raise NumberRefused(_("%(text)s is not a number.") % {"text": raw[:40]}) from None


def _refuse_ambiguous(raw: str, whole: str, decimals: str, decimals_allowed: bool):
    if decimals_allowed:
        raise NumberRefused(_("%(text)s: in Vietnamese the comma marks decimals. Write %(decimal)s (and %(thousands)s for thousands).")
                            % {"text": raw[:40], "decimal": f"{whole},{decimals}", "thousands": "1.000"})
    raise NumberRefused(_("%(text)s is not a whole number. Write thousands with a point between groups of three digits, e.g. 1.000 or 12.500.")
                        % {"text": raw[:40]})


def _english_example(body: str) -> str:
    try:
        return shown(Decimal(body.replace(",", "")))
    except InvalidOperation:
        return "1.234,5"


def parse_international(text: str, *, decimals_allowed: bool = True) -> Decimal:
    """A number written the international way, as in COINr's files and English spreadsheets:
    '0.5', '1,234.5', '1,000,000', '-2'. Commas only between groups of three digits, a point for
    decimals. Refused with how to write it otherwise ('0,5' is the Vietnamese way)."""
    raw = (text or "").strip()
    if not raw:
        raise NumberRefused(_("Enter a number."))
    sign, body = SIGN.match(SPACES.sub("", raw)).groups()
    if not INTERNATIONAL_NUMBER.match(body):
        if VIETNAMESE_DECIMAL.match(body) or GROUPED.match(body):
            vietnamese = parse_number(body, decimals_allowed=True)
            raise NumberRefused(_("%(text)s is written the Vietnamese way, but the numbers are read the international way (1,234.5): write %(example)s.")
                                % {"text": raw[:40], "example": international(vietnamese)})
        raise NumberRefused(_("%(text)s is not a number. Write it with digits, e.g. 1,500 or 2.5.") % {"text": raw[:40]})
    return _signed(Decimal(body.replace(",", "")), sign, decimals_allowed, international)


def parse_written(text: str, writing: str, *, decimals_allowed: bool = True) -> Decimal:
    """`text` read the way `writing` says: VIETNAMESE (parse_number) or INTERNATIONAL (parse_international)."""
    if writing == INTERNATIONAL:
        return parse_international(text, decimals_allowed=decimals_allowed)
    return parse_number(text, decimals_allowed=decimals_allowed)


def number_writing(text: str) -> str | None:
    """What one typed number says about how a file's numbers are written: VIETNAMESE ('0,5',
    '12,75', '1.000.000', '1.234,5'), INTERNATIONAL ('0.5', '12.75', '1,234.5'), AMBIGUOUS when
    both ways read it but differently ('1.000': a thousand or one; '1,255'), None when it says
    nothing ('5', '-3', or not a number at all)."""
    readings = []
    for writing in (VIETNAMESE, INTERNATIONAL):
        try:
            readings.append(parse_written(text, writing))
        except NumberRefused:
            readings.append(None)
    vietnamese, international_ = readings
    if vietnamese is None and international_ is None:
        return None
    if international_ is None:
        return VIETNAMESE
    if vietnamese is None:
        return INTERNATIONAL
    return None if vietnamese == international_ else AMBIGUOUS


def international(number: Decimal | int | float) -> str:
    """A number written the international way: '1,234.5' (for messages about international files)."""
    text = plain(number)
    sign = "-" if text.startswith("-") else ""
    whole, point, fraction = text.lstrip("-").partition(".")
    return sign + f"{int(whole or 0):,}" + (point + fraction)


def plain(number: Decimal | int | float) -> str:
    """For storage and scripts: '1234.5', '10', '-0.25' — a point, no grouping, never an exponent."""
    value = number if isinstance(number, Decimal) else Decimal(str(number))
    if not value.is_finite():
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def shown(number: Decimal | int | float, *, grouped: bool = True) -> str:
    """For people: '1.234,5', '10', '-0,25' — never an exponent ('1E+1' was the 10 of a scale)."""
    text = plain(number)
    if not text:
        return ""
    sign = "-" if text.startswith("-") else ""
    whole, _point, fraction = text.lstrip("-").partition(".")
    if grouped:
        whole = f"{int(whole):,}".replace(",", ".")
    return sign + whole + ("," + fraction if fraction else "")


def said(number: Decimal | int | float) -> str:
    """For a message in the active language, to six significant digits as `%g`: '66,9' and
    '1.234,5' in Vietnamese, '66.9' and '1,234.5' in English (in a Vietnamese sentence an English
    '1.250' reads as a thousand two hundred and fifty)."""
    value = Decimal(f"{number:g}") if isinstance(number, float) else number
    return international(value) if (get_language() or "vi").startswith("en") else shown(value)
