"""An invitation's link token and its typeable code, both made again from a salt and the secret key.

Only hashes are stored: the token's SHA-256 (`Invitation.token_hash`) and the code's HMAC under
the secret key (`Invitation.code_hash`: a code has 40 bits, few enough that a plain hash could be
reversed by trying them all; a keyed one cannot without the key). See docs/surveys.md,
"Người tham gia".
"""

from __future__ import annotations

import base64

from django.conf import settings
from django.utils.crypto import salted_hmac

LINK_KEY = "chiso.surveys.invitation-link"
CODE_KEY = "chiso.surveys.invitation-code"
CODE_HASH_KEY = "chiso.surveys.invitation-code-hash"

# Crockford's base 32: digits and letters without I, L, O and U, so nothing reads as another
# character; a typed I or L is read as 1 and O as 0.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8  # random characters: 32**8 = 2**40 codes; one check character follows
_TYPED = str.maketrans({"I": "1", "L": "1", "O": "0"})


def link_token(salt: str) -> str:
    """The invitation's token: 24 URL-safe characters from the salt and the secret key."""
    digest = salted_hmac(LINK_KEY, salt, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def _gf32_double(x: int) -> int:
    """x times 2 in GF(32) (polynomial x**5 + x**2 + 1)."""
    x <<= 1
    return x ^ 0b100101 if x & 32 else x


def _damm(chars: str) -> int:
    # Damm's check over the quasigroup x∘y = 2x + y of GF(32): totally anti-symmetric, so every
    # single mistyped character and every swap of two neighbours changes the result.
    interim = 0
    for char in chars:
        interim = _gf32_double(interim) ^ ALPHABET.index(char)
    return interim


def check_character(body: str) -> str:
    """The character that brings Damm's check of body + it to 0."""
    return ALPHABET[_gf32_double(_damm(body))]


def link_code(salt: str) -> str:
    """The code printed on a letter: 8 characters from the salt and the secret key, then the check."""
    number = int.from_bytes(salted_hmac(CODE_KEY, salt, algorithm="sha256").digest()[:5], "big")
    body = "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(CODE_LENGTH)))
    return body + check_character(body)


def code_shown(code: str) -> str:
    """ABC-DEF-GHK: three groups of three, as printed and as typed."""
    return "-".join(code[i:i + 3] for i in range(0, len(code), 3))


def code_normalise(typed: str) -> str | None:
    """The code as stored from what a respondent typed (any case, spaces, dashes, I/L for 1,
    O for 0), or None when it is not a code or its check character is wrong."""
    code = "".join(typed.split()).replace("-", "").upper().translate(_TYPED)
    if len(code) != CODE_LENGTH + 1 or any(c not in ALPHABET for c in code):
        return None
    if _damm(code) != 0:
        return None
    return code


def code_hashes(code: str) -> list[str]:
    """The code's hash under the secret key and each fallback key (the first is the one stored)."""
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [salted_hmac(CODE_HASH_KEY, code, secret=key, algorithm="sha256").hexdigest() for key in keys]
