"""Numbers as Vietnamese people write them: '1.000' is a thousand, '1,5' is one and a half.

One parser for every place a person types a number (the survey's web form and paper entry
first). It is strict: an entry that could be read two ways ('1.5', '1,500', '1,234,567') is
refused with a message that shows how to write it, never guessed. Written by hand (no Babel):
Babel's parser accepts '1.5' as 15 in Vietnamese, which is exactly the silent change to avoid.

Values meant for scripts, stored answers and `data-` attributes use `plain()` (a point, no
grouping, never an exponent); people see `shown()` ('1.234,5').
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

__all__ = ["NumberRefused", "parse_number", "plain", "shown"]

SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2060\u200b]+")
SIGN = re.compile(r"^([+\-\u2212]?)(.*)$")
DIGITS = re.compile(r"^\d+$")
GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")  # 1.000, 12.345.678
GROUPED_SPACES = re.compile(r"^\d{1,3}( \d{3})+$")  # 1 000 000
MAX_DIGITS = 30


class NumberRefused(ValueError):
    """A number that cannot be read; the message (Vietnamese in a Vietnamese request) says how to write it."""


def parse_number(text: str, *, decimals_allowed: bool) -> Decimal:
    """The number a person typed: '1.000' → 1000, '1,5' → 1.5, '1.234,5' → 1234.5, '-2' → -2.

    Raises NumberRefused for anything else, with a message giving the right way to write it.
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
    number = _read(raw, body, decimals_allowed)
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise NumberRefused(_("This number is too long."))
    number = -number if sign in ("-", "\u2212") else number
    if not decimals_allowed:
        if number != number.to_integral_value():
            raise NumberRefused(_("Enter a whole number, without decimals (e.g. %(example)s).") % {"example": shown(number.to_integral_value())})
        number = number.quantize(Decimal(1))
    return number


def _read(raw: str, body: str, decimals_allowed: bool) -> Decimal:
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
    if comma and len(fraction) == 3 and whole != "0" and "." not in whole:
        raise NumberRefused(_("%(text)s can be read two ways. Write %(thousands)s for the whole number, or %(decimal)s if the comma marks decimals.")
                            % {"text": raw[:40], "thousands": f"{whole}.{fraction}", "decimal": f"{whole},{fraction.rstrip('0') or '0'}"})
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
    if len(fraction) == 3 and whole != "0" and "." not in whole:
        fraction += "0"  # 1,0010 rather than 1,001, which parse_number refuses as ambiguous
    return sign + whole + ("," + fraction if fraction else "")
