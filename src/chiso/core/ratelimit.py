"""Request limits per client address or per user, counted in the one cache every process shares.

Used by the API, the public feedback pages and the survey open links. Two rules make a limit
hold in production:

- The count lives in Django's default cache, which is CHISO_CACHE_URL (Redis in production):
  every web process, on every machine, adds to the same counter, so three workers do not
  allow three times the limit.
- The client's address is REMOTE_ADDR, unless the service runs behind CHISO_TRUSTED_PROXIES
  reverse proxies: then it is the address the outermost trusted proxy saw, counted from the
  right of X-Forwarded-For. Entries a client writes itself into X-Forwarded-For lie to the
  left of that and are never read, so a made-up header does not buy a fresh limit.

Only a keyed hash of the address is stored, for the window's length; nothing about it is kept
with what the visitor sends. IPv6 addresses are counted per /64 (one household's or office's
network), since a client can change the lower half at will.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"(\d+)/(\d*)(sec|min|hour|day|s|m|h|d)")


def parse_rate(rate: str) -> tuple[int, int]:
    """'120/m' → (120, 60): requests allowed and the window in seconds ('30/5m' is 30 per 5 minutes)."""
    match = _RATE.fullmatch(rate.strip())
    if match is None:
        raise ValueError(f"a rate is written like 120/m, 30/5m or 200/d, not {rate!r}")
    count, number, unit = match.groups()
    return int(count), int(number or 1) * PERIODS[unit]


def client_address(request) -> str:
    """The address limits are counted by (see the module's docstring)."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "CHISO_TRUSTED_PROXIES", 0) or 0)
    address = remote
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            # The last `proxies` entries were written by our proxies; the one they received from is
            # the client. A shorter header than the proxy count: take its leftmost entry.
            address = forwarded[-min(proxies, len(forwarded))]
    return _bucket(address) or _bucket(remote) or "unknown"


def _bucket(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return ""
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}|{scope}|{ident}".encode()).hexdigest()[:32]
    return f"chiso:limit:{scope}:{window}:{digest}"


def hit(scope: str, ident: str, limits: list[tuple[int, int]]) -> bool:
    """Count one request of `ident` under `scope`; True when it is over one of the limits
    [(requests allowed, window in seconds), …], and the request is then to be refused.

    A window starts with its first request. The cache's own add and incr keep the count (atomic
    on Redis). If the cache cannot be reached the request is let through and the failure logged:
    a broken cache server must not shut the public pages."""
    over = False
    for allowed, window in limits:
        key = _key(scope, ident, window)
        try:
            cache.add(key, 0, timeout=window)
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=window)
                count = 1
        except Exception:  # noqa: BLE001 — any cache failure: count nothing, refuse nothing
            log.warning("The cache for request limits cannot be reached; %s is not limited.", scope, exc_info=True)
            return False
        over = over or count > allowed
    return over


def address_hit(request, scope: str, limits: list[tuple[int, int]]) -> bool:
    """hit() for the client's address."""
    return hit(scope, client_address(request), limits)
