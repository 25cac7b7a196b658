"""How a questionnaire is cut into web pages, and what each page shows.

One section per page: each top-level group is a page, each entry of a top-level counted repeat
is a page (in a DDCI form: one page per rated department), a top-level repeat the respondent
fills (no repeat_count) is one page with all its entries and the buttons to add and remove
them, and loose top-level questions between them form a page of their own. Pages whose
questions are all irrelevant are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html import escape

from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chiso.formats.numbers import shown

from chiso.surveys.collection.evaluation import MAX_ENTRIES, REFUSED_NUMBER, Evaluation, adds_entries, range_values
from chiso.surveys.collection.formdef import Element
from chiso.surveys.collection.media import accept_of


@dataclass
class Page:
    key: str
    element: Element | None  # the group or repeat; None for loose questions
    items: list[Element]
    prefix: str  # address prefix of the page's answers: "" or "danh_gia[2]/"
    entry: int | None = None

    def title(self, evaluation: Evaluation) -> str:
        if self.element is None:
            if all(item.type == "note" for item in self.items if item.is_displayed):
                return _("Introduction")
            return _("General questions")
        if self.element.is_repeat:
            rating = self.element.rating_field
            if rating and self.entry is None and self.element.repeat_count:  # every entry on one page (paper entry)
                return evaluation.label(self.element, self.element.key) or self.element.name
            if rating:
                code = evaluation.values.get(f"{self.prefix}{rating}", "")
                name = evaluation.choice_name(self.element.rating_select, code) if code else ""
                label = evaluation.label(self.element, self.prefix.rstrip("/"))
                return f"{label}: {name}" if name and label else (name or label)
            if self.entry is None:  # the page of a repeat the respondent fills
                name = self.element.key
                address = f"{name}[1]" if evaluation.entries.get(name) else name
                return evaluation.label(self.element, address) or name
            label = evaluation.label(self.element, self.prefix.rstrip("/")) or self.element.name
            return f"{label} ({self.entry})"
        return evaluation.label(self.element, f"@{self.element.key}") or self.element.name


def pages_all(evaluation: Evaluation, *, whole_sections: bool = False) -> list[Page]:
    """The form's pages; `whole_sections` (paper entry, typed on a desktop from a paper that
    shows a section at a time) puts every entry of a counted repeat on one page too."""
    pages: list[Page] = []
    loose: list[Element] = []

    def flush():
        if loose:
            pages.append(Page(key=f"q-{loose[0].key}", element=None, items=list(loose), prefix=""))
            loose.clear()

    for child in evaluation.form.root.children:
        if child.is_repeat and (whole_sections or not child.repeat_count):
            flush()
            pages.append(Page(key=f"r-{child.key}", element=child, items=[child], prefix=""))
        elif child.is_repeat:
            flush()
            for index in range(1, evaluation.entries.get(child.key, 0) + 1):
                pages.append(Page(key=f"r-{child.key}-{index}", element=child, items=child.children, prefix=f"{child.key}[{index}]/", entry=index))
        elif child.is_group:
            flush()
            pages.append(Page(key=f"g-{child.key}", element=child, items=child.children, prefix=""))
        else:
            loose.append(child)
    flush()
    return pages


def _page_relevant(page: Page, evaluation: Evaluation) -> bool:
    if page.element is not None:
        if page.element.is_repeat:
            own = page.prefix.rstrip("/") if page.entry is not None else page.element.key
        else:
            own = f"@{page.element.key}"
        if not evaluation.relevant.get(own, False):
            return False
    return bool(widgets(page, evaluation, only_relevant=True, with_choices=False))


def pages_relevant(evaluation: Evaluation, *, whole_sections: bool = False) -> list[Page]:
    return [page for page in pages_all(evaluation, whole_sections=whole_sections) if _page_relevant(page, evaluation)]


@dataclass
class Widget:
    address: str
    element: Element
    label: str
    hint: str
    value: str
    kind: str  # the template's input: number, text, textarea, date, select_one, …, or a marker:
    # group (a group or an entry starts), entry_end (after an entry the respondent may remove),
    # entries (after a repeat's entries: where one is added)
    choices: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    depth: int = 0
    legend: str = ""  # set on group start markers
    count: int = 0  # entries markers: how many entries the repeat has

    @property
    def selected(self) -> set[str]:
        return set(self.value.split())

    @property
    def required(self) -> bool:
        return bool(self.element.required)

    @property
    def refreshes(self) -> bool:
        return self.element.key in self.element_form_dependencies

    element_form_dependencies: frozenset = frozenset()

    @property
    def dom_id(self) -> str:
        return dom_id(self.address)

    @property
    def is_question(self) -> bool:
        """An input the page posts back (not a heading, a note or a list's buttons)."""
        return self.kind not in ("group", "note", "entry_end", "entries")

    @property
    def can_add(self) -> bool:
        return self.count < MAX_ENTRIES

    @property
    def limit(self) -> int:
        return MAX_ENTRIES

    @property
    def is_entry(self) -> bool:
        """A group marker that starts an entry of a repeat (not a group)."""
        return self.kind == "group" and self.element.is_repeat

    @property
    def options_html(self) -> str:
        """The <option>s of a select, written at once: a template loop over 10,000 communes takes
        seconds, this takes milliseconds. Values and labels are escaped."""
        selected = self.selected
        return mark_safe("".join(
            f'<option value="{escape(value)}"{" selected" if value in selected else ""}>{escape(label)}</option>' for value, label in self.choices
        ))

    @property
    def accept(self) -> str:
        """issue 20: what a file question's input offers (the XLSForm's accept, or the type's)."""
        return accept_of(self.element) or {"image": "image/*", "audio": "audio/*"}.get(self.kind, "")

    @property
    def input_value(self) -> str:
        """The value as the HTML input takes it: 14:30 rather than the stored 14:30:00."""
        if self.kind in ("time", "datetime") and self.value.endswith(":00") and self.value.count(":") == 2:
            return self.value[:-3]
        if self.kind in ("integer", "decimal"):
            return number_shown(self.value, grouped=False)
        return self.value


# A choice list longer than this (units, communes, VSIC sectors) is a searchable list, not buttons.
LONG_LIST = 50


def dom_id(address: str) -> str:
    return "f-" + address.replace("/", "-").replace("[", "-").replace("]", "").replace("@", "g-")


def _kind(element: Element) -> str:
    if element.type == "text":
        return "textarea" if "multiline" in element.appearance else "text"
    if element.type in ("integer", "decimal"):
        return element.type
    if element.type == "range":
        return "range"
    if element.type == "select_one" and ("minimal" in element.appearance):
        return "dropdown"
    return element.type


def choice_labels(evaluation: Evaluation, element: Element) -> dict[str, str]:
    """Each choice's label in the page's language, by name; kept on the form per list and
    language, so that a list of 10,000 communes is read once per process, not per page."""
    language = (evaluation.language or get_language() or "vi")[:2]
    choices = evaluation.all_choices(element)
    text = evaluation.form.text
    if element.itemset_file:  # the period's units: a short list that changes, read as it is
        return {c.name: text(c.label, language) or c.name for c in choices}
    cache = evaluation.form.__dict__.setdefault("_choice_labels", {})
    key = (element.list_name or "", language)
    if key not in cache:
        cache[key] = {c.name: text(c.label, language) or c.name for c in choices}
    return cache[key]


def widgets(page: Page, evaluation: Evaluation, *, errors: dict[str, str] | None = None, only_relevant: bool = True,
            with_choices: bool = True) -> list[Widget]:
    """The inputs of a page in order, nested groups as legend markers (depth > 0)."""
    errors = errors or {}
    out: list[Widget] = []
    dependencies = frozenset(evaluation.form.dependencies)

    def visit(elements: list[Element], prefix: str, depth: int):
        for element in elements:
            if element.is_repeat:
                address = prefix + element.key
                if only_relevant and not evaluation.relevant.get(address, False):
                    continue
                count = evaluation.entries.get(address, 0)
                editable = adds_entries(element)
                for index in range(1, count + 1):
                    entry = f"{address}[{index}]"
                    if only_relevant and not evaluation.relevant.get(entry, False):
                        continue
                    legend = f"{evaluation.label(element, entry) or element.name} ({index})"
                    out.append(Widget(address=entry, element=element, label="", hint="", value="", kind="group", depth=depth + 1, legend=legend))
                    visit(element.children, entry + "/", depth + 1)
                    if editable:
                        out.append(Widget(address=entry, element=element, label="", hint="", value="", kind="entry_end", depth=depth + 1, legend=legend))
                if editable:
                    legend = evaluation.label(element, f"{address}[1]" if count else address) or element.name
                    out.append(Widget(address=address, element=element, label="", hint="", value="", kind="entries", depth=depth + 1, legend=legend, count=count))
                continue
            if element.is_group:
                address = f"{prefix}@{element.key}"
                if only_relevant and not evaluation.relevant.get(address, False):
                    continue
                out.append(Widget(address=address, element=element, label="", hint="", value="", kind="group", depth=depth + 1, legend=evaluation.label(element, address)))
                visit(element.children, prefix, depth + 1)
                continue
            if not element.is_displayed:
                continue
            address = prefix + element.key
            if only_relevant and not evaluation.relevant.get(address, False):
                continue
            choices = []
            kind = _kind(element)
            if element.type == "range":
                choices = range_values(element)
                kind = "range" if choices else "decimal"
            if element.is_select and not with_choices:
                choices = []  # whether the page shows anything does not depend on them
            elif element.is_select:
                labels = choice_labels(evaluation, element)
                choices = [(c.name, labels[c.name]) for c in evaluation.choices(element, address)]
                if len(choices) > LONG_LIST:
                    kind = "long_list"  # a select with a search box (choices.js); a plain select without JavaScript
            out.append(
                Widget(
                    address=address,
                    element=element,
                    label=evaluation.label(element, address),
                    hint=evaluation.label(element, address, element.hint) if element.hint else "",
                    value=evaluation.values.get(address, ""),
                    kind=kind,
                    choices=choices,
                    error=errors.get(address, ""),
                    depth=depth,
                    element_form_dependencies=dependencies,
                )
            )

    visit(page.items, page.prefix, 0)
    return out


def hidden_values(page: Page, evaluation: Evaluation) -> dict[str, str]:
    """The computed unit code of a rating entry, carried by its page and checked on save."""
    if page.element is not None and page.element.rating_field:
        if page.entry is None and page.element.is_repeat:  # every entry on one page
            key = page.element.key
            addresses = [f"{key}[{i}]/{page.element.rating_field}" for i in range(1, evaluation.entries.get(key, 0) + 1)]
            return {address: evaluation.values.get(address, "") for address in addresses}
        address = page.prefix + page.element.rating_field
        return {address: evaluation.values.get(address, "")}
    return {}


def review_sections(evaluation: Evaluation) -> list[tuple[Page, str, list[Widget]]]:
    """Each page's answers; an entry of a repeat keeps its heading, an empty repeat says so."""
    sections = []
    for page in pages_relevant(evaluation):
        items = [
            w for w in widgets(page, evaluation)
            if w.kind not in ("group", "note", "entry_end", "entries") or w.is_entry or (w.kind == "entries" and not w.count)
        ]
        sections.append((page, page.title(evaluation), items))
    return sections


def entry_markers(page: Page, evaluation: Evaluation) -> dict[str, Widget]:
    """The add (repeat address) and remove (entry address) buttons the page shows, by address:
    the only entries a posted add or remove may touch."""
    return {w.address: w for w in widgets(page, evaluation) if w.kind in ("entries", "entry_end")}


def display_value(widget: Widget) -> str:
    if widget.element.is_select:
        labels = dict(widget.choices)
        return ", ".join(labels.get(v, v) for v in widget.value.split())
    if widget.kind == "date" and widget.value:
        parts = widget.value.split("-")
        if len(parts) == 3:
            return f"{parts[2]}/{parts[1]}/{parts[0]}"
    if widget.kind == "time":
        return widget.input_value
    if widget.kind == "datetime" and "T" in widget.value:
        day, clock = widget.input_value.split("T", 1)
        parts = day.split("-")
        return f"{parts[2]}/{parts[1]}/{parts[0]} {clock}" if len(parts) == 3 else widget.value
    if widget.kind in ("integer", "decimal") or (widget.kind == "range" and not widget.element.is_select):
        return number_shown(widget.value)
    return widget.value


def number_shown(value: str, *, grouped: bool = True) -> str:
    """A stored number as people read it (1.234,5); a refused entry as the person typed it."""
    if not value or REFUSED_NUMBER in value:
        return value.replace(REFUSED_NUMBER, "")
    try:
        return shown(Decimal(value), grouped=grouped)
    except InvalidOperation:
        return value
