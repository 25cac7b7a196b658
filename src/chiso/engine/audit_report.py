"""The audit as one HTML page: findings, tables and inline SVG charts (no script, no network)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

if TYPE_CHECKING:
    from .audit import Audit

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5em 0;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
.flag{color:#b00020;font-weight:600}.small{display:inline-block;margin:4px;vertical-align:top}
svg text{font:10px system-ui,sans-serif}details{margin:.5em 0}
"""


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if np.isnan(v):
            return ""
        return f"{v:.{digits}g}" if abs(v) >= 1e4 or (v != 0 and abs(v) < 1e-3) else f"{v:.{digits}f}"
    return escape(str(v))


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], limit: int = 400) -> str:
    out = ["<table><tr>", *(f"<th>{escape(h)}</th>" for h in header), "</tr>"]
    for r in rows[:limit]:
        cells = []
        for v in r:
            cls = ' class="flag"' if v in ("low", "outliers") else ""
            cells.append(f"<td{cls}>{_fmt(v)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    if len(rows) > limit:
        out.append(f"<p>{len(rows) - limit} more rows in the CSV.</p>")
    return "".join(out)


def _color(r: float) -> str:
    """Diverging colour for a correlation: blue (negative) - white - red (positive); grey if missing."""
    if r is None or np.isnan(r):
        return "#ddd"
    r = max(-1.0, min(1.0, float(r)))
    if r >= 0:
        g = int(255 - 180 * r)
        return f"rgb(255,{g},{g})"
    g = int(255 + 180 * r)
    return f"rgb({g},{g},255)"


def heatmap_svg(codes: Sequence[str], R: np.ndarray, cell: int = 0) -> str:
    k = len(codes)
    cell = cell or max(8, min(28, 560 // max(k, 1)))
    pad = 70
    size = pad + k * cell
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{size + 10}" height="{size + 10}" role="img">']
    for i, a in enumerate(codes):
        y = pad + i * cell
        parts.append(f'<text x="{pad - 3}" y="{y + cell * 0.7:.1f}" text-anchor="end">{escape(a)}</text>')
        parts.append(f'<text transform="translate({pad + i * cell + cell * 0.7:.1f},{pad - 3}) rotate(-60)">'
                     f'{escape(a)}</text>')
        for j in range(k):
            v = R[i, j]
            parts.append(f'<rect x="{pad + j * cell}" y="{y}" width="{cell}" height="{cell}" fill="{_color(v)}">'
                         f'<title>{escape(a)} / {escape(codes[j])}: {_fmt(float(v), 2)}</title></rect>')
            if cell >= 24 and not np.isnan(v):
                parts.append(f'<text x="{pad + j * cell + cell / 2}" y="{y + cell * 0.65:.1f}" '
                             f'text-anchor="middle">{v:.1f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(labels: Sequence[str], series: Sequence[Sequence[float]], names: Sequence[str],
             colors: Sequence[str] = ("#4c72b0", "#dd8452", "#55a868"), ref: float | None = None) -> str:
    """Horizontal grouped bars (one group per label, one bar per series)."""
    vals = np.array([[np.nan if v is None else float(v) for v in s] for s in series], dtype=float)
    finite = vals[np.isfinite(vals)]
    lo = min(0.0, float(finite.min())) if finite.size else 0.0
    hi = max(0.0, float(finite.max())) if finite.size else 1.0
    if ref is not None:
        hi = max(hi, ref)
    hi = hi if hi > lo else lo + 1
    bar, gap, left, width = 8, 6, 110, 420
    h_group = bar * len(series) + gap
    height = 20 + len(labels) * h_group + 20

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * width

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 80}" height="{height}" role="img">']
    for s, (name, col) in enumerate(zip(names, colors)):
        parts.append(f'<rect x="{left + s * 120}" y="2" width="10" height="10" fill="{col}"/>'
                     f'<text x="{left + s * 120 + 14}" y="11">{escape(name)}</text>')
    for i, lab in enumerate(labels):
        y0 = 20 + i * h_group
        parts.append(f'<text x="{left - 4}" y="{y0 + bar * len(series) / 2 + 3:.1f}" text-anchor="end">'
                     f'{escape(str(lab))}</text>')
        for s, col in enumerate(colors[:len(series)]):
            v = vals[s, i]
            if np.isnan(v):
                continue
            a, b = sorted((x(0.0), x(v)))
            parts.append(f'<rect x="{a:.1f}" y="{y0 + s * bar}" width="{max(b - a, 0.5):.1f}" height="{bar - 1}" '
                         f'fill="{col}"><title>{escape(str(lab))}: {_fmt(float(v))}</title></rect>')
            parts.append(f'<text x="{b + 3:.1f}" y="{y0 + s * bar + bar - 2}">{_fmt(float(v), 2)}</text>')
    parts.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="16" y2="{height - 16}" stroke="#999"/>')
    if ref is not None:
        parts.append(f'<line x1="{x(ref):.1f}" x2="{x(ref):.1f}" y1="16" y2="{height - 16}" stroke="#b00020" '
                     f'stroke-dasharray="3,3"/>')
    parts.append("</svg>")
    return "".join(parts)


def histogram_svg(code: str, values: np.ndarray, flagged: bool, bins: int = 20) -> str:
    w, h = 150, 70
    fill = ' fill="#b00020"' if flagged else ""
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h + 14}" role="img">',
             f'<text x="2" y="10"{fill}>{escape(code)}</text>']
    if values.size:
        counts, _ = np.histogram(values, bins=bins)
        top = counts.max() or 1
        bw = w / bins
        for i, c in enumerate(counts):
            bh = c / top * (h - 4)
            parts.append(f'<rect x="{i * bw:.1f}" y="{14 + h - bh:.1f}" width="{bw - 1:.1f}" height="{bh:.1f}" '
                         f'fill="{"#c44e52" if flagged else "#4c72b0"}"/>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(result: Audit) -> str:
    t = result.tables
    s = result.summary
    body = [f"<h1>Statistical audit: {escape(str(s.get('index', '')))}</h1>",
            f"<p>{s.get('units')} units, {s.get('indicators')} indicators, {s.get('aggregates')} aggregates over "
            f"{s.get('levels')} levels, {s.get('missing')} missing values in the raw data; correlations: "
            f"{escape(str(s.get('method')))}.</p>",
            "<h2>Findings</h2><ul>", *(f"<li>{escape(f)}</li>" for f in result.findings), "</ul>"]
    if not result.findings:
        body.append("<p>Nothing to report.</p>")

    head, rows = t["indicators.csv"]
    body.append("<h2>Data availability</h2>")
    body.append(bars_svg([r[0] for r in rows], [[r[3] for r in rows]], ["share of units with data"], ref=0.65))
    body.append("<h2>Distributions and outliers (raw data)</h2><p>Red: |skew| &gt; 2 and kurtosis &gt; 3.5.</p>")
    flags = {r[0]: r[-1] == "outliers" for r in rows}
    body.extend(f'<span class="small">{histogram_svg(c, v, flags.get(c, False))}</span>'
                for c, v in result.histograms.items())
    body.append("<details><summary>Indicator statistics</summary>" + _table(head, rows) + "</details>")

    body.append("<h2>Correlations</h2>")
    for hm in result.heatmaps:
        body.append(f"<h3>{escape(hm.title)}</h3>{heatmap_svg(hm.codes, hm.matrix)}")
    head, rows = t["correlations.csv"]
    body.append("<details><summary>All correlations (table)</summary>" + _table(head, rows, 1000) + "</details>")

    head, rows = t["cronbach.csv"]
    body.append("<h2>Cronbach's alpha per aggregate</h2>")
    body.append(bars_svg([r[0] for r in rows], [[r[2] for r in rows]], ["alpha"], ref=0.7))
    head, rows = t["pca.csv"]
    body.append("<h2>PCA: variance explained by the first component (level-2 aggregates)</h2>")
    body.append(bars_svg([r[0] for r in rows], [[r[1] for r in rows]], ["PC1 share"]))

    head, rows = t["importance.csv"]
    agg_rows = [r for r in rows if r[1] >= 2]
    body.append("<h2>Weights: nominal, effective and statistical importance</h2>"
                "<p>Nominal: the weight over the sum of its level's weights; effective: COINr's "
                "get_eff_weights; importance: share of r² with the index within the level.</p>")
    if agg_rows:
        body.append(bars_svg([r[0] for r in agg_rows], [[r[2] for r in agg_rows], [r[3] for r in agg_rows],
                                                         [r[5] for r in agg_rows]],
                             ["nominal", "effective", "importance"]))
    body.append("<details><summary>Every node</summary>" + _table(head, rows) + "</details>")

    head, rows = t["drop_one.csv"]
    body.append("<h2>Drop-one: mean absolute rank change of the index when a level-2 aggregate is removed</h2>")
    if rows:
        body.append(bars_svg([r[0] for r in rows], [[r[1] for r in rows]], ["mean |rank change|"]))
    head, rows = t["units.csv"]
    body.append("<h2>Units</h2><details><summary>Availability, index and rank</summary>"
                + _table(head, rows) + "</details>")
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Statistical audit</title>"
            f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>")
