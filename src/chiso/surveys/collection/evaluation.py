"""The server's reading of a set of answers: what is relevant, computed, valid — and the clean record.

Answers are a nested dict: a question's answer under its name, a repeat as a list of entries,
each entry a dict of the same kind (`{"so_nganh": "S-TC S-TP", "danh_gia": [{…}, {…}]}`).
Groups do not nest the dict: names are unique in a questionnaire. Values are the strings a
form sends (a select_multiple is space-separated, as in XForms).

An *address* names one answer in one entry: `loai_hinh`, `danh_gia[2]/diem`.

`Evaluation` builds an XForms-like ElementTree instance of the answers and evaluates every
`relevant`, `calculation`, `repeat_count`, `choice_filter`, `required` and `constraint` with
elementpath (see expressions.py), the way ODK Collect and Enketo do on the device. The web
form, paper entry and data import all go through it, and submit re-runs it in full: the
server is the authority.
"""

from __future__ import annotations

import datetime
import math
import re
import xml.etree.ElementTree as ET
from copy import deepcopy
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from elementpath import XPathContext
from elementpath.exceptions import ElementPathError

from chiso.formats.numbers import NumberRefused, parse_number, plain, shown

from chiso.surveys.collection import expressions
from chiso.surveys.collection.formdef import Choice, Element, FormDef
from chiso.surveys.collection.media import geopoint_problem

INTEGER = re.compile(r"^[+-]?\d+$")
MAX_TEXT = 5000
# Marks a typed number that parse_number refused ('1.5' in a decimal field): kept as typed for the
# page to show again, never read as a number (an invisible word joiner, which parse_number drops).
REFUSED_NUMBER = "\u2060"
MAX_REPEAT = 200
MAX_ENTRIES = 50  # entries a respondent may add to one repeat on the web form
# What a time or dateTime answer may look like on the way in: the HTML inputs send hh:mm or
# hh:mm:ss and yyyy-mm-ddThh:mm; ODK and Excel write seconds, fractions and an offset.
TIME_IN = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
DATETIME_IN = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2})?)(?:[.,]\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?$")
DATETIME_VN = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})[ T]+(\d{1,2}:\d{2}(?::\d{2})?)$")
# What is stored (xsd:time and xsd:dateTime without an offset, as ODK reads them).
TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")


def relative_path(context: tuple[str, ...], target: tuple[str, ...]) -> str:
    common = 0
    while common < min(len(context), len(target)) and context[common] == target[common]:
        common += 1
    steps = [".."] * (len(context) - common) + list(target[common:])
    return "/".join(steps) or "."


def _compile_for(form: FormDef, expression: str, context_path: tuple[str, ...]):
    def resolve(name: str, quoted: bool) -> str:
        if quoted:
            return name
        target = form.elements.get(name)
        if target is None:
            raise expressions.ExpressionError(_("There is no question named %(name)s.") % {"name": name})
        return relative_path(context_path, target.path)

    def absolute(name: str) -> str:
        target = form.elements.get(name)
        if target is None:
            raise expressions.ExpressionError(_("There is no question named %(name)s.") % {"name": name})
        return "/" + "/".join(target.path)

    return expressions.parse(expressions.to_xpath(expression, resolve, absolute))


def compiled(form: FormDef, element: Element, attribute: str):
    """The parsed expression of `element`'s attribute, cached on the form."""
    cache = form.__dict__.setdefault("_compiled", {})
    key = (element.key, attribute)
    if key not in cache:
        if attribute == "repeat_count":
            cache[key] = _compile_for(form, element.repeat_count, element.parent.path)
        elif attribute == "relevant_outside":
            cache[key] = _compile_for(form, element.relevant, element.parent.path)
        elif attribute == "required":
            cache[key] = _compile_for(form, _required_expression(element.required), element.path)
        elif attribute.startswith("ref:"):
            cache[key] = _compile_for(form, "${%s}" % attribute[4:], element.path)
        else:
            cache[key] = _compile_for(form, getattr(element, attribute), element.path)
    return cache[key]


def _required_expression(required: str) -> str:
    return "true()" if required.lower() in ("yes", "true", "true()") else required


def choice_filter_compiled(form: FormDef, element: Element):
    """The choice filter with each ${ref} as an XPath variable, and the refs to evaluate."""
    cache = form.__dict__.setdefault("_filters", {})
    if element.key not in cache:
        names: list[str] = []

        def resolve(name: str, quoted: bool) -> str:
            if quoted:
                return name
            if name not in names:
                names.append(name)
            return f"$v{names.index(name)}"

        token = expressions.parse(expressions.to_xpath(element.choice_filter, resolve))
        cache[element.key] = (token, [compiled(form, element, f"ref:{name}") for name in names])
    return cache[element.key]


def _choice_contexts(form: FormDef, list_name: str, choices: list[Choice]):
    cache = form.__dict__.setdefault("_choice_contexts", {})
    if list_name not in cache:
        contexts = []
        for choice in choices:
            item = ET.Element("item")
            ET.SubElement(item, "name").text = choice.name
            for key, value in choice.extra.items():
                if isinstance(value, (str, int, float)) and re.match(r"^[A-Za-z_][\w.\-]*$", key):
                    ET.SubElement(item, key).text = str(value)
            contexts.append(XPathContext(item))
        cache[list_name] = contexts
    return cache[list_name]


def adds_entries(element: Element) -> bool:
    """A repeat whose entries the respondent adds and removes: no repeat_count, no jr:noAddRemove."""
    no_add_remove = str(element.control.get("jr:noAddRemove", "") or "").strip().lower()
    return element.is_repeat and not element.repeat_count and no_add_remove not in ("true()", "true", "yes", "1")


def first_entries(form: FormDef, answers: dict) -> bool:
    """Give each repeat without repeat_count that was never started one empty entry, as Enketo
    does, and each question never answered its `default` (in place; True if anything changed).
    An empty list stays empty: the respondent removed the entries; an answer cleared stays
    cleared (its key is there). Only drafts go through this (the respondent's pages, the review
    and the submission of a draft): stored and imported answers are read as they are."""

    def visit(element: Element, scope: dict) -> bool:
        changed = False
        for child in element.children:
            if child.default and child.is_displayed and child.type != "note" and child.key not in scope:
                scope[child.key] = normalise_input(child, child.default)
                changed = True
            if child.is_repeat:
                entries = scope.get(child.key)
                if entries is None and not child.repeat_count:
                    entries = scope[child.key] = [{}]
                    changed = True
                for entry in entries if isinstance(entries, list) else []:
                    if isinstance(entry, dict):
                        changed = visit(child, entry) or changed
            elif child.is_group:
                changed = visit(child, scope) or changed
        return changed

    return visit(form.root, answers)


def _time_text(text: str) -> str:
    """hh:mm, hh:mm:ss or ODK's 14:30:00.000+07:00 → 14:30:00; anything else as it was (the check refuses it)."""
    match = TIME_IN.match(text)
    if not match:
        return text
    hours, minutes, seconds = match.group(1), match.group(2), match.group(3) or "00"
    try:
        # the offset is dropped: the time as the respondent's clock showed it
        return datetime.time.fromisoformat(f"{int(hours):02d}:{minutes}:{seconds}").isoformat()
    except ValueError:
        return text


def _datetime_text(text: str) -> str:
    """yyyy-mm-ddThh:mm (the datetime-local input), ISO with seconds, ODK's with an offset, or
    13/03/2025 14:30 → 2025-03-13T14:30:00 in Vietnam's time; anything else as it was."""
    vietnamese = DATETIME_VN.match(text)
    if vietnamese:
        day, month, year, clock = vietnamese.groups()
        text = f"{year}-{int(month):02d}-{int(day):02d}T{clock}"
    match = DATETIME_IN.match(text)
    if not match:
        return text
    day, clock, offset = match.groups()
    clock = f"{int(clock.split(':')[0]):02d}:{clock.split(':', 1)[1]}"
    offset = {None: "", "Z": "+00:00"}.get(offset, offset)
    if offset and ":" not in offset and len(offset) == 5:
        offset = offset[:3] + ":" + offset[3:]
    try:
        moment = datetime.datetime.fromisoformat(f"{day}T{clock}{offset}")
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = timezone.localtime(moment).replace(tzinfo=None)
    return moment.isoformat(timespec="seconds")


def typed_number(element: Element, text: str) -> str:
    """A number a person typed on the web form or in paper entry, read the Vietnamese way
    (chiso.formats.numbers: 1.000 is a thousand, 1,5 one and a half) and stored plain (1000, 1.5).
    One that could mean two things is kept as typed and marked, so that it is never read as a
    number: the page shows it again with a message saying how to write it."""
    text = text.replace(REFUSED_NUMBER, "").strip()
    if not text:
        return ""
    if element.type == "range" and text in {value for value, _label in range_values(element)}:
        return text  # a button's value, written for scripts
    try:
        return plain(parse_number(text, decimals_allowed=element.type != "integer"))
    except NumberRefused:
        # words ("mười") get the plain "enter a number"; digits written another way, how to write them
        return text + REFUSED_NUMBER if any(c.isdigit() for c in text) else text


def range_values(element: Element, limit: int = 11) -> list[tuple[str, str]]:
    """A short range (1–5, 1–10) is offered as buttons; a long one as a number field."""
    params = element.parameters or {}
    try:
        start, end, step = (Decimal(str(params.get(k, d))) for k, d in (("start", 1), ("end", 10), ("step", 1)))
    except InvalidOperation:
        return []
    if step <= 0 or (end - start) / step + 1 > limit or end < start:
        return []
    values, value = [], start
    while value <= end:
        values.append((plain(value), shown(value)))  # the value for scripts, the label for people
        value += step
    return values


def normalise_input(element: Element, value, *, typed: bool = False) -> str:
    """What a person typed, tidied the way a form would: trimmed, 13/03/2025 → ISO, a time as
    hh:mm:ss and a dateTime as yyyy-mm-ddThh:mm:ss. `typed`: from a person's keyboard (the web
    form, paper entry), so a number is read the Vietnamese way (typed_number); otherwise from a
    machine (a stored draft, an import), where 2.5 is two and a half."""
    if isinstance(value, (list, tuple)):
        value = " ".join(str(v).strip() for v in value if str(v).strip())
    elif isinstance(value, bool):
        value = "true" if value else ""
    elif isinstance(value, datetime.datetime):
        if element.type == "date":
            value = value.date().isoformat()
        elif element.type == "time":
            value = value.time().isoformat(timespec="seconds")  # Excel keeps a time as a date-time on 1899-12-30
        else:
            value = value.isoformat(timespec="seconds")
    elif isinstance(value, datetime.date):
        value = value.isoformat()
    elif isinstance(value, datetime.time):
        value = value.isoformat(timespec="seconds")
    elif isinstance(value, float):
        value = str(int(value)) if value.is_integer() and element.type in ("integer", "range") else repr(value)
    text = "" if value is None else str(value).strip()
    if element.type in ("decimal", "range", "integer") and text and (typed or REFUSED_NUMBER in text):
        return typed_number(element, text)
    if element.type in ("decimal", "range", "integer") and text:
        text = text.replace(" ", "").replace("\u00a0", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        if element.type == "integer" and re.match(r"^[+-]?\d+\.0+$", text):
            text = text.split(".")[0]
    if element.type == "date" and text:
        match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)
        if match:
            day, month, year = match.groups()
            text = f"{year}-{int(month):02d}-{int(day):02d}"
        elif re.match(r"^\d{4}-\d{2}-\d{2}[T ]", text):
            text = text[:10]
    if element.type == "time" and text:
        text = _time_text(text)
    if element.type == "datetime" and text:
        text = _datetime_text(text)
    if element.type == "select_multiple":
        seen: list[str] = []
        for part in text.replace(",", " ").split():
            if part not in seen:
                seen.append(part)
        text = " ".join(seen)
    return text


class Evaluation:
    """The state of one set of answers under one questionnaire version."""

    def __init__(
        self, form: FormDef, answers: dict | None, *, external: dict[str, list[Choice]] | None = None, language: str | None = None,
        compute: bool = True,
    ):
        self.form = form
        self.external = external or {}
        self.language = language
        self.answers = deepcopy(answers or {})
        self.values: dict[str, str] = {}
        self.relevant: dict[str, bool] = {}
        self.nodes: dict[str, tuple[Element, ET.Element]] = {}
        self.entries: dict[str, int] = {}  # repeat address → number of entries
        self.eval_errors: dict[str, str] = {}
        if not compute:
            # The instance only, as stored: enough to evaluate an analyst's rule on a submitted response.
            self._build()
            return
        for _attempt in range(6):
            self._build()
            # A second pass settles calculations that refer forward; when the first changed
            # nothing (a checked draft on submission), every expression already saw the end state.
            if self._compute():
                self._compute()
            if not self._adjust_repeats():
                break

    # --- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.nodes.clear()
        self.entries.clear()
        self.root = ET.Element(self.form.root.name)
        self._build_children(self.form.root, self.root, self.answers, "")
        self.context = XPathContext(self.root)
        by_element = self.context.root.elements  # elementpath's own map: ElementTree element → XPath node
        self._xpath_nodes = {address: by_element[et] for address, (_e, et) in self.nodes.items()}
        self._xpath_nodes[""] = by_element[self.root]

    def _build_children(self, element: Element, et_parent: ET.Element, scope: dict, prefix: str) -> None:
        for child in element.children:
            if child.is_repeat:
                entries = scope.get(child.key)
                if entries is None:
                    entries = []  # never started: left out, so the web form can give it a first entry
                elif not isinstance(entries, list):
                    entries = scope[child.key] = []
                entries[:] = [e if isinstance(e, dict) else {} for e in entries[:MAX_REPEAT]]
                address = prefix + child.key
                self.entries[address] = len(entries)
                for index, entry in enumerate(entries, start=1):
                    et = ET.SubElement(et_parent, child.name)
                    entry_address = f"{address}[{index}]"
                    self.nodes[entry_address] = (child, et)
                    self._build_children(child, et, entry, entry_address + "/")
            elif child.is_group:
                et = ET.SubElement(et_parent, child.name)
                self.nodes[prefix + "@" + child.key] = (child, et)
                self._build_children(child, et, scope, prefix)
            else:
                et = ET.SubElement(et_parent, child.name)
                value = scope.get(child.key)
                et.text = normalise_input(child, value) if child.type != "metadata" else ""
                self.nodes[prefix + child.key] = (child, et)

    # --- evaluating ----------------------------------------------------------------------
    def evaluate(self, element: Element, attribute: str, address: str, *, variables=None):
        token = compiled(self.form, element, attribute) if isinstance(attribute, str) else attribute
        item = self._xpath_nodes.get(address if attribute not in ("repeat_count", "relevant_outside") else self._parent_address(address))
        token_ctx = expressions.current_choices.set(self.choice_name)
        try:
            return token, expressions.evaluate(token, self.context, item, variables)
        except (ElementPathError, ArithmeticError, ValueError, TypeError, IndexError) as error:
            self.eval_errors[address] = str(error)
            return token, None
        finally:
            expressions.current_choices.reset(token_ctx)

    def _truth(self, element: Element, attribute: str, address: str) -> bool:
        token, value = self.evaluate(element, attribute, address)
        return value is not None and expressions.as_boolean(token, value)

    def _text(self, element: Element, attribute: str, address: str) -> str:
        token, value = self.evaluate(element, attribute, address)
        return "" if value is None else expressions.as_string(token, value)

    def _parent_address(self, address: str) -> str:
        """The node a repeat's count is evaluated on: its parent group, entry or the root."""
        element = self.form.elements[address.rsplit("/", 1)[-1]]
        entry_prefix = address.rsplit("/", 1)[0] if "/" in address else ""
        parent = element.parent
        if parent.type == "survey":
            return ""
        if parent.type == "group":
            return (entry_prefix + "/" if entry_prefix else "") + "@" + parent.key
        return entry_prefix

    def _compute(self) -> bool:
        """One pass over the form in document order; True if it changed any value of the instance."""
        self._changed = False
        self._compute_children(self.form.root, "", True)
        return self._changed

    def _compute_children(self, element: Element, prefix: str, parent_relevant: bool) -> None:
        for child in element.children:
            if child.is_repeat:
                address = prefix + child.key
                self.relevant[address] = parent_relevant and self._repeat_relevant(child, address)
                for index in range(1, self.entries.get(address, 0) + 1):
                    entry_address = f"{address}[{index}]"
                    relevant = parent_relevant and (not child.relevant or self._truth(child, "relevant", entry_address))
                    self.relevant[entry_address] = relevant
                    if not relevant:
                        self._clear_node(self.nodes[entry_address][1])
                    self._compute_children(child, entry_address + "/", relevant)
            elif child.is_group:
                address = prefix + "@" + child.key
                relevant = parent_relevant and (not child.relevant or self._truth(child, "relevant", address))
                self.relevant[address] = relevant
                if not relevant:
                    self._clear_node(self.nodes[address][1])
                self._compute_children(child, prefix, relevant)
            else:
                address = prefix + child.key
                et = self.nodes[address][1]
                relevant = parent_relevant and (not child.relevant or self._truth(child, "relevant", address))
                self.relevant[address] = relevant
                before = et.text or ""
                if not relevant:
                    et.text = ""
                elif child.type == "calculate" and child.calculation:
                    et.text = self._text(child, "calculation", address)
                if (et.text or "") != before:
                    self._changed = True
                self.values[address] = et.text or ""

    def _repeat_relevant(self, element: Element, address: str) -> bool:
        """Whether entries may be added to a repeat without repeat_count, even when it has none:
        its relevant evaluated on its parent. A counted repeat follows its count instead."""
        if element.repeat_count or not element.relevant:
            return True
        names = expressions.references(element.relevant)
        inside = any(name in self.form.elements and element in _ancestors(self.form.elements[name]) for name in names)
        if inside or "position(" in element.relevant:
            return True  # an expression about the entry itself: each entry decides
        token, value = self.evaluate(element, "relevant_outside", address)
        if value is None:
            self.eval_errors.pop(address, None)
            return True  # not answerable outside an entry: each entry decides
        return expressions.as_boolean(token, value)

    def _clear_node(self, et: ET.Element) -> None:
        """Clear an irrelevant group or entry, noting whether any answer went."""
        if any(node.text for node in et.iter()):
            self._changed = True
        self._clear(et)

    @staticmethod
    def _clear(et: ET.Element) -> None:
        for node in et.iter():
            node.text = "" if node is not et or len(node) == 0 else None

    def _adjust_repeats(self) -> bool:
        """Make each counted repeat have as many entries as its repeat_count says; True if changed."""
        changed = False
        for address, count in list(self.entries.items()):
            name = address.rsplit("/", 1)[-1]
            element = self.form.elements[name]
            if not element.repeat_count:
                continue
            wanted_text = self._text(element, "repeat_count", address) if self.relevant.get(address, True) else "0"
            try:
                wanted = max(0, min(MAX_REPEAT, int(float(wanted_text or 0))))
            except ValueError:
                wanted = 0
            scope = self._scope(address)
            entries = scope.setdefault(name, [])
            if element.rating_select:
                # One entry per selected unit, kept with its unit when the selection changes.
                select_address = address.rsplit("/", 1)[0] + "/" + element.rating_select if "/" in address else element.rating_select
                if select_address not in self.values:
                    select_address = element.rating_select
                codes = self.values.get(select_address, "").split()[:MAX_REPEAT]
                by_code = {e.get(element.rating_field): e for e in entries if e.get(element.rating_field)}
                realigned = []
                for position, code in enumerate(codes):
                    entry = by_code.get(code)
                    if entry is None and position < len(entries) and not entries[position].get(element.rating_field):
                        entry = entries[position]  # answers given before the unit code was known
                    realigned.append(entry if entry is not None else {})
                for entry, code in zip(realigned, codes):
                    entry[element.rating_field] = code
                if realigned != entries:
                    scope[name] = realigned
                    changed = True
            elif wanted != count:
                scope[name] = (entries + [{} for _ in range(wanted)])[:wanted]
                changed = True
        return changed

    def _scope(self, repeat_address: str) -> dict:
        """The answers dict that holds the repeat at `repeat_address`."""
        scope = self.answers
        parts = repeat_address.split("/")[:-1]
        for part in parts:
            name, index = part[:-1].split("[")
            scope = scope[name][int(index) - 1]
        return scope

    # --- choices and labels ----------------------------------------------------------------
    def all_choices(self, element: Element) -> list[Choice]:
        if element.itemset_file:
            return self.external.get(element.itemset_file, [])
        return self.form.choices.get(element.list_name or "", [])

    def choices(self, element: Element, address: str) -> list[Choice]:
        choices = self.all_choices(element)
        if not element.choice_filter or element.itemset_file:
            return choices
        token, refs = choice_filter_compiled(self.form, element)
        variables = {}
        for index, ref in enumerate(refs):
            ref_token, value = self.evaluate(element, ref, address)
            variables[f"v{index}"] = "" if value is None else expressions.as_string(ref_token, value)
        kept = []
        contexts = _choice_contexts(self.form, element.list_name or "", choices)
        for choice, context in zip(choices, contexts):
            try:
                if expressions.as_boolean(token, expressions.evaluate(token, context, None, variables)):
                    kept.append(choice)
            except ElementPathError:
                continue
        return kept

    def choice_name(self, question: str, value: str) -> str:
        element = self.form.elements.get(question)
        if element is None:
            return value
        for choice in self.all_choices(element):
            if choice.name == value:
                return self.form.text(choice.label, self.language)
        return value

    def label(self, element: Element, address: str, value=None) -> str:
        """A label or hint with each ${name} replaced by that answer (a choice by its label)."""
        text = self.form.text(element.label if value is None else value, self.language)
        if "${" not in text:
            return text

        def substitute(match):
            name = match.group(1).strip()
            target = self.form.elements.get(name)
            if target is None:
                return match.group(0)
            token, result = self.evaluate(element, f"ref:{name}", address)
            shown = "" if result is None else expressions.as_string(token, result)
            if target.type == "select_one":
                shown = self.choice_name(name, shown)
            elif target.type == "select_multiple":
                shown = ", ".join(self.choice_name(name, v) for v in shown.split())
            return shown

        return expressions.REFERENCE.sub(substitute, text)

    # --- validating ----------------------------------------------------------------------
    def errors(self, prefix: str | None = None, addresses=None) -> dict[str, str]:
        """Messages by address for every relevant question (under `prefix` if given)."""
        found: dict[str, str] = {}
        for address, (element, et) in self.nodes.items():
            if element.is_group or not element.is_displayed or element.type == "note":
                continue
            if prefix is not None and not address.startswith(prefix):
                continue
            if addresses is not None and address not in addresses:
                continue
            if not self.relevant.get(address, False):
                continue
            message = self._check(element, address, et.text or "")
            if message:
                found[address] = message
        return found

    def _check(self, element: Element, address: str, value: str) -> str | None:
        if value == "":
            if element.required and self._truth(element, "required", address):
                return self.form.text(element.required_message, self.language) or _("This answer is required.")
            return None
        message = self._type_check(element, address, value)
        if message:
            return message
        if element.constraint and not self._truth(element, "constraint", address):
            return self.form.text(element.constraint_message, self.language) or _("This answer is not allowed.")
        return None

    def _type_check(self, element: Element, address: str, value: str) -> str | None:
        kind = element.type
        if REFUSED_NUMBER in value:
            try:
                parse_number(value.replace(REFUSED_NUMBER, ""), decimals_allowed=kind != "integer")
            except NumberRefused as refused:
                return str(refused)
        if kind == "integer":
            if not INTEGER.match(value) or abs(int(value)) > 10**15:
                return _("Enter a whole number.")
        elif kind in ("decimal", "range"):
            try:
                number = Decimal(value)
                if not number.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                return _("Enter a number.")
            if kind == "range":
                params = element.parameters or {}
                start, end = Decimal(str(params.get("start", 1))), Decimal(str(params.get("end", 10)))
                step = Decimal(str(params.get("step", 1)))
                low, high = min(start, end), max(start, end)
                if not low <= number <= high or (step and (number - low) % step != 0):
                    return _("Choose a value from %(start)s to %(end)s.") % {"start": shown(start), "end": shown(end)}
        elif kind == "date":
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                return _("Enter a date as dd/mm/yyyy.")
        elif kind == "time":
            if not _parses(TIME, datetime.time, value):
                return _("Enter a time as hh:mm, from 00:00 to 23:59.")
        elif kind == "datetime":
            if not _parses(DATETIME, datetime.datetime, value):
                return _("Enter a date and a time as dd/mm/yyyy hh:mm.")
        elif kind in ("select_one", "select_multiple"):
            allowed = {c.name for c in self.choices(element, address)}
            picked = value.split() if kind == "select_multiple" else [value]
            for item in picked:
                if item not in allowed:
                    return _("%(value)s is not one of the choices.") % {"value": item[:40]}
        elif kind == "acknowledge":
            if value not in ("OK", "ok", "1", "true"):
                return _("Tick the box to confirm.")
        elif kind == "geopoint":  # issue 20: media and location questions (media.py)
            return geopoint_problem(value)
        elif kind in ("image", "file", "audio") and ("/" in value or "\\" in value or len(value) > 120):
            return _("Choose the file again.")
        elif kind == "text" and len(value) > MAX_TEXT:
            return _("The answer is too long (at most %(count)s characters).") % {"count": MAX_TEXT}
        return None

    def tampered(self, submitted: dict[str, str]) -> dict[str, str]:
        """Computed values the client sent that differ from the server's own computation."""
        found = {}
        for address, value in submitted.items():
            node = self.nodes.get(address)
            if node is None:
                continue
            element = node[0]
            if element.type != "calculate" or element.is_volatile or value in (None, ""):
                continue
            computed = self.values.get(address, "")
            if not _same(str(value).strip(), computed):
                if element.repeat is not None and element.repeat.rating_field == element.key:
                    found[address] = _("The unit of this entry does not match the units you selected.")
                else:
                    found[address] = _("This value is computed by the form and cannot be changed.")
        return found

    def answers_computed(self) -> dict:
        """The answers with each calculation's value as computed: what a draft keeps, so that
        the next evaluation of it (the next page, the submission) settles in one pass."""
        answers = deepcopy(self.answers)

        def visit(element: Element, scope: dict, prefix: str) -> None:
            for child in element.children:
                if child.is_repeat:
                    entries = scope.get(child.key)
                    for index, entry in enumerate(entries if isinstance(entries, list) else [], start=1):
                        if isinstance(entry, dict):
                            visit(child, entry, f"{prefix}{child.key}[{index}]/")
                elif child.is_group:
                    visit(child, scope, prefix)
                elif child.type == "calculate" and prefix + child.key in self.values:
                    scope[child.key] = self.values[prefix + child.key]

        visit(self.form.root, answers, "")
        return answers

    # --- the clean record --------------------------------------------------------------
    def clean(self) -> dict:
        """Relevant answers only, typed: int, float, list for select_multiple, str otherwise."""
        return self._clean_children(self.form.root, "")

    def _clean_children(self, element: Element, prefix: str) -> dict:
        result: dict = {}
        for child in element.children:
            if child.is_repeat:
                address = prefix + child.key
                entries = []
                for index in range(1, self.entries.get(address, 0) + 1):
                    entry_address = f"{address}[{index}]"
                    if self.relevant.get(entry_address):
                        entries.append(self._clean_children(child, entry_address + "/"))
                if entries:
                    result[child.key] = entries
            elif child.is_group:
                if self.relevant.get(prefix + "@" + child.key):
                    result.update(self._clean_children(child, prefix))
            elif child.holds_answer:
                address = prefix + child.key
                value = self.values.get(address, "")
                if self.relevant.get(address) and value != "":
                    result[child.key] = typed(child, value)
        return result

    def rated_units(self) -> list[str]:
        codes: list[str] = []
        for repeat in self.form.rating_repeats():
            for code in self.values.get(repeat.rating_select, "").split():
                if code not in codes:
                    codes.append(code)
        return codes


def typed(element: Element, value: str):
    if element.type == "integer":
        return int(value)
    if element.type in ("decimal", "range"):
        number = float(value)
        return int(number) if element.type == "range" and number.is_integer() else number
    if element.type == "select_multiple":
        return value.split()
    return value


def _ancestors(element: Element) -> list[Element]:
    found, node = [], element.parent
    while node is not None:
        found.append(node)
        node = node.parent
    return found


def _parses(pattern: re.Pattern, kind, value: str) -> bool:
    # the pattern first: fromisoformat alone takes "12", "1230" or an offset as well
    if not pattern.match(value):
        return False
    try:
        kind.fromisoformat(value)
    except ValueError:
        return False
    return True


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    except ValueError:
        return False


def answers_from_clean(form: FormDef, clean: dict) -> dict:
    """Turn a stored (typed) record back into form strings, e.g. to show or re-check it."""
    def convert(scope: dict) -> dict:
        out = {}
        for name, value in scope.items():
            element = form.elements.get(name)
            if element is None:
                continue
            if element.is_repeat and isinstance(value, list):
                out[name] = [convert(entry) for entry in value if isinstance(entry, dict)]
            elif isinstance(value, list):
                out[name] = " ".join(str(v) for v in value)
            else:
                out[name] = normalise_input(element, value)
        return out

    return convert(clean)
