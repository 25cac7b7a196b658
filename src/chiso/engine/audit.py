"""Statistical audit of a build: availability, distributions, correlations, Cronbach, PCA, effective
weights, drop-one impact, and findings in words; written as CSV tables, one workbook or one page."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .analysis.coin import get_cronbach, get_eff_weights, get_pca, node_values, remove_elements
from .analysis.correlation import corr_matrix
from .audit_report import render_html
from .build import IndexBuild
from .io import _write_csv, write_workbook
from .rank import rank
from .treat import kurt, skew

# Thresholds behind the findings (COINr's get_stats defaults where COINr has one).
T_AVAIL = 0.65          # COINr get_stats t_avail: data availability below this is flagged
T_SKEW, T_KURT = 2.0, 3.5   # COINr's outlier check: |skew| > 2 and kurtosis > 3.5
T_COLLINEAR = 0.9       # COINr get_corr_flags cor_thresh
T_ALPHA = 0.7           # Nunnally's conventional threshold for Cronbach's alpha
T_RATIO = 2.0           # effective vs nominal weight: flagged at twice or half
MAX_LISTED = 5          # findings name at most this many items, then "and N more"

# The contract: these files and columns are always written (see docs/engine.md, "Statistical audit").
CONTRACT = {
    "cronbach.csv": ("aggregate", "level", "alpha"),
    "correlations.csv": ("var1", "var2", "correlation"),
    "pca.csv": ("aggregate", "pc1_variance_share"),
    "effective_weights.csv": ("iCode", "level", "weight", "effective_weight"),
    "drop_one.csv": ("element", "mean_abs_rank_diff"),
}


@dataclass
class Heatmap:
    title: str
    codes: list[str]
    matrix: np.ndarray


@dataclass
class Audit:
    """The audit's tables ({file name: (header, rows)}), findings and what the page draws."""

    tables: dict[str, tuple[list[str], list[list[Any]]]]
    findings: list[str]
    heatmaps: list[Heatmap] = field(default_factory=list)
    histograms: dict[str, np.ndarray] = field(default_factory=dict)  # iCode -> raw values present
    summary: dict[str, Any] = field(default_factory=dict)


def _listed(items: Sequence[str]) -> str:
    items = list(items)
    more = len(items) - MAX_LISTED
    text = ", ".join(items[:MAX_LISTED])
    return text + (f" and {more} more" if more > 0 else "")


def _num(x: float) -> Any:
    return None if x is None or (isinstance(x, float) and np.isnan(x)) else float(x)


def audit(build: IndexBuild, method: str = "pearson") -> Audit:
    """Audit a build that has aggregated (COINr's analysis layer in one pass)."""
    fw = build.framework
    nv = node_values(build)
    pos = {c: i for i, c in enumerate(nv.codes)}
    top = nv.top
    levels = sorted(set(nv.level.values()))
    findings: list[str] = []
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {}

    # -- cronbach
    alpha = get_cronbach(build)
    tables["cronbach.csv"] = (list(CONTRACT["cronbach.csv"]), [[a, lev, _num(v)] for a, lev, v in alpha])
    low_alpha = [f"{a} ({v:.2f})" for a, _, v in alpha if not np.isnan(v) and v < T_ALPHA]
    if low_alpha:
        findings.append(f"Cronbach's alpha is below {T_ALPHA} for {_listed(low_alpha)}: "
                        f"their children do not measure one thing consistently.")

    # -- correlations: each node with its parent, and each level's aggregates among themselves
    corr_rows: list[list[Any]] = []
    heatmaps: list[Heatmap] = []
    V = nv.values
    child_codes = [c for c in nv.codes if nv.parent[c] is not None]
    parents = [nv.parent[c] for c in child_codes]
    up = np.full(len(child_codes), np.nan)
    for p in dict.fromkeys(parents):
        kids = [c for c in child_codes if nv.parent[c] == p]
        r = corr_matrix(nv.columns(kids), V[:, pos[p]], method)[:, 0]
        for c, v in zip(kids, r):
            up[child_codes.index(c)] = v
    for c, p, v in zip(child_codes, parents, up):
        corr_rows.append([c, p, _num(v)])
    for lev in levels:
        if lev < 2:
            continue
        codes = nv.at_level(lev)
        if len(codes) < 2:
            continue
        R = corr_matrix(nv.columns(codes), method=method)
        heatmaps.append(Heatmap(f"Level {lev}: aggregates", codes, R))
        for i in range(len(codes)):
            for j in range(i + 1, len(codes)):
                corr_rows.append([codes[i], codes[j], _num(R[i, j])])
    for p in nv.at_level(2):
        kids = nv.children(p)
        if len(kids) >= 2:
            R = corr_matrix(nv.columns(kids), method=method)
            heatmaps.insert(len([h for h in heatmaps if h.title.startswith("Level 1")]),
                            Heatmap(f"Level 1: indicators of {p}", kids, R))
            for i in range(len(kids)):
                for j in range(i + 1, len(kids)):
                    if R[i, j] > T_COLLINEAR:
                        findings.append(f"Indicators {kids[i]} and {kids[j]} in {p} are collinear "
                                        f"(r = {R[i, j]:.2f}): they may double-count one thing.")
    tables["correlations.csv"] = (list(CONTRACT["correlations.csv"]), corr_rows)
    negative = [(c, p, v) for c, p, v in zip(child_codes, parents, up) if not np.isnan(v) and v < 0]
    for c, p, v in negative[:MAX_LISTED]:
        what = "indicator" if nv.level[c] == 1 else "aggregate"
        findings.append(f"{what.capitalize()} {c} correlates negatively with its parent {p} (r = {v:.2f}): "
                        f"check its direction.")
    if len(negative) > MAX_LISTED:
        findings.append(f"{len(negative) - MAX_LISTED} more nodes correlate negatively with their parent.")

    # -- PCA per level-2 aggregate on its (normalised) indicators
    pcas = get_pca(build, level=2)
    tables["pca.csv"] = (list(CONTRACT["pca.csv"]), [[p.aggregate, float(p.variance_share[0])] for p in pcas])
    multi = [f"{p.aggregate} ({int((p.eigenvalues > 1).sum())} components, PC1 {p.variance_share[0]:.0%})"
             for p in pcas if (p.eigenvalues > 1).sum() > 1]
    if multi:
        findings.append(f"More than one principal component has an eigenvalue above 1 (Kaiser) in "
                        f"{_listed(multi)}: these aggregates are not one-dimensional.")

    # -- effective vs nominal weights, and statistical importance
    eff = get_eff_weights(build)
    tables["effective_weights.csv"] = (list(CONTRACT["effective_weights.csv"]),
                                       [[c, lev, w, e] for c, lev, w, e in eff])
    by_level: dict[int, list[tuple[str, float, float]]] = {}
    for c, lev, w, e in eff:
        by_level.setdefault(lev, []).append((c, w, e))
    imp_rows = []
    index = V[:, pos[top]]
    heavy, light = [], []
    for lev, items in sorted(by_level.items()):
        codes = [c for c, _, _ in items]
        wsum = sum(w for _, w, _ in items)
        r = corr_matrix(nv.columns(codes), index, method)[:, 0]
        r2 = np.where(np.isnan(r), 0.0, r) ** 2
        share = r2 / r2.sum() if r2.sum() > 0 else np.full(len(codes), np.nan)
        for (c, w, e), rr, s in zip(items, r, share):
            nominal = w / wsum if wsum else np.nan
            imp_rows.append([c, lev, nominal, e, _num(rr), _num(s)])
            if nominal > 0:
                ratio = e / nominal
                if ratio >= T_RATIO:
                    heavy.append(f"{c} ({e:.3f} against {nominal:.3f}, {ratio:.1f}x)")
                elif ratio <= 1 / T_RATIO:
                    light.append(f"{c} ({e:.3f} against {nominal:.3f}, {ratio:.1f}x)")
            if lev >= 2 and e > 0 and not np.isnan(s):
                q = s / e
                if q >= T_RATIO:
                    findings.append(f"{c}'s statistical importance in {top} (share of r² = {s:.3f}) is "
                                    f"{q:.1f} times its effective weight ({e:.3f}): it drives the index more than its weight says.")
                elif q <= 1 / T_RATIO:
                    findings.append(f"{c}'s statistical importance in {top} (share of r² = {s:.3f}) is "
                                    f"under half its effective weight ({e:.3f}): it moves the index less than its weight says.")
    if heavy:
        findings.append(f"Effective weight at least twice the nominal weight: {_listed(heavy)}.")
    if light:
        findings.append(f"Effective weight at most half the nominal weight: {_listed(light)}.")
    tables["importance.csv"] = (["iCode", "level", "nominal_weight", "effective_weight", "corr_with_index",
                                 "importance"], imp_rows)

    # -- drop-one
    level2 = nv.at_level(2)
    drop = remove_elements(build, level=2) if level2 and top not in level2 else {"mean_abs_rank_diff": {}}
    mad = drop["mean_abs_rank_diff"]
    tables["drop_one.csv"] = (list(CONTRACT["drop_one.csv"]), [[c, _num(v)] for c, v in mad.items()])
    if mad:
        hi = max(mad, key=lambda c: mad[c])
        lo = min(mad, key=lambda c: mad[c])
        findings.append(f"Removing {hi} moves units by {mad[hi]:.1f} ranks on average, the most of any "
                        f"level-2 aggregate; removing {lo} by {mad[lo]:.1f}, the least.")

    # -- indicators: availability, distribution, outliers (raw data, as read)
    raw = build.raw
    icodes = [c for c in fw.indicators if c in raw.codes]
    X = raw.columns(icodes)
    present = ~np.isnan(X)
    n_avail = present.sum(axis=0)
    frac = n_avail / max(X.shape[0], 1)
    with np.errstate(invalid="ignore"):
        sk, kt = skew(X), kurt(X)
    stats_rows, hist, outl, scarce = [], {}, [], []
    for j, c in enumerate(icodes):
        col = X[present[:, j], j]
        hist[c] = col
        out_flag = bool(abs(sk[j]) > T_SKEW and kt[j] > T_KURT) if not (np.isnan(sk[j]) or np.isnan(kt[j])) else False
        if out_flag:
            outl.append(c)
        if frac[j] < T_AVAIL:
            scarce.append(f"{c} ({frac[j]:.0%})")
        stats_rows.append([c, fw[c].parent, int(n_avail[j]), float(frac[j]),
                           *([_num(col.min()), _num(col.max()), _num(col.mean()), _num(np.median(col)),
                              _num(col.std(ddof=1)) if col.size > 1 else None] if col.size else [None] * 5),
                           _num(sk[j]), _num(kt[j]), int(np.unique(col).size),
                           "low" if frac[j] < T_AVAIL else "ok", "outliers" if out_flag else "ok"])
    tables["indicators.csv"] = (["iCode", "parent", "n_avail", "frac_avail", "min", "max", "mean", "median", "sd",
                                 "skew", "kurt", "n_unique", "flag_avail", "flag_skew_kurt"], stats_rows)
    unit_frac = present.mean(axis=1) if X.shape[1] else np.zeros(X.shape[0])
    tables["units.csv"] = (["uCode", "uName", "n_avail", "frac_avail", "index", "rank"],
                           [[u, nm, int(present[i].sum()), float(unit_frac[i]), _num(index[i]) if i < len(index) else None,
                             None] for i, (u, nm) in enumerate(zip(raw.units, raw.names))])
    # units may have been screened out: rank the index of the units that remain
    ranks = dict(zip(nv.units, rank(index)))
    idx_of = dict(zip(nv.units, index))
    for row in tables["units.csv"][1]:
        row[4] = _num(idx_of.get(row[0], np.nan))
        rk = ranks.get(row[0])
        row[5] = None if rk is None or np.isnan(rk) else int(rk)
    if scarce:
        findings.insert(0, f"Data availability is below {T_AVAIL:.0%} for {_listed(scarce)}.")
    if outl:
        findings.insert(0, f"{len(outl)} indicators have outliers by COINr's check (|skew| > {T_SKEW} and "
                           f"kurtosis > {T_KURT}) in the raw data: {_listed(outl)}.")
    thin_units = [str(u) for u, f in zip(raw.units, unit_frac) if f < T_AVAIL]
    if thin_units:
        findings.insert(0, f"{len(thin_units)} units have data on fewer than {T_AVAIL:.0%} of the indicators: "
                           f"{_listed(thin_units)}.")
    tables["findings.csv"] = (["finding"], [[f] for f in findings])
    summary = {"units": int(V.shape[0]), "indicators": len(fw.indicators), "aggregates": len(fw.aggregates),
               "levels": max(levels), "index": top, "missing": int((~present).sum()), "method": method}
    return Audit(tables=tables, findings=findings, heatmaps=heatmaps, histograms=hist, summary=summary)


# ---------------------------------------------------------------------- writing
def write_csv_folder(result: Audit, folder: str | os.PathLike) -> list[Path]:
    """One CSV per table in `folder` (created), numbers at full precision; returns the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (header, rows) in result.tables.items():
        path = folder / name
        _write_csv(path, header, rows)
        paths.append(path)
    return paths


def write_xlsx(result: Audit, path: str | os.PathLike) -> None:
    """One workbook, one sheet per table (named as the CSV without .csv)."""
    write_workbook(path, {name.removesuffix(".csv")[:31]: (header, rows)
                          for name, (header, rows) in result.tables.items()})


def write_html(result: Audit, path: str | os.PathLike) -> None:
    """One self-contained page with SVG charts (no script, no network)."""
    Path(path).write_text(render_html(result), encoding="utf-8")
