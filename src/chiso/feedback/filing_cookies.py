"""Browser-bound references to feedback, in one signed cookie (as surveys/collection/draft_cookies.py keeps drafts').

The tracking code is typed into a form and swapped for a random reference; later URLs hold the
reference only. The browser keeps reference → feedback id in a signed cookie (HttpOnly, sent to
/gopy/ only), with the code just issued until the "sent" page has shown it once.

Why not the session: a session row in the database, with an expiry that is the filing time plus
the cookie's age to the microsecond, would date an anonymous filing to the second and outlive it.
The cookie leaves nothing on the server; its signature makes it unforgeable, and a reference is
useless in another browser.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing

COOKIE_NAME = "chiso_gopy"
COOKIE_PATH = "/gopy/"  # chiso.feedback.public_urls
SALT = "chiso.feedback.access"  # the module's former name, kept: a new salt would void every cookie in use
MAX_REFS = 10


def _state(request) -> dict:
    """{"refs": {ref: feedback id}, "new": {"code", "ref"} | absent}, read once per request."""
    if not hasattr(request, "_feedback_access"):
        state = {}
        raw = request.COOKIES.get(COOKIE_NAME)
        if raw:
            try:
                state = signing.loads(raw, salt=SALT, max_age=settings.SESSION_COOKIE_AGE)
            except signing.BadSignature:
                state = {}
        if not isinstance(state, dict) or not isinstance(state.get("refs", {}), dict):
            state = {}
        request._feedback_access = {"refs": dict(state.get("refs", {})), **({"new": state["new"]} if "new" in state else {})}
    return request._feedback_access


def _changed(request) -> None:
    request._feedback_access_changed = True


def ref_add(request, feedback_pk: int) -> str:
    refs = _state(request)["refs"]
    for old in list(refs)[: max(0, len(refs) - MAX_REFS + 1)]:
        refs.pop(old)
    ref = secrets.token_urlsafe(12)
    refs[ref] = feedback_pk
    _changed(request)
    return ref


def ref_get(request, ref: str) -> int | None:
    pk = _state(request)["refs"].get(ref)
    return pk if isinstance(pk, int) else None


def new_code_keep(request, *, code: str, ref: str) -> None:
    """The tracking code just issued, for the next page to show once."""
    _state(request)["new"] = {"code": code, "ref": ref}
    _changed(request)


def new_code_take(request) -> dict | None:
    """The code just issued, once: taking it removes it from the cookie."""
    new = _state(request).pop("new", None)
    if new is not None:
        _changed(request)
    return new if isinstance(new, dict) else None


def kept(request, response):
    """The response, carrying the browser's references if this request changed them."""
    if getattr(request, "_feedback_access_changed", False):
        state = _state(request)
        if state["refs"] or state.get("new"):
            response.set_cookie(
                COOKIE_NAME, signing.dumps(state, salt=SALT, compress=True), max_age=settings.SESSION_COOKIE_AGE,
                path=COOKIE_PATH, secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
            )
        else:
            response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, samesite="Lax")
    return response
