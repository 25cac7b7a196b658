"""What each stable event code is called on pages. Every app registers its codes with their labels
(in its `apps.py`), so no page shows a raw code such as `survey.created`."""

from __future__ import annotations

_LABELS: dict[str, str] = {}


def register(labels: dict[str, str]) -> None:
    """`labels`: code → lazily translated label. A code keeps one label for ever."""
    for code, label in labels.items():
        if code in _LABELS and str(_LABELS[code]) != str(label):
            raise ValueError(f"audit event {code!r} registered twice with different labels")
        _LABELS[code] = label


def event_label(code: str) -> str:
    label = _LABELS.get(code)
    return str(label) if label is not None else code


def registered_codes() -> frozenset[str]:
    return frozenset(_LABELS)
