"""Rate limits on the public pages, per client address, in Django's cache.

Only a hash of the address is used as a key, and only for the window's length; nothing about
it is stored with a feedback. A deployment with several web processes should give Django a
shared cache (the local-memory default counts per process). Behind a reverse proxy, set
CHISO_FEEDBACK_PROXY_COUNT to the number of proxies that append to X-Forwarded-For.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

# action → list of (requests allowed, window in seconds)
DEFAULT_LIMITS = {
    "file": [(5, 3600), (20, 86400)],
    "track": [(20, 600)],
    "rate": [(20, 3600)],
}


def client_address(request) -> str:
    proxies = int(getattr(settings, "CHISO_FEEDBACK_PROXY_COUNT", 0))
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _key(action: str, address: str, window: int) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|{address}".encode()).hexdigest()[:32]
    return f"chiso:feedback:{action}:{window}:{digest}"


def rate_limit_hit(request, action: str) -> bool:
    """Count one request; True when the address is over a limit (the request is then refused)."""
    limits = getattr(settings, "CHISO_FEEDBACK_RATE_LIMITS", DEFAULT_LIMITS).get(action, [])
    address = client_address(request)
    over = False
    for allowed, window in limits:
        key = _key(action, address, window)
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
        over = over or count > allowed
    return over
