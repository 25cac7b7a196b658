"""Reports people download: a unit's scorecard and the province-wide report as PDF (WeasyPrint,
the same SVG charts as the pages), every level and the raw indicator values as XLSX, and all
scorecards of a run in one ZIP (a background job).

PDFs use the fonts installed on the machine (DejaVu Sans, or Noto) and fetch nothing: the
charts are inline SVG and the stylesheet is in the template, so closed networks work.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from chiso.indices.models import IndexRun, RunScore
from chiso.indices.queries import run_levels
from chiso.units.models import Unit
from chiso.units.queries import province_get

from chiso.core import pdf as core_pdf
from chiso.core.safe_cells import xlsx_row

from .charts import ranking_charts, scorecard_charts
from .queries import Scorecard, framework_family, method_nodes, ranking_get, scorecard_get, version_nodes


def pdf_cached(html: str) -> bytes:
    """The PDF of an HTML page, kept under MEDIA_ROOT/reports/ by a digest of the HTML: the
    same content is laid out once, however many people download it."""
    path = Path(settings.MEDIA_ROOT) / "reports" / f"{hashlib.sha256(html.encode()).hexdigest()}.pdf"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    content = core_pdf.pdf_from_html(html)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    os.replace(tmp, path)
    return content


def scorecard_context(card: Scorecard) -> dict:
    return {"card": card, "charts": scorecard_charts(card), "run": card.run}


def scorecard_pdf(card: Scorecard) -> bytes:
    return pdf_cached(render_to_string("results/print/scorecard.html", scorecard_context(card)))


def report_sections(runs: list[IndexRun]) -> list[dict]:
    sections = []
    for run in runs:
        ranking = ranking_get(run)
        sections.append({"run": run, "ranking": ranking, "rows": ranking.rows, "charts": ranking_charts(run, ranking),
                         "method": method_nodes(run)})
    return sections


def report_pdf(runs: list[IndexRun], title: str) -> bytes:
    """Bảng xếp hạng toàn tỉnh — per block: the ranking, the pillar table, the method and checksums."""
    return pdf_cached(render_to_string("results/print/report.html", {"title": title, "sections": report_sections(runs)}))


def report_title(runs: list[IndexRun]) -> str:
    run = runs[0]
    return _("%(index)s %(period)s — results of %(province)s") % {
        "index": framework_family(run.version.framework.code), "period": run.period.name,
        "province": getattr(province_get(), "name", ""),
    }


def _sheet_name(taken: set[str], text: str) -> str:
    name = "".join(c for c in text if c not in '[]:*?/\\')[:31]
    base, n = name, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def results_workbook(runs: list[IndexRun]) -> bytes:
    """One sheet describing the runs (with checksums), then for each run one sheet per level
    (value and rank of every node) and one of the raw indicator values the run read."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    about = book.create_sheet(_sheet_name(taken, _("Runs")))
    about.append(xlsx_row(about, [_("Sheet"), _("Run"), _("Framework version"), _("Period"), _("Block"), _("Status"),
                                  _("Published at"), _("Engine version"), _("Input checksum"), _("Result checksum")]))
    for i, run in enumerate(runs, start=1):
        nodes = version_nodes(run)
        scores: dict[int, dict[str, RunScore]] = {}
        units: dict[int, Unit] = {}
        for s in RunScore.objects.filter(run=run).select_related("unit"):
            scores.setdefault(s.unit_id, {})[s.code] = s
            units[s.unit_id] = s.unit
        top = (run.details or {}).get("top")
        order = sorted(units, key=lambda uid: (scores[uid].get(top) is None or scores[uid][top].rank is None,
                                               getattr(scores[uid].get(top), "rank", 0) or 0, units[uid].code))
        prefix = f"{i} {run.block.code}"
        for level in run_levels(run):
            codes = [n.code for n in nodes.values() if n.level == level and n.type in ("Aggregate", "Indicator")]
            sheet = book.create_sheet(_sheet_name(taken, f"{prefix} L{level}"))
            header = [_("Unit code"), _("Unit")]
            for code in codes:
                header += [code, _("%(code)s — rank") % {"code": code}]
            if top in codes:
                header.append(_("Band"))
            sheet.append(xlsx_row(sheet, header))
            for uid in order:
                line = [units[uid].code, units[uid].name_vi]
                for code in codes:
                    s = scores[uid].get(code)
                    line += [s.value if s else None, s.rank if s else None]
                if top in codes:
                    line.append(getattr(scores[uid].get(top), "band", ""))
                sheet.append(xlsx_row(sheet, line))
        raw = book.create_sheet(_sheet_name(taken, _("%(sheet)s raw values") % {"sheet": prefix}))
        inputs = run.inputs or {}
        raw.append(xlsx_row(raw, [_("Unit code"), _("Unit"), *inputs.get("codes", [])]))
        for code, name, values in zip(inputs.get("units", []), inputs.get("names", []), inputs.get("values", [])):
            raw.append(xlsx_row(raw, [code, name, *values]))
        about.append(xlsx_row(about, [
            prefix, run.title, str(run.version), run.period.name_vi, run.block.name_vi, run.get_status_display(),
            timezone.localtime(run.published_at).strftime("%d/%m/%Y %H:%M") if run.published_at else "",
            run.engine_version, run.input_checksum, run.result_checksum,
        ]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def scorecards_zip(run: IndexRun, progress: Callable[..., None] | None = None) -> bytes:
    """Every unit's scorecard PDF of a run, named <rank>-<unit code>.pdf, in one ZIP."""
    rows = ranking_get(run).rows
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, row in enumerate(rows, start=1):
            card = scorecard_get(run, row.unit)
            archive.writestr(f"{row.rank or 0:03d}-{row.unit.code}.pdf", scorecard_pdf(card))
            if progress:
                progress(done, len(rows), row.unit.name_vi)
    return buffer.getvalue()
