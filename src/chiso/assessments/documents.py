"""DOCX documents an office edits in Word: the tờ trình of the appraisal results, the báo cáo kết
quả with the ranking table, and each unit's phụ lục. Filled from templates/docx/ (docxtpl); the
templates are built by docx_templates.py and may be edited in Word. Always in Vietnamese: they
are the province's official papers."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import formats, timezone, translation

from chiso.units.queries import province_get

from . import queries
from .models import Assessment, Cycle
from .reports import unit_rows

if TYPE_CHECKING:
    from docxtpl import RichText

FOLDER = Path(__file__).resolve().parent / "templates" / "docx"
Status = Assessment.Status
COUNCIL = "HỘI ĐỒNG THẨM ĐỊNH CHỈ SỐ CCHC"
RECIPIENTS = ["Như trên", "Chủ tịch, các Phó Chủ tịch UBND tỉnh", "Sở Nội vụ", "Các sở, ban, ngành tỉnh"]
HIGHLIGHT = "FFF2CC"  # a shading, as Word shows a highlighted cell


def _number(value, digits: int = 2) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    return formats.number_format(round(float(value), digits), digits, use_l10n=True)


def _heading(kind: str) -> dict:
    province = province_get()
    name = province.name_vi if province else "Tỉnh"
    today = timezone.localdate()
    return {
        "parent_agency": "UBND " + name.upper(),
        "agency": COUNCIL,
        "agency_short": "Hội đồng thẩm định Chỉ số CCHC",
        "province": "tỉnh " + name.removeprefix("Tỉnh ").removeprefix("tỉnh "),
        "place": name.removeprefix("Tỉnh ").removeprefix("tỉnh "),
        "number": f"      /{kind}-HĐTĐ",
        "day": f"{today.day:02d}", "month": f"{today.month:02d}", "year": today.year,
        "recipients": RECIPIENTS, "signer_on_behalf": "TM. HỘI ĐỒNG THẨM ĐỊNH", "signer_role": "CHỦ TỊCH",
        "signer_name": "",
    }


def _render(name: str, context: dict) -> bytes:
    from docxtpl import DocxTemplate  # docxtpl (with python-docx and jinja) only when a document is asked for

    template = DocxTemplate(FOLDER / name)
    with translation.override("vi"):
        template.render(context, autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def _ranked(cycle: Cycle) -> list[queries.CycleRow]:
    return [r for r in queries.cycle_rows(cycle) if r.assessment.status != Status.EXCLUDED]


def _index(row: queries.CycleRow) -> float | None:
    """Chỉ số CCHC (%): the results run's value once computed, the provisional percentage before."""
    return row.score.value if row.score else row.final_total.percent


def submission_docx(cycle: Cycle) -> bytes:
    """Tờ trình — the appraisal results, for the Provincial People's Committee to approve."""
    with translation.override("vi"):
        rows = _ranked(cycle)
        # By the index that ranks them (points over the unit's own maximum, as in the report's table),
        # not by points: a unit with criteria that do not apply has a lower maximum.
        indices = [(_index(r), r.assessment.unit.name_vi) for r in rows if _index(r) is not None]
        best = max(indices, default=(0.0, ""))
        worst = min(indices, default=(0.0, ""))
        decisions = list(cycle.decisions.order_by("meeting_date"))
        meetings = ", ".join(
            f"ngày {d.meeting_date:%d/%m/%Y}" + (f" (biên bản số {d.minutes_number})" if d.minutes_number else "") for d in decisions
        ) or "(chưa họp)"
        not_submitted = [r.assessment.unit.name_vi for r in rows if r.assessment.not_submitted]
        excluded = list(cycle.assessments.filter(status=Status.EXCLUDED).select_related("unit"))
        context = _heading("TTr") | {
            "title": cycle.title, "legal_basis": cycle.version.legal_basis or f"bộ tiêu chí {cycle.version}",
            "count": len(rows), "block": cycle.block.name_vi.lower(), "meetings": meetings,
            "average": _number(sum(i for i, _n in indices) / len(indices) if indices else 0), "best": _number(best[0]), "best_unit": best[1],
            "worst": _number(worst[0]), "worst_unit": worst[1],
            "not_submitted_text": ("Đơn vị không nộp tự đánh giá: " + ", ".join(not_submitted) + ". ") if not_submitted else "",
            "excluded_text": ("Không đánh giá: " + "; ".join(f"{a.unit.name_vi} ({a.exclusion_reason})" for a in excluded) + ".")
            if excluded else "",
        }
    return _render("to_trinh.docx", context)


def report_docx(cycle: Cycle) -> bytes:
    """Báo cáo kết quả — the ranking table: by the results run when computed, otherwise provisional."""
    with translation.override("vi"):
        rows = _ranked(cycle)
        rules = queries.bonus_penalty_rules(cycle.version)
        top = queries.engine_framework(cycle.version).top[0]
        maximum = cycle.version.nodes.get(code=top).max_points
        table = [{
            "rank": r.score.rank if r.score and r.score.rank else "", "unit": r.assessment.unit.name_vi,
            "self": _number(r.self_total.points), "appraised": _number(r.appraised_total.points if r.appraised_total else None),
            "bonus": _number(r.assessment.bonus_points), "penalty": _number(r.assessment.penalty_points),
            "total": _number(r.final_total.points), "band": r.score.band if r.score else "",
            "index": _number(_index(r)),
        } for r in rows]
        notes = "" if cycle.run_id else "Kết quả tạm tính: chưa tính kết quả chính thức."
        context = _heading("BC") | {
            "title": cycle.title, "count": len(rows), "framework": str(cycle.version), "maximum": _number(maximum, 0),
            "bonus_cap": _number(rules["bonus"].cap) if "bonus" in rules and rules["bonus"].cap is not None else "—",
            "rows": table, "notes": notes,
        }
    return _render("bao_cao.docx", context)


def _cell(value, *, bold: bool = False, differs: bool = False) -> RichText:
    from docxtpl import RichText  # as in _render: loaded only when a document is made

    text = value if isinstance(value, str) else _number(value)
    return RichText(text, bold=bold or differs, highlight=HIGHLIGHT if differs else None)


def appendix_docx(assessment: Assessment) -> bytes:
    """Phụ lục — one unit's table: self-assessed, round 1, round 2 and final points, differences highlighted."""
    with translation.override("vi"):
        rules = queries.bonus_penalty_rules(assessment.cycle.version)
        names = {r.code: r.name for rule in rules.values() for r in rule.reasons}
        chosen = assessment.bonus_penalty or {}
        rows = []
        for r in unit_rows(assessment):
            bold = not r.is_item
            rows.append({
                "number": _cell(r.number or "", bold=bold), "name": _cell(r.name, bold=bold), "maximum": _cell(r.maximum, bold=bold),
                "self": _cell(r.self_points, bold=bold), "round1": _cell(r.appraised, bold=bold, differs=r.differs[0]),
                "round2": _cell(r.round2 if r.round2 is not None else "", bold=bold, differs=r.differs[1]),
                "final": _cell(r.final, bold=bold, differs=r.differs[2]), "comment": r.comment,
            })
        top = queries.assessment_sheet(assessment).rows[0].final_total
        reasons = {kind: ", ".join(f"{names.get(code, code)}: {_number(float(v))}" for code, v in chosen.get(kind, {}).items()) or "không"
                   for kind in ("bonus", "penalty")}
        context = _heading("PL") | {
            "title": assessment.cycle.title, "unit": assessment.unit.name_vi,
            "attached_to": "Tờ trình số      /TTr-HĐTĐ", "rows": rows,
            "bonus": _number(assessment.bonus_points), "penalty": _number(assessment.penalty_points),
            "bonus_reasons": reasons["bonus"], "penalty_reasons": reasons["penalty"],
            "total": _number(top.points if top else None), "percent": (_number(top.percent) + " %") if top and top.percent is not None else "—",
        }
    return _render("phu_luc.docx", context)
