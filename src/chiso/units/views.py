"""Pages for units: the directory, one unit, import and export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.accounts.permissions import (
    MANAGING_ROLES,
    PROVINCIAL_ROLES,
    may_manage_periods,
    may_manage_units,
    role_required,
    unit_access_check,
    user_manages,
)
from chiso.core.tabular import ImportFailed, upload_read
from chiso.jobs.imports import import_in_background, import_job_start
from chiso.jobs.services import job_start

from . import services
from .forms import PeriodForm, ReasonForm, UnitEndForm, UnitForm, UnitImportForm
from .importing import import_message, units_import
from .models import Period, Unit
from .queries import period_history, periods_for_management, unit_history, unit_lineage, units_by_block
from .tasks import units_export_task, units_import_task


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
        {"groups": units_by_block(units), "show_all": show_all, "query": query, "can_manage": user_manages(request.user)},
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
            "can_manage": may_manage_units(request.user),
            "history": unit_history(unit) if may_manage_units(request.user) else [],
        },
    )


@role_required(*MANAGING_ROLES)
def unit_import(request):
    problems = []
    form = UnitImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            files = [(f.name, upload_read(f, kind="units")) for f in form.cleaned_data["files"]]
            if import_in_background(files):
                job = import_job_start(kind="units_import", title=_("Import of units"), by=request.user,
                                       task=units_import_task, files=files)
                return redirect("jobs:detail", pk=job.pk)
            summary = units_import(files=files, by=request.user)
        except ImportFailed as failure:
            problems = failure.problems
        else:
            messages.success(request, import_message(summary))
            for warning in summary.warnings:
                messages.warning(request, str(warning))
            return redirect("units:list")
    return render(request, "units/import.html", {"form": form, "problems": problems}, status=400 if problems else 200)


@require_POST
@role_required(*PROVINCIAL_ROLES)
def unit_export(request):
    job = job_start(kind="units_export", title=_("Export of units and lineage"), by=request.user, task=units_export_task)
    return redirect("jobs:detail", pk=job.pk)


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- periods ---------------------------------------------------------------------------

@login_required
def period_list(request):
    _require(may_manage_periods(request.user))
    return render(request, "units/period_list.html", {"periods": periods_for_management()})


@login_required
def period_new(request):
    _require(may_manage_periods(request.user))
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = services.period_create(
                code=data["code"], year=data["year"], name_vi=data["name_vi"], name_en=data["name_en"],
                start_date=data["start_date"], end_date=data["end_date"], blocks=data["blocks"],
                frameworks=data["frameworks"], by=request.user)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Period %(name)s created.") % {"name": period.name})
            return redirect("units:periods")
    return render(request, "units/period_form.html", {"form": form, "period": None},
                  status=400 if form.errors else 200)


@login_required
def period_edit(request, code: str):
    _require(may_manage_periods(request.user))
    period = get_object_or_404(Period, code=code)
    initial = {"year": period.year, "name_vi": period.name_vi, "name_en": period.name_en, "start_date": period.start_date,
               "end_date": period.end_date, "blocks": list(period.blocks.all()), "frameworks": list(period.frameworks.all())}
    form = PeriodForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.period_update(
                period=period, year=data["year"], name_vi=data["name_vi"], name_en=data["name_en"],
                start_date=data["start_date"], end_date=data["end_date"], blocks=data["blocks"],
                frameworks=data["frameworks"], by=request.user, reason=data["reason"])
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Period %(name)s saved.") % {"name": period.name})
            return redirect("units:periods")
    return render(request, "units/period_form.html", {
        "form": form, "period": period, "history": period_history(period), "reason_form": ReasonForm(),
    }, status=400 if form.errors else 200)


@require_POST
@login_required
def period_close(request, code: str):
    _require(may_manage_periods(request.user))
    period = get_object_or_404(Period, code=code)
    form = ReasonForm(request.POST)
    form.is_valid()
    reopening = request.POST.get("action") == "reopen"
    try:
        if reopening:
            services.period_reopen(period=period, by=request.user, reason=form.cleaned_data.get("reason", ""))
        else:
            services.period_close(period=period, by=request.user, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, (_("Period %(name)s reopened.") if reopening else _("Period %(name)s closed."))
                         % {"name": period.name})
    return redirect("units:period_edit", code=period.code)


# --- units -----------------------------------------------------------------------------

@login_required
def unit_new(request):
    _require(may_manage_units(request.user))
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.unit_create(
                code=data["code"], name_vi=data["name_vi"], name_en=data["name_en"], block=data["block"],
                official_code=data["official_code"], parent=data["parent"], valid_from=data["valid_from"],
                valid_to=data["valid_to"], by=request.user, reason=data["reason"])
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Unit %(name)s created.") % {"name": unit.name_vi})
            return redirect("units:detail", code=unit.code)
    return render(request, "units/unit_form.html", {"form": form, "unit": None}, status=400 if form.errors else 200)


@login_required
def unit_edit(request, code: str):
    _require(may_manage_units(request.user))
    unit = get_object_or_404(Unit.objects.select_related("block", "parent"), code=code)
    initial = {"name_vi": unit.name_vi, "name_en": unit.name_en, "official_code": unit.official_code,
               "parent": unit.parent, "valid_from": unit.valid_from, "valid_to": unit.valid_to}
    form = UnitForm(request.POST or None, initial=initial, unit=unit)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_update(unit=unit, name_vi=data["name_vi"], name_en=data["name_en"],
                                 official_code=data["official_code"], parent=data["parent"],
                                 valid_from=data["valid_from"], valid_to=data["valid_to"], by=request.user,
                                 reason=data["reason"])
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Unit %(name)s saved.") % {"name": data["name_vi"]})
            return redirect("units:detail", code=unit.code)
    return render(request, "units/unit_form.html", {"form": form, "unit": unit}, status=400 if form.errors else 200)


@login_required
def unit_end(request, code: str):
    _require(may_manage_units(request.user))
    unit = get_object_or_404(Unit.objects.select_related("block"), code=code)
    form = UnitEndForm(request.POST or None, initial={"valid_to": unit.valid_to})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_end(unit=unit, valid_to=data["valid_to"], successors=data["successors"], kind=data["kind"],
                              by=request.user, reason=data["reason"])
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Unit %(name)s ended.") % {"name": unit.name_vi})
            return redirect("units:detail", code=unit.code)
    return render(request, "units/unit_end.html", {"form": form, "unit": unit}, status=400 if form.errors else 200)
