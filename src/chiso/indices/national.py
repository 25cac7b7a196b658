"""Import of published national results (PCI, PAPI, PAR Index, SIPAS) per province and year.

Two layouts are read: chiso's own (index, year, province, score, rank, tier, then any
component columns) and the published workbooks as shipped in data/national/ (VCCI's PCI
summary, the PAPI dataset), recognised by their columns.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from chiso.core.tabular import ImportFailed, Table, normalise_header, read_tables

from .models import ExternalResult

PCI_COMPONENTS = ["entry_costs", "land_access", "transparency", "time_costs", "informal_charges", "policy_bias",
                  "proactivity", "business_support", "labor_training", "legal_institutions"]


def _float(table: Table, row: int, column: str, value, problems) -> float | None:
    if value in ("", None):
        return None
    try:
        return float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except ValueError:
        problems.append(table.problem(_("'%(value)s' is not a number.") % {"value": value}, row=row, column=column))
        return None


def _rows(table: Table, index_code: str | None, year: int | None, problems) -> list[dict]:
    headers = {normalise_header(h): h for h in table.headers}
    out = []
    if "pci" in headers and "province" in headers:  # VCCI's workbook
        if not year:
            problems.append(table.problem(_("Give the year of this PCI table.")))
            return []
        for number, values in table.rows:
            out.append({
                "index_code": "PCI", "year": year, "province": values[headers["province"]],
                "score": _float(table, number, "pci", values[headers["pci"]], problems),
                "rank": _float(table, number, "pci_rank", values.get(headers.get("pci_rank", ""), ""), problems),
                "tier": values.get(headers.get("pci_tier_vi", ""), ""),
                "components": {c: _float(table, number, c, values[headers[c]], problems) for c in PCI_COMPONENTS if c in headers},
            })
        return out
    if "papi_unweighted_total" in headers:  # the PAPI dataset
        if not year:
            problems.append(table.problem(_("Give the year of this PAPI table.")))
            return []
        dims = [h for h in table.headers if h.startswith("D_")]
        scored = []
        for number, values in table.rows:
            total = _float(table, number, "papi_unweighted_total", values[headers["papi_unweighted_total"]], problems)
            scored.append((number, values, total))
        ordered = sorted((t for _n, _v, t in scored if t is not None), reverse=True)
        for number, values, total in scored:
            out.append({
                "index_code": "PAPI", "year": year, "province": values[headers["province_vi"]],
                "score": total, "rank": ordered.index(total) + 1 if total is not None else None, "tier": "",
                "components": {d[2:]: _float(table, number, d, values[d], problems) for d in dims},
            })
        return out
    required = ["province", "score"]
    missing = [c for c in required if c not in headers]
    if missing:
        problems.append(table.problem(
            _("The required column %(column)s is missing (columns found: %(found)s).") % {"column": missing[0], "found": ", ".join(table.headers)},
            row=1))
        return []
    known = {"index", "year", "province", "score", "rank", "tier"}
    for number, values in table.rows:
        code = str(values.get(headers.get("index", ""), "") or index_code or "").strip().upper()
        row_year = values.get(headers.get("year", ""), "") or year
        if not code:
            problems.append(table.problem(_("Which index is this (PCI, PAPI, PAR, SIPAS)?"), row=number, column="index"))
        try:
            row_year = int(row_year)
        except (TypeError, ValueError):
            problems.append(table.problem(_("'%(value)s' is not a year.") % {"value": row_year}, row=number, column="year"))
            row_year = 0
        out.append({
            "index_code": code, "year": row_year, "province": str(values[headers["province"]]).strip(),
            "score": _float(table, number, "score", values[headers["score"]], problems),
            "rank": _float(table, number, "rank", values.get(headers.get("rank", ""), ""), problems),
            "tier": str(values.get(headers.get("tier", ""), "") or ""),
            "components": {h: _float(table, number, h, values[h], problems) for h in table.headers if normalise_header(h) not in known},
        })
    return out


def national_results_import(*, file_name: str, content: bytes, index_code: str | None = None, year: int | None = None,
                            source: str = "") -> int:
    """Import (or update) published results; all or nothing. Returns the number of rows."""
    problems = []
    rows = []
    for table in read_tables(file_name, content, kind="national_results"):
        rows.extend(_rows(table, index_code, year, problems))
    if problems:
        raise ImportFailed(problems)
    with transaction.atomic():
        for row in rows:
            ExternalResult.objects.update_or_create(
                index_code=row["index_code"], year=row["year"], province=row["province"],
                defaults={"score": row["score"], "rank": int(row["rank"]) if row["rank"] else None, "tier": row["tier"],
                          "components": row["components"], "source": source or file_name},
            )
    return len(rows)
