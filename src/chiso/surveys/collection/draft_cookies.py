"""Browser-bound references to drafts, so that a token appears in one request line only.

The invitation link carries the token once (`/s/<token>/`); that request swaps it for a random
reference and redirects. Every later URL holds the reference, never the token. The browser
keeps its references in one signed cookie (HttpOnly, sent to /s/ only): reference → the
draft's random key, never the token.

Why a cookie and not the session: no server-side row links a browser to a draft, and a
respondent's page needs no session lookup — these are the busiest pages at survey time.
A reference is useless in another browser, and the signature makes the cookie unforgeable.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing

COOKIE_NAME = "chiso_refs"
COOKIE_PATH = "/s/"  # chiso.surveys.public_urls
SALT = "chiso.surveys.access"  # the module's former name, kept: a new salt would void every cookie in use
MAX_REFS = 20  # a clerk may keep as many paper forms open; the cookie stays under 2 KB


def encode(refs: dict) -> str:
    """The cookie's value for these references."""
    return signing.dumps(refs, salt=SALT, compress=True)


def decode(value: str) -> dict:
    """The references in a cookie's value; none if it was tampered with or is older than a working day."""
    try:
        refs = signing.loads(value, salt=SALT, max_age=settings.SESSION_COOKIE_AGE)
    except signing.BadSignature:
        return {}
    return refs if isinstance(refs, dict) else {}


def _refs(request) -> dict:
    """This browser's references, read once per request."""
    if not hasattr(request, "_survey_refs"):
        raw = request.COOKIES.get(COOKIE_NAME)
        request._survey_refs = decode(raw) if raw else {}
    return request._survey_refs


def refs(request) -> dict:
    """reference → {"draft", "survey", "channel"}, oldest first."""
    return dict(_refs(request))


def ref_add(request, *, draft, channel: str) -> str:
    current = _refs(request)
    for old in list(current)[: max(0, len(current) - MAX_REFS + 1)]:
        current.pop(old)
    ref = secrets.token_urlsafe(12)
    current[ref] = {"draft": draft.key, "survey": draft.survey_id, "channel": channel}
    request._survey_refs_changed = True
    return ref


def ref_get(request, ref: str) -> dict | None:
    entry = _refs(request).get(ref)
    return entry if isinstance(entry, dict) else None


def ref_forget(request, ref: str) -> None:
    if _refs(request).pop(ref, None) is not None:
        request._survey_refs_changed = True


def kept(request, response):
    """The response, carrying the browser's references if this request changed them."""
    if getattr(request, "_survey_refs_changed", False):
        response.set_cookie(
            COOKIE_NAME, encode(_refs(request)), max_age=settings.SESSION_COOKIE_AGE, path=COOKIE_PATH,
            secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
        )
    return response
