"""Reading the tables people really send: CSV from Excel in any encoding, or XLSX.

Every importer (units, sample frames, statistics, …) reads through here, so every one names
the file, sheet, row and column of a problem the same way.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as a person would look for it."""

    file: str
    message: str
    row: int | None = None  # 1-based, as Excel numbers rows (the header is row 1)
    column: str | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        where = [_("File %(name)s") % {"name": self.file}]
        if self.sheet:
            where.append(_("sheet %(sheet)s") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(_("row %(row)s") % {"row": self.row})
        if self.column:
            where.append(_("column %(column)s") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}"


class ImportFailed(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Table:
    file: str
    headers: list[str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)  # (row number, values)
    sheet: str | None = None

    def problem(self, message: str, row: int | None = None, column: str | None = None) -> Problem:
        return Problem(file=self.file, sheet=self.sheet, row=row, column=column, message=message)


XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


def normalise_header(text: object) -> str:
    """'Mã đơn vị ' → 'ma_don_vi': headers compared without case, accents or spacing."""
    text = unicodedata.normalize("NFD", str(text or "").strip().lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return "_".join(text.replace("-", " ").replace("/", " ").split())


def decode_text(content: bytes) -> str:
    """Decode what Excel and other tools write: UTF-8 (with or without BOM), UTF-16, Windows-1258."""
    if content.startswith(codecs.BOM_UTF8):
        text = content[len(codecs.BOM_UTF8):].decode("utf-8")
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = content.decode("utf-16")
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            # Excel's "CSV" on a Vietnamese Windows writes the ANSI code page, Windows-1258,
            # whose tone marks are combining characters: compose them below.
            text = content.decode("cp1258")
    return unicodedata.normalize("NFC", text)


def read_table(file_name: str, content: bytes, *, sheet: str | None = None) -> Table:
    """Read a CSV file, or one sheet of an XLSX workbook (the first unless named)."""
    return read_tables(file_name, content, sheet=sheet)[0]


def read_tables(file_name: str, content: bytes, *, sheet: str | None = None) -> list[Table]:
    """Read a CSV file (one table) or every non-empty sheet of an XLSX workbook."""
    if not content.strip():
        raise ImportFailed([Problem(file=file_name, message=_("The file is empty."))])
    if content.startswith(OLE_MAGIC):
        raise ImportFailed(
            [Problem(file=file_name, message=_("This is an old Excel .xls file; save it as .xlsx or CSV and try again."))]
        )
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(file_name, content, sheet=sheet)
    return [_read_csv(file_name, content)]


def _read_csv(file_name: str, content: bytes) -> Table:
    text = decode_text(content)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    records = [row for row in reader]
    return _table_from_records(file_name, records, sheet=None)


def _read_xlsx(file_name: str, content: bytes, *, sheet: str | None) -> list[Table]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken archive
        raise ImportFailed([Problem(file=file_name, message=_("This is not a readable XLSX workbook."))]) from None
    try:
        if sheet is not None:
            if sheet not in workbook.sheetnames:
                raise ImportFailed(
                    [
                        Problem(
                            file=file_name,
                            message=_("The workbook has no sheet named %(sheet)s (it has: %(names)s).")
                            % {"sheet": sheet, "names": ", ".join(workbook.sheetnames)},
                        )
                    ]
                )
            worksheets = [workbook[sheet]]
        else:
            worksheets = workbook.worksheets
        tables = []
        for worksheet in worksheets:
            records = [list(row) for row in worksheet.iter_rows(values_only=True)]
            if any(any(str(v or "").strip() for v in record) for record in records):
                tables.append(_table_from_records(file_name, records, sheet=worksheet.title))
        if not tables:
            raise ImportFailed([Problem(file=file_name, message=_("The workbook has no data."))])
        return tables
    finally:
        workbook.close()


def _clean(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0, 0):
        return value.date()
    return value


def _table_from_records(file_name: str, records: list[list[object]], *, sheet: str | None) -> Table:
    # Skip leading blank lines, as people leave them above the header.
    start = 0
    while start < len(records) and not any(str(v or "").strip() for v in records[start]):
        start += 1
    if start == len(records):
        raise ImportFailed([Problem(file=file_name, sheet=sheet, message=_("The file has no header row."))])
    raw_headers = [str(_clean(v)) for v in records[start]]
    while raw_headers and not raw_headers[-1]:
        raw_headers.pop()
    table = Table(file=file_name, headers=raw_headers, sheet=sheet)
    for index, record in enumerate(records[start + 1:], start=start + 2):
        values = [_clean(v) for v in record]
        if not any(str(v) for v in values):
            continue
        values += [""] * (len(raw_headers) - len(values))
        table.rows.append((index, dict(zip(raw_headers, values[: len(raw_headers)]))))
    return table


def parse_date(value: object) -> datetime.date | None:
    """A date as Vietnamese offices write it (13/03/2023) or ISO (2023-03-13); '' is None.

    Raises ValueError for anything else, so the caller can say where it was.
    """
    if value in ("", None):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)
