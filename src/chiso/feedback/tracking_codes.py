"""Tracking codes (mã tra cứu): the code a filer keeps to follow their feedback, and the hash that is
all the database stores of it."""

from __future__ import annotations

import hashlib
import secrets

# Crockford's base-32 without look-alikes: a code read over the phone or typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 12  # ≈ 59 bits


def tracking_code_new() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def tracking_code_normalise(code: str) -> str:
    raw = "".join(ch for ch in code.upper() if ch.isalnum()).replace("O", "0").replace("I", "1").replace("L", "1")
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == CODE_LENGTH else raw


def tracking_hash(code: str) -> str:
    return hashlib.sha256(f"chiso-feedback:{tracking_code_normalise(code)}".encode()).hexdigest()
