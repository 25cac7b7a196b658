"""XLSX workbooks written row by row in constant memory: XlsxWriter's package, chiso's cells.

XlsxWriter (`constant_memory`) writes the workbook: styles, sheets, the zip. The cells of each row
are written here, as one piece of XML per row, for two reasons measured on the export of 100,000
survey responses (5 million cells):

- speed: XlsxWriter's own `write_*` calls cost about 5 µs a cell (openpyxl's write-only mode 8 µs),
  some 25 s for the export; writing a row at once costs well under 1 µs a cell;
- safety: in `constant_memory` mode XlsxWriter copies a text that starts with `<r>` and ends with
  `</r>` into the sheet unescaped (it takes it for a rich string), so an answer shaped like that
  could close its cell and open a formula. Here every text is escaped and written as an inline
  text cell, never a formula (chiso.core.safe_cells: formula-like answers stay text).

Numbers are number cells, dates are date cells shown dd/mm/yyyy, None is an empty cell.
"""

from __future__ import annotations

import datetime
import math
import re
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

MAX_TEXT = 32767  # the longest text an Excel cell holds
MAX_ROWS = 1_048_576
_EPOCH = datetime.date(1899, 12, 30)
# XML 1.0 refuses these characters; Excel writes them (and a literal "_x0041_") as _xHHHH_ escapes.
_ESCAPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|_x[0-9A-Fa-f]{4}_")
_MARKUP = re.compile(r"[&<>]")
_PLAIN = re.compile(r"[^\x00-\x1f&<>_\s][^\x00-\x1f&<>_]*(?<!\s)")  # nothing to escape, no space at either end
_CACHE: dict[str, str] = {}  # answers repeat (choice names, codes): each is escaped once


def _escape(match: re.Match) -> str:
    found = match.group()
    return "_x005F" + found if found.startswith("_x") else f"_x{ord(found):04X}_"


def text_xml(value: str) -> str:
    """The <is> content of an inline text cell."""
    cached = _CACHE.get(value)
    if cached is not None:
        return cached
    if len(value) <= 200:
        if len(_CACHE) > 20_000:
            _CACHE.clear()
        _CACHE[value] = cached = _text_xml(value)
        return cached
    return _text_xml(value)


def _text_xml(value: str) -> str:
    if _PLAIN.fullmatch(value):
        return f"<t>{value}</t>"
    if len(value) > MAX_TEXT:
        value = value[:MAX_TEXT]
    if _ESCAPED.search(value):
        value = _ESCAPED.sub(_escape, value)
    if _MARKUP.search(value):
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if value[:1].isspace() or value[-1:].isspace():
        return f'<t xml:space="preserve">{value}</t>'
    return f"<t>{value}</t>"


class StreamedSheet(Worksheet):
    """A constant-memory worksheet that takes whole rows (`row_append`) and writes them at once."""

    def _streaming_start(self, date_style: int, header_style: int) -> None:
        self._row_count = 0
        self._letters: list[str] = []
        self._date_style = date_style
        self._header_style = header_style
        self.overflow = 0  # rows past Excel's last row, left out

    def _letter(self, col: int) -> str:
        while len(self._letters) <= col:
            self._letters.append(xl_col_to_name(len(self._letters)))
        return self._letters[col]

    def row_append(self, values, header: bool = False) -> None:
        n = self._row_count
        if n >= MAX_ROWS:
            self.overflow += 1
            return
        number = n + 1
        if len(values) > len(self._letters):
            self._letter(len(values) - 1)
        # A cell names its place (r="B7") only after an empty one: without it a cell is the next
        # of its row (ECMA-376 §18.3.1.4), which spares most of the writing.
        parts = [f'<row r="{number}">']
        append = parts.append
        if header:
            for letter, value in zip(self._letters, values):
                append(f'<c r="{letter}{number}" s="{self._header_style}" t="inlineStr"><is>{text_xml(str(value))}</is></c>')
            values = ()
        place = ""
        cache = _CACHE
        for letter, value in zip(self._letters, values):
            kind = type(value)
            if kind is str:
                if not value:
                    place = letter
                    continue
                text = cache.get(value) or text_xml(value)
                append(f'<c r="{letter}{number}" t="inlineStr"><is>{text}</is></c>' if place else f'<c t="inlineStr"><is>{text}</is></c>')
            elif value is None:
                place = letter
                continue
            elif kind is int:
                append(f'<c r="{letter}{number}"><v>{value}</v></c>' if place else f"<c><v>{value}</v></c>")
            elif kind is float:
                if not math.isfinite(value):
                    place = letter
                    continue
                append(f'<c r="{letter}{number}"><v>{value!r}</v></c>' if place else f"<c><v>{value!r}</v></c>")
            elif kind is bool:
                append(f'<c r="{letter}{number}"><v>{int(value)}</v></c>')
            elif kind is datetime.date:
                append(f'<c r="{letter}{number}" s="{self._date_style}"><v>{(value - _EPOCH).days}</v></c>')
            else:
                append(f'<c r="{letter}{number}" t="inlineStr"><is>{text_xml(str(value))}</is></c>')
            place = ""
        append("</row>")
        self.fh.write("".join(parts))
        # What XlsxWriter's own writes keep: the sheet's extent (its <dimension>) and the last row.
        if self.dim_rowmin is None:
            self.dim_rowmin, self.dim_colmin, self.dim_colmax = n, 0, 0
        self.dim_rowmax = n
        if values and len(values) - 1 > self.dim_colmax:
            self.dim_colmax = len(values) - 1
        self.previous_row = number
        self._row_count = number


class StreamedWorkbook:
    """`with StreamedWorkbook(path) as book: sheet = book.sheet("name"); sheet.row_append([...])`."""

    def __init__(self, target: Path | str):
        self._book = Workbook(str(target), {
            "constant_memory": True,
            # Texts stay texts: never a formula, a number or a link (chiso.core.safe_cells).
            "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
        })
        self._date_style = self._book.add_format({"num_format": "dd/mm/yyyy"})._get_xf_index()
        self._header_style = self._book.add_format({"bold": True})._get_xf_index()

    def sheet(self, name: str) -> StreamedSheet:
        sheet = self._book.add_worksheet(name[:31], worksheet_class=StreamedSheet)
        sheet._streaming_start(self._date_style, self._header_style)
        return sheet

    def close(self) -> None:
        self._book.close()

    def __enter__(self) -> StreamedWorkbook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
