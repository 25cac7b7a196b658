"""Import of published national results (PCI, PAPI, PAR Index, SIPAS) per province and year, and
a province's results over the years through the 2025 merger of provinces.

Layouts read as they are published (README "Frameworks and index runs" lists them):

- chiso's own: index, year, province, score, rank, tier, then any component columns;
- a tidy table of one index: a province column (Tỉnh, Tên tỉnh, province, tentinh_vie, …) and the
  score (PCI, papi_unweighted_total, Điểm, …), rank, tier and sub-index columns by name;
- VCCI's summary sheet, where each sub-index is its own (province, score) column pair sorted by that
  score: the pairs are read one by one and joined by province;
- UNDP's PAPI workbook, with two header rows (variable names such as `tentinh_vie` and labels).

The header row is found among the first rows (titles above it are skipped); a second header row
right under it is skipped too. Provinces are recognised with and without diacritics, with or
without "Tỉnh"/"TP." and in older spellings (Đăk Lăk, Hoà Bình, TT-Huế) and stored by one name;
rows that are no province (blank, "Điểm cao nhất", "Trung vị", …) are skipped with a note; any
other name is refused. All or nothing, every problem by file, sheet, row and column. A PCI or PAPI
column that is none of the above is refused with the accepted headers.

An import is shown before it is written (national_results_preview); a file never removes the results
of provinces it does not list, unless the whole period (each index and year in the file) is replaced.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from chiso.accounts.permissions import may_import_national_results
from chiso.audit.services import audit_record_many
from chiso.core.pending_imports import (
    ADDED,
    CHANGED,
    REMOVED,
    UNCHANGED,
    ImportPreview,
    PreviewRow,
    fingerprint,
    fingerprint_check,
)
from chiso.core.tabular import XLSX_MAGIC, ImportFailed, Problem, decode_text, header_key, read_tables
from chiso.formats.numbers import shown
from chiso.formats.text import fold

from .models import ExternalResult

PCI_COMPONENTS = ["entry_costs", "land_access", "transparency", "time_costs", "informal_charges", "policy_bias",
                  "proactivity", "business_support", "labor_training", "legal_institutions"]

# --- provinces -------------------------------------------------------------------------

PROVINCES = [  # the 63 provinces and cities before 1 July 2025, by their current spelling
    "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định",
    "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cần Thơ", "Cao Bằng", "Đà Nẵng", "Đắk Lắk", "Đắk Nông",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương",
    "Hải Phòng", "Hậu Giang", "Hòa Bình", "Hồ Chí Minh", "Huế", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum",
    "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận",
    "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La",
    "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long",
    "Vĩnh Phúc", "Yên Bái",
]
# Nghị quyết 202/2025/QH15 (12/06/2025): 63 → 34 provinces, the new ones at work from 01/07/2025.
# The new province keeps one former name; its results before 2025 are its former provinces'.
MERGED_2025 = {
    "Tuyên Quang": ["Hà Giang", "Tuyên Quang"], "Lào Cai": ["Lào Cai", "Yên Bái"],
    "Thái Nguyên": ["Bắc Kạn", "Thái Nguyên"], "Bắc Ninh": ["Bắc Giang", "Bắc Ninh"],
    "Phú Thọ": ["Hòa Bình", "Phú Thọ", "Vĩnh Phúc"], "Hải Phòng": ["Hải Dương", "Hải Phòng"],
    "Hưng Yên": ["Hưng Yên", "Thái Bình"], "Ninh Bình": ["Hà Nam", "Nam Định", "Ninh Bình"],
    "Quảng Trị": ["Quảng Bình", "Quảng Trị"], "Đà Nẵng": ["Đà Nẵng", "Quảng Nam"],
    "Quảng Ngãi": ["Quảng Ngãi", "Kon Tum"], "Gia Lai": ["Bình Định", "Gia Lai"],
    "Khánh Hòa": ["Khánh Hòa", "Ninh Thuận"], "Đắk Lắk": ["Phú Yên", "Đắk Lắk"],
    "Lâm Đồng": ["Bình Thuận", "Đắk Nông", "Lâm Đồng"], "Đồng Nai": ["Bình Phước", "Đồng Nai"],
    "Hồ Chí Minh": ["Bình Dương", "Bà Rịa - Vũng Tàu", "Hồ Chí Minh"], "Tây Ninh": ["Tây Ninh", "Long An"],
    "Đồng Tháp": ["Tiền Giang", "Đồng Tháp"], "Vĩnh Long": ["Bến Tre", "Trà Vinh", "Vĩnh Long"],
    "An Giang": ["An Giang", "Kiên Giang"], "Cần Thơ": ["Cần Thơ", "Hậu Giang", "Sóc Trăng"],
    "Cà Mau": ["Bạc Liêu", "Cà Mau"],
}
MERGER_YEAR = 2025  # results of 2025 on are the new provinces'
ALIASES = {  # plain spellings (see _plain) that are not a province's own
    "tphcm": "Hồ Chí Minh", "hcm": "Hồ Chí Minh", "hcmc": "Hồ Chí Minh", "hochiminhcity": "Hồ Chí Minh",
    "saigon": "Hồ Chí Minh", "brvt": "Bà Rịa - Vũng Tàu", "vungtau": "Bà Rịa - Vũng Tàu",
    "thuathienhue": "Huế", "tthue": "Huế", "baccan": "Bắc Kạn", "daclac": "Đắk Lắk", "daclak": "Đắk Lắk", "daknong": "Đắk Nông",
    "hanoicity": "Hà Nội", "danangcity": "Đà Nẵng", "haiphongcity": "Hải Phòng", "canthocity": "Cần Thơ",
}
PREFIXES = ("thanh pho ", "tinh ", "t.p. ", "t.p ", "tp. ", "tp.", "tp ", "city of ", "province of ")
# Rows of a published table that are no province: summaries and notes, skipped with a note.
NOT_PROVINCES = ("diemcaonhat", "diemthapnhat", "caonhat", "thapnhat", "trungvi", "trungbinh", "binhquan",
                 "canuoc", "toanquoc", "max", "min", "median", "mean", "average", "tong", "total", "ghichu",
                 "nguon", "source", "note", "highest", "lowest", "national")


def _plain(text: object) -> str:
    """'TP. Hồ Chí Minh' → 'hochiminh': compared without case, diacritics, prefixes or punctuation."""
    text = fold(text or "")
    text = re.sub(r"\s+", " ", text.replace("-", " ").replace("–", " "))
    for prefix in PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
            break
    text = text.removesuffix(" province")
    return re.sub(r"[^a-z0-9]", "", text)


_BY_PLAIN = {_plain(name): name for name in PROVINCES} | ALIASES


def province_name(text: object) -> str | None:
    """The province's one name in chiso ('Hồ Chí Minh' for 'TP.HCM'), or None."""
    return _BY_PLAIN.get(_plain(text))


def _not_a_province(text: object) -> bool:
    plain = _plain(text)
    return not plain or any(plain.startswith(word) for word in NOT_PROVINCES)


# --- reading the grid ------------------------------------------------------------------

MAX_HEADER_SEARCH = 15
GRID_ROWS, GRID_COLUMNS = 5000, 300  # a national table has 63 rows and a few dozen columns


@dataclass
class _Sheet:
    name: str | None
    rows: list[tuple[int, list[object]]]  # (row number as Excel shows it, cells)


def _grids(file_name: str, content: bytes) -> list[_Sheet]:
    """Every sheet as rows of cells by position (a sheet may repeat a header: VCCI's pairs do)."""
    if content.startswith(XLSX_MAGIC):
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            sheets = []
            for worksheet in workbook.worksheets:
                rows = []
                for number, cells in enumerate(worksheet.iter_rows(max_row=GRID_ROWS, max_col=GRID_COLUMNS,
                                                                   values_only=True), start=1):
                    values = [_cell(v) for v in cells]
                    if any(v != "" for v in values):
                        rows.append((number, values))
                if rows:
                    sheets.append(_Sheet(worksheet.title, rows))
            return sheets
        finally:
            workbook.close()
    text = decode_text(content)
    try:
        dialect = csv.Sniffer().sniff(text[:20000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [(n, [_cell(v) for v in r]) for n, r in enumerate(csv.reader(io.StringIO(text), dialect), start=1)
            if n <= GRID_ROWS and any(v.strip() for v in r)]
    return [_Sheet(None, rows)]


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


# --- what a header means ---------------------------------------------------------------

PROVINCE_HEADERS = {"province", "provincevi", "provincename", "tinh", "tentinh", "tinhthanhpho", "tinhthanh",
                    "tentinhthanhpho", "diaphuong", "tentinhvie", "tinhtp", "prov"}  # as _key writes them
PROVINCE_EN_HEADERS = {"provinceen", "tentinheng", "provincenameen"}
ID_HEADERS = {"tinhid", "stt", "tt", "no", "matinh", "id", "code"}
RANK_WORDS = ("xephang", "thuhang", "hang")
TIER_WORDS = ("tier", "nhom", "xeploai")
PCI_WORDS = {  # sub-index → words its header holds (Vietnamese and English, as VCCI writes them)
    "entry_costs": ("entry", "gianhap"),
    "land_access": ("land", "datdai"),
    "transparency": ("transparen", "minhbach"),
    "time_costs": ("timecost", "thoigian"),
    "informal_charges": ("informal", "khongchinhthuc"),
    "policy_bias": ("policybias", "bias", "binhdang", "uudai"),
    "proactivity": ("proactiv", "nangdong"),
    "business_support": ("businesssupport", "hotro"),
    "labor_training": ("labor", "labour", "laodong"),
    "legal_institutions": ("legal", "lawandorder", "law", "thietche", "phaply"),
}
PAPI_WORDS = {  # dimension → words (PAPI's English and Vietnamese names)
    "participation_at_local_levels": ("participation", "thamgia"),
    "transparency": ("transparency", "congkhai", "minhbach"),
    "vertical_accountability": ("accountability", "giaitrinh"),
    "control_of_corruption": ("corruption", "thamnhung"),
    "public_administrative_procedures": ("administrativeprocedures", "thutuchanhchinh"),
    "public_service_delivery": ("servicedelivery", "dichvucong"),
    "environmental_governance": ("environment", "moitruong"),
    "e_governance": ("egovernance", "dientu"),
}


# The sub-indices as VCCI and UNDP name them (Vietnamese, English), for the accepted headers.
COMPONENT_NAMES = {
    "PCI": {
        "entry_costs": ("Chi phí gia nhập thị trường", "Entry costs"), "land_access": ("Tiếp cận đất đai", "Land access"),
        "transparency": ("Tính minh bạch", "Transparency"), "time_costs": ("Chi phí thời gian", "Time costs"),
        "informal_charges": ("Chi phí không chính thức", "Informal charges"),
        "policy_bias": ("Cạnh tranh bình đẳng", "Policy bias"), "proactivity": ("Tính năng động", "Proactivity"),
        "business_support": ("Dịch vụ hỗ trợ doanh nghiệp", "Business support services"),
        "labor_training": ("Đào tạo lao động", "Labor training"), "legal_institutions": ("Thiết chế pháp lý", "Legal institutions"),
    },
    "PAPI": {
        "participation_at_local_levels": ("Tham gia của người dân ở cấp cơ sở", "Participation at local levels"),
        "transparency": ("Công khai, minh bạch", "Transparency"),
        "vertical_accountability": ("Trách nhiệm giải trình với người dân", "Vertical accountability"),
        "control_of_corruption": ("Kiểm soát tham nhũng", "Control of corruption"),
        "public_administrative_procedures": ("Thủ tục hành chính công", "Public administrative procedures"),
        "public_service_delivery": ("Cung ứng dịch vụ công", "Public service delivery"),
        "environmental_governance": ("Quản trị môi trường", "Environmental governance"),
        "e_governance": ("Quản trị điện tử", "E-governance"),
    },
}


def _accepted_headers(index_code: str) -> str:
    """Every header a table of this index may have, as people and the app write them."""
    score = {"PCI": "PCI, Điểm PCI, ", "PAPI": "papi_unweighted_total, Tổng điểm, "}.get(index_code, "")
    parts = [
        f"{_('Province')} (Tỉnh, Tên tỉnh, Tỉnh/Thành phố, province, tentinh_vie)",
        f"{_('Score')} ({score}Điểm, Điểm số, score)",
        f"{_('Rank')} (Xếp hạng, Thứ hạng, Hạng, rank)",
        f"{_('Tier')} (Nhóm, Xếp loại, tier)",
        f"{_('Year')} (Năm, year)",
        f"{_('Index')} (Chỉ số, index)",
        "STT, tinhid, Mã tỉnh, province_en, tentinh_eng",
    ]
    parts += [f"{code} ({vi}, {en})" for code, (vi, en) in COMPONENT_NAMES.get(index_code, {}).items()]
    if index_code == "PAPI":
        parts.append("D_…, S_…")
    return "; ".join(parts)


def _unknown_columns_message(index_code: str, headers: list[str]) -> str:
    return " ".join([
        _("Unknown columns: %(headers)s.") % {"headers": ", ".join(f"“{h}”" for h in headers)},
        _("Accepted headers: %(columns)s.") % {"columns": _accepted_headers(index_code)},
    ])


def _key(text: object) -> str:
    return header_key(text).replace("_", "")


def _is_total(index_code: str, key: str) -> bool:
    if index_code == "PAPI":
        return key.startswith(("papi", "tong", "total", "unweighted", "diempapi"))
    if index_code == "PCI" and key.startswith(("pci", "diempci", "chisopci")):
        return True  # PCI, PCI 2016, Điểm PCI, PCI có trọng số (ranks and tiers are told apart first)
    return key in ("score", "diem", "diemso", "diemtonghop", "tongdiem", "ketqua")


def _component(index_code: str, key: str, raw: str) -> str | None:
    if index_code == "PAPI":
        if key.startswith("s") and raw.lower().startswith("s_"):
            return None  # a sub-dimension of the tidy dataset
        if raw.lower().startswith("d_"):
            return header_key(raw)[2:]
        words = PAPI_WORDS
    elif index_code == "PCI":
        words = PCI_WORDS
    else:
        return None
    for code, needles in words.items():
        if any(needle in key for needle in needles):
            return code
    return None


def _is_rank(key: str) -> bool:
    return "rank" in key or key.startswith(RANK_WORDS)


def _year_in(*texts) -> int | None:
    for text in texts:
        found = re.search(r"(?<!\d)(20\d\d)(?!\d)", str(text or ""))
        if found:
            return int(found.group(1))
    return None


def _number(value) -> float | None:
    if value in ("", None) or (isinstance(value, str) and value.strip().lower() in ("-", "—", "n/a", "na", "..")):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # 7,16 as Vietnamese write it
    return float(text)  # ValueError is the caller's to report


# --- the import ------------------------------------------------------------------------

@dataclass
class NationalImport:
    """What an import did: rows imported, rows skipped (each with a note), per index and year."""

    count: int = 0
    notes: list[Problem] = field(default_factory=list)
    years: dict[str, set] = field(default_factory=dict)
    preview: ImportPreview | None = None  # what it added, changed, left and removed


@dataclass
class _Row:
    index_code: str
    year: int
    province: str
    score: float | None = None
    rank: int | None = None
    tier: str = ""
    components: dict = field(default_factory=dict)
    where: tuple = ()  # (sheet, row) for problems


class _Reader:
    def __init__(self, file_name: str, sheet: _Sheet, index_code: str | None, year: int | None, problems, notes):
        self.file, self.sheet, self.problems, self.notes = file_name, sheet, problems, notes
        self.above: list = []
        self.index_code, self.year = index_code, year

    def problem(self, message: str, row: int | None = None, column: str | None = None) -> Problem:
        return Problem(file=self.file, sheet=self.sheet.name, row=row, column=column, message=message)

    def read(self) -> list[_Row]:
        rows = self.sheet.rows
        header_at = next((i for i, (_n, cells) in enumerate(rows[:MAX_HEADER_SEARCH])
                          if any(_key(c) in PROVINCE_HEADERS for c in cells)), None)
        if header_at is None:
            found = ", ".join(str(c) for c in rows[0][1] if c != "") if rows else "—"
            self.problems.append(self.problem(_(
                "No province column in the first rows (a header such as Tỉnh, Tên tỉnh, Tỉnh/Thành phố, province or "
                "tentinh_vie); the first row holds: %(found)s.") % {"found": found}, row=rows[0][0] if rows else None))
            return []
        number, header = rows[header_at]
        self.above = [c for _n, cells in rows[:header_at] for c in cells]  # titles, where a year may be
        labels = rows[header_at - 1][1] if header_at else []
        data = rows[header_at + 1:]
        if data and self._is_second_header(data[0][1], header):
            labels, data = data[0][1], data[1:]
        headers = [str(h) if h != "" else (str(labels[i]) if i < len(labels) else "") for i, h in enumerate(header)]
        keys = [_key(h) for h in headers]
        index_code = self._index(keys, headers)
        if index_code is None:
            return []
        provinces = [i for i, k in enumerate(keys) if k in PROVINCE_HEADERS]
        if len(provinces) > 1:
            return self._pairs(index_code, headers, keys, provinces, data, number)
        return self._table(index_code, headers, keys, provinces[0], data, number)

    def _is_second_header(self, cells, header) -> bool:
        """A row of labels under the header: no numbers, and no province where the province column is."""
        column = next(i for i, c in enumerate(header) if _key(c) in PROVINCE_HEADERS)
        if column < len(cells) and province_name(cells[column]):
            return False
        return not any(isinstance(c, (int, float)) or re.fullmatch(r"-?\d+([.,]\d+)?", str(c)) for c in cells)

    def _index(self, keys, headers) -> str | None:
        if self.index_code:
            return self.index_code.upper()
        if "index" in keys or "chiso" in keys:
            return "*"  # one per row
        joined = " ".join(keys)
        if "papi" in joined or any(k.startswith("tentinh") for k in keys) or any(h.lower().startswith("d_") for h in headers):
            return "PAPI"
        if "pci" in joined:
            return "PCI"
        for code in ("PAPI", "PCI", "SIPAS", "PAR"):
            if code.lower() in _key(self.file) or code.lower() in _key(self.sheet.name or ""):
                return code
        self.problems.append(self.problem(_("Which index is this table? Choose PCI, PAPI, PAR or SIPAS."), row=1))
        return None

    def _year(self, headers, row_year=None, row=None) -> int | None:
        year = self.year or row_year or _year_in(self.sheet.name, *headers, *self.above, self.file)
        if year is None:
            self.problems.append(self.problem(_("Give the year of this table (it is in neither the file, the sheet "
                                                "nor its headers)."), row=row))
        return year

    def _province(self, value, row: int, column: str) -> str | None:
        name = province_name(value)
        if name:
            return name
        if _not_a_province(value):
            self.notes.append(self.problem(_("Skipped: '%(value)s' is not a province.") % {"value": value or "—"},
                                           row=row, column=column))
            return None
        hint = difflib.get_close_matches(_plain(value), list(_BY_PLAIN), n=1, cutoff=0.7)
        message = _("'%(value)s' is not a Vietnamese province.") % {"value": value}
        if hint:
            message += " " + _("Is it %(name)s?") % {"name": _BY_PLAIN[hint[0]]}
        self.problems.append(self.problem(message, row=row, column=column))
        return None

    def _value(self, value, row: int, column: str) -> float | None:
        try:
            return _number(value)
        except ValueError:
            self.problems.append(self.problem(_("'%(value)s' is not a number.") % {"value": value}, row=row, column=column))
            return None

    def _table(self, index_code, headers, keys, province_at, data, header_row) -> list[_Row]:
        """One row per province: the score, rank, tier and components by their headers. A PCI or PAPI
        table's column that is none of these is refused with the accepted headers (a PAR or SIPAS
        table's other columns are its components, by their own names)."""
        role: dict[int, str] = {}
        unknown: list[str] = []
        for i, (key, raw) in enumerate(zip(keys, headers)):
            if i == province_at or not key or key in PROVINCE_EN_HEADERS or key in ID_HEADERS:
                continue
            if key in ("index", "chiso"):
                role[i] = "index"
            elif key in ("year", "nam"):
                role[i] = "year"
            elif _is_rank(key):
                role[i] = "rank"
            elif key.startswith(TIER_WORDS) or "tier" in key:
                role[i] = "tier"
            elif "score" not in role.values() and _is_total(index_code, key):
                role[i] = "score"
            elif index_code in ("PCI", "PAPI"):
                component = _component(index_code, key, raw)
                if component and f"c:{component}" not in role.values():
                    role[i] = f"c:{component}"
                elif not (index_code == "PAPI" and raw.lower().startswith("s_")):  # PAPI's sub-dimensions: not read
                    unknown.append(raw)
            else:
                role[i] = f"c:{raw}"
        if unknown:
            self.problems.append(self.problem(_unknown_columns_message(index_code, unknown), row=header_row))
            return []
        if "score" not in role.values():
            self.problems.append(self.problem(_(
                "Which column is the score? None of %(found)s is (PCI, papi_unweighted_total, Điểm, Điểm số, score).")
                % {"found": ", ".join(h for h in headers if h)}, row=header_row))
            return []
        table_year = None if "year" in role.values() else self._year(headers, row=header_row)
        if table_year is None and "year" not in role.values():
            return []
        out = []
        for number, cells in data:
            cells = cells + [""] * (len(headers) - len(cells))
            province = self._province(cells[province_at], number, headers[province_at])
            if province is None:
                continue
            row_index = index_code
            row_year = None
            record = _Row(index_code=index_code, year=0, province=province, where=(self.sheet.name, number))
            for i, what in role.items():
                value, column = cells[i], headers[i]
                if what == "index":
                    row_index = str(value or self.index_code or "").strip().upper()
                elif what == "year":
                    try:
                        row_year = int(value) if value != "" else None
                    except (TypeError, ValueError):
                        self.problems.append(self.problem(_("'%(value)s' is not a year.") % {"value": value},
                                                          row=number, column=column))
                        row_year = 0
                elif what == "score":
                    record.score = self._value(value, number, column)
                elif what == "rank":
                    rank = self._value(value, number, column)
                    record.rank = int(rank) if rank else None
                elif what == "tier":
                    record.tier = unicodedata.normalize("NFC", str(value or ""))
                else:
                    record.components[what[2:]] = self._value(value, number, column)
            if row_index in ("*", ""):
                self.problems.append(self.problem(_("Which index is this (PCI, PAPI, PAR, SIPAS)?"), row=number,
                                                  column="index"))
                continue
            record.index_code = row_index
            record.year = self.year or row_year or table_year or (self._year(headers, None, number) or 0)
            out.append(record)
        return out

    def _pairs(self, index_code, headers, keys, provinces, data, header_row) -> list[_Row]:
        """VCCI's summary: (province, score) pairs, each sorted by its own score, joined by province."""
        if index_code == "*":
            index_code = "PCI"
        year = self._year(headers, row=header_row)
        by_province: dict[str, _Row] = {}
        score_seen = False
        for at in provinces:
            if at + 1 >= len(headers):
                continue
            key, raw = keys[at + 1], headers[at + 1]
            if _is_rank(key):
                what = "rank"
            elif _is_total(index_code, key) and not score_seen:
                what = "score"
                score_seen = True
            else:
                component = _component(index_code, key, raw)
                if component is None:
                    self.problems.append(self.problem(_unknown_columns_message(index_code, [raw]), row=header_row, column=raw))
                    continue
                what = "c:" + component
            for number, cells in data:
                province_cell = cells[at] if at < len(cells) else ""
                value = cells[at + 1] if at + 1 < len(cells) else ""
                if province_cell == "" and value == "":
                    continue
                province = self._province(province_cell, number, headers[at])
                if province is None:
                    continue
                record = by_province.setdefault(province, _Row(index_code, year or 0, province, where=(self.sheet.name, number)))
                number_value = self._value(value, number, raw)
                if what == "score":
                    record.score = number_value
                elif what == "rank":
                    record.rank = int(number_value) if number_value else None
                else:
                    record.components[what[2:]] = number_value
        if not score_seen:
            self.problems.append(self.problem(_(
                "Which pair holds the composite score? None of %(found)s is (PCI, Điểm PCI, PCI 2016).")
                % {"found": ", ".join(headers[a + 1] for a in provinces if a + 1 < len(headers))}, row=header_row))
            return []
        return list(by_province.values())


def _ranked(rows: list[_Row]) -> None:
    """Ranks where the table gives none: 1 + the number of provinces with a higher score."""
    groups: dict[tuple, list[_Row]] = {}
    for r in rows:
        groups.setdefault((r.index_code, r.year), []).append(r)
    for group in groups.values():
        if any(r.rank for r in group):
            continue
        scores = [r.score for r in group if r.score is not None]
        for r in group:
            if r.score is not None:
                r.rank = 1 + sum(1 for s in scores if s > r.score)


def _national_read(file_name: str, content: bytes, index_code: str | None, year: int | None) -> tuple[list[_Row], list[Problem]]:
    """Every province's result in the file, ranked, and the notes on rows skipped; ImportFailed otherwise."""
    read_tables(file_name, content, kind="national_results")  # bounds, encodings, damaged files: refused alike
    problems: list[Problem] = []
    notes: list[Problem] = []
    rows: list[_Row] = []
    for sheet in _grids(file_name, content):
        rows.extend(_Reader(file_name, sheet, index_code, year, problems, notes).read())
    seen: dict[tuple, _Row] = {}
    for r in rows:
        key = (r.index_code, r.year, r.province)
        if key in seen:
            problems.append(Problem(file=file_name, sheet=r.where[0], row=r.where[1], message=_(
                "%(province)s appears twice for %(index)s %(year)s (first in row %(row)s).")
                % {"province": r.province, "index": r.index_code, "year": r.year, "row": seen[key].where[1]}))
        seen[key] = r
    if not rows and not problems:
        problems.append(Problem(file=file_name, message=_("No province's result was found in this file.")))
    if problems:
        raise ImportFailed(problems)
    _ranked(rows)
    return rows, notes


COMPARED = ("score", "rank", "tier", "components")  # the source is noted, not compared


@dataclass
class _Plan:
    rows: list[_Row]
    existing: dict[tuple, ExternalResult]
    removed: list[ExternalResult]
    preview: ImportPreview


def _shown(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        return shown(round(value, 4))
    return str(value)


def _cells(result) -> list[tuple[str, str, str]]:
    cells = [(_("Score"), _shown(result.score)), (_("Rank"), _shown(result.rank)), (_("Tier"), _shown(result.tier))]
    cells += [(name, _shown(value)) for name, value in sorted((result.components or {}).items())]
    return cells


def _scope(rows: list[_Row], *, lock: bool = False) -> list[ExternalResult]:
    """The results of every index and year the file holds."""
    pairs = {(r.index_code, r.year) for r in rows}
    query = ExternalResult.objects.filter(index_code__in={i for i, _y in pairs}, year__in={y for _i, y in pairs})
    if lock:
        query = query.select_for_update()
    return [e for e in query.order_by("index_code", "year", "province") if (e.index_code, e.year) in pairs]


def _plan(rows: list[_Row], replace_period: bool, current: list[ExternalResult]) -> _Plan:
    existing = {(e.index_code, e.year, e.province): e for e in current}
    stamp = fingerprint([[e.index_code, e.year, e.province, e.score, e.rank, e.tier, e.components] for e in current])
    preview = ImportPreview(rows=[], replace_period=replace_period, fingerprint=stamp)
    for r in rows:
        subject = f"{r.index_code} {r.year} — {r.province}"
        old = existing.get((r.index_code, r.year, r.province))
        if old is None:
            preview.rows.append(PreviewRow(ADDED, subject, [(c, "", n) for c, n in _cells(r)]))
            continue
        before, after = dict(_cells(old)), dict(_cells(r))
        differ = [(c, before.get(c, ""), after.get(c, "")) for c in dict.fromkeys([*before, *after]) if before.get(c, "") != after.get(c, "")]
        if any(getattr(old, name) != getattr(r, name) for name in COMPARED):
            preview.rows.append(PreviewRow(CHANGED, subject, differ))
        else:
            preview.rows.append(PreviewRow(UNCHANGED, subject))
    removed = []
    if replace_period:
        given = {(r.index_code, r.year, r.province) for r in rows}
        removed = [e for key, e in existing.items() if key not in given]
        preview.rows += [PreviewRow(REMOVED, f"{e.index_code} {e.year} — {e.province}", [(c, o, "") for c, o in _cells(e)])
                         for e in removed]
    return _Plan(rows=rows, existing=existing, removed=removed, preview=preview)


def national_results_preview(*, file_name: str, content: bytes, index_code: str | None = None, year: int | None = None,
                             replace_period: bool = False) -> ImportPreview:
    """What importing the file would do, nothing written: each province's result added, changed from →
    to, unchanged and (with `replace_period`) removed; the notes on rows skipped. ImportFailed otherwise."""
    rows, notes = _national_read(file_name, content, index_code, year)
    preview = _plan(rows, replace_period, _scope(rows)).preview
    preview.notes = notes
    return preview


def national_results_import(*, file_name: str, content: bytes, index_code: str | None = None, year: int | None = None,
                            source: str = "", by, replace_period: bool = False, expected: str | None = None) -> NationalImport:
    """Import (or update) published results; all or nothing. A file never removes the results of the
    provinces it does not list, unless `replace_period` (then, for each index and year in the file, the
    others are removed, their values kept in the trail). `expected` is the preview's fingerprint:
    results changed since the preview are refused. Each result created, changed or removed is recorded,
    with the import's counts."""
    if not (by is None or may_import_national_results(by)):
        raise PermissionDenied
    rows, notes = _national_read(file_name, content, index_code, year)
    summary = NationalImport(notes=notes)
    with transaction.atomic():
        plan = _plan(rows, replace_period, _scope(rows, lock=True))
        fingerprint_check(expected, plan.preview.fingerprint)
        counts = {**plan.preview.counts, "file": file_name, "replace_period": replace_period}
        records = []
        for r in rows:
            values = {"score": r.score, "rank": r.rank, "tier": r.tier, "components": r.components,
                      "source": source or file_name}
            result = plan.existing.get((r.index_code, r.year, r.province))
            if result is None:
                result = ExternalResult.objects.create(index_code=r.index_code, year=r.year, province=r.province, **values)
                records.append({"event": "national_result.imported", "obj": result, "by": by, "new": r.score,
                                "field": "score", "reason": source or file_name,
                                "details": {"index": r.index_code, "year": r.year, "province": r.province,
                                            "rank": r.rank, "import": counts}})
            else:
                changed = [name for name in COMPARED if getattr(result, name) != values[name]]
                if changed:
                    records.append({"event": "national_result.updated", "obj": result, "by": by, "field": "score",
                                    "old": result.score, "new": r.score, "reason": source or file_name,
                                    "details": {"changed": changed, "rank": [result.rank, r.rank], "import": counts}})
                    for name in [*changed, "source"]:
                        setattr(result, name, values[name])
                    result.save(update_fields=[*changed, "source"])
            summary.years.setdefault(r.index_code, set()).add(r.year)
        for result in plan.removed:
            records.append({"event": "national_result.removed", "obj": result, "by": by, "field": "score",
                            "old": result.score, "reason": _("Not in the file that replaced the whole period"),
                            "details": {"index": result.index_code, "year": result.year, "province": result.province,
                                        "rank": result.rank, "tier": result.tier, "components": result.components,
                                        "source": result.source, "import": counts}})
        audit_record_many(records)  # before the removed rows lose their ids
        ExternalResult.objects.filter(pk__in=[e.pk for e in plan.removed]).delete()
    summary.count = len(rows)
    summary.preview = plan.preview
    return summary


# --- a province over the years ---------------------------------------------------------

@dataclass
class ProvinceYear:
    year: int
    score: float | None
    rank: int | None  # none for a year that combines former provinces: their ranks say nothing of the new one
    components: dict
    provinces: list[str]  # the provinces whose results these are


def province_lineage(name: str, year: int) -> list[str]:
    """The provinces that stand for `name` in `year`: a new province's former ones before the merger,
    a former province's new one after it, else itself."""
    if year < MERGER_YEAR:
        return MERGED_2025.get(name, [name])
    for new, former in MERGED_2025.items():
        if name in former:
            return [new]
    return [name]


def province_results(index_code: str, province: str) -> list[ProvinceYear]:
    """A province's published results of one index over the years, through the 2025 merger: the years
    before it combine the former provinces' scores (their mean, each former province alike)."""
    name = province_name(province) or province
    results: dict[tuple[int, str], ExternalResult] = {
        (r.year, r.province): r for r in ExternalResult.objects.filter(index_code=index_code)}
    out = []
    for year in sorted({y for y, _p in results}):
        found = [results[(year, p)] for p in province_lineage(name, year) if (year, p) in results]
        if not found:
            continue
        if len(found) == 1:
            r = found[0]
            out.append(ProvinceYear(year, r.score, r.rank, dict(r.components or {}), [r.province]))
            continue
        scores = [r.score for r in found if r.score is not None]
        keys = {k for r in found for k in (r.components or {})}
        components = {}
        for k in keys:
            values = [r.components[k] for r in found if (r.components or {}).get(k) is not None]
            components[k] = sum(values) / len(values) if values else None
        out.append(ProvinceYear(year, sum(scores) / len(scores) if scores else None, None, components,
                                [r.province for r in found]))
    return out
