"""Pages for units: the directory, one unit, import and export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.accounts.permissions import MANAGING_ROLES, PROVINCIAL_ROLES, role_required, unit_access_check
from chiso.core.tabular import ImportFailed, upload_read
from chiso.jobs.services import job_start

from .forms import UnitImportForm
from .importing import units_import
from .models import Unit
from .queries import unit_lineage, units_by_block
from .tasks import units_export_task


@role_required(*PROVINCIAL_ROLES)
def unit_list(request):
    show_all = request.GET.get("all") == "1"
    units = Unit.objects.all()
    if request.period and not show_all:
        units = units.active_in(request.period)
    query = request.GET.get("q", "").strip()
    if query:
        units = units.filter(name_vi__icontains=query) | units.filter(code__icontains=query)
    return render(
        request,
        "units/list.html",
        {"groups": units_by_block(units), "show_all": show_all, "query": query, "can_manage": request.user.role in MANAGING_ROLES},
    )


@login_required
def unit_detail(request, code: str):
    unit = get_object_or_404(Unit.objects.select_related("block", "parent"), code=code)
    unit_access_check(request.user, unit)
    return render(
        request,
        "units/detail.html",
        {
            "unit": unit,
            "lineage": unit_lineage(unit),
            "children": unit.children.select_related("block"),
            "officers": unit.officers.filter(is_active=True),
            "active": request.period is None or Unit.objects.active_in(request.period).filter(pk=unit.pk).exists(),
        },
    )


@role_required(*MANAGING_ROLES)
def unit_import(request):
    problems = []
    form = UnitImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            files = [(f.name, upload_read(f, kind="units")) for f in form.cleaned_data["files"]]
            summary = units_import(files=files, by=request.user)
        except ImportFailed as failure:
            problems = failure.problems
        else:
            messages.success(
                request,
                _(
                    "Imported: %(created)s units created, %(updated)s updated, %(unchanged)s unchanged; "
                    "lineage: %(l_created)s created, %(l_updated)s updated."
                )
                % {
                    "created": summary.units_created,
                    "updated": summary.units_updated,
                    "unchanged": summary.units_unchanged,
                    "l_created": summary.lineage_created,
                    "l_updated": summary.lineage_updated,
                },
            )
            for warning in summary.warnings:
                messages.warning(request, str(warning))
            return redirect("units:list")
    return render(request, "units/import.html", {"form": form, "problems": problems}, status=400 if problems else 200)


@require_POST
@role_required(*PROVINCIAL_ROLES)
def unit_export(request):
    job = job_start(kind="units_export", title=_("Export of units and lineage"), by=request.user, task=units_export_task)
    return redirect("jobs:detail", pk=job.pk)
