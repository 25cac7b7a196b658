"""Charts of the analyst's pages (audit, sensitivity, comparisons): drawn on the server as SVG in the
style and cache of chiso.results.charts, each with a text alternative; the page's tables give
every number."""

from __future__ import annotations

import math

import numpy as np
from django.utils.translation import gettext as _
from matplotlib.figure import Figure

from chiso.results.charts import ACCENT, BLUE, GREEN, INK, MUTED, Chart, _cached, _formatter, _number, _short


def comparison_chart(checksum: str, key: str, title: str, rows) -> Chart | None:
    """Each unit's rank in the run and under the alternative, joined by a line.
    rows: [(name, run rank, alternative rank)], in the run's order."""
    rows = [r for r in rows if r[1] is not None and r[2] is not None]
    if not rows:
        return None
    moved = [abs(a - b) for _n, a, b in rows]
    alt = _("%(title)s: the rank of each of %(count)s units in the run (blue) and under the alternative choices "
            "(red); %(moved)s units change rank, by %(max)s places at most. The table gives every rank.") % {
        "title": title, "count": len(rows), "moved": sum(1 for m in moved if m), "max": max(moved)}

    def draw():
        figure = Figure(figsize=(7.0, 0.9 + 0.26 * len(rows)))
        ax = figure.add_subplot()
        for i, (_name, rank, other) in enumerate(rows):
            y = len(rows) - 1 - i
            ax.plot([rank, other], [y, y], color=MUTED, linewidth=1.5)
            ax.plot([rank], [y], "o", color=BLUE, markersize=5, label=_("Run") if i == 0 else None)
            ax.plot([other], [y], "o", color=ACCENT, markersize=5, label=_("Alternative") if i == 0 else None)
        ax.set_yticks(range(len(rows)), [_short(r[0]) for r in rows][::-1])
        ax.set_xlabel(_("Rank (1 = best)"))
        ax.invert_xaxis()
        ax.xaxis.set_major_formatter(_formatter())
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08 - 1.2 / (0.9 + 0.26 * len(rows))), ncol=2,
                  fontsize=7.5, frameon=False)
        ax.set_title(title, loc="left", fontsize=10, color=INK)
        return figure

    return _cached(checksum, f"compare-{key}", {"t": title, "r": rows}, alt, draw)


def bars_chart(checksum: str, name: str, title: str, labels: list[str], series, alt: str,
               reference: float | None = None) -> Chart | None:
    """Horizontal bars, one group per label. series: [(legend, values)]; `reference` a dashed line
    (a threshold)."""
    if not labels:
        return None
    colours = (BLUE, ACCENT, GREEN)

    def draw():
        figure = Figure(figsize=(6.4, 0.9 + 0.22 * len(labels) * len(series)))
        ax = figure.add_subplot()
        height = 0.8 / len(series)
        for k, (legend, values) in enumerate(series):
            ys = [len(labels) - 1 - i + (len(series) / 2 - k - 0.5) * height for i in range(len(labels))]
            clean = [0.0 if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]
            bars = ax.barh(ys, clean, height=height * 0.9, color=colours[k % 3], label=legend)
            for bar, value in zip(bars, values):
                if value is not None:
                    ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + _number(value, 2), va="center",
                            fontsize=7, color=INK)
        ax.set_yticks(range(len(labels)), [_short(label, 30) for label in labels][::-1])
        if reference is not None:
            ax.axvline(reference, color=ACCENT, linestyle="--", linewidth=1)
        ax.axvline(0, color=MUTED, linewidth=0.8)
        ax.xaxis.set_major_formatter(_formatter(1))
        if len(series) > 1:
            ax.legend(loc="lower right", fontsize=7.5, frameon=False)
        ax.set_title(title, loc="left", fontsize=10, color=INK)
        return figure

    return _cached(checksum, name, {"t": title, "l": labels, "s": series, "r": reference}, alt, draw)


def correlation_chart(checksum: str, name: str, title: str, codes: list[str], matrix) -> Chart | None:
    """A correlation matrix as coloured cells (blue negative, red positive) with the numbers."""
    if len(codes) < 2:
        return None
    alt = _("%(title)s: correlations between %(count)s components, from −1 (blue) to 1 (red). The table gives every number.") % {
        "title": title, "count": len(codes)}

    def draw():
        data = np.array([[np.nan if v is None else v for v in row] for row in matrix], dtype=float)
        size = 1.6 + 0.42 * len(codes)
        figure = Figure(figsize=(size + 0.8, size))
        ax = figure.add_subplot()
        image = ax.imshow(np.ma.masked_invalid(data), cmap="RdBu_r", vmin=-1, vmax=1)
        ax.set_xticks(range(len(codes)), [_short(c, 14) for c in codes], rotation=45, ha="right")
        ax.set_yticks(range(len(codes)), [_short(c, 14) for c in codes])
        if len(codes) <= 14:
            for i in range(len(codes)):
                for j in range(len(codes)):
                    if not np.isnan(data[i, j]):
                        ax.text(j, i, _number(data[i, j], 2), ha="center", va="center", fontsize=6.5,
                                color="white" if abs(data[i, j]) > 0.6 else INK)
        figure.colorbar(image, ax=ax, shrink=0.7)
        ax.tick_params(length=0)
        ax.set_title(title, loc="left", fontsize=10, color=INK)
        return figure

    return _cached(checksum, name, {"t": title, "c": codes, "m": matrix}, alt, draw)
