"""Vietnamese alphabetical order (as ICU's `vi` collation sorts), for lists of unit and person names.

Databases sort by code point: "Lũng Nặm" (ũ, U+0169) before "Lỗi" (ỗ, U+1ED7), "Đông Khê" after
"Xuân Trường". Vietnamese order is by letter first — a ă â b c d đ e ê g h i k l m n o ô ơ p q r s
t u ư v x y, with f j w z where the Latin alphabet has them — then, only between names equal letter
for letter, by tone (none, huyền, hỏi, ngã, sắc, nặng), then lower case before upper case. Written
by hand, with no ICU: PyICU builds from source against libicu and the check of this key against
ICU runs where PyICU is installed (tests/formats/test_collation.py).

A leaf module: nothing from Django, so the engine or a script may sort with it too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

__all__ = ["vietnamese_key", "vietnamese_sorted"]

T = TypeVar("T")

ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
LETTER = {letter: i for i, letter in enumerate(ALPHABET)}
# The marks that make a letter of its own (ă â ê ô ơ ư) and the five tones, as NFD writes them.
LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng

# Primary classes, as ICU orders them: spaces and punctuation, then digits, then letters.
_PUNCTUATION, _DIGIT, _LETTER, _OTHER = 0, 1, 2, 3


def _characters(text: str):
    """(base letter with its letter marks, tone, is upper case) for each character of `text`."""
    for char in text:
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        tone = next((TONES[m] for m in marks if m in TONES), 0)
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in LETTER_MARKS))
        yield letter, tone, letter != letter.lower()


def vietnamese_key(text: str | None) -> tuple:
    """A sort key: letters (primary), then tones (secondary), then case (tertiary)."""
    primary, tones, cases = [], [], []
    for letter, tone, upper in _characters(text or ""):
        lower = letter.lower()
        if lower in LETTER:
            primary.append((_LETTER, LETTER[lower]))
        elif lower.isdigit():
            primary.append((_DIGIT, unicodedata.digit(lower, 0)))
        elif lower.isspace() or unicodedata.category(lower).startswith(("P", "S", "Z")):
            primary.append((_PUNCTUATION, 0 if lower.isspace() else ord(lower)))
        else:
            primary.append((_OTHER, ord(lower)))
        tones.append(tone)
        cases.append(int(upper))
    return tuple(primary), tuple(tones), tuple(cases)


def vietnamese_sorted(items: Iterable[T], key: Callable[[T], str] = str, *, before: Callable[[T], object] | None = None) -> list[T]:
    """`items` in Vietnamese order of `key(item)`; `before(item)` sorts first when given (e.g. the
    block's order, so that units stay grouped by block)."""
    if before is None:
        return sorted(items, key=lambda item: vietnamese_key(key(item)))
    return sorted(items, key=lambda item: (before(item), vietnamese_key(key(item))))
