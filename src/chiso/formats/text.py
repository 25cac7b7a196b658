"""Text compared as people mean it: without case or Vietnamese diacritics ('Đà Nẵng' → 'da nang').

A leaf module: nothing from Django, so the engine or a script may fold text with it too.
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]


def fold(text: object) -> str:
    """'  Mã Đơn vị ' → 'ma don vi': stripped, lower case, đ as d, no combining marks (tones,
    circumflexes, breves, horns). Spacing and punctuation are left to the caller."""
    text = unicodedata.normalize("NFD", ("" if text is None else str(text)).strip().lower()).replace("đ", "d")
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
