"""Session-bound references to drafts, so that a token appears in one request line only.

The invitation link carries the token once (`/s/<token>/`); that request swaps it for a random
reference valid only in this browser's session and redirects. Every later URL holds the
reference, never the token, and the session holds the draft's random key, never the token.
"""

from __future__ import annotations

import secrets

SESSION_KEY = "chiso_surveys"
MAX_REFS = 20


def ref_add(request, *, draft, channel: str) -> str:
    refs = dict(request.session.get(SESSION_KEY) or {})
    if len(refs) >= MAX_REFS:
        for old in list(refs)[: len(refs) - MAX_REFS + 1]:
            refs.pop(old)
    ref = secrets.token_urlsafe(12)
    refs[ref] = {"draft": draft.key, "survey": draft.survey_id, "channel": channel}
    request.session[SESSION_KEY] = refs
    return ref


def ref_get(request, ref: str) -> dict | None:
    return (request.session.get(SESSION_KEY) or {}).get(ref)


def ref_forget(request, ref: str) -> None:
    refs = dict(request.session.get(SESSION_KEY) or {})
    if refs.pop(ref, None) is not None:
        request.session[SESSION_KEY] = refs
