"""Pages of the analyst's workbench on a run: 'Đánh giá thống kê' (the statistical audit and the
sensitivity analysis) and 'So sánh phương án' (the run's inputs under other choices). Everything
heavy is a background job; the pages read what the jobs stored and never change the run."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chiso.accounts.permissions import may_analyse_run
from chiso.jobs.services import job_start

from . import analysis_charts as charts
from .analysis import (AGGREGATIONS, NORMALISATIONS, WEIGHTS, audit_findings, comparison_label, comparison_rows,
                       run_analyses_latest, run_comparisons)
from .models import IndexRun, RunAnalysis
from .tasks import run_audit_task, run_comparison_task, run_sensitivity_task


class ComparisonForm(forms.Form):
    normalisation = forms.ChoiceField(label=gettext_lazy("Normalisation"), choices=[(k, v[0]) for k, v in NORMALISATIONS.items()])
    weights = forms.ChoiceField(label=gettext_lazy("Weights"), choices=list(WEIGHTS.items()))
    aggregation = forms.ChoiceField(label=gettext_lazy("Aggregation"), choices=list(AGGREGATIONS.items()))

    def clean(self):
        data = super().clean()
        if data.get("weights") == "bod" and data.get("aggregation") not in (None, "current"):
            raise forms.ValidationError(_("Benefit of the doubt is its own aggregation: leave the aggregation as in the run."))
        return data


def _run(request, pk: int) -> IndexRun:
    run = get_object_or_404(IndexRun.objects.select_related("version__framework", "period", "block"), pk=pk)
    if not may_analyse_run(request.user, run):
        raise PermissionDenied
    return run


def _start(request, run: IndexRun, *, kind: str, title: str, task, **kwargs):
    job = job_start(kind=kind, title=title % {"run": run.title}, by=request.user, task=task, run_id=run.pk,
                    user_id=request.user.pk, **kwargs)
    return redirect("jobs:detail", pk=job.pk)


@login_required
def run_audit(request, pk: int):
    run = _run(request, pk)
    latest = run_analyses_latest(run)
    audit, sensitivity = latest.get(RunAnalysis.Kind.AUDIT), latest.get(RunAnalysis.Kind.SENSITIVITY)
    context = {"run": run, "audit": audit, "sensitivity": sensitivity, "composite": _composite(run)}
    if audit:
        context.update(_audit_context(run, audit))
    if sensitivity:
        rows = [dict(zip(["name", "si", "sti", "si_q5", "si_q95", "sti_q5", "sti_q95"], r)) for r in sensitivity.result["rows"]]
        context["sensitivity_rows"] = rows
        context["sensitivity_chart"] = charts.bars_chart(
            run.result_checksum, f"sens-{sensitivity.pk}", _("Sensitivity of the ranks to each assumption"),
            [r["name"] for r in rows], [(_("first order"), [r["si"] for r in rows]), (_("total effect"), [r["sti"] for r in rows])],
            _("Sensitivity of the ranks: for each of %(count)s assumptions, the share of the variation of the mean rank shift "
              "it explains alone (first order) and with its interactions (total effect). The table gives the numbers.") % {"count": len(rows)})
    return render(request, "indices/run_audit.html", context)


def _audit_context(run: IndexRun, audit: RunAnalysis) -> dict:
    result, checksum = audit.result, run.result_checksum
    tables = {name: [dict(zip(t["header"], row)) for row in t["rows"]] for name, t in result["tables"].items()}
    for row in tables.get("indicators.csv", []):
        row["percent"] = None if row["frac_avail"] is None else row["frac_avail"] * 100
    cronbach = tables["cronbach.csv"]
    drop = tables["drop_one.csv"]
    importance = [r for r in tables["importance.csv"] if r["level"] >= 2]
    heatmaps = []
    for i, heatmap in enumerate(result.get("heatmaps", [])):
        title = (_("Correlations between the aggregates of level %(level)s") % {"level": heatmap["title"].split()[1].rstrip(":")}
                 if not heatmap["title"].startswith("Level 1") else
                 _("Correlations between the indicators of %(pillar)s") % {"pillar": heatmap["title"].rsplit(" ", 1)[-1]})
        heatmaps.append({"title": title, "codes": heatmap["codes"], "rows": list(zip(heatmap["codes"], heatmap["matrix"])),
                         "chart": charts.correlation_chart(checksum, f"corr-{audit.pk}-{i}", title, heatmap["codes"], heatmap["matrix"])})
    return {
        "findings": audit_findings(audit), "summary": result.get("summary", {}), "tables": tables,
        "cronbach": cronbach, "drop_one": drop, "importance": importance, "heatmaps": heatmaps,
        "indicators": tables.get("indicators.csv", []),
        "parent_links": [r for r in tables["correlations.csv"] if result.get("parents", {}).get(r["var1"]) == r["var2"]],
        "cronbach_chart": charts.bars_chart(
            checksum, f"alpha-{audit.pk}", _("Cronbach's alpha of each aggregate"), [r["aggregate"] for r in cronbach],
            [(_("alpha"), [r["alpha"] for r in cronbach])],
            _("Cronbach's alpha of each of %(count)s aggregates; the dashed line is 0.7, below which the components do not "
              "measure one thing consistently. The table gives the numbers.") % {"count": len(cronbach)}, reference=0.7),
        "drop_chart": charts.bars_chart(
            checksum, f"drop-{audit.pk}", _("Mean rank change when a pillar is left out"), [r["element"] for r in drop],
            [(_("places"), [r["mean_abs_rank_diff"] for r in drop])],
            _("For each of %(count)s pillars, the mean absolute change of the units' ranks when it is left out. The table "
              "gives the numbers.") % {"count": len(drop)}),
        "weights_chart": charts.bars_chart(
            checksum, f"weights-{audit.pk}", _("Weights: nominal, effective and statistical importance"),
            [r["iCode"] for r in importance],
            [(_("nominal"), [r["nominal_weight"] for r in importance]), (_("effective"), [r["effective_weight"] for r in importance]),
             (_("importance"), [r["importance"] for r in importance])],
            _("For each of %(count)s aggregates: its nominal weight, its effective weight in the index and its statistical "
              "importance (share of the squared correlations with the index). The table gives the numbers.") % {"count": len(importance)}),
    }


def _composite(run: IndexRun) -> bool:
    return any(step[0] == "aggregate" for step in run.steps_log)


@require_POST
@login_required
def run_audit_start(request, pk: int):
    run = _run(request, pk)
    return _start(request, run, kind="run_audit", title=_("Statistical audit of %(run)s"), task=run_audit_task)


@require_POST
@login_required
def run_sensitivity_start(request, pk: int):
    run = _run(request, pk)
    return _start(request, run, kind="run_sensitivity", title=_("Sensitivity analysis of %(run)s"), task=run_sensitivity_task)


@login_required
def run_compare(request, pk: int):
    run = _run(request, pk)
    form = ComparisonForm(request.POST or None, initial={"normalisation": "current", "weights": "current", "aggregation": "current"})
    if request.method == "POST" and form.is_valid():
        return _start(request, run, kind="run_comparison", title=_("Comparison of choices for %(run)s"),
                      task=run_comparison_task, spec=form.cleaned_data)
    comparisons = run_comparisons(run)
    shown = None
    if request.GET.get("show", "").isdigit():
        shown = next((c for c in comparisons if c.pk == int(request.GET["show"])), None) or get_object_or_404(
            RunAnalysis, pk=int(request.GET["show"]), run=run, kind=RunAnalysis.Kind.COMPARISON)
    elif comparisons:
        shown = comparisons[0]
    context = {"run": run, "form": form, "comparisons": [(c, comparison_label(c.spec)) for c in comparisons],
               "shown": shown, "composite": _composite(run)}
    if shown:
        rows = comparison_rows(shown)
        label = comparison_label(shown.spec)
        context.update({
            "rows": rows, "label": label, "weights": sorted(shown.result.get("weights", {}).items()),
            "chart": charts.comparison_chart(run.result_checksum, str(shown.pk), label, [(r.name, r.rank, r.alt_rank) for r in rows]),
        })
    return render(request, "indices/run_compare.html", context, status=400 if form.errors else 200)
