"""Exceptions raised by the engine: bad input (FrameworkError) and steps that cannot run (StepError).

Each message is a Message: its English text, with the stable code and the parameters it was built
from (the table of codes: messages.py), so an application translates it by code."""

from __future__ import annotations

import re
from typing import Any, Callable

from .messages import MESSAGES

_ROW = re.compile(r"^row (\d+)")
_REPR = re.compile(r"%\((\w+)\)r")
MAX_LISTED = 25


def render(template: str, params: dict[str, Any], text: Callable[[Any], str] = str) -> str:
    """The template filled with the parameters: a Message parameter as `text` gives it (the English,
    or the app's translation), a list or tuple joined with ", " (shown as a Python value where the
    template says %(name)r), anything else as the template formats it."""
    raw = set(_REPR.findall(template))
    values = {}
    for name, value in params.items():
        if isinstance(value, Message):
            value = text(value)
        elif isinstance(value, Joined):
            value = value.separator.join(text(v) if isinstance(v, Message) else str(v) for v in value.items)
        elif isinstance(value, (list, tuple)) and name not in raw:
            value = ", ".join(text(v) if isinstance(v, Message) else str(v) for v in value)
        values[name] = value
    return template % values


class Joined:
    """A list parameter shown joined with another separator than ", " (e.g. "; " between clauses)."""

    def __init__(self, items, separator: str):
        self.items = list(items)
        self.separator = separator

    def __str__(self) -> str:
        return self.separator.join(map(str, self.items))

    def __repr__(self) -> str:
        return f"Joined({self.items!r}, {self.separator!r})"



class Message(str):
    """An engine message: the English text (the string itself), its `code` and its `params`.

    Message("framework.unknown_parent", parent="X", code="a") == "unknown parent 'X' of 'a'".
    A parameter may itself be a Message (a row, a part of a sentence), translated with the whole."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, /, **params: Any) -> "Message":
        self = super().__new__(cls, render(MESSAGES[code], params))

        self.code = code
        self.params = params
        return self

    def __reduce__(self):  # str would pickle the text alone (replications run in other processes)
        return _message, (self.code, self.params)


def _message(code: str, params: dict[str, Any]) -> Message:
    return Message(code, **params)


def at(where: Message, code: str, /, **params: Any) -> Message:
    """'row 4: <message>': a message placed at a row (or a code) of the input."""
    return Message("at", where=where, problem=Message(code, **params))


def where_row(number: int) -> Message:
    return Message("where.row", row=number)


class EngineError(Exception):
    """Base class: every error the engine raises on purpose; the CLI prints its message.

    `code` and `params` say which message it is (the Message's, or None and {} for plain text)."""

    def __init__(self, message: str, *args: Any):
        super().__init__(message, *args)
        self.message = message
        self.code: str | None = getattr(message, "code", None)
        self.params: dict[str, Any] = getattr(message, "params", {})


class FrameworkError(EngineError):
    """Input that fails validation; carries every problem found, not just the first."""

    def __init__(self, problems, source: str | None = None):
        if isinstance(problems, str):
            problems = [problems]
        # Reported in file order: messages naming a row sorted by it, the others after.
        self.problems = sorted(problems, key=_row_key)
        self.source = source
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = Message("problems_found", count=len(self.problems))
            lines = "\n".join(f"  - {p}" for p in self.problems[:MAX_LISTED])
            more = len(self.problems) - MAX_LISTED
            if more > 0:
                lines += "\n  " + Message("and_more", more=more)
            message = f"{message}\n{lines}"
        if source:
            message = f"{source}: {message}"
        super().__init__(message)
        # The code of the one problem, or of the list; the app translates each of self.problems.
        first = self.problems[0] if len(self.problems) == 1 else Message("problems_found", count=len(self.problems))
        self.code = getattr(first, "code", None)
        self.params = getattr(first, "params", {})


class StepError(EngineError):
    """A step that cannot produce a meaningful result (e.g. a geometric mean of zeros)."""


def _row_key(message: str) -> tuple[int, int]:
    m = _ROW.search(message)
    return (0, int(m.group(1))) if m else (1, 0)
