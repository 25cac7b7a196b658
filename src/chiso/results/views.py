"""Results pages for people who log in: runs, rankings, scorecards, reports and the batch of
scorecard PDFs. Drafts are shown to the secretariat only, superseded runs to the provincial
roles (see queries.runs_visible_to); the public portal shows published runs to everyone."""

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from chiso.accounts.permissions import PROVINCIAL_ROLES, is_provincial, may_file_plan, role_required
from chiso.indices.models import IndexRun
from chiso.units.models import Block, Period, Unit

from .charts import chart_file, ranking_charts, scorecard_charts
from .queries import (
    family_runs, framework_family, intervals_version, method_nodes, ranking_get, ranking_rows_sorted, run_siblings,
    runs_visible_to, scorecard_get,
)
from .reports import report_pdf, report_title, results_workbook, scorecard_pdf
from .services import scorecards_batch_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, content_type: str, filename: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    return response


def runs_grouped(runs) -> list[dict]:
    """Runs by period, then by index (family): [{period, indices: [{family, runs}]}]."""
    periods: dict[int, dict] = {}
    for run in runs:
        entry = periods.setdefault(run.period_id, {"period": run.period, "indices": {}})
        entry["indices"].setdefault(framework_family(run.version.framework.code), []).append(run)
    return [
        {"period": e["period"], "indices": [
            {"family": f, "runs": r, "published": any(run.status == IndexRun.Status.PUBLISHED for run in r)}
            for f, r in e["indices"].items()
        ]}
        for e in periods.values()
    ]


def ranking_context(request, run: IndexRun, runs, *, namespace: str) -> dict:
    ranking = ranking_get(run)
    sort = request.GET.get("sort", "rank")
    # A ranking's charts hold every unit: pages load them as images, each cached on its own.
    charts = {name: chart and replace(chart, url=reverse(f"{namespace}:chart", args=[run.pk, chart.file]))
              for name, chart in ranking_charts(run, ranking).items()}
    return {
        "run": run, "ranking": ranking, "rows": ranking_rows_sorted(ranking, sort), "sort": sort,
        "charts": charts, "siblings": run_siblings(run, runs),
        "family": framework_family(run.version.framework.code), "method": method_nodes(run),
        "ns": namespace,
        # The cached table changes with the run, its uncertainty analysis, its baseline and the sort.
        "table_key": ":".join(str(part) for part in (
            namespace, run.pk, run.result_checksum, intervals_version(run), getattr(ranking.baseline, "result_checksum", ""), sort)),
    }


def scorecard_context(run: IndexRun, unit: Unit, *, namespace: str) -> dict:
    try:
        card = scorecard_get(run, unit)
    except LookupError:
        raise Http404 from None
    return {"run": run, "card": card, "charts": scorecard_charts(card), "ns": namespace}


def chart_response(run: IndexRun, name: str, *, public: bool) -> FileResponse:
    """A run's chart as an SVG file. Its name holds a digest of what it shows, so it never changes."""
    path = chart_file(run.result_checksum, name)
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), content_type="image/svg+xml")
    response["Cache-Control"] = f"{'public' if public else 'private'}, max-age=31536000, immutable"
    return response


def _run(request, pk: int) -> IndexRun:
    return get_object_or_404(runs_visible_to(request.user), pk=pk)


@login_required
def index(request):
    runs = runs_visible_to(request.user)
    period = Period.objects.filter(code=request.GET.get("period", "")).first()
    block = Block.objects.filter(code=request.GET.get("block", "")).first()
    if period:
        runs = runs.filter(period=period)
    if block:
        runs = runs.filter(block=block)
    return render(request, "results/index.html", {
        "groups": runs_grouped(runs), "periods": Period.objects.all(), "blocks": Block.objects.all(),
        "period": period, "block": block,
    })


@login_required
def ranking(request, pk: int):
    run = _run(request, pk)
    context = ranking_context(request, run, runs_visible_to(request.user), namespace="results")
    context["can_batch"] = is_provincial(request.user)
    return render(request, "results/ranking.html", context)


@login_required
def chart(request, pk: int, name: str):
    return chart_response(_run(request, pk), name, public=False)


def improvement_plan_url(user, run: IndexRun, unit: Unit) -> str | None:
    """Where the unit starts an improvement plan from this result (chiso.followup, if installed):
    offered to whoever may file the unit's plan, on a published result."""
    if run.status != IndexRun.Status.PUBLISHED or not may_file_plan(user, unit):
        return None
    try:
        return f"{reverse('followup:plan_new')}?{urlencode({'run': run.pk, 'unit': unit.code})}"
    except NoReverseMatch:
        return None


@login_required
def scorecard(request, pk: int, unit_code: str):
    run = _run(request, pk)
    unit = get_object_or_404(Unit.objects.select_related("block"), code=unit_code)
    context = scorecard_context(run, unit, namespace="results")
    context["plan_url"] = improvement_plan_url(request.user, run, unit)
    return render(request, "results/scorecard.html", context)


@login_required
def scorecard_download(request, pk: int, unit_code: str):
    run = _run(request, pk)
    unit = get_object_or_404(Unit, code=unit_code)
    context = scorecard_context(run, unit, namespace="results")
    return download(scorecard_pdf(context["card"]), "application/pdf", f"{run.period.code}-{run.version.framework.code}-{unit.code}.pdf")


@login_required
def run_workbook(request, pk: int):
    run = _run(request, pk)
    return download(results_workbook([run]), XLSX, f"{run.period.code}-{run.version.framework.code}-{run.block.code}.xlsx")


def _family(request, period_code: str, family: str) -> list[IndexRun]:
    period = get_object_or_404(Period, code=period_code)
    runs = family_runs(runs_visible_to(request.user), period, family)
    if not runs:
        raise Http404
    return runs


@login_required
def report_download(request, period_code: str, family: str):
    runs = _family(request, period_code, family)
    return download(report_pdf(runs, report_title(runs)), "application/pdf", f"{family}-{period_code}.pdf")


@login_required
def report_workbook(request, period_code: str, family: str):
    runs = _family(request, period_code, family)
    return download(results_workbook(runs), XLSX, f"{family}-{period_code}.xlsx")


@require_POST
@role_required(*PROVINCIAL_ROLES)
def scorecards_batch(request, pk: int):
    run = _run(request, pk)
    job = scorecards_batch_start(run=run, by=request.user)
    return redirect("jobs:detail", pk=job.pk)
