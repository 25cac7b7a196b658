"""Reading the tables people really send: CSV from Excel in any encoding, or XLSX.

Every importer (units, sample frames, statistics, …) reads through here, so every one names
the file, sheet, row and column of a problem the same way, and every one is bounded the same
way: the file's size, what an XLSX expands to, rows and columns (chiso.core.uploads).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import difflib
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import filetype
from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser

from chiso.formats.text import fold

from .uploads import DAMAGED, archive_problems, import_limits, upload_too_large


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
# Lone surrogates stand for bytes that no encoding could read (errors="surrogateescape"):
# they never occur in decoded text otherwise, so a cell that holds one is a cell to report.
UNREADABLE = re.compile("[\udc80-\udcff]")
CELL_PROBLEMS_SHOWN = 50


def normalise_header(text: object) -> str:
    """'Mã đơn vị ' → 'ma_don_vi': headers compared without case, accents or spacing."""
    text = fold(text or "")
    return "_".join(text.replace("-", " ").replace("/", " ").split())


def size_check(*, kind: str, file_name: str, size: int) -> None:
    """Refuse a file bigger than the limit of its kind (settings.CHISO_UPLOAD_MAX_BYTES)."""
    message = upload_too_large(kind, size)
    if message:
        raise ImportFailed([Problem(file=file_name, message=message)])


def upload_read(upload, *, kind: str) -> bytes:
    """The content of an uploaded file, refused by its size before it is read into memory."""
    size_check(kind=kind, file_name=upload.name, size=upload.size)
    return upload.read()


def _decode(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8):].decode("utf-8", "surrogateescape")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16", "surrogateescape")
    head = content[:4]
    if len(head) == 4 and head[1] == head[3] == 0 and head[0] and head[2]:
        return content.decode("utf-16-le", "surrogateescape")  # "Unicode text" without its BOM
    if len(head) == 4 and head[0] == head[2] == 0 and head[1] and head[3]:
        return content.decode("utf-16-be", "surrogateescape")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few broken bytes stays UTF-8, so its letters read right and only the
    # broken bytes are reported; otherwise it is Excel's "CSV" on a Vietnamese Windows, the ANSI
    # code page Windows-1258, whose tone marks are combining characters (composed below).
    as_utf8 = content.decode("utf-8", "surrogateescape")
    broken = len(UNREADABLE.findall(as_utf8))
    letters = sum(1 for ch in as_utf8 if ord(ch) > 127) - broken
    if letters > broken:
        return as_utf8
    return content.decode("cp1258", "surrogateescape")


def decode_text(content: bytes) -> str:
    """Decode what Excel and other tools write: UTF-8 (with or without BOM), UTF-16, Windows-1258.

    Bytes that none of them can read are kept as lone surrogates (U+DC80–U+DCFF), which the
    table reader reports by row and column.
    """
    return unicodedata.normalize("NFC", _decode(content))


def text_read(file_name: str, content: bytes, *, kind: str | None = None) -> str:
    """A text file (YAML, …) as text, bounded by its kind's size; bytes no encoding reads and NUL
    characters are reported by line and column."""
    if kind is not None:
        size_check(kind=kind, file_name=file_name, size=len(content))
    text = decode_text(content)
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in re.finditer("[\udc80-\udcff\x00]", line):
            problem = _cell_problem(file_name, None, number, str(match.start() + 1), match.group())
            problems.append(problem)
            break  # one per line is enough to find it
        if len(problems) >= CELL_PROBLEMS_SHOWN:
            break
    if problems:
        raise ImportFailed(problems)
    return text


def read_table(file_name: str, content: bytes, *, sheet: str | None = None, kind: str | None = None) -> Table:
    """Read a CSV file, or one sheet of an XLSX workbook (the first unless named)."""
    return read_tables(file_name, content, sheet=sheet, kind=kind)[0]


def read_tables(file_name: str, content: bytes, *, sheet: str | None = None, kind: str | None = None) -> list[Table]:
    """Read a CSV file (one table) or every non-empty sheet of an XLSX workbook.

    Bounded before anything is parsed: the size of the file (when its `kind` is given, see
    chiso.core.uploads), what an XLSX expands to, then rows and columns as they are read. Only
    the cells that hold a value count, whatever the sheet's dimension claims.
    """
    if kind is not None:
        size_check(kind=kind, file_name=file_name, size=len(content))
    if not content.strip():
        raise ImportFailed([Problem(file=file_name, message=_("The file is empty."))])
    if content.startswith(OLE_MAGIC):
        raise ImportFailed(
            [Problem(file=file_name, message=_("This is an old Excel .xls file; save it as .xlsx or CSV and try again."))]
        )
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(file_name, content, sheet=sheet)
    other = filetype.guess(content[:8192])
    if other is not None:  # a PDF, an image, an archive: no text at all
        raise ImportFailed([Problem(file=file_name, message=_(
            "This is a %(type)s file, not a table; save the table as .xlsx or CSV and try again.")
            % {"type": other.extension.upper()})])
    return [_read_csv(file_name, content)]


def _too_many_rows(file_name: str, sheet: str | None, limit: int) -> ImportFailed:
    return ImportFailed([Problem(file=file_name, sheet=sheet, row=limit + 1, message=_(
        "The table has more than %(limit)s rows (setting CHISO_IMPORT_MAX_ROWS); split it into several files.")
        % {"limit": limit})])


def _too_many_columns(file_name: str, sheet: str | None, row: int, limit: int) -> ImportFailed:
    return ImportFailed([Problem(file=file_name, sheet=sheet, row=row, column=get_column_letter(limit + 1), message=_(
        "The table has more than %(limit)s columns (setting CHISO_IMPORT_MAX_COLUMNS); delete the columns "
        "that are not needed.") % {"limit": limit})])


def _read_csv(file_name: str, content: bytes) -> Table:
    text = decode_text(content)
    sample = text[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    limits = import_limits()

    def records():
        number = 0
        try:
            for number, record in enumerate(reader, start=1):
                if number > limits["rows"]:
                    raise _too_many_rows(file_name, None, limits["rows"])
                while record and not record[-1].strip():
                    record.pop()
                if len(record) > limits["columns"]:
                    raise _too_many_columns(file_name, None, number, limits["columns"])
                yield number, record
        except csv.Error as error:
            raise ImportFailed([Problem(file=file_name, row=number + 1, message=_(
                "The file cannot be read as CSV here (%(error)s): a cell is very long, or a quotation mark is not closed.")
                % {"error": error})]) from None

    return _table_from_records(file_name, records(), sheet=None)


def _read_xlsx(file_name: str, content: bytes, *, sheet: str | None) -> list[Table]:
    workbook = _open_workbook(file_name, content)
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
            records = list(_sheet_records(file_name, worksheet))
            if records:
                tables.append(_table_from_records(file_name, records, sheet=worksheet.title))
        if not tables:
            raise ImportFailed([Problem(file=file_name, message=_("The workbook has no data."))])
        return tables
    finally:
        workbook.close()


def _open_workbook(file_name: str, content: bytes):
    """openpyxl's read-only workbook, opened only once the archive has passed archive_problems."""
    problems = archive_problems(content)
    if problems:
        raise ImportFailed([Problem(file=file_name, message=message) for message in problems])
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken archive
        raise ImportFailed([Problem(file=file_name, message=str(DAMAGED))]) from None


def _sheet_records(file_name: str, worksheet) -> Iterator[tuple[int, list[object]]]:
    """(row number, values up to the last that holds one) for every row of a read-only worksheet
    that holds a value.

    openpyxl's own iteration pads every row to the sheet's claimed dimension and yields every
    row between two listed ones: a sheet claiming A1:XFD1048576 takes minutes and gigabytes.
    Reading the sheet's XML rows as they are takes time and memory in proportion to the data.
    """
    limits = import_limits()
    workbook = worksheet.parent
    try:
        with worksheet._get_source() as source:
            parser = WorkSheetParser(source, worksheet._shared_strings, data_only=True, epoch=workbook.epoch,
                                     date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
            for number, cells in parser.parse():
                values = {cell["column"]: cell["value"] for cell in cells if _holds_value(cell["value"])}
                if not values:
                    continue
                if number > limits["rows"]:
                    raise _too_many_rows(file_name, worksheet.title, limits["rows"])
                last = max(values)
                if last > limits["columns"]:
                    raise _too_many_columns(file_name, worksheet.title, number, limits["columns"])
                row: list[object] = [None] * last
                for column, value in values.items():
                    row[column - 1] = value
                yield number, row
    except ImportFailed:
        raise
    except Exception:  # a sheet whose XML is broken
        raise ImportFailed([Problem(file=file_name, sheet=worksheet.title, message=str(DAMAGED))]) from None


def _holds_value(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def workbook_trimmed(file_name: str, content: bytes) -> bytes:
    """A copy of an XLSX workbook holding only the cells that hold a value, at the same places,
    every sheet kept in order: for libraries (pyxform) that read every cell a sheet claims.
    Bounded as read_tables is; ImportFailed when the workbook is refused."""
    source = _open_workbook(file_name, content)
    copy = Workbook()
    copy.remove(copy.active)
    try:
        for worksheet in source.worksheets:
            target = copy.create_sheet(worksheet.title)
            for number, row in _sheet_records(file_name, worksheet):
                for column, value in enumerate(row, start=1):
                    if value is not None:
                        target.cell(row=number, column=column, value=value)
    finally:
        source.close()
    buffer = io.BytesIO()
    copy.save(buffer)
    return buffer.getvalue()


def _clean(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0, 0):
        return value.date()
    return value


def _cell_problem(file_name: str, sheet: str | None, number: int, column: str, value: str) -> Problem | None:
    """A cell that could not be stored: bytes no encoding reads, or a NUL character."""
    unreadable = UNREADABLE.findall(value)
    if unreadable:
        shown = ", ".join(sorted({f"0x{ord(ch) - 0xDC00:02X}" for ch in unreadable}))
        return Problem(file=file_name, sheet=sheet, row=number, column=column, message=_(
            "The bytes %(bytes)s cannot be read as UTF-8 or as Windows-1258 text; save the file as "
            "“CSV UTF-8” (or as .xlsx) and try again.") % {"bytes": shown})
    if "\x00" in value:
        return Problem(file=file_name, sheet=sheet, row=number, column=column, message=_(
            "The cell holds a NUL character (byte 0x00), which cannot be stored; delete it, or save the "
            "file again as “CSV UTF-8” or .xlsx."))
    return None


def _table_from_records(file_name: str, records: Iterable[tuple[int, list[object]]], *, sheet: str | None) -> Table:
    """The first row that holds a value is the header; rows keep their own numbers, as Excel shows them."""
    table = None
    problems: list[Problem] = []
    hidden = 0

    def check(number: int, values: list[object], headers: list[str]) -> None:
        nonlocal hidden
        for index, value in enumerate(values):
            if isinstance(value, str) and (UNREADABLE.search(value) or "\x00" in value):
                column = headers[index] if index < len(headers) and headers[index] else get_column_letter(index + 1)
                problem = _cell_problem(file_name, sheet, number, column, value)
                if len(problems) < CELL_PROBLEMS_SHOWN:
                    problems.append(problem)
                else:
                    hidden += 1

    for number, record in records:
        values = [_clean(v) for v in record]
        if not any(str(v) for v in values):
            continue  # blank lines above the header and between rows
        if table is None:
            raw_headers = [str(v) for v in values]
            while raw_headers and not raw_headers[-1]:
                raw_headers.pop()
            check(number, raw_headers, [])
            table = Table(file=file_name, headers=raw_headers, sheet=sheet)
            continue
        check(number, values, table.headers)
        values += [""] * (len(table.headers) - len(values))
        table.rows.append((number, dict(zip(table.headers, values[: len(table.headers)]))))
    if table is None:
        raise ImportFailed([Problem(file=file_name, sheet=sheet, message=_("The file has no header row."))])
    if problems:
        if hidden:
            problems.append(Problem(file=file_name, sheet=sheet, message=_(
                "… and %(count)s more cells like these.") % {"count": hidden}))
        raise ImportFailed(problems)
    return table


@dataclass(frozen=True)
class Column:
    """One column an importer reads: its name as chiso's own files write it, every other header
    people write for it (Vietnamese and English), and the titles the app itself shows for it
    (lazy translations: each counts in every language)."""

    name: str
    titles: tuple = ()
    required: bool = False

    def accepted(self) -> list[str]:
        """Every accepted header, as written, without repeats (compared as normalise_header does)."""
        spelled: dict[str, str] = {}
        for title in (self.name, *self.titles):
            for language in [code for code, _name in settings.LANGUAGES] if isinstance(title, Promise) else [None]:
                with translation.override(language) if language else contextlib.nullcontext():
                    text = str(title)
                spelled.setdefault(header_key(text), text[:1].upper() + text[1:] if language else text)
        return list(spelled.values())


def columns_match(table: Table, columns: list[Column], *, ignored: tuple[str, ...] = ()) -> dict[str, str]:
    """Column name → the file's own header for it; strict: one problem at the header row names every
    required column that is missing and every header that is not a column (with the accepted headers),
    and nothing is read. Headers in `ignored` (a row number, "STT") are allowed and not read."""
    lookup = {header_key(text): column.name for column in columns for text in column.accepted()}
    skipped = {header_key(text) for text in ignored}
    found: dict[str, str] = {}
    unknown: list[str] = []
    twice: list[str] = []
    for header in table.headers:
        key = header_key(header)
        if not key or key in skipped:
            continue
        name = lookup.get(key)
        if name is None:
            unknown.append(header)
        elif name in found:
            twice.append(_("“%(first)s” and “%(second)s” are both %(column)s") % {"first": found[name], "second": header, "column": name})
        else:
            found[name] = header
    missing = [column for column in columns if column.required and column.name not in found]
    if not (unknown or missing or twice):
        return found
    parts = []
    if missing:
        parts.append(_("Missing columns: %(columns)s.") % {"columns": "; ".join(_column_label(c) for c in missing)})
    if unknown:
        text = _("Unknown columns: %(headers)s.") % {"headers": ", ".join(f"“{h}”" for h in unknown)}
        for header in unknown:
            hint = difflib.get_close_matches(header_key(header), list(lookup), n=1, cutoff=0.75)
            if hint:
                text += " " + _("Is “%(header)s” meant to be %(column)s?") % {"header": header, "column": lookup[hint[0]]}
        parts.append(text)
    if twice:
        parts.append(_("Twice the same column: %(pairs)s; keep one.") % {"pairs": "; ".join(twice)})
    parts.append(_("Accepted headers: %(columns)s.") % {"columns": "; ".join(_column_label(c) for c in columns)})
    if ignored:
        parts.append(_("Also allowed, and not read: %(headers)s.") % {"headers": ", ".join(ignored)})
    raise ImportFailed([table.problem(" ".join(parts), row=1)])


def header_key(text: object) -> str:
    """'Xã, phường' and 'xa_phuong' alike: normalise_header without punctuation."""
    return re.sub(r"[^\w]", "", normalise_header(text))


def _column_label(column: Column) -> str:
    others = column.accepted()[1:]
    return f"{column.name} ({', '.join(others)})" if others else column.name


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
