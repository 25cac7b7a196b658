"""The request a change happens in, so every audit record of one request carries one id."""

from __future__ import annotations

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("chiso_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Gives each request an id (or keeps the proxy's `X-Request-ID` when it is a plain token)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if given and len(given) <= 36 and given.replace("-", "").isalnum() else uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            return self.get_response(request)
        finally:
            _request_id.reset(token)
