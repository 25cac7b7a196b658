"""Lengths of time in words: "1 phút 41 giây", never "1 min 41 s" on a Vietnamese page."""

from __future__ import annotations

from django.utils.translation import gettext as _

__all__ = ["duration_words"]


def duration_words(seconds: float | None) -> str:
    """Whole seconds in hours, minutes and seconds, the largest unit first and zero parts left out:
    "2 giờ 5 phút", "1 phút 41 giây", "45 giây" (English: "2 h 5 min", "1 min 41 s", "45 s")."""
    if seconds is None:
        return "—"
    total = int(round(seconds))
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(_("%(n)s h") % {"n": hours})
    if minutes:
        parts.append(_("%(n)s min") % {"n": minutes})
    if secs or not parts:
        parts.append(_("%(n)s s") % {"n": secs})
    return ("-" if total < 0 else "") + " ".join(parts)
