"""Builds the Word templates of templates/docx/ (tờ trình, báo cáo kết quả, phụ lục), so that they
are reproducible: `python -m chiso.assessments.docx_templates`. The files are committed too; an
office may edit them in Word (keep the {{ … }} and {%tr … %} tags) and commit its own version.

The templates are docxtpl (Jinja) documents; documents.py fills them. Layout after Nghị định
30/2020/NĐ-CP on administrative documents: Times New Roman 13–14, the agency and the number on the
left, the national motto on the right, the recipients (nơi nhận) and the signature at the end.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FOLDER = Path(__file__).resolve().parent / "templates" / "docx"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def _document(landscape: bool = False) -> Document:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21)
    else:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3 if not landscape else 2), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    return document


def _line(cell_or_doc, text: str, *, bold=False, italic=False, size=None, align=WD_ALIGN_PARAGRAPH.CENTER, first=False):
    paragraph = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    return paragraph


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _heading(document, number_tag: str = "{{ number }}") -> None:
    """Quốc hiệu, tiêu ngữ, the agency, số/ký hiệu, place and date."""
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _line(left, "{{ parent_agency }}", size=13, first=True)
    _line(left, "{{ agency }}", bold=True, size=13)
    _line(left, "Số: " + number_tag, size=13)
    _line(right, NATION, bold=True, size=12, first=True)
    _line(right, MOTTO, bold=True, size=13)
    _line(right, "{{ place }}, ngày {{ day }} tháng {{ month }} năm {{ year }}", italic=True, size=13)
    document.add_paragraph()


def _signature(document, recipients_tag: str = "recipients") -> None:
    """Nơi nhận on the left, the signature block on the right."""
    document.add_paragraph()
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    left, right = table.rows[0].cells
    _line(left, "Nơi nhận:", bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    _line(left, "{%p for r in " + recipients_tag + " %}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(left, "- {{ r }};", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(left, "{%p endfor %}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(left, "- Lưu: VT.", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _line(right, "{{ signer_on_behalf }}", bold=True, size=13, first=True)
    _line(right, "{{ signer_role }}", bold=True, size=13)
    _line(right, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True, size=12)
    for _ in range(3):
        _line(right, "")
    _line(right, "{{ signer_name }}", bold=True, size=13)


def _loop_table(document, headers: list[str], cells: list[str], widths: list[float], loop: str) -> None:
    """A bordered table: a header row, then one row per item of `loop` (docxtpl {%tr %} rows)."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for j, text in enumerate(headers):
        cell = table.rows[0].cells[j]
        _line(cell, text, bold=True, size=11, first=True)
    table.rows[1].cells[0].paragraphs[0].add_run("{%tr for r in " + loop + " %}")
    for j, text in enumerate(cells):
        paragraph = table.rows[2].cells[j].paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if j == 1 else WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.font.size = Pt(11)
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    for row in table.rows:
        for j, width in enumerate(widths):
            row.cells[j].width = Cm(width)


def submission() -> Document:
    """Tờ trình — the results of the appraisal, for the Provincial People's Committee to approve."""
    document = _document()
    _heading(document)
    _line(document, "TỜ TRÌNH", bold=True, size=14)
    _line(document, "Về việc phê duyệt kết quả {{ title }}", bold=True, size=14)
    document.add_paragraph()
    _line(document, "Kính gửi: Ủy ban nhân dân {{ province }}.", size=14)
    document.add_paragraph()
    for text in (
        "Căn cứ {{ legal_basis }};",
        "Thực hiện kế hoạch xác định {{ title }}, {{ agency_short }} đã tổ chức tự đánh giá, thẩm định và "
        "điều tra xã hội học đối với {{ count }} đơn vị thuộc khối {{ block }}. Hội đồng thẩm định đã họp "
        "{{ meetings }}.",
        "Kết quả: Chỉ số CCHC trung bình {{ average }} %; cao nhất {{ best_unit }} ({{ best }} %); thấp nhất "
        "{{ worst_unit }} ({{ worst }} %). {{ not_submitted_text }}{{ excluded_text }}",
        "Chi tiết tại Báo cáo kết quả và phụ lục kèm theo. {{ agency_short }} kính trình Ủy ban nhân dân "
        "tỉnh xem xét, phê duyệt kết quả {{ title }}.",
    ):
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Cm(1)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _signature(document)
    return document


def report() -> Document:
    """Báo cáo kết quả — with the ranking table of every unit."""
    document = _document(landscape=True)
    _heading(document)
    _line(document, "BÁO CÁO", bold=True, size=14)
    _line(document, "Kết quả {{ title }}", bold=True, size=14)
    document.add_paragraph()
    paragraph = document.add_paragraph(
        "{{ count }} đơn vị được đánh giá theo {{ framework }}. Điểm tối đa {{ maximum }} điểm; điểm thưởng "
        "tối đa {{ bonus_cap }} điểm. Bảng xếp hạng dưới đây theo Chỉ số CCHC (%), từ cao xuống thấp."
    )
    paragraph.paragraph_format.first_line_indent = Cm(1)
    _line(document, "BẢNG XẾP HẠNG", bold=True, size=13)
    _loop_table(
        document,
        ["Hạng", "Đơn vị", "Tự đánh giá", "Thẩm định", "Thưởng", "Trừ", "Tổng điểm", "Chỉ số CCHC (%)", "Xếp loại"],
        ["{{ r.rank }}", "{{ r.unit }}", "{{ r.self }}", "{{ r.appraised }}", "{{ r.bonus }}", "{{ r.penalty }}",
         "{{ r.total }}", "{{ r.index }}", "{{ r.band }}"],
        [1.5, 8, 2.5, 2.5, 1.8, 1.8, 2.5, 3, 2], "rows",
    )
    document.add_paragraph("{{ notes }}")
    _signature(document)
    return document


def appendix() -> Document:
    """Phụ lục — one unit's points by criterion: self-assessed, round 1, round 2, final."""
    document = _document(landscape=True)
    _heading(document)
    _line(document, "PHỤ LỤC", bold=True, size=14)
    _line(document, "Kết quả tự đánh giá, thẩm định {{ title }}", bold=True, size=14)
    _line(document, "Đơn vị: {{ unit }}", bold=True, size=13)
    _line(document, "(Kèm theo {{ attached_to }})", italic=True, size=12)
    document.add_paragraph()
    _loop_table(
        document,
        ["STT", "Lĩnh vực, tiêu chí, tiêu chí thành phần", "Điểm tối đa", "Tự đánh giá", "Thẩm định lần 1",
         "Thẩm định lần 2", "Điểm cuối cùng", "Ghi chú"],
        ["{{r r.number }}", "{{r r.name }}", "{{r r.maximum }}", "{{r r.self }}", "{{r r.round1 }}", "{{r r.round2 }}",
         "{{r r.final }}", "{{ r.comment }}"],
        [1.5, 9, 2, 2.2, 2.2, 2.2, 2.2, 5], "rows",
    )
    document.add_paragraph(
        "Điểm thưởng: {{ bonus }} ({{ bonus_reasons }}). Điểm trừ: {{ penalty }} ({{ penalty_reasons }}). "
        "Tổng điểm: {{ total }}; Chỉ số CCHC: {{ percent }}."
    )
    document.add_paragraph("Ô tô màu: điểm khác điểm tự đánh giá.")
    _signature(document)
    return document


TEMPLATES = {"to_trinh.docx": submission, "bao_cao.docx": report, "phu_luc.docx": appendix}


def build(folder: Path = FOLDER) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in TEMPLATES.items():
        path = folder / name
        make().save(path)
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build():
        print(path)
