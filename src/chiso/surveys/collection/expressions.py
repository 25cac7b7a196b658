"""XLSForm expressions (relevant, constraint, calculation, …) evaluated by elementpath with ODK's functions.

An expression is first written the way pyxform writes it into an XForm: every `${name}` becomes
a path to that question's node, relative to the node the expression belongs to (so inside a
repeat `${q}` means "q in this same entry"). The result is parsed once by an XPath 1.0 parser
that knows ODK's extra functions, cached, and evaluated over an ElementTree instance of the
answers (see `evaluation.py`).
"""

from __future__ import annotations

import contextvars
import datetime
import math
import operator
import random
import re
import uuid
from copy import copy
from functools import lru_cache

from django.utils import timezone
from elementpath import XPath1Parser, XPathContext
from elementpath.exceptions import ElementPathError
from elementpath.xpath_nodes import XPathNode

REFERENCE = re.compile(r"\$\{([^}]*)\}")
STRING_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")
VOLATILE = re.compile(r"\b(now|today|uuid|random)\s*\(")
ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
EPOCH = datetime.date(1970, 1, 1)

# What the running evaluation needs beyond the instance: jr:choice-name looks choices up.
current_choices: contextvars.ContextVar = contextvars.ContextVar("current_choices", default=None)


class ExpressionError(Exception):
    """An expression that cannot be parsed: the message says what and where."""


def to_number(value) -> float:
    """XPath 1.0's number(), plus ODK's rule that a date compares as days since 1970-01-01."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, XPathNode):
        value = value.string_value
    text = str(value).strip()
    if not text:
        return math.nan
    try:
        return float(text)
    except ValueError:
        pass
    match = ISO_DATE.match(text)
    if match:
        try:
            return float((datetime.date(*map(int, match.groups())) - EPOCH).days)
        except ValueError:
            return math.nan
    return math.nan


def _atoms(token, context) -> list:
    result = token.evaluate(copy(context) if context is not None else None)
    if isinstance(result, list):
        return [x.string_value if isinstance(x, XPathNode) else x for x in result]
    if isinstance(result, XPathNode):
        return [result.string_value]
    return [result]


def _string(token, value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, XPathNode):
        return value.string_value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return token.string_value(value)
    return "" if value is None else str(value)


class ODKParser(XPath1Parser):
    """XPath 1.0 with ODK XForms' functions and comparison rules."""

    symbol_table = {**XPath1Parser.symbol_table}
    DEFAULT_NAMESPACES = {**XPath1Parser.DEFAULT_NAMESPACES, "jr": "http://openrosa.org/javarosa"}


_OPERATORS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}


def _evaluate_comparison(self, context=None):
    # XPath 1.0 (§3.4): a number on either side makes it a numeric comparison, otherwise
    # strings are compared; < and > always compare numbers. Empty answers are NaN, so
    # `${age} > 18` is simply false while age is unanswered, as in ODK Collect.
    compare = _OPERATORS[self.symbol]
    left, right = _atoms(self[0], context), _atoms(self[1], context)
    if (len(left) == 1 and isinstance(left[0], bool)) or (len(right) == 1 and isinstance(right[0], bool)):
        return compare(self.boolean_value(left), self.boolean_value(right))
    numeric = self.symbol not in ("=", "!=")
    for a in left:
        for b in right:
            if numeric or isinstance(a, (int, float)) or isinstance(b, (int, float)):
                if compare(to_number(a), to_number(b)):
                    return True
            elif compare(str(a), str(b)):
                return True
    return False


for _symbol in _OPERATORS:
    _base = XPath1Parser.symbol_table[_symbol]
    ODKParser.unregister(_symbol)
    ODKParser.register(_symbol, bases=(_base,), evaluate=_evaluate_comparison)

function = ODKParser.function
method = ODKParser.method


def _context(self, context):
    return self.context if self.context is not None else context


def _arg(self, context, index=0) -> str:
    return _string(self, self[index].evaluate(copy(_context(self, context)) if _context(self, context) else None))


def _num(self, context, index=0) -> float:
    return to_number(_string(self, self[index].evaluate(copy(_context(self, context)) if _context(self, context) else None)))


ODKParser.unregister("position")


@method(function("position", nargs=(0, 1)))
def evaluate_position(self, context=None):
    context = _context(self, context)
    if context is None:
        raise self.missing_context()
    if not self:
        return context.position
    nodes = [n for n in self[0].select(copy(context))]
    if not nodes or nodes[0].parent is None:
        return 0
    element = nodes[0].value
    siblings = [child for child in nodes[0].parent.value if child.tag == element.tag]
    return siblings.index(element) + 1


@method(function("selected", nargs=2))
def evaluate_selected(self, context=None):
    return _arg(self, context, 1).strip() in _arg(self, context, 0).split()


@method(function("count-selected", nargs=1))
def evaluate_count_selected(self, context=None):
    return len(_arg(self, context, 0).split())


@method(function("selected-at", nargs=2))
def evaluate_selected_at(self, context=None):
    values = _arg(self, context, 0).split()
    index = _num(self, context, 1)
    if math.isnan(index) or not 0 <= int(index) < len(values):
        return ""
    return values[int(index)]


@method(function("if", nargs=3))
def evaluate_if(self, context=None):
    context = _context(self, context)
    condition = self.boolean_value(self[0].evaluate(copy(context) if context else None))
    chosen = self[1] if condition else self[2]
    return chosen.evaluate(copy(context) if context else None)


@method(function("coalesce", nargs=2))
def evaluate_coalesce(self, context=None):
    first = _arg(self, context, 0)
    return first if first != "" else _arg(self, context, 1)


@method(function("once", nargs=1))
def evaluate_once(self, context=None):
    return _arg(self, context, 0)


@method(function("choice-name", prefix="jr", nargs=2))
def evaluate_choice_name(self, context=None):
    lookup = current_choices.get()
    value, question = _arg(self, context, 0), _arg(self, context, 1)
    if lookup is None:
        return value
    return lookup(question, value)


@method(function("today", nargs=0))
def evaluate_today(self, context=None):
    return timezone.localdate().isoformat()


@method(function("now", nargs=0))
def evaluate_now(self, context=None):
    return timezone.localtime().isoformat(timespec="seconds")


@method(function("date", nargs=1))
def evaluate_date(self, context=None):
    text = _arg(self, context, 0)
    if ISO_DATE.match(text):
        return text[:10]
    number = to_number(text)
    if math.isnan(number):
        return ""
    return (EPOCH + datetime.timedelta(days=int(number))).isoformat()


@method(function("int", nargs=1))
def evaluate_int(self, context=None):
    number = _num(self, context)
    return math.nan if math.isnan(number) or math.isinf(number) else float(math.trunc(number))


ODKParser.unregister("round")


@method(function("round", nargs=(1, 2)))
def evaluate_round(self, context=None):
    number = _num(self, context)
    digits = int(_num(self, context, 1)) if len(self) > 1 else 0
    if math.isnan(number) or math.isinf(number):
        return number
    factor = 10**digits
    return math.floor(number * factor + 0.5) / factor  # half up, as ODK rounds


@method(function("abs", nargs=1))
def evaluate_abs(self, context=None):
    return abs(_num(self, context))


@method(function("pow", nargs=2))
def evaluate_pow(self, context=None):
    try:
        return float(math.pow(_num(self, context), _num(self, context, 1)))
    except (OverflowError, ValueError):
        return math.nan


def _numbers(self, context) -> list[float]:
    context = _context(self, context)
    values = []
    for child in self:
        values.extend(to_number(x) for x in _atoms(child, context))
    return values


@method(function("min", nargs=(1, None)))
def evaluate_min(self, context=None):
    values = _numbers(self, context)
    return math.nan if not values or any(math.isnan(v) for v in values) else min(values)


@method(function("max", nargs=(1, None)))
def evaluate_max(self, context=None):
    values = _numbers(self, context)
    return math.nan if not values or any(math.isnan(v) for v in values) else max(values)


@method(function("substr", nargs=(2, 3)))
def evaluate_substr(self, context=None):
    text = _arg(self, context, 0)
    start = int(_num(self, context, 1))
    end = int(_num(self, context, 2)) if len(self) > 2 else len(text)
    return text[start:end]


@method(function("ends-with", nargs=2))
def evaluate_ends_with(self, context=None):
    return _arg(self, context, 0).endswith(_arg(self, context, 1))


@method(function("regex", nargs=2))
def evaluate_regex(self, context=None):
    try:
        return re.search(_arg(self, context, 1), _arg(self, context, 0)) is not None
    except re.error:
        return False


@method(function("boolean-from-string", nargs=1))
def evaluate_boolean_from_string(self, context=None):
    return _arg(self, context, 0).strip().lower() in ("true", "1")


@method(function("join", nargs=(2, None)))
def evaluate_join(self, context=None):
    context = _context(self, context)
    parts = []
    for child in list(self)[1:]:
        parts.extend(_string(self, x) for x in _atoms(child, context))
    return _arg(self, context, 0).join(parts)


@method(function("uuid", nargs=(0, 1)))
def evaluate_uuid(self, context=None):
    return str(uuid.uuid4())


@method(function("random", nargs=0))
def evaluate_random(self, context=None):
    return random.random()


@method(function("indexed-repeat", nargs=(3, None)))
def evaluate_indexed_repeat(self, context=None):
    # indexed-repeat(${q}, ${rep}, i): the value of q in entry i (1-based) of the repeat.
    context = _context(self, context)
    targets = [n for n in self[0].select(copy(context))] if context is not None else []
    index = int(_num(self, context, 2)) if len(self) > 2 else 1
    if 1 <= index <= len(targets):
        return targets[index - 1].string_value
    return ""


# --- compiling -------------------------------------------------------------------------

_parser = ODKParser()


@lru_cache(maxsize=20_000)
def parse(xpath: str):
    """Parse an XPath expression (already free of ${…}); raise ExpressionError if it is broken."""
    try:
        return _parser.parse(xpath)
    except ElementPathError as error:
        raise ExpressionError(_clean_error(str(error))) from None
    except (SyntaxError, ValueError, TypeError, KeyError) as error:
        raise ExpressionError(str(error)) from None


def _clean_error(message: str) -> str:
    # "'(end)' end at line 1, column 8: [err:XPST0003] unexpected end of source" → readable.
    message = re.sub(r"\[err:\w+\]\s*", "", message)
    return message.strip()


def to_xpath(expression: str, resolve, absolute=None) -> str:
    """Replace each ${name} by `resolve(name, quoted)`; inside a string literal it stands for the name.

    Inside indexed-repeat(…) a reference names the question everywhere in the form, not in this
    entry, so it becomes `absolute(name)` (pyxform writes absolute paths there too)."""
    pieces, position = [], 0
    literals = [(m.start(), m.end()) for m in STRING_LITERAL.finditer(expression)]

    def inside_literal(index: int) -> bool:
        return any(start < index < end for start, end in literals)

    calls = _call_spans(expression, "indexed-repeat", inside_literal) if absolute else []
    for match in REFERENCE.finditer(expression):
        pieces.append(expression[position : match.start()])
        name, quoted = match.group(1).strip(), inside_literal(match.start())
        if not quoted and any(start < match.start() < end for start, end in calls):
            pieces.append(absolute(name))
        else:
            pieces.append(resolve(name, quoted))
        position = match.end()
    pieces.append(expression[position:])
    return "".join(pieces)


def _call_spans(expression: str, function: str, inside_literal) -> list[tuple[int, int]]:
    """(start, end) of each call of `function` in the expression, its parentheses balanced."""
    spans = []
    for match in re.finditer(rf"(?<![\w-]){re.escape(function)}\s*\(", expression):
        if inside_literal(match.start()):
            continue
        depth, index = 1, match.end()
        while index < len(expression) and depth:
            if not inside_literal(index):
                depth += {"(": 1, ")": -1}.get(expression[index], 0)
            index += 1
        spans.append((match.start(), index))
    return spans


def references(expression: str) -> list[str]:
    return [m.group(1).strip() for m in REFERENCE.finditer(expression or "")]


# An XPath location path to a node: ../x, ../../g/x, ./x, /data/g/x (not a function name or a number).
XPATH_PATH = re.compile(r"(?<![\w.\-/$}])((?:\.\./)+[\w.\-]+(?:/[\w.\-]+)*|\./[\w.\-]+(?:/[\w.\-]+)*|/[A-Za-z_][\w.\-]*(?:/[\w.\-]+)+)")


def xpath_paths(expression: str) -> list[str]:
    """The location paths an expression writes directly, outside its string literals."""
    text = STRING_LITERAL.sub("''", REFERENCE.sub("x", expression or ""))
    return XPATH_PATH.findall(text)


def is_volatile(expression: str) -> bool:
    return bool(VOLATILE.search(expression or ""))


# --- evaluating ------------------------------------------------------------------------

def evaluate(token, context: XPathContext, item=None, variables=None):
    """Evaluate a parsed expression with `item` (an elementpath node) as the context node."""
    ctx = copy(context)
    if item is not None:
        ctx.item = item
    if variables:
        ctx.variables = {**ctx.variables, **variables}
    return token.evaluate(ctx)


def as_boolean(token, value) -> bool:
    return bool(token.boolean_value(value))


def as_string(token, value) -> str:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return _string(token, value)
