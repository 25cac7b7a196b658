"""CSV downloads that open right in Excel, in either of the two ways people open them.

Every CSV starts with a UTF-8 byte order mark, without which Excel reads Vietnamese letters as
Windows-1252 ("Sá»Ÿ TÃ i chÃ­nh"). Excel set to Vietnamese (decimal comma, list separator `;`)
splits a comma-separated file on commas and reads 12.5 as a date or a text, so the "Excel (Việt
Nam)" variant writes `;` between cells and a decimal comma. Scores are rounded as the pages show
them (SHOWN_DECIMALS) unless the reader asks for every digit (`full_precision`), which is what a
script re-ranking the units wants.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

from chiso.core.safe_cells import csv_writer

SHOWN_DECIMALS = 2  # what the results pages show (results_tags.num)
BOM = "\ufeff"


@dataclass(frozen=True)
class CsvVariant:
    code: str  # as the download's address asks for it (?variant=excel-vn)
    delimiter: str
    decimal: str


STANDARD = CsvVariant("standard", ",", ".")
EXCEL_VN = CsvVariant("excel-vn", ";", ",")
VARIANTS = {variant.code: variant for variant in (STANDARD, EXCEL_VN)}


def csv_number(value: Any, *, variant: CsvVariant = STANDARD, full_precision: bool = False) -> str:
    """A number as the cell's text: "" for none, integers as they are, other numbers rounded to
    SHOWN_DECIMALS (every digit with `full_precision`), with the variant's decimal mark."""
    if value is None or value == "":
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    number = float(value)
    if number != number:  # NaN: no value
        return ""
    text = repr(number) if full_precision else f"{number:.{SHOWN_DECIMALS}f}"
    if text in ("-0.00", "-0.0"):
        text = text[1:]
    return text.replace(".", variant.decimal)


def csv_response(header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str, *,
                 variant: CsvVariant = STANDARD, full_precision: bool = False,
                 numbers: Iterable[int] = ()) -> HttpResponse:
    """A CSV attachment: BOM, the variant's separator, formula-like text kept as text (safe_cells).
    `numbers` are the indexes of the columns written through csv_number."""
    numeric = set(numbers)
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv_writer(buffer, delimiter=variant.delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_number(v, variant=variant, full_precision=full_precision) if i in numeric else v
                         for i, v in enumerate(row)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    if variant is not STANDARD:
        filename = filename.removesuffix(".csv") + f"-{variant.code}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
