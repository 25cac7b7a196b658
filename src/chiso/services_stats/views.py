"""Pages: rates per unit and province with units below target highlighted, a unit's trend,
the import with its problems, the history of imports, the column mappings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.accounts.permissions import MANAGING_ROLES, PROVINCIAL_ROLES, role_required, unit_access_check, user_manages
from chiso.core.pending_imports import pending_confirm, pending_store
from chiso.core.tabular import ImportFailed, upload_read
from chiso.frameworks.queries import source_map
from chiso.jobs.imports import import_in_background, import_job_start
from chiso.units.models import Block, Period, Unit

from .fields import COUNT_FIELDS
from .forms import ImportForm, SourceFormatForm, StatEntryForm
from .importing import import_message, service_stat_enter, service_stats_import, service_stats_preview
from .models import RateTarget, ServiceStat, SourceFormat
from .queries import (
    RATE_NAMES,
    imports_of,
    period_rates,
    province_trend,
    shortfalls,
    targets_for,
    total_rates,
    unit_trend,
)
from .services import source_format_save
from .tasks import service_stats_import_task

MEASURES = RateTarget.Measure.choices


def _row(rates, targets):
    below = shortfalls(rates, targets)
    return {"rates": rates, "cells": [(m, getattr(rates, m), m in below) for m in RATE_NAMES], "below": bool(below)}


def sparkline(values: list[float | None], width: int = 120, height: int = 28) -> str:
    """SVG polyline points for rates on 0–100, left to right; gaps are skipped."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    step = width / max(1, len(values) - 1)
    return " ".join(f"{i * step:.1f},{height - v / 100 * height:.1f}" for i, v in known)


def _trend_rows(trend, rows=None):
    """(label, [(value, below target)] per period, sparkline points) per measure."""
    out = []
    for index, (measure, label) in enumerate(MEASURES):
        values = [getattr(t, measure) for t in trend]
        below = [row["cells"][index][2] for row in rows] if rows else [False] * len(values)
        out.append((label, list(zip(values, below)), sparkline(values)))
    return out


@role_required(*PROVINCIAL_ROLES)
def overview(request):
    period = request.period
    groups = []
    if period is not None:
        for block in Block.objects.filter(units__service_stats__period=period).distinct().order_by("order"):
            targets = targets_for(period, block)
            rows = [_row(r, targets) for r in period_rates(period, block=block)]
            total = total_rates(period, block=block)
            groups.append({"block": block, "rows": rows, "total": _row(total, targets) if total else None,
                           "targets": [(m, targets.get(m)) for m in RATE_NAMES],
                           "below": sum(1 for r in rows if r["below"])})
    trend = province_trend()
    province = total_rates(period) if period else None
    return render(request, "services_stats/overview.html", {
        "period": period, "groups": groups, "measures": MEASURES, "province": province,
        "trend": trend, "trend_rows": _trend_rows(trend),
        "can_manage": user_manages(request.user),
    })


@login_required
def unit_detail(request, code: str):
    unit = get_object_or_404(Unit.objects.select_related("block"), code=code)
    unit_access_check(request.user, unit)
    trend = unit_trend(unit)
    rows = [_row(r, targets_for(r.period, unit.block)) for r in trend]
    labels = dict(MEASURES)
    mapped = [(fw, code, m, labels.get(m, m)) for fw, items in source_map("service_statistics").items() for code, m in items.items()]
    par = [(fw, code, m, labels.get(m, m)) for fw, items in source_map("service_statistics_evidence").items() for code, m in items.items()]
    taken = {m for _fw, _code, m, _label in mapped}
    unmapped = [label for m, label in MEASURES if m not in taken]
    # Counts taken from predecessors by their parts are fractions: shown whole, the rates keep the exact sums.
    counts = [(_("Received"), "received"), (_("Settled"), "settled"), *((label, name) for name, _h, label in COUNT_FIELDS)]
    return render(request, "services_stats/unit.html", {
        "unit": unit, "rows": rows, "measures": MEASURES, "count_fields": COUNT_FIELDS,
        "trend_rows": _trend_rows(trend, rows),
        "count_rows": [(label, [_whole(getattr(t, name)) for t in trend]) for label, name in counts],
        "via": [t for t in trend if t.via],
        "mapped": mapped, "par": par, "unmapped": unmapped,
    })


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


PENDING_KIND = "service_stats"


@role_required(*MANAGING_ROLES)
def import_view(request):
    """Upload a file: every problem in it, or a preview of what it would add, change and remove."""
    problems, preview, token = [], None, ""
    form = ImportForm(request.POST or None, request.FILES or None, initial={"period": request.period})
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        period, source_format = form.cleaned_data["period"], form.cleaned_data["source_format"]
        replace_period = form.cleaned_data["replace_period"]
        try:
            content = upload_read(upload, kind="service_stats")
            preview = service_stats_preview(period=period, source_format=source_format, file_name=upload.name,
                                            content=content, replace_period=replace_period)
        except ImportFailed as failure:
            problems = failure.problems
        else:
            token = pending_store(kind=PENDING_KIND, by=request.user, file_name=upload.name, content=content,
                                  fingerprint=preview.fingerprint,
                                  params={"period": period.pk, "source_format": source_format.pk,
                                          "replace_period": replace_period})
    return render(request, "services_stats/import.html", {
        "form": form, "problems": problems, "count_fields": COUNT_FIELDS, "preview": preview, "token": token,
        "period": form.cleaned_data["period"] if preview else None,
    }, status=400 if problems else 200)


@require_POST
@role_required(*MANAGING_ROLES)
def import_confirm(request):
    """Write exactly what the preview showed (refused if the period changed since), in the request or,
    for a large file, as a background job with progress."""

    def write(pending):
        params = pending.params
        period = get_object_or_404(Period, pk=params["period"])
        source_format = SourceFormat.objects.filter(pk=params["source_format"]).first()
        if import_in_background([(pending.file_name, pending.content)]):
            job = import_job_start(kind="service_stats_import", by=request.user, task=service_stats_import_task,
                                   title=_("Import of one-stop-shop statistics %(file)s") % {"file": pending.file_name},
                                   files=[(pending.file_name, pending.content)], period_id=period.pk,
                                   source_format_id=source_format.pk if source_format else None,
                                   replace_period=params["replace_period"], expected=pending.fingerprint)
            return redirect("jobs:detail", pk=job.pk)
        record = service_stats_import(period=period, source_format=source_format, file_name=pending.file_name,
                                      content=pending.content, replace_period=params["replace_period"],
                                      expected=pending.fingerprint, by=request.user)
        return import_message(record), "services_stats:imports"

    return pending_confirm(request, kind=PENDING_KIND, back="services_stats:import", write=write)


@role_required(*MANAGING_ROLES)
def entry(request):
    """Type one unit's counts for a period (the Vietnamese way: 1.000 is a thousand); the others stay."""
    initial = {"period": request.period}
    if request.method == "GET" and request.GET.get("unit") and request.period is not None:
        current = ServiceStat.objects.filter(unit__code=request.GET["unit"], period=request.period).select_related("unit").first()
        if current is not None:
            initial.update({"unit": current.unit, **{name: getattr(current, name) for name, _h, _l in COUNT_FIELDS}})
    form = StatEntryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record = service_stat_enter(period=form.cleaned_data["period"], unit=form.cleaned_data["unit"], values=form.counts(),
                                        by=request.user)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.error_dict.items():
                    form.add_error(name, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, import_message(record))
            return redirect("services_stats:unit", code=form.cleaned_data["unit"].code)
    return render(request, "services_stats/entry.html", {"form": form}, status=400 if form.errors else 200)


@role_required(*PROVINCIAL_ROLES)
def imports(request):
    return render(request, "services_stats/imports.html", {"imports": imports_of()[:200]})


@role_required(*MANAGING_ROLES)
def formats(request):
    return render(request, "services_stats/formats.html", {"formats": SourceFormat.objects.all()})


@role_required(*MANAGING_ROLES)
def format_edit(request, code: str | None = None):
    existing = get_object_or_404(SourceFormat, code=code) if code else None
    form = SourceFormatForm(request.POST or None, initial=SourceFormatForm.initial_for(existing))
    if request.method == "POST" and form.is_valid():
        try:
            saved = source_format_save(code=form.cleaned_data["code"], name=form.cleaned_data["name"], sheet=form.cleaned_data["sheet"],
                                       mapping=form.mapping(), by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The format %(name)s is saved.") % {"name": saved.name})
            return redirect("services_stats:formats")
    return render(request, "services_stats/format_form.html", {"form": form, "existing": existing})
