"""The progress report of a directive's tasks, by lead unit, as a provincial office sends it each
quarter: a summary (done on time / late, in progress on time / overdue, not started), then one
section per unit (I, II, …) with each task's deadline, result, progress, status and evidence.
XLSX (openpyxl) and PDF (WeasyPrint, system fonts, nothing fetched).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from chiso.core.pdf import pdf_from_html
from chiso.core.safe_cells import formulas_as_text

from chiso.units.queries import province_get

from . import deadlines
from .models import Directive, ProgressReport, Task
from .queries import latest_reports

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII",
         "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV", "XXV", "XXVI", "XXVII", "XXVIII", "XXIX", "XXX"]

# The categories of a quarterly report, in the order it counts them.
CATEGORIES = [
    ("done_on_time", gettext_lazy("Done on time")),
    ("done_late", gettext_lazy("Done late")),
    ("in_progress", gettext_lazy("In progress, within the deadline")),
    ("overdue", gettext_lazy("Overdue, not done")),
    ("not_started", gettext_lazy("Not started, within the deadline")),
    ("cancelled", pgettext_lazy("task", "Cancelled")),
]
LABELS = dict(CATEGORIES)


def task_category(task: Task, today: datetime.date) -> str:
    if task.status == Task.Status.CANCELLED:
        return "cancelled"
    if task.status == Task.Status.DONE:
        return "done_late" if task.completed_late else "done_on_time"
    if task.is_overdue(today):
        return "overdue"
    return "in_progress" if task.status == Task.Status.IN_PROGRESS else "not_started"


@dataclass
class ReportRow:
    task: Task
    category: str
    report: ProgressReport | None

    @property
    def status_label(self) -> str:
        return str(LABELS[self.category])

    @property
    def cooperating(self) -> str:
        return "; ".join(u.name for u in self.task.cooperating_units.all())

    @property
    def result(self) -> str:
        return self.report.text if self.report else ""

    @property
    def evidence(self) -> str:
        if self.report is None:
            return ""
        parts = []
        if self.report.evidence:
            parts.append(self.report.evidence_name)
        if self.report.evidence_link:
            parts.append(self.report.evidence_link)
        return "; ".join(parts)


@dataclass
class UnitSection:
    numeral: str
    unit: object
    rows: list[ReportRow] = field(default_factory=list)


@dataclass
class DirectiveReport:
    directive: Directive
    today: datetime.date
    sections: list[UnitSection]
    counts: list[tuple[str, str, int]]
    total: int

    @property
    def quarter_label(self) -> str:
        year, quarter = deadlines.quarter_of(self.today)
        return _("Quarter %(quarter)s/%(year)s") % {"quarter": deadlines.ROMAN_OF[quarter], "year": year}

    @property
    def title(self) -> str:
        return _("Progress of the tasks of %(number)s of %(date)s") % {
            "number": self.directive.number, "date": date_format(self.directive.date, "SHORT_DATE_FORMAT")}


def directive_report(directive: Directive, today: datetime.date) -> DirectiveReport:
    tasks = list(directive.tasks.select_related("lead_unit__block").prefetch_related("cooperating_units"))
    reports = latest_reports(tasks)
    sections: dict[int, UnitSection] = {}
    counts = dict.fromkeys(LABELS, 0)
    ordered = sorted(tasks, key=lambda t: (t.lead_unit.block.order, t.lead_unit.name_vi, t.order))
    for task in ordered:
        section = sections.get(task.lead_unit_id)
        if section is None:
            section = sections[task.lead_unit_id] = UnitSection(numeral=ROMAN[len(sections) % len(ROMAN)], unit=task.lead_unit)
        category = task_category(task, today)
        counts[category] += 1
        section.rows.append(ReportRow(task=task, category=category, report=reports.get(task.pk)))
    return DirectiveReport(
        directive=directive, today=today, sections=list(sections.values()),
        counts=[(code, str(label), counts[code]) for code, label in CATEGORIES], total=len(tasks),
    )


def _context(report: DirectiveReport) -> dict:
    return {"report": report, "province": province_get()}


def directive_report_pdf(report: DirectiveReport) -> bytes:
    return pdf_from_html(render_to_string("followup/print/directive_report.html", _context(report)))


def directive_report_xlsx(report: DirectiveReport) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Report")[:31]
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    headers = [_("No."), _("Task"), _("Cooperating units"), _("Deadline"), _("Result"), _("Progress (%)"), _("Status"), _("Evidence")]
    widths = [7, 60, 30, 14, 60, 11, 24, 30]
    last = len(headers)
    province = province_get()

    def merged(row: int, text: str, *, font=bold, align=centre):
        sheet.cell(row=row, column=1, value=text).font = font
        sheet.cell(row=row, column=1).alignment = align
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)

    merged(1, (province.name_vi.upper() if province else ""))
    merged(2, _("REPORT"), font=Font(bold=True, size=14))
    merged(3, report.title)
    merged(4, report.directive.summary, font=Font(italic=True))
    merged(5, _("%(quarter)s — as of %(day)s") % {"quarter": report.quarter_label, "day": date_format(report.today, "SHORT_DATE_FORMAT")},
           font=Font(italic=True))
    row = 7
    sheet.cell(row=row, column=1, value=_("Totals")).font = bold
    row += 1
    sheet.cell(row=row, column=2, value=_("Tasks")).font = bold
    sheet.cell(row=row, column=3, value=report.total).font = bold
    for _code, label, count in report.counts:
        row += 1
        sheet.cell(row=row, column=2, value=label)
        sheet.cell(row=row, column=3, value=count)
    row += 2
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font, cell.alignment, cell.border = bold, centre, box
        cell.fill = PatternFill("solid", fgColor="EEF1F5")
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)
    for section in report.sections:
        row += 1
        sheet.cell(row=row, column=1, value=section.numeral).font = bold
        sheet.cell(row=row, column=2, value=section.unit.name_vi).font = bold
        for column in range(1, last + 1):
            sheet.cell(row=row, column=column).border = box
            sheet.cell(row=row, column=column).fill = PatternFill("solid", fgColor="F4F6F9")
        for number, item in enumerate(section.rows, start=1):
            row += 1
            values = [number, item.task.text, item.cooperating, item.task.deadline_label, item.result, item.task.percent,
                      item.status_label, item.evidence]
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row=row, column=column, value=value)
                cell.alignment, cell.border = wrap, box
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    formulas_as_text(book)  # a unit's progress report is typed by the unit
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def report_file_name(report: DirectiveReport, extension: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in report.directive.number).strip("-")
    return f"bao-cao-{safe}-{report.today:%Y%m%d}.{extension}"
