"""Nested answers by address (`danh_gia[2]/diem`): put a value in, merge a page's posted values,
flatten, and compare the two entries of a paper form typed twice."""

from __future__ import annotations

from copy import deepcopy

from chiso.surveys.collection.evaluation import normalise_input


def answers_set(answers: dict, address: str, value) -> None:
    """Put one value at an address such as `danh_gia[2]/diem` into the nested answers."""
    scope = answers
    parts = address.split("/")
    for part in parts[:-1]:
        name, index = part[:-1].split("[")
        entries = scope.setdefault(name, [])
        while len(entries) < int(index):
            entries.append({})
        scope = entries[int(index) - 1]
    scope[parts[-1]] = value


def answers_with_values(form, answers: dict, values: dict[str, str], addresses: list[str]) -> dict:
    """The draft's answers with one page's posted values put in (the page's own questions only)."""
    merged = deepcopy(answers or {})
    for address in addresses:
        element = form.elements.get(address.rsplit("/", 1)[-1])
        if element is None or not element.is_displayed or element.type == "note" or element.readonly:
            continue
        answers_set(merged, address, normalise_input(element, values.get(address, ""), typed=True))
    return merged


def answers_flat(answers: dict, prefix: str = "") -> dict:
    """Nested answers as one value per address (`danh_gia[2]/diem`), in the form's order."""
    flat = {}
    for name, value in (answers or {}).items():
        if isinstance(value, list) and value and all(isinstance(e, dict) for e in value):
            for index, entry in enumerate(value, start=1):
                flat.update(answers_flat(entry, f"{prefix}{name}[{index}]/"))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def answers_differences(first: dict, second: dict) -> list[str]:
    """The addresses whose values the two entries of a paper form disagree on (empty is empty)."""
    a, b = answers_flat(first), answers_flat(second)
    keys = list(a) + [k for k in b if k not in a]
    return [k for k in keys if (a.get(k) in (None, "", []) and b.get(k) in (None, "", [])) is False and a.get(k) != b.get(k)]
