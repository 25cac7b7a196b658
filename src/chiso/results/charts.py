"""Charts drawn once on the server (matplotlib, Agg) as SVG, for pages and PDFs alike.

Each chart is cached on disk under MEDIA_ROOT/charts/<run's result checksum>/, named by a
digest of what it shows (numbers, labels, language), so a page reads a file instead of
drawing, and a changed input can never show an old picture. Text stays text in the SVG
(readable, searchable, selectable in the PDF), in DejaVu Sans, which has every Vietnamese
letter. Every chart comes with a text alternative; pages put the numbers in a table beside it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")

from django.conf import settings  # noqa: E402
from django.utils.formats import number_format  # noqa: E402
from django.utils.html import escape  # noqa: E402
from django.utils.translation import get_language  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

CHART_VERSION = "4"  # bump when the drawing changes, so cached files are redrawn
FONT = ["DejaVu Sans"]
INK, MUTED, ACCENT, BLUE, GREEN = "#1d2733", "#5b6878", "#a3111b", "#0b4f8a", "#1f7a3a"
RC = {
    "svg.fonttype": "none", "font.family": "sans-serif", "font.sans-serif": FONT, "font.size": 9,
    "axes.edgecolor": MUTED, "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK,
    "axes.spines.top": False, "axes.spines.right": False,
}


@dataclass
class Chart:
    svg: str  # inline <svg> with role="img" and a <title>
    alt: str  # the text alternative, also the figure's caption
    file: str = ""  # the cached file's name without .svg (chart_file reads it back)
    url: str = ""  # where a page loads it as an image instead of inline (set by the view)

    @property
    def data_uri(self) -> str:
        """The same drawing as an image for PDFs, which lay out an <img> by its own size."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def _number(value: float, digits: int = 1) -> str:
    return number_format(round(value, digits), digits, use_l10n=True, force_grouping=True)


def _formatter(digits: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: _number(x, digits))


def chart_dir(checksum: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "charts" / (re.sub(r"[^0-9a-f]", "", checksum)[:64] or "none")


def _inline(svg: str, title: str, digest: str) -> str:
    svg = svg[svg.index("<svg"):]
    # Several charts share a page: matplotlib's element ids (text_1, clip paths) get the
    # chart's digest in front, and so do the references to them.
    svg = re.sub(r'\bid="([^"]+)"', rf'id="c{digest}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#c{digest}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#c{digest}-\1"', svg)
    svg = svg.replace("<svg", f'<svg role="img" aria-labelledby="t-{digest}" class="chart"', 1)
    head_end = svg.index(">") + 1
    return f'{svg[:head_end]}<title id="t-{digest}">{escape(title)}</title>{svg[head_end:]}'


def _render(figure: Figure, digest: str) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": digest}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.05)
    return buffer.getvalue()


def _cached(checksum: str, name: str, data, alt: str, draw) -> Chart:
    payload = json.dumps([CHART_VERSION, get_language(), name, data], sort_keys=True, default=str, ensure_ascii=False)
    digest = hashlib.sha256(payload.encode()).hexdigest()[:16]
    path = chart_dir(checksum) / f"{name}-{digest}.svg"
    try:
        return Chart(svg=path.read_text(encoding="utf-8"), alt=alt, file=path.stem)
    except FileNotFoundError:
        pass
    with matplotlib.rc_context(RC):
        figure = draw()
        svg = _inline(_render(figure, digest), alt, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written to a temporary file and renamed: two workers drawing the same chart never
    # leave a half-written file for a third to read.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(svg)
    os.replace(tmp, path)
    return Chart(svg=svg, alt=alt, file=path.stem)


FILE_NAME = re.compile(r"^[a-z]+(-[A-Za-z0-9_.\-]+)?-[0-9a-f]{16}$")


def chart_file(checksum: str, name: str) -> Path | None:
    """The cached SVG of a run's chart by its file name, or None (never outside the folder)."""
    if not FILE_NAME.match(name):
        return None
    path = chart_dir(checksum) / f"{name}.svg"
    return path if path.is_file() else None


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- rankings -------------------------------------------------------------------------------

def ranking_chart(checksum: str, title: str, rows, highlight: str | None = None, *, alt: str | None = None, name: str = "ranking") -> Chart:
    """Horizontal bars of the top score, best at the top. rows: [(unit code, name, score)].
    Other bars (a question's answers) pass their own text alternative and file name."""
    rows = [r for r in rows if r[2] is not None]
    alt = alt or _("Bar chart of %(title)s: %(count)s units ranked by score, from %(best)s (%(best_score)s) to %(last)s (%(last_score)s).") % {
        "title": title, "count": len(rows), "best": rows[0][1] if rows else "—", "best_score": _number(rows[0][2], 2) if rows else "—",
        "last": rows[-1][1] if rows else "—", "last_score": _number(rows[-1][2], 2) if rows else "—",
    }

    def draw():
        height = 0.8 + 0.24 * max(len(rows), 1)
        figure = Figure(figsize=(7.0, height))
        ax = figure.add_subplot()
        names = [_short(r[1]) for r in rows][::-1]
        values = [r[2] for r in rows][::-1]
        colours = [ACCENT if r[0] == highlight else BLUE for r in rows][::-1]
        bars = ax.barh(range(len(rows)), values, color=colours, height=0.7)
        ax.set_yticks(range(len(rows)), names)
        ax.xaxis.set_major_formatter(_formatter())
        ax.set_xlim(0, max(values) * 1.12 if values else 1)
        for bar, value in zip(bars, values):
            ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + _number(value, 1), va="center", fontsize=7.5, color=INK)
        ax.margins(y=0.01)
        ax.set_title(title, loc="left", fontsize=10, color=INK)
        return figure

    return _cached(checksum, name, {"t": title, "r": rows, "h": highlight}, alt, draw)


def heatmap_chart(checksum: str, title: str, pillars: list[str], rows) -> Chart:
    """Units × pillars, darker is better within each pillar. rows: [(name, [values])]."""
    alt = _("Heat map of %(title)s: %(units)s units by %(pillars)s pillars; darker cells are higher scores within a pillar. The table gives every number.") % {
        "title": title, "units": len(rows), "pillars": len(pillars)}

    def draw():
        data = np.array([[np.nan if v is None else v for v in values] for _name, values in rows], dtype=float).reshape(len(rows), len(pillars))
        low, high = np.nanmin(data, axis=0), np.nanmax(data, axis=0)
        span = np.where(high - low > 0, high - low, 1)
        scaled = (data - low) / span
        figure = Figure(figsize=(1.6 + 0.75 * len(pillars), 1.2 + 0.24 * max(len(rows), 1)))
        ax = figure.add_subplot()
        ax.imshow(np.ma.masked_invalid(scaled), cmap="Blues", vmin=-0.15, vmax=1.05, aspect="auto")
        ax.set_xticks(range(len(pillars)), [_short(p, 18) for p in pillars], rotation=35, ha="right")
        ax.set_yticks(range(len(rows)), [_short(r[0], 30) for r in rows])
        if len(rows) <= 60:
            for i in range(len(rows)):
                for j in range(len(pillars)):
                    if not math.isnan(data[i, j]):
                        ax.text(j, i, _number(data[i, j], 1), ha="center", va="center", fontsize=6.5,
                                color="white" if scaled[i, j] > 0.6 else INK)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.tick_params(length=0)
        ax.set_title(title, loc="left", fontsize=10, color=INK)
        return figure

    return _cached(checksum, "heatmap", {"t": title, "p": pillars, "r": rows}, alt, draw)


def rank_interval_chart(checksum: str, title: str, rows) -> Chart | None:
    """Each unit's rank with its 5–95 % interval. rows: [(name, rank, (low, high))]; None when no
    interval exists (the uncertainty analysis has not been run)."""
    rows = [r for r in rows if r[2] is not None and r[1] is not None]
    if not rows:
        return None
    alt = _("Rank intervals of %(title)s: for each of %(count)s units, its rank and the range of ranks it takes in 90%% of the uncertainty analysis.") % {
        "title": title, "count": len(rows)}

    def draw():
        figure = Figure(figsize=(7.0, 0.8 + 0.24 * len(rows)))
        ax = figure.add_subplot()
        for i, (_name, rank, (low, high)) in enumerate(rows):
            y = len(rows) - 1 - i
            ax.plot([low, high], [y, y], color=MUTED, linewidth=2.5, solid_capstyle="round")
            ax.plot([rank], [y], "o", color=ACCENT, markersize=4.5)
        ax.set_yticks(range(len(rows)), [_short(r[0]) for r in rows][::-1])
        ax.set_xlabel(_("Rank (1 = best)"))
        ax.invert_xaxis()
        ax.xaxis.set_major_formatter(_formatter())
        ax.set_title(title, loc="left", fontsize=10, color=INK)
        return figure

    return _cached(checksum, "intervals", {"t": title, "r": rows}, alt, draw)


# --- scorecards ----------------------------------------------------------------------------

def pillar_chart(checksum: str, unit_code: str, title: str, labels: list[str], unit_values, medians, bests, maximum: float | None) -> Chart:
    """A radar of the unit's pillars against the province's median and best; with fewer than
    three pillars a radar says nothing, so grouped bars are drawn instead."""
    alt = _("%(title)s: the unit's score on each of %(count)s pillars, the median of all units and the best unit. The table beside the chart gives the numbers.") % {
        "title": title, "count": len(labels)}
    series = [(_("This unit"), unit_values, ACCENT), (_("Median"), medians, MUTED), (_("Best"), bests, GREEN)]

    def draw():
        def clean(values):
            return [0.0 if v is None else float(v) for v in values]

        top = maximum or max([v for _n, values, _c in series for v in clean(values)] + [1])
        if len(labels) >= 3:
            figure = Figure(figsize=(5.6, 4.4))
            ax = figure.add_subplot(projection="polar")
            angles = np.linspace(0, 2 * np.pi, len(labels), endpoint=False).tolist()
            for name, values, colour in series:
                v = clean(values)
                ax.plot(angles + angles[:1], v + v[:1], color=colour, linewidth=2 if colour == ACCENT else 1.2,
                        linestyle="-" if colour != MUTED else "--", label=name)
                if colour == ACCENT:
                    ax.fill(angles + angles[:1], v + v[:1], color=colour, alpha=0.12)
            ax.set_xticks(angles, [_short(label, 22) for label in labels], fontsize=7.5)
            ax.set_ylim(0, top)
            ax.yaxis.set_major_formatter(_formatter())
            ax.tick_params(axis="y", labelsize=6.5, colors=MUTED)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=3, fontsize=7.5, frameon=False)
        else:
            figure = Figure(figsize=(5.6, 3.0))
            ax = figure.add_subplot()
            x = np.arange(len(labels))
            for k, (name, values, colour) in enumerate(series):
                ax.bar(x + (k - 1) * 0.26, clean(values), width=0.26, color=colour, label=name)
            ax.set_xticks(x, [_short(label, 22) for label in labels])
            ax.set_ylim(0, top)
            ax.yaxis.set_major_formatter(_formatter())
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=7.5, frameon=False)
        ax.set_title(title, loc="left", fontsize=10, color=INK)
        return figure

    data = {"u": unit_code, "t": title, "l": labels, "v": [unit_values, medians, bests], "m": maximum}
    return _cached(checksum, f"pillars-{unit_code}", data, alt, draw)


def trend_chart(checksum: str, unit_code: str, title: str, points, *, alt: str | None = None) -> Chart | None:
    """The unit's score over every period. points: [(period label, value, through lineage?)].
    Other series over time (responses per day) pass their own text alternative."""
    points = [p for p in points if p[1] is not None]
    if not points:
        return None
    alt = alt or _("%(title)s: the score in %(count)s periods, from %(first)s (%(first_value)s) to %(last)s (%(last_value)s).") % {
        "title": title, "count": len(points), "first": points[0][0], "first_value": _number(points[0][1], 2),
        "last": points[-1][0], "last_value": _number(points[-1][1], 2)}

    def draw():
        figure = Figure(figsize=(5.6, 2.4))
        ax = figure.add_subplot()
        x = list(range(len(points)))
        values = [p[1] for p in points]
        ax.plot(x, values, color=BLUE, linewidth=1.8)
        for xi, (_label, value, via) in zip(x, points):
            ax.plot([xi], [value], "o", markersize=6, color=BLUE, markerfacecolor="white" if via else BLUE)
            ax.annotate(_number(value, 1), (xi, value), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7.5)
        ax.set_xticks(x, [p[0] for p in points])
        low, high = min(values), max(values)
        pad = max((high - low) * 0.25, abs(high) * 0.05, 1)
        ax.set_ylim(low - pad, high + pad)
        ax.set_xlim(-0.5, len(points) - 0.5)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))  # whole ticks: no "52" for 52,5
        ax.yaxis.set_major_formatter(_formatter())
        ax.set_title(title, loc="left", fontsize=10, color=INK)
        return figure

    return _cached(checksum, f"trend-{unit_code}", {"u": unit_code, "t": title, "p": points}, alt, draw)


# --- the charts of a page --------------------------------------------------------------------

def ranking_charts(run, ranking, *, heatmap: bool = True) -> dict[str, Chart | None]:
    # A ranking object is kept per run and checksum (queries.ranking_get): its charts are too.
    memo = ranking.__dict__.setdefault("_charts", {})
    key = (get_language(), heatmap, run.block.name, run.period.name)
    if key not in memo:
        memo[key] = _ranking_charts(run, ranking, heatmap=heatmap)
    return memo[key]


def _ranking_charts(run, ranking, *, heatmap: bool) -> dict[str, Chart | None]:
    checksum = run.result_checksum
    title = f"{ranking.top.name} — {run.block.name} — {run.period.name}"
    charts = {
        "ranking": ranking_chart(checksum, title, [(r.unit.code, r.unit.name, r.score) for r in ranking.rows]),
        "intervals": rank_interval_chart(checksum, _("Rank intervals"), [(r.unit.name, r.rank, r.rank_interval) for r in ranking.rows])
        if ranking.has_intervals else None,
        "heatmap": None,
    }
    if heatmap and ranking.pillars:
        charts["heatmap"] = heatmap_chart(checksum, _("Pillars"), [p.name for p in ranking.pillars],
                                          [(r.unit.name, [c.value for c in r.cells]) for r in ranking.rows])
    return charts


def scorecard_charts(card) -> dict[str, Chart | None]:
    checksum = card.run.result_checksum
    labels = [p.node.name for p in card.pillars]
    if card.is_points:
        values = ([p.percent for p in card.pillars], [p.median_percent for p in card.pillars],
                  [p.best_percent for p in card.pillars])
        title, maximum = _("Fields, as a percentage of the maximum points"), 100.0
    else:
        values = ([p.value for p in card.pillars], [p.median for p in card.pillars], [p.best for p in card.pillars])
        title, maximum = _("Pillars against the province's median and best"), None
    trend = [(point.run.period.name, point.value, bool(point.via)) for point in card.trend]
    return {
        "pillars": pillar_chart(checksum, card.unit.code, title, labels, *values, maximum) if card.pillars else None,
        "trend": trend_chart(checksum, card.unit.code, _("Score over the periods"), trend),
    }

