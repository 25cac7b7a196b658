"""Sample frames: the list of businesses (or citizens) a survey samples from, imported all or nothing.

A business has a tax code (mã số thuế: 10 digits, or 13 with a branch suffix `-xxx`), a VSIC sector,
a size, a commune and its contacts. Every problem is reported by file, sheet, row and column, and
nothing is stored unless the whole file is right. Identity stays in these tables: no response
refers to a frame.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from chiso.accounts.permissions import surveys_check
from chiso.audit.services import audit_record
from chiso.core.tabular import Column, ImportFailed, Problem, columns_match, normalise_header, read_table

from chiso.surveys.models import FrameEntry, SampleFrame

FRAME_IMPORTED = "sample_frame.imported"


def _title(field: str):
    return FrameEntry._meta.get_field(field).verbose_name


# Every header accepted for a column (compared without case, accents, spacing or punctuation):
# chiso's own name, what registers and offices write, and the titles the app shows, in both languages.
FRAME_COLUMNS = [
    Column("tax_code", ("Mã số thuế", "MST", "Mã số doanh nghiệp", _lazy("Tax code"), _title("tax_code"))),
    Column("name", ("Tên", "Tên doanh nghiệp", "Họ tên", "Họ và tên", _lazy("Name"), _title("name"))),
    Column("legal_form", ("Loại hình", "Loại hình doanh nghiệp", _title("legal_form"))),
    Column("sector", ("Ngành", "Ngành nghề", "VSIC", "Mã ngành", "Mã ngành VSIC", "Ngành VSIC", _title("sector"))),
    Column("size", ("Quy mô", "Số lao động", _title("size"))),
    Column("commune", ("Xã", "Xã, phường", "Địa bàn", "Xã, phường, đặc khu", _title("commune"))),
    Column("address", ("Địa chỉ", _title("address"))),
    Column("email", ("E-mail", "Thư điện tử", _title("email"))),
    Column("phone", ("Điện thoại", "Số điện thoại", "SĐT", _title("phone"))),
]
# A row number is allowed beside the columns and not read.
IGNORED = ("STT", "TT", "No.")


def frame_columns(kind: str) -> list[Column]:
    """The columns of a frame of `kind`: a name always, and a tax code for businesses."""
    required = {"name"} | ({"tax_code"} if kind == SampleFrame.Kind.BUSINESS else set())
    return [dataclasses.replace(column, required=column.name in required) for column in FRAME_COLUMNS]


TAX_CODE = re.compile(r"^(\d{10})(?:-(\d{3}))?$")
TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
VSIC = re.compile(r"^([A-Ua-u])?\s*(\d{2,5})?$")
# VSIC 2018 (Decision 27/2018/QĐ-TTg) sections by two-digit division, as in ISIC Rev. 4.
SECTIONS = [
    ("A", 1, 3), ("B", 5, 9), ("C", 10, 33), ("D", 35, 35), ("E", 36, 39), ("F", 41, 43), ("G", 45, 47),
    ("H", 49, 53), ("I", 55, 56), ("J", 58, 63), ("K", 64, 66), ("L", 68, 68), ("M", 69, 75), ("N", 77, 82),
    ("O", 84, 84), ("P", 85, 85), ("Q", 86, 88), ("R", 90, 93), ("S", 94, 96), ("T", 97, 98), ("U", 99, 99),
]
SIZES = {
    "micro": ("micro", "sieu_nho", "doanh_nghiep_sieu_nho"),
    "small": ("small", "nho", "doanh_nghiep_nho"),
    "medium": ("medium", "vua", "doanh_nghiep_vua"),
    "large": ("large", "lon", "doanh_nghiep_lon"),
}
SIZE_NAMES = {alias: size for size, aliases in SIZES.items() for alias in aliases}


def tax_code_check(value: str) -> bool:
    """True when the 10-digit part carries the right check digit (N10 = 10 − Σ Nᵢ·Wᵢ mod 11)."""
    match = TAX_CODE.match(value)
    if not match:
        return False
    digits = [int(d) for d in match.group(1)]
    expected = (10 - sum(d * w for d, w in zip(digits[:9], TAX_WEIGHTS)) % 11) % 10
    return digits[9] == expected


def vsic_section(code: str) -> str | None:
    """The VSIC section letter of a code such as 4711, 47110, G4711 or G; None when unknown."""
    match = VSIC.match(code.strip())
    if not match or not (match.group(1) or match.group(2)):
        return None
    letter, digits = (match.group(1) or "").upper(), match.group(2)
    if digits:
        division = int(digits[:2])
        for section, low, high in SECTIONS:
            if low <= division <= high:
                if letter and letter != section:
                    return None
                return section
        return None
    return letter


def size_class(value, section: str) -> str | None:
    """micro, small, medium or large: from a class name, or from employees as Decree 80/2021/NĐ-CP
    counts them (agriculture, industry and construction up to 10/100/200; trade and services
    up to 10/50/100). Revenue and capital, the decree's other criteria, are not in a frame."""
    if isinstance(value, (int, float)) or re.fullmatch(r"\d+", str(value).strip()):
        employees = int(float(value))
        industry = section in "ABCDEF" if section else True
        if employees <= 10:
            return "micro"
        if employees <= (100 if industry else 50):
            return "small"
        if employees <= (200 if industry else 100):
            return "medium"
        return "large"
    return SIZE_NAMES.get(normalise_header(value))


def normalise_phone(value: str) -> str | None:
    digits = re.sub(r"[\s.\-()]", "", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    return digits if re.fullmatch(r"0\d{9,10}", digits) else None


def merged_cells(content: bytes) -> list[tuple[str, str]]:
    """(sheet, range) of every merged cell range in an XLSX workbook (read-only reading hides them)."""
    found = []
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            targets = dict(re.findall(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
            targets.update({k: v for v, k in re.findall(r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
            for name, rel in re.findall(r'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
                target = targets.get(rel, "")
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                try:
                    xml = archive.read(path).decode("utf-8", "replace")
                except KeyError:
                    continue
                for ref in re.findall(r'<mergeCell [^>]*ref="([A-Z]+\d+:[A-Z]+\d+)"', xml):
                    found.append((name, ref))
    except (zipfile.BadZipFile, KeyError):
        return []
    return found


@dataclass
class FrameImport:
    frame: SampleFrame | None
    entries: int
    merged: list[str] = field(default_factory=list)  # "rows 4 and 9 (tax code …) merged"


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def frame_import(
    *, name: str, file_name: str, content: bytes, kind: str = SampleFrame.Kind.BUSINESS, duplicates: str = "merge", by,
    progress=None,
) -> FrameImport:
    """Check every row, then store the frame in one transaction; any problem stores nothing.

    Rows with the same tax code (for citizens: the same phone or e-mail) are merged when they
    agree (blanks filled from the later row) with `duplicates="merge"`; rows that disagree, or
    any repeat with `duplicates="report"`, are problems naming both rows. The header is strict: every
    header must name a column (FRAME_COLUMNS, in English or Vietnamese). `progress(done, total)`,
    when given (a background job), hears of each stage: read, checked, written.
    """
    surveys_check(by)
    problems: list[Problem] = []
    table = read_table(file_name, content, kind="frame")  # bounded: size, archive, rows, columns
    if content.startswith(b"PK\x03\x04"):
        for sheet, ref in merged_cells(content):
            first = re.match(r"([A-Z]+)(\d+)", ref)
            problems.append(Problem(
                file=file_name, sheet=sheet, row=int(first.group(2)), column=first.group(1),
                message=_("Merged cells %(range)s: unmerge them and fill in every row.") % {"range": ref},
            ))
    if problems:
        raise ImportFailed(problems)
    business = kind == SampleFrame.Kind.BUSINESS
    # Strict: a header that is no column, or a required column missing, stops the import at once.
    columns = columns_match(table, frame_columns(kind), ignored=IGNORED)
    if not table.rows:
        raise ImportFailed([table.problem(_("The file has no rows below the header."))])

    if progress:
        progress(1, 3)
    entries: list[FrameEntry] = []
    seen: dict[str, int] = {}  # duplicate key → index in entries
    merged: list[str] = []
    for row, values in table.rows:
        raw = {key: values.get(header, "") for key, header in columns.items()}
        entry = FrameEntry(row=row)
        row_problems = []

        def problem(column_key, message):
            row_problems.append(table.problem(message, row=row, column=columns.get(column_key, column_key)))

        entry.name = _text(raw.get("name", ""))[:255]
        if not entry.name:
            problem("name", _("The name is empty."))
        if business:
            value = raw.get("tax_code", "")
            code = _text(value).replace(" ", "")
            if isinstance(value, (int, float)) and len(code) == 9:
                problem("tax_code", _("Tax code %(code)s has 9 digits: Excel dropped the leading 0. Format the column as text and type 0%(code)s.") % {"code": code})
            elif not code:
                problem("tax_code", _("The tax code is empty."))
            elif not TAX_CODE.match(code):
                problem("tax_code", _("Tax code %(code)s is not 10 digits, or 10 digits and a branch suffix such as -001.") % {"code": code})
            elif not tax_code_check(code):
                problem("tax_code", _("Tax code %(code)s has a wrong check digit (the 10th digit); check it against the business registration.") % {"code": code})
            entry.tax_code = code[:14]
            entry.legal_form = _text(raw.get("legal_form", ""))[:100]
        sector = _text(raw.get("sector", ""))
        if sector:
            section = vsic_section(sector)
            if section is None:
                problem("sector", _("Sector %(code)s is not a VSIC 2018 code (a section letter A–U, or 2 to 5 digits such as 4711).") % {"code": sector})
            entry.sector, entry.sector_section = sector[:10], section or ""
        size = raw.get("size", "")
        if _text(size):
            entry.size = size_class(size, entry.sector_section) or ""
            if not entry.size:
                problem("size", _("Size %(value)s is not micro, small, medium, large (siêu nhỏ, nhỏ, vừa, lớn) or a number of employees.") % {"value": _text(size)})
        entry.commune = _text(raw.get("commune", ""))[:150]
        entry.address = _text(raw.get("address", ""))[:255]
        email = _text(raw.get("email", ""))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problem("email", _("%(value)s is not an e-mail address.") % {"value": email})
            entry.email = email.lower()[:254]
        phone = _text(raw.get("phone", ""))
        if phone:
            normalised = normalise_phone(phone)
            if normalised is None:
                problem("phone", _("%(value)s is not a Vietnamese phone number (10 or 11 digits starting with 0, or +84).") % {"value": phone})
            entry.phone = normalised or phone[:20]
        if row_problems:
            problems.extend(row_problems)
            continue
        key = entry.tax_code if business else (entry.phone or entry.email)
        if key and key in seen:
            first = entries[seen[key]]
            conflicts = _merge(first, entry)
            if duplicates != "merge" or conflicts:
                detail = ", ".join(conflicts) if conflicts else _("same entry")
                problems.append(table.problem(
                    _("Duplicate of row %(row)s (%(key)s): %(detail)s.") % {"row": first.row, "key": key, "detail": detail},
                    row=row, column=columns.get("tax_code" if business else ("phone" if entry.phone else "email")),
                ))
            else:
                merged.append(_("Rows %(first)s and %(row)s (%(key)s) merged.") % {"first": first.row, "row": row, "key": key})
            continue
        if key:
            seen[key] = len(entries)
        entries.append(entry)
    if problems:
        raise ImportFailed(problems)
    if progress:
        progress(2, 3)
    with transaction.atomic():
        frame = SampleFrame.objects.create(
            name=name[:255], kind=kind, file_name=file_name[:255], entry_count=len(entries), created_by=by if getattr(by, "pk", None) else None,
        )
        for entry in entries:
            entry.frame = frame
        FrameEntry.objects.bulk_create(entries, batch_size=2000)
        audit_record(event=FRAME_IMPORTED, obj=frame, by=by, new=str(len(entries)), reason=file_name[:255])
    return FrameImport(frame=frame, entries=len(entries), merged=merged)


MERGED_FIELDS = ("name", "legal_form", "sector", "sector_section", "size", "commune", "address", "email", "phone", "tax_code")


def _merge(first: FrameEntry, later: FrameEntry) -> list[str]:
    """Fill `first`'s blanks from `later`; the names of fields on which the two disagree."""
    conflicts = []
    for name in MERGED_FIELDS:
        a, b = getattr(first, name), getattr(later, name)
        if not b or a == b:
            continue
        if not a:
            setattr(first, name, b)
        elif normalise_header(a) != normalise_header(b):
            conflicts.append(_("%(field)s differs (%(first)s / %(later)s)") % {"field": FrameEntry._meta.get_field(name).verbose_name, "first": a, "later": b})
    return conflicts
