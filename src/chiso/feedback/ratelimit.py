"""Rate limits on the public feedback pages, per client address (chiso.core.ratelimit).

Counted in the cache every process shares (CHISO_CACHE_URL), by a keyed hash of the address
read behind CHISO_TRUSTED_PROXIES only, and only for the window's length; nothing about the
address is stored with a feedback.
"""

from __future__ import annotations

from django.conf import settings

from chiso.core.ratelimit import address_hit

# action → list of (requests allowed, window in seconds)
DEFAULT_LIMITS = {
    "file": [(5, 3600), (20, 86400)],
    "track": [(20, 600)],
    "rate": [(20, 3600)],
}


def rate_limit_hit(request, action: str) -> bool:
    """Count one request; True when the address is over a limit (the request is then refused)."""
    limits = getattr(settings, "CHISO_FEEDBACK_RATE_LIMITS", DEFAULT_LIMITS).get(action, [])
    return address_hit(request, f"feedback-{action}", limits)
