"""Entries the respondent adds to and removes from a repeat without repeat_count.

In ODK and Enketo the respondent decides how many entries such a repeat has ("list the
procedures you did": a name and a number of days for each). The web form does the same with
plain submit buttons in the page's own form, so it works without JavaScript: the page is saved
first (nothing typed is lost, nothing is checked yet), then one entry is added or removed, and
the page is shown again. A list starts with one entry, as in Enketo; removing the last one
leaves it empty. Counted repeats (`repeat_count`) and `jr:noAddRemove` have no buttons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from chiso.surveys.collection.evaluation import MAX_ENTRIES, MAX_REPEAT, Evaluation, first_entries
from chiso.surveys.collection.formdef import FormDef
from chiso.surveys.models import Draft
from chiso.surveys.collection.pages import Page, dom_id, entry_markers

ACTION = re.compile(r"^(add|remove):([\w.\-]+(?:\[\d{1,4}\])?(?:/[\w.\-]+(?:\[\d{1,4}\])?){0,20})$")
PART = re.compile(r"^([\w.\-]+)\[(\d+)\]$")


def entry_action(action: str) -> tuple[str, str] | None:
    """("add", "thu_tuc") or ("remove", "thu_tuc[2]") from a button's value; None for the others."""
    match = ACTION.match(action or "")
    return (match.group(1), match.group(2)) if match else None


@dataclass
class EntryChange:
    anchor: str = ""  # the DOM id the page scrolls to afterwards
    error: str = ""


def _entries_at(answers: dict, repeat_address: str) -> list:
    """The list of entries at `thu_tuc` or `danh_gia[2]/thu_tuc` in the nested answers."""
    scope = answers
    parts = repeat_address.split("/")
    for part in parts[:-1]:
        name, index = PART.match(part).groups()
        scope = scope[name][int(index) - 1]
    entries = scope.get(parts[-1])
    if not isinstance(entries, list):
        entries = scope[parts[-1]] = []
    return entries


def draft_entry_change(*, draft: Draft, evaluation: Evaluation, page: Page, kind: str, address: str) -> EntryChange:
    """Add an entry to the repeat at `address`, or remove the entry at `address`; saved at once.

    Only a button the page shows counts (the repeat must be on this page, relevant, without a
    count): a forged or outdated address changes nothing and says so. `evaluation` is the
    draft as just saved.
    """
    change = answers_entry_change(form=draft.version.form, answers=draft.answers, evaluation=evaluation, page=page, kind=kind, address=address)
    if not change.error:
        draft.save(update_fields=["answers", "updated_at"])
    return change


def answers_entry_change(*, form: FormDef, answers: dict, evaluation: Evaluation, page: Page, kind: str, address: str) -> EntryChange:
    """The change of draft_entry_change on a set of answers, in place (also trying a form: nothing stored)."""
    marker = entry_markers(page, evaluation).get(address)
    if marker is None or marker.kind != ("entries" if kind == "add" else "entry_end"):
        return EntryChange(error=_("This list has changed meanwhile: check the page and try again."))
    if kind == "add":
        if not marker.can_add:
            return EntryChange(error=_("A list can have at most %(count)s entries.") % {"count": MAX_ENTRIES}, anchor=marker.dom_id)
        entries = _entries_at(answers, address)
        entries.append({})
        first_entries(form, answers)  # lists inside the new entry start with one entry too
        anchor = dom_id(f"{address}[{len(entries)}]")
    else:
        repeat_address, index = address[:-1].rsplit("[", 1)
        entries = _entries_at(answers, repeat_address)
        del entries[int(index) - 1]
        anchor = dom_id(repeat_address)
    return EntryChange(anchor=anchor)


def draft_first_entries(*, draft: Draft, save: bool = False) -> bool:
    """Give the draft's lists never started their first entry (in memory, or saved); True if any."""
    changed = first_entries(draft.version.form, draft.answers)
    if changed and save:
        draft.save(update_fields=["answers", "updated_at"])
    return changed


def addresses_allowed(form: FormDef, answers: dict, addresses: list[str]) -> list[str]:
    """The posted addresses a page may write: an entry of a list that exists (or the first of a
    list never started), an entry of a counted repeat within its maximum. A forged
    `thu_tuc[999]/ten` would otherwise create 999 entries past the limit the buttons keep."""
    allowed = []
    for address in addresses:
        scope: dict | None = answers
        ok = True
        for part in address.split("/")[:-1]:
            match = PART.match(part)
            element = form.elements.get(match.group(1)) if match else None
            if element is None or not element.is_repeat:
                ok = False
                break
            name, index = match.group(1), int(match.group(2))
            entries = scope.get(name) if isinstance(scope, dict) else None
            existing = len(entries) if isinstance(entries, list) else 0
            if not element.repeat_count:
                limit = existing if isinstance(entries, list) else 1
            else:
                limit = MAX_REPEAT
            if not 1 <= index <= limit:
                ok = False
                break
            scope = entries[index - 1] if isinstance(entries, list) and index <= existing and isinstance(entries[index - 1], dict) else None
        if ok:
            allowed.append(address)
    return allowed
