"""Sealed values: what the database must hold but its readers must not read.

A respondent's answers in progress (a draft, still tied to its invitation) and answers waiting
for their batch are written with every page a respondent saves; PostgreSQL's WAL, a physical
backup or a replica keeps each version for as long as they are kept. Sealed, they are
ciphertext there: Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package) under
a key derived (HKDF-SHA256) from the application's secret key, which the database never holds.
`SECRET_KEY_FALLBACKS` still open values sealed before a key rotation; every write uses the
current key. A leaf module: it imports no app.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

PREFIX = "sealed1:"  # the format, so a later one can be told apart


class SealBroken(ValueError):
    """A sealed value that no current or fallback key opens (or that was altered)."""


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"chiso sealed values 1").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


@lru_cache(maxsize=4)
def _keys(secret: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet(s) for s in (secret, *fallbacks)])


def _current() -> MultiFernet:
    return _keys(settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ()) or ()))


def seal(value) -> str:
    """Any JSON value → text that only the application can open."""
    data = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()
    return PREFIX + _current().encrypt(data).decode()


def unseal(text: str):
    if not text.startswith(PREFIX):
        raise SealBroken("not a sealed value")
    try:
        return json.loads(_current().decrypt(text[len(PREFIX):].encode()))
    except InvalidToken:
        raise SealBroken("no key opens this sealed value (was the secret key changed without SECRET_KEY_FALLBACKS?)") from None


class SealedJSONField(models.TextField):
    """A JSON value kept sealed in a text column. Only NULL can be filtered on."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else unseal(value)

    def to_python(self, value):
        if isinstance(value, str) and value.startswith(PREFIX):
            return unseal(value)
        return value

    def get_prep_value(self, value):
        return None if value is None else seal(value)

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))
