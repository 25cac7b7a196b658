"""Exceptions raised by the engine: bad input (FrameworkError) and steps that cannot run (StepError)."""

from __future__ import annotations

import re

_ROW = re.compile(r"^row (\d+)")
MAX_LISTED = 25


class EngineError(Exception):
    """Base class: every error the engine raises on purpose; the CLI prints its message."""


class FrameworkError(EngineError):
    """Input that fails validation; carries every problem found, not just the first."""

    def __init__(self, problems, source: str | None = None):
        if isinstance(problems, str):
            problems = [problems]
        # Reported in file order: messages naming a row sorted by it, the others after.
        self.problems = sorted(problems, key=_row_key)
        self.source = source
        head = f"{source}: " if source else ""
        if len(self.problems) == 1:
            message = head + self.problems[0]
        else:
            lines = "\n".join(f"  - {p}" for p in self.problems[:MAX_LISTED])
            more = len(self.problems) - MAX_LISTED
            if more > 0:
                lines += f"\n  ... and {more} more"
            message = f"{head}{len(self.problems)} problems found:\n{lines}"
        super().__init__(message)


class StepError(EngineError):
    """A step that cannot produce a meaningful result (e.g. a geometric mean of zeros)."""


def _row_key(message: str) -> tuple[int, int]:
    m = _ROW.search(message)
    return (0, int(m.group(1))) if m else (1, 0)
