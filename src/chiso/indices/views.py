"""Pages for index runs: list, new run with a preview of missing data, results, publish; national results."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from django.contrib.auth.decorators import login_required

from chiso.accounts.permissions import (
    MANAGING_ROLES,
    PROVINCIAL_ROLES,
    may_analyse_run,
    may_import_national_results,
    role_required,
    unit_access_check,
)
from chiso.frameworks.models import Framework, FrameworkVersion
from chiso.units.models import Period, Unit
from chiso.core.pending_imports import pending_confirm, pending_store
from chiso.core.tabular import ImportFailed, upload_read
from chiso.jobs.imports import import_in_background, import_job_start
from chiso.jobs.services import job_start
from chiso.surveys.fieldwork.sampling_error import run_survey_sources

from .forms import NationalImportForm, PublishForm, RunForm, ValuesImportForm
from .models import ExternalResult, IndexRun
from .national import national_results_import, national_results_preview, province_name, province_results
from .queries import run_actions_allowed, run_page, unit_score_trend
from .tasks import run_sampling_task, run_uncertainty_task
from .services import run_create, run_inputs_preview, run_publish
from .values_import import PENDING_KIND as VALUES_PENDING
from .values_import import indicator_values_import, indicator_values_import_task, indicator_values_preview


@role_required(*PROVINCIAL_ROLES)
def run_list(request):
    runs = IndexRun.objects.select_related("version__framework", "period", "block").order_by("-period__start_date", "title")
    if request.user.role not in MANAGING_ROLES:
        runs = runs.exclude(status=IndexRun.Status.DRAFT)  # drafts are the secretariat's working copies
    return render(request, "indices/run_list.html", {"runs": runs, "can_manage": request.user.role in MANAGING_ROLES})


@role_required(*MANAGING_ROLES)
def run_new(request):
    data = request.POST or (request.GET if "version" in request.GET else None)
    form = RunForm(data, initial={"period": request.period})
    preview = None
    if form.is_valid():
        version, period, block = (form.cleaned_data[k] for k in ("version", "period", "block"))
        preview = run_inputs_preview(version=version, period=period, block=block)
        if request.method == "POST":
            try:
                run = run_create(version=version, period=period, block=block, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The draft run is ready: check it, then publish."))
                return redirect("indices:detail", pk=run.pk)
    return render(request, "indices/run_new.html", {"form": form, "preview": preview})


@role_required(*PROVINCIAL_ROLES)
def run_detail(request, pk: int):
    run = get_object_or_404(IndexRun.objects.select_related("version__framework", "period", "block", "supersedes"), pk=pk)
    actions = run_actions_allowed(request.user, run)
    if "view" not in actions:
        raise PermissionDenied
    try:
        level = int(request.GET.get("level", ""))
    except ValueError:
        level = None
    page = run_page(run, level=level, sort=request.GET.get("sort", ""))
    return render(request, "indices/run_detail.html", {
        "run": run, "page": page, "rows": page.rows, "actions": actions,
        "survey_sources": run_survey_sources(run) if "sample" in actions else [],
        "publish_form": PublishForm() if "publish" in actions else None,
    })


@require_POST
@role_required(*MANAGING_ROLES)
def run_publish_view(request, pk: int):
    run = get_object_or_404(IndexRun, pk=pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm the publication."))
        return redirect("indices:detail", pk=run.pk)
    try:
        run_publish(run=run, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Published."))
    return redirect("indices:detail", pk=run.pk)


NATIONAL_PENDING = "national_results"


@role_required(*PROVINCIAL_ROLES)
def national_results(request):
    index_code = request.GET.get("index", "PCI")
    results = ExternalResult.objects.filter(index_code=index_code)
    years = sorted({r.year for r in results}, reverse=True)
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else (years[0] if years else None)
    province = province_name(request.GET.get("province", "")) or ""
    form = NationalImportForm()
    problems, preview, token = [], None, ""
    if request.method == "POST":
        if not may_import_national_results(request.user):
            raise PermissionDenied
        form = NationalImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload, data = form.cleaned_data["file"], form.cleaned_data
            try:
                content = upload_read(upload, kind="national_results")
                preview = national_results_preview(file_name=upload.name, content=content, index_code=data["index_code"] or None,
                                                   year=data["year"], replace_period=data["replace_period"])
            except ImportFailed as failure:
                problems = failure.problems
            else:
                token = pending_store(kind=NATIONAL_PENDING, by=request.user, file_name=upload.name, content=content,
                                      fingerprint=preview.fingerprint,
                                      params={"index_code": data["index_code"] or None, "year": data["year"],
                                              "replace_period": data["replace_period"]})
    indices = ExternalResult.objects.values_list("index_code", flat=True).distinct().order_by("index_code")
    return render(request, "indices/national.html", {
        "results": results.filter(year=year) if year else [], "index_code": index_code, "indices": indices,
        "years": years, "year": year, "form": form, "problems": problems, "preview": preview, "token": token,
        "can_manage": may_import_national_results(request.user), "province": province,
        "province_years": province_results(index_code, province) if province else [],
    }, status=400 if problems else 200)


@require_POST
@role_required(*MANAGING_ROLES)
def national_results_confirm(request):
    """Write exactly what the preview showed (refused if the results changed since)."""

    def write(pending):
        params = pending.params
        summary = national_results_import(file_name=pending.file_name, content=pending.content, index_code=params["index_code"],
                                          year=params["year"], replace_period=params["replace_period"],
                                          expected=pending.fingerprint, by=request.user)
        for note in summary.notes:
            messages.warning(request, str(note))
        index_code, years = sorted(summary.years.items())[0]
        message = _("%(count)s results imported.") % {"count": summary.count} + " " + _(
            "Added: %(added)s, changed: %(changed)s, unchanged: %(unchanged)s, removed: %(removed)s.") % summary.preview.counts
        return message, f"{reverse('indices:national')}?index={index_code}&year={max(years)}"

    return pending_confirm(request, kind=NATIONAL_PENDING, back="indices:national", write=write)


@role_required(*MANAGING_ROLES)
def values_import(request):
    """Upload a file: every problem in it, or a preview of the values it would add, change and withdraw."""
    form = ValuesImportForm(request.POST or None, request.FILES or None, initial={"period": request.period})
    problems, preview, token = [], None, ""
    if request.method == "POST" and form.is_valid():
        upload, data = form.cleaned_data["file"], form.cleaned_data
        try:
            content = upload_read(upload, kind="indicator_values")
            preview = indicator_values_preview(version=data["version"], period=data["period"], file_name=upload.name,
                                               content=content, source=data["source"], replace_period=data["replace_period"],
                                               numbers=data["numbers"])
        except ImportFailed as failure:
            problems = failure.problems
        else:
            token = pending_store(kind=VALUES_PENDING, by=request.user, file_name=upload.name, content=content,
                                  fingerprint=preview.fingerprint,
                                  params={"version": data["version"].pk, "period": data["period"].pk, "source": data["source"],
                                          "replace_period": data["replace_period"], "numbers": data["numbers"]})
    return render(request, "indices/values_import.html", {"form": form, "problems": problems, "preview": preview, "token": token},
                  status=400 if problems else 200)


@require_POST
@role_required(*MANAGING_ROLES)
def values_import_confirm(request):
    """Write exactly what the preview showed (refused if the values changed since); a large file as a background job."""

    def write(pending):
        params = pending.params
        version = get_object_or_404(FrameworkVersion, pk=params["version"])
        period = get_object_or_404(Period, pk=params["period"])
        if import_in_background([(pending.file_name, pending.content)]):
            job = import_job_start(kind="indicator_values_import", by=request.user, task=indicator_values_import_task,
                                   title=_("Import of indicator values %(file)s") % {"file": pending.file_name},
                                   files=[(pending.file_name, pending.content)], version_id=version.pk, period_id=period.pk,
                                   source=params["source"], replace_period=params["replace_period"], expected=pending.fingerprint,
                                   numbers=params.get("numbers", "auto"))
            return redirect("jobs:detail", pk=job.pk)
        count = indicator_values_import(version=version, period=period, file_name=pending.file_name, content=pending.content,
                                        source=params["source"], by=request.user, replace_period=params["replace_period"],
                                        expected=pending.fingerprint, numbers=params.get("numbers", "auto"))
        return _("%(count)s values recorded.") % {"count": count}, "indices:list"

    return pending_confirm(request, kind=VALUES_PENDING, back="indices:values_import", write=write)


@login_required
def unit_results(request, code: str):
    """A unit's published results in every framework, across years and the 2025 reform."""
    unit = get_object_or_404(Unit.objects.select_related("block"), code=code)
    unit_access_check(request.user, unit)
    frameworks = Framework.objects.filter(versions__runs__status=IndexRun.Status.PUBLISHED).distinct().order_by("code")
    histories = [(framework, unit_score_trend(unit, framework)) for framework in frameworks]
    return render(request, "indices/unit_results.html", {"unit": unit, "histories": [h for h in histories if h[1]]})


def _run_job_start(request, pk: int, *, kind: str, title: str, task):
    """Start `task` on the run as a background job and show the job's page."""
    run = get_object_or_404(IndexRun, pk=pk)
    job = job_start(kind=kind, title=title % {"run": run.title}, by=request.user, task=task, run_id=run.pk, user_id=request.user.pk)
    return redirect("jobs:detail", pk=job.pk)


@require_POST
@role_required(*PROVINCIAL_ROLES)
def run_uncertainty_start(request, pk: int):
    if not may_analyse_run(request.user, get_object_or_404(IndexRun, pk=pk)):
        raise PermissionDenied
    return _run_job_start(request, pk, kind="run_uncertainty", title=_("Rank uncertainty of %(run)s"), task=run_uncertainty_task)


@require_POST
@role_required(*MANAGING_ROLES)
def run_sampling_start(request, pk: int):
    """Bootstrap over the respondents of the run's surveys, as a background job."""
    return _run_job_start(request, pk, kind="run_sampling", title=_("Sampling uncertainty of %(run)s"), task=run_sampling_task)
