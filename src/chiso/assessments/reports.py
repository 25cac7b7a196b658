"""Reports in the layout of the official appendix: one unit's criterion table, and the province's
table of all units by field with ranks. XLSX with openpyxl, PDF with WeasyPrint."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from chiso.core.pdf import pdf_from_html
from chiso.core.safe_cells import formulas_as_text
from chiso.formats.numbers import said
from chiso.indices.models import RunScore
from chiso.units.queries import province_get

from .models import Assessment, Cycle
from .queries import assessment_sheet, council_board, engine_framework


@dataclass
class ReportRow:
    number: str
    name: str
    depth: int
    maximum: float | None
    self_points: object
    appraised: object  # round 1
    final: object
    comment: str
    is_item: bool
    round2: object = None
    differs: tuple[bool, bool, bool] = (False, False, False)  # round 1, round 2, final differ from the claim


def _value(points, na) -> object:
    if na:
        return _("N/A")
    return None if points is None else float(points)


def unit_rows(assessment: Assessment) -> list[ReportRow]:
    """The appendix's rows: self-assessed, round 1, round 2 (where given) and final points."""
    sheet = assessment_sheet(assessment)
    rows = []
    for r in sheet.rows:
        if r.item is not None:
            item = r.item
            if item.is_self_assessed:
                self_v = _value(item.self_points, item.self_na)
                appraised_v = _value(item.appraised_points, item.appraised_na)
                round2_v = _value(item.round2_points, item.round2_na) if item.is_reappraised else None
            else:
                # the points come from the sociological survey: "ĐTXHH" in the appendix, not a survey round
                self_v = appraised_v = pgettext("points source", "survey")
                round2_v = None
            final_points, final_na = item.final
            comments = [c for c in (item.appraisal_comment, item.round2_comment,
                                    item.explanation and _("Explanation: %(text)s") % {"text": item.explanation}) if c]
            rows.append(ReportRow(r.number, r.node.name, r.depth, r.node.max_points, self_v, appraised_v,
                                  _value(final_points, final_na), "\n".join(comments), True, round2=round2_v,
                                  differs=(r.round1_differs, r.round2_differs, r.differs)))
        else:
            rows.append(ReportRow(
                r.number or "", r.node.name, r.depth, r.node.max_points,
                r.self_total.points if r.self_total else None, r.appraised_total.points if r.appraised_total else None,
                r.final_total.points if r.final_total else None, "", False,
                round2=r.round2_total.points if r.round2_total and sheet.has_round2 else None,
            ))
    return rows


def _title(cycle: Cycle) -> str:
    return _("SUMMARY OF SELF-ASSESSED AND APPRAISED POINTS — %(title)s") % {"title": cycle.title}


def _header_lines() -> tuple[str, str]:
    province = province_get()
    return ((province.name_vi.upper().replace("TỈNH ", "UBND TỈNH ") if province else "UBND TỈNH"), _("PAR INDEX APPRAISAL COUNCIL"))


def unit_xlsx(assessment: Assessment) -> bytes:
    cycle = assessment.cycle
    book = Workbook()
    sheet = book.active
    sheet.title = _("Appendix")[:31]
    left, right = _header_lines()
    sheet["A1"], sheet["E1"] = left, _("SOCIALIST REPUBLIC OF VIETNAM")
    sheet["A2"], sheet["E2"] = right, _("Independence – Freedom – Happiness")
    sheet["A4"] = _("APPENDIX")
    sheet["A5"] = _title(cycle)
    sheet["A6"] = _("Unit: %(unit)s") % {"unit": assessment.unit.name}
    for cell in ("A1", "A2", "E1", "E2", "A4", "A5"):
        sheet[cell].font = Font(bold=True)
    headers = [_("No."), _("Field, criterion, sub-criterion"), _("Maximum points"), _("Points claimed"), _("Appraisal, round 1"),
               _("Appraisal, round 2"), _("Final"), _("Comments")]
    highlight = PatternFill("solid", fgColor="FFF6D6")
    start = 8
    thin = Side(style="thin")
    for j, text in enumerate(headers, start=1):
        cell = sheet.cell(row=start, column=j, value=text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="EEF1F5")
        cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
    rows = unit_rows(assessment)
    for i, row in enumerate(rows, start=start + 1):
        values = [row.number, row.name, row.maximum, row.self_points, row.appraised, row.round2, row.final, row.comment]
        for j, value in enumerate(values, start=1):
            cell = sheet.cell(row=i, column=j, value=value)
            cell.border = Border(top=thin, bottom=thin, left=thin, right=thin)
            cell.alignment = Alignment(vertical="top", wrap_text=j in (2, 8), indent=row.depth if j == 2 else 0)
            if not row.is_item:
                cell.font = Font(bold=True)
            if j in (3, 4, 5, 6, 7) and isinstance(value, float):
                cell.number_format = "0.00"
            if j in (5, 6, 7) and row.differs[j - 5]:
                cell.fill = highlight
    last = start + len(rows) + 2
    sheet.cell(row=last, column=2, value=_("Bonus points")).font = Font(bold=True)
    sheet.cell(row=last, column=7, value=float(assessment.bonus_points))
    sheet.cell(row=last + 1, column=2, value=_("Penalty points")).font = Font(bold=True)
    sheet.cell(row=last + 1, column=7, value=float(assessment.penalty_points))
    for column, width in zip("ABCDEFGH", (8, 60, 10, 12, 12, 12, 12, 50)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = sheet.cell(row=start + 1, column=3)
    formulas_as_text(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf(template: str, context: dict) -> bytes:
    return pdf_from_html(render_to_string(template, context))


def unit_pdf(assessment: Assessment) -> bytes:
    left, right = _header_lines()
    return _pdf("assessments/report_unit.html", {
        "assessment": assessment, "rows": unit_rows(assessment), "title": _title(assessment.cycle),
        "left": left, "right": right, "printed": timezone.localtime(),
    })


@dataclass
class ProvinceRow:
    unit_name: str
    fields: list[float | None]
    total: float | None
    index: float | None
    rank: int | None
    band: str


def province_rows(cycle: Cycle) -> tuple[list, list[ProvinceRow], bool]:
    """All units by field (points), the index and the rank: from the results run when there is one,
    otherwise the points as they stand (provisional)."""
    board = {r.assessment.unit_id: r for r in council_board(cycle)}
    framework = engine_framework(cycle.version)
    top = framework.top[0]
    fields = [n for n in cycle.version.nodes.filter(parent_code=top, type="Aggregate").order_by("order")]
    run = cycle.run
    scores = {}
    if run is not None:
        for s in RunScore.objects.filter(run=run, code=top):
            scores[s.unit_id] = s
    rows = []
    for a in cycle.assessments.exclude(status=Assessment.Status.EXCLUDED).select_related("unit").order_by("unit__name_vi"):
        entry = board.get(a.unit_id)
        field_points = [None] * len(fields)
        total = None
        if entry is not None:
            by_code = {node.code: final for node, _self, final in entry.fields}
            field_points = [by_code[n.code].points if n.code in by_code else None for n in fields]
            total = entry.final_total.points
        score = scores.get(a.unit_id)
        rows.append(ProvinceRow(a.unit.name, field_points, total, score.value if score else None,
                                score.rank if score else None, score.band if score else ""))
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, -(r.total or 0), r.unit_name))
    return fields, rows, run is not None


def province_xlsx(cycle: Cycle) -> bytes:
    fields, rows, final = province_rows(cycle)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Results")[:31]
    sheet["A1"] = _("PAR INDEX RESULTS BY FIELD — %(title)s") % {"title": cycle.title}
    sheet["A1"].font = Font(bold=True)
    if not final:
        sheet["A2"] = _("Provisional: the results have not been computed yet.")
    headers = [_("Rank"), _("Unit")] + [f"{n.code} {n.name} ({said(n.max_points)})" for n in fields] + [_("Total points"), _("PAR Index (%)"), _("Band")]
    sheet.append([])
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for r in rows:
        sheet.append([r.rank, r.unit_name, *r.fields, r.total, r.index, r.band])
    sheet.column_dimensions["B"].width = 45
    formulas_as_text(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def province_pdf(cycle: Cycle) -> bytes:
    fields, rows, final = province_rows(cycle)
    left, right = _header_lines()
    return _pdf("assessments/report_province.html", {
        "cycle": cycle, "fields": fields, "rows": rows, "final": final, "left": left, "right": right,
        "printed": timezone.localtime(),
    })
