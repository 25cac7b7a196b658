"""A questionnaire as chiso reads it: pyxform's survey dict turned into a tree of elements.

pyxform does the XLSForm parsing (types, sheets, choices, languages); this module only walks
its JSON-like dict, so a stored `QuestionnaireVersion.survey` can be read back at any time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from django.utils.translation import get_language

from chiso.surveys.collection.expressions import is_volatile, references, xpath_paths

ROOT = "data"

# pyxform's internal type names → the XLSForm names people write.
QUESTION_TYPES = {
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "string": "text",
    "date": "date",
    "time": "time",
    "dateTime": "datetime",
    "note": "note",
    "range": "range",
    "calculate": "calculate",
    "acknowledge": "acknowledge",
    "select one": "select_one",
    "select all that apply": "select_multiple",
}
# Metadata that devices fill in. chiso accepts forms that have them and never stores them:
# a start time, a device id or a phone number would identify a respondent.
METADATA_TYPES = {
    "start", "end", "today", "deviceid", "phonenumber", "username", "email", "audit",
    "simserial", "subscriberid", "hidden", "start-geopoint", "uri:deviceid", "uri:email",
    "uri:phonenumber", "uri:simserial", "uri:subscriberid", "uri:username",
}
# Media and location answers (a photo, a recording, a file, a place) identify a respondent:
# chiso's surveys are anonymous, so forms with them are refused (xlsform.check_survey).
IDENTIFYING_TYPES = {"image", "audio", "video", "file", "geopoint", "geotrace", "geoshape"}
# issue 20: of those, a survey that is not anonymous may ask these (media.py, Survey.anonymous)
MEDIA_TYPES = {"geopoint", "image", "file", "audio"}
UPLOAD_TYPES = {"image", "file", "audio"}
DISPLAYED = {"integer", "decimal", "text", "date", "time", "datetime", "note", "range", "acknowledge", "select_one", "select_multiple"} | MEDIA_TYPES
# Appearances that read choices from a file at run time (ODK's search() and its relatives).
EXTERNAL_APPEARANCE = re.compile(r"\b(search|pulldata)\s*\(")
UNITS_FILE = re.compile(r"^units_([a-z0-9_\-]+)\.csv$")


def xls_type_of(kind: str) -> str:
    """The XLSForm type chiso works with for a type as pyxform's dict keeps it: pyxform's own
    aliases (`int`, `phone number`, `q decimal`, `location`, …) read as the type they stand for,
    taken from pyxform's table of types so that every alias it accepts is known here."""
    if kind in ("group", "repeat"):
        return kind
    if kind in QUESTION_TYPES:
        return QUESTION_TYPES[kind]
    if kind in METADATA_TYPES:
        return "metadata"
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT  # 1 s and 60 MB: only for a type outside the table above

    spec = QUESTION_TYPE_DICT.get(kind)
    if spec is None or kind in ("select one external", "rank", "osm"):
        return f"unsupported:{kind}"
    bind = (spec.get("bind") or {}).get("type")
    control = spec.get("control") or {}
    tag, media = control.get("tag"), control.get("mediatype") or ""
    if tag is None:
        if bind == "string" and "calculate" in kind:
            return "calculate"
        return "metadata"  # device data: start, end, today, device id, audit
    if tag == "upload":
        return {"image/*": "image", "audio/*": "audio", "video/*": "video", "application/*": "file"}.get(media, f"unsupported:{kind}")
    if bind == "binary":
        return "audio"  # background-audio: a recording of the interview
    if bind in ("geopoint", "geotrace", "geoshape"):
        return bind  # a place asked for, or recorded in the background
    if bind == "int":
        return "range" if tag == "range" else "integer"
    if bind in ("decimal", "date", "time"):
        return bind
    if bind == "dateTime":
        return "datetime"
    if tag == "select1":
        return "select_one"
    if tag == "select":
        return "select_multiple"
    if tag == "trigger":
        return "acknowledge"
    if bind == "string" and tag == "input":
        return "note" if "note" in kind else "text"
    return f"unsupported:{kind}"


def text_in(value, language: str | None = None, default_language: str | None = None) -> str:
    """The label (or hint, message) in the page's language: `label::Vietnamese (vi)` for vi."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    language = (language or get_language() or "vi")[:2]
    for key, text in value.items():
        if key.endswith(f"({language})") or key == language:
            if text:
                return text
    if default_language and value.get(default_language):
        return value[default_language]
    for key in ("default", "Vietnamese (vi)"):
        if value.get(key):
            return value[key]
    return next((text for text in value.values() if text), "")


@dataclass(eq=False)
class Element:
    name: str
    type: str  # XLSForm name: integer, select_one, group, repeat, … or "metadata"
    raw: dict
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)
    path: tuple[str, ...] = ()
    # Where its answer is kept: the name, or (a name used in several groups) the path from the
    # root joined by dots, `g1.ten`, so that each question keeps its own answer.
    key: str = ""
    # rating units (the DDCI shape): the select whose units this repeat rates, and the
    # calculate inside that holds each entry's unit code
    rating_select: str | None = None
    rating_field: str | None = None

    # --- what the sheet said -------------------------------------------------------------
    @property
    def bind(self) -> dict:
        return self.raw.get("bind") or {}

    @property
    def control(self) -> dict:
        return self.raw.get("control") or {}

    @property
    def label(self):
        return self.raw.get("label")

    @property
    def hint(self):
        return self.raw.get("hint")

    @property
    def relevant(self) -> str:
        return self.bind.get("relevant", "")

    @property
    def constraint(self) -> str:
        return self.bind.get("constraint", "")

    @property
    def constraint_message(self):
        return self.bind.get("jr:constraintMsg")

    @property
    def required(self) -> str:
        value = str(self.bind.get("required", "") or "").strip()
        return "" if value.lower() in ("", "no", "false", "false()") else value

    @property
    def required_message(self):
        return self.bind.get("jr:requiredMsg")

    @property
    def calculation(self) -> str:
        return self.bind.get("calculate", "")

    @property
    def readonly(self) -> bool:
        return str(self.bind.get("readonly", "")).lower() in ("yes", "true", "true()")

    @property
    def choice_filter(self) -> str:
        return self.raw.get("choice_filter", "") or ""

    @property
    def default(self) -> str:
        """The `default` column: a value the question starts with (a literal, as ODK reads it)."""
        value = self.raw.get("default")
        return "" if value is None else str(value).strip()

    @property
    def appearance(self) -> str:
        return (self.control.get("appearance") or "").strip()

    @property
    def parameters(self) -> dict:
        return self.raw.get("parameters") or {}

    @property
    def list_name(self) -> str | None:
        itemset = self.raw.get("itemset") or self.raw.get("list_name")
        return None if itemset and "." in itemset else itemset

    @property
    def itemset_file(self) -> str | None:
        itemset = self.raw.get("itemset") or ""
        return itemset if "." in itemset else None

    @property
    def units_block(self) -> str | None:
        match = UNITS_FILE.match(self.itemset_file or "")
        return match.group(1) if match else None

    @property
    def repeat_count(self) -> str:
        return str(self.control.get("jr:count", "") or "")

    # --- what it is --------------------------------------------------------------------
    @property
    def is_group(self) -> bool:
        return self.type in ("group", "repeat", "survey")

    @property
    def is_repeat(self) -> bool:
        return self.type == "repeat"

    @property
    def is_select(self) -> bool:
        return self.type in ("select_one", "select_multiple")

    @property
    def is_displayed(self) -> bool:
        return self.type in DISPLAYED

    @property
    def holds_answer(self) -> bool:
        return self.type in DISPLAYED and self.type != "note" or self.type == "calculate"

    @property
    def is_volatile(self) -> bool:
        return is_volatile(self.calculation)

    @cached_property
    def repeat(self) -> Element | None:
        """The nearest enclosing repeat, whose entries hold this element's answers."""
        node = self.parent
        while node is not None and not node.is_repeat:
            node = node.parent
        return node

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def __repr__(self) -> str:
        return f"<Element {self.type} {self.name}>"


@dataclass
class Choice:
    name: str
    label: object
    extra: dict = field(default_factory=dict)


class FormDef:
    """One questionnaire version: elements by name, choices, languages."""

    def __init__(self, survey: dict):
        self.survey = survey
        self.form_id = survey.get("id_string") or survey.get("name") or ""
        self.title = survey.get("title") or self.form_id
        self.version = str(survey.get("version") or "")
        self.default_language = survey.get("default_language") or None
        self.choices: dict[str, list[Choice]] = {
            name: [Choice(name=str(c.get("name")), label=c.get("label"), extra={k: v for k, v in c.items() if k not in ("name", "label")}) for c in items]
            for name, items in (survey.get("choices") or {}).items()
        }
        self.root = Element(name=ROOT, type="survey", raw=survey, path=(ROOT,))
        self.root.children = [self._build(child, self.root) for child in survey.get("children", []) if not self._skipped(child)]
        named: dict[str, int] = {}
        for element in self.root.walk():
            if element is not self.root:
                named[element.name] = named.get(element.name, 0) + 1
        # Answers are kept by key: the name when it is unique (every form chiso ever stored), the
        # path otherwise. pyxform refuses a ${reference} to a repeated name, so references are names.
        self.elements: dict[str, Element] = {}
        self.by_path: dict[tuple[str, ...], Element] = {}
        self.key_clashes: list[Element] = []
        for element in self.root.walk():
            if element is self.root:
                continue
            element.key = element.name if named[element.name] == 1 else ".".join(element.path[1:])
            if element.key in self.elements:
                self.key_clashes.append(element)
            self.elements.setdefault(element.key, element)
            self.by_path[element.path] = element
        self._find_rating_repeats()

    @staticmethod
    def _skipped(raw: dict) -> bool:
        # pyxform adds meta/instanceID; chiso gives every response its own random id instead.
        return raw.get("name") == "meta" and raw.get("type") == "group" and (raw.get("control") or {}).get("bodyless")

    def _build(self, raw: dict, parent: Element) -> Element:
        xls_type = xls_type_of(raw.get("type", ""))
        element = Element(name=raw.get("name", ""), type=xls_type, raw=raw, parent=parent, path=parent.path + (raw.get("name", ""),))
        if element.is_group:
            element.children = [self._build(child, element) for child in raw.get("children", []) if not self._skipped(child)]
        return element

    def _find_rating_repeats(self) -> None:
        """Mark repeats shaped like ODK's "one entry per selected item": a repeat whose count is
        count-selected(${units}) and whose calculate takes selected-at(${units}, position(..)-1)."""
        for element in self.root.walk():
            if not element.is_repeat or not element.repeat_count:
                continue
            count = element.repeat_count
            names = references(count)
            if len(names) == 1 and names[0] in self.elements and self.elements[names[0]].type == "calculate":
                count = self.elements[names[0]].calculation  # pyxform's generated <repeat>_count
            match = re.fullmatch(r"\s*count-selected\(\s*\$\{(\w[\w.\-]*)\}\s*\)\s*", count)
            if not match:
                continue
            select_name = match.group(1)
            for child in element.children:
                if child.type == "calculate" and re.search(r"selected-at\(\s*\$\{" + re.escape(select_name) + r"\}", child.calculation):
                    element.rating_select = select_name
                    element.rating_field = child.name
                    break

    # --- reading ---------------------------------------------------------------------------
    @property
    def languages(self) -> list[str]:
        found: list[str] = []
        for element in self.root.walk():
            for value in (element.label, element.hint):
                if isinstance(value, dict):
                    for key in value:
                        if key not in found:
                            found.append(key)
        return found

    def repeat_count_as_written(self, element: Element) -> str:
        """The repeat_count of the sheet (pyxform moves an expression into a `<repeat>_count` calculate)."""
        names = references(element.repeat_count)
        generated = self.elements.get(f"{element.name}_count")
        if names == [f"{element.name}_count"] and generated is not None and generated.type == "calculate":
            return generated.calculation
        return element.repeat_count

    @cached_property
    def dependencies(self) -> set[str]:
        """Names whose answer changes what a page shows: the web form refreshes when they change."""
        names: set[str] = set()
        for element in self.root.walk():
            for expression in (element.relevant, element.required, element.choice_filter, element.calculation, element.repeat_count):
                names.update(references(expression))
                # XPath written directly: pyxform's or_other writes selected(../x, 'other')
                names.update(self._paths_named(element, expression))
            for value in (element.label, element.hint):
                texts = value.values() if isinstance(value, dict) else [value or ""]
                for text in texts:
                    names.update(references(text))
        # a calculate someone depends on makes its own inputs dependencies too
        for name in list(names):
            element = self.elements.get(name)
            if element is not None and element.type == "calculate":
                names.update(references(element.calculation))
                names.update(self._paths_named(element, element.calculation))
        return names

    def _paths_named(self, element: Element, expression: str) -> set[str]:
        """Keys of the elements an expression names by an XPath path (`../x`, `/data/g/x`)."""
        found = set()
        for path in xpath_paths(expression):
            parts = path.split("/")
            if path.startswith("/"):
                target = tuple(p for p in parts if p)
            else:
                target = list(element.path)
                for part in parts:
                    if part == "..":
                        target = target[:-1]
                    elif part not in (".", ""):
                        target.append(part)
                target = tuple(target)
            if target in self.by_path:
                found.add(self.by_path[target].key)
        return found

    def units_blocks(self) -> set[str]:
        return {e.units_block for e in self.root.walk() if e.units_block}

    def rating_repeats(self) -> list[Element]:
        return [e for e in self.root.walk() if e.rating_select]

    def text(self, value, language: str | None = None) -> str:
        return text_in(value, language, self.default_language)

    @property
    def title_text(self) -> str:
        return self.title
