"""A run's recorded steps told in words, for people ("Chuẩn hóa min-max về thang 1–10"), where the
step log itself (`IndexRun.steps_log`, the engine's parameters) stays the recipe for replaying it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

STEP_NAMES = {
    "screen": gettext_lazy("Units screened"),
    "denominate": gettext_lazy("Indicators divided by their denominators"),
    "impute": gettext_lazy("Missing values"),
    "treat": gettext_lazy("Outliers"),
    "normalise": gettext_lazy("Normalisation"),
    "aggregate": gettext_lazy("Aggregation"),
    "points": gettext_lazy("Points"),
}
NORMALISATIONS = {
    "minmax": gettext_lazy("min-max, from %(low)s to %(high)s"),
    "zscore": gettext_lazy("z-score, mean %(mean)s and standard deviation %(sd)s"),
    "scaled": gettext_lazy("scaled: minus %(centre)s, divided by %(spread)s"),
    "dist2max": gettext_lazy("distance to the best unit"),
    "dist2ref": gettext_lazy("distance to the reference unit %(ref)s"),
    "dist2targ": gettext_lazy("distance to each indicator's target"),
    "fracmax": gettext_lazy("share of the best unit's value"),
    "rank": pgettext_lazy("normalisation", "ranks"),
    "prank": gettext_lazy("percentile ranks"),
    "borda": gettext_lazy("Borda scores"),
    "goalposts": gettext_lazy("goalposts (each indicator's lower and upper bounds), on a scale of %(scale)s"),
}
AGGREGATIONS = {
    "amean": gettext_lazy("weighted arithmetic mean"),
    "gmean": gettext_lazy("weighted geometric mean"),
    "hmean": gettext_lazy("weighted harmonic mean"),
    "genmean": gettext_lazy("weighted generalised mean of order %(p)s"),
    "sum": gettext_lazy("weighted sum"),
    "copeland": gettext_lazy("Copeland (counts of pairwise wins)"),
    "mpi": gettext_lazy("Mazziotta–Pareto index"),
    "ampi": gettext_lazy("adjusted Mazziotta–Pareto index"),
}
IMPUTATIONS = {
    "mean": gettext_lazy("filled with the indicator's mean"),
    "median": gettext_lazy("filled with the indicator's median"),
    "mean_group": gettext_lazy("filled with the mean of the unit's group (%(group)s)"),
    "median_group": gettext_lazy("filled with the median of the unit's group (%(group)s)"),
    "panel": gettext_lazy("filled with the unit's own value in the nearest other year"),
    "none": gettext_lazy("left missing"),
}
SCREENS = {
    "byNA": gettext_lazy("a unit is kept when it has data for at least %(share)s of the indicators"),
    "byzeros": gettext_lazy("a unit is kept when at least %(share)s of its values are not zero"),
    "byNAandzeros": gettext_lazy("a unit is kept when it has data for at least %(share)s of the indicators and at least %(zeros)s of its values are not zero"),
}


def _n(value: Any, digits: int = 2) -> str:
    """A parameter as a number on the page (1,5 in Vietnamese); anything else as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if float(value).is_integer():
        return number_format(int(value), use_l10n=True)
    return number_format(round(value, digits), use_l10n=True)


def _percent(share: Any) -> str:
    return f"{_n(100 * float(share), 0)} %"


def _level_methods(methods: Any) -> str:
    """"cấp 3: tổng có trọng số" for {"3": "sum"}; a key that is no number names a parent."""
    parts = []
    for key, method in (methods or {}).items():
        label = AGGREGATIONS.get(method, method)
        if str(key).isdigit():
            parts.append(_("level %(level)s: %(method)s") % {"level": key, "method": label})
        else:
            parts.append(_("under %(parent)s: %(method)s") % {"parent": key, "method": label})
    return "; ".join(parts)


def step_described(name: str, params: Mapping[str, Any] | None) -> str:
    """One step of the log in a sentence (without the step's name)."""
    p = dict(params or {})
    if name == "screen":
        rule = SCREENS.get(p.get("unit_screen", "byNA"), SCREENS["byNA"])
        text = str(rule) % {"share": _percent(p.get("dat_thresh", 2 / 3)), "zeros": _percent(p.get("nonzero_thresh", 0.05))}
        if p.get("force"):
            text += "; " + _("%(n)s units kept or left out by name") % {"n": len(p["force"])}
        return text
    if name == "denominate":
        if p.get("denominators"):
            return _("%(n)s indicators divided by the denominator given for each (e.g. population)") % {"n": len(p["denominators"])}
        return _("each indicator with a denominator in the framework is divided by it (e.g. population)")
    if name == "impute":
        label = IMPUTATIONS.get(p.get("method", "mean"))
        return str(label) % {"group": p.get("group") or "—"} if label else str(p.get("method"))
    if name == "treat":
        if p.get("f1") == "none" and p.get("f2") == "none":
            return _("not treated")
        return _("an indicator with skewness above %(skew)s and kurtosis above %(kurt)s is winsorised (at most %(n)s values), then log-transformed if still skewed") % {
            "skew": _n(p.get("skew_thresh", 2.0)), "kurt": _n(p.get("kurt_thresh", 3.5)), "n": _n(p.get("winmax", 5))}
    if name == "normalise":
        method = p.get("method", "minmax")
        label = NORMALISATIONS.get(method)
        if label is None:
            return str(method)
        low, high = (p.get("l_u") or [0, 100])[:2]
        mean, sd = (p.get("m_sd") or [0, 1])[:2]
        centre, spread = (p.get("npara") or [0, 100])[:2]
        text = str(label) % {"low": _n(low), "high": _n(high), "mean": _n(mean), "sd": _n(sd), "centre": _n(centre),
                             "spread": _n(spread), "ref": p.get("ref") or "—", "scale": _n(p.get("scale", 100))}
        if p.get("overrides"):
            text += "; " + _("%(n)s indicators normalised their own way") % {"n": len(p["overrides"])}
        return text
    if name == "aggregate":
        label = AGGREGATIONS.get(p.get("method", "amean"))
        text = str(label) % {"p": _n(p.get("p"))} if label else str(p.get("method"))
        text += "; " + (_("with the weights chosen for this run") if p.get("weights") else _("with the framework's weights"))
        if p.get("methods"):
            text += "; " + _level_methods(p["methods"])
        if p.get("dat_thresh") is not None:
            text += "; " + _("a score only where at least %(share)s of its parts have data") % {"share": _percent(p["dat_thresh"])}
        if p.get("scale") not in (None, 1, 1.0):
            text += "; " + _("sums on a scale of %(scale)s") % {"scale": _n(p["scale"])}
        return text
    if name == "points":
        text = _("points as the framework gives them, as a percentage of the maximum") if p.get("output", "percent") == "percent" \
            else _("points as the framework gives them")
        adjustments = {(True, True): _("with bonus and penalty points"), (True, False): _("with bonus points"),
                       (False, True): _("with penalty points")}.get((bool(p.get("bonus")), bool(p.get("penalty"))))
        if adjustments:
            text += "; " + adjustments
        return text
    return ", ".join(f"{k} = {v}" for k, v in p.items())


def steps_described(steps_log) -> list[tuple[str, str]]:
    """(step's name, what it did) for each step of a run's log, in order."""
    return [(str(STEP_NAMES.get(name, name)), step_described(name, params)) for name, params in steps_log or []]
