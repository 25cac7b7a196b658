"""Follow-up pages: directives and tasks, progress and confirmation, improvement plans, targets,
statistics, notices and the leadership dashboard. Views validate, call one service or query, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.accounts.models import Role
from chiso.accounts.permissions import MANAGING_ROLES, PROVINCIAL_ROLES, is_provincial, may_confirm_tasks, role_required, unit_access_check, user_manages
from chiso.audit.queries import history
from chiso.core.tabular import ImportFailed, upload_read
from chiso.jobs.imports import import_in_background, import_job_start
from chiso.jobs.services import job_start
from chiso.notices.queries import notices_latest_unread
from chiso.units.models import Unit

from . import queries, services
from .forms import (
    CancelForm,
    DirectiveForm,
    PlanActionForm,
    ProgressReportForm,
    ReviewForm,
    StatisticForm,
    StatisticValueForm,
    TargetForm,
    TaskForm,
    TasksImportForm,
    plan_new_form,
)
from .importing import tasks_import
from .models import Directive, ImprovementPlan, PlanAction, PlanItem, ProgressReport, Statistic, Target, Task, TaskState
from .reports import directive_report, directive_report_pdf, directive_report_xlsx, report_file_name
from .targets import targets_evaluate
from .tasks import followup_digest_task, tasks_import_task


def _pk(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


def _refused(request, error: PermissionDenied):
    """A refusal that says why (a unit reporting on another unit's task, …)."""
    return render(request, "followup/refused.html", {"message": str(error) or _("Your account may not do this.")}, status=403)


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- tasks ----------------------------------------------------------------------------------

@login_required
def task_list(request):
    today = queries.today_local()
    tasks = queries.tasks_visible_to(request.user)
    directive = Directive.objects.filter(pk=_pk(request, "directive")).first()
    unit = Unit.objects.filter(code=request.GET.get("unit", "")).first() if request.GET.get("unit") else None
    state = request.GET.get("state", "")
    rows = queries.tasks_filter(tasks, today=today, state=state, unit=unit, directive=directive)
    context = {
        "tasks": rows, "today": today, "state": state, "unit": unit, "directive": directive,
        "states": TaskState.choices, "directives": Directive.objects.all(), "can_manage": user_manages(request.user),
        "is_officer": not is_provincial(request.user),
    }
    if request.user.role == Role.UNIT_OFFICER and request.user.unit_id:
        context["plans"] = queries.plans_visible_to(request.user)
        context["plan_runs"] = queries.plan_runs().filter(scores__unit_id=request.user.unit_id).distinct()
    context["notices"] = notices_latest_unread(request.user, limit=10)
    return render(request, "followup/task_list.html", context)


@login_required
def task_detail(request, pk: int):
    task = get_object_or_404(Task.objects.select_related("directive", "lead_unit", "created_by", "confirmed_by"), pk=pk)
    if not queries.task_visible(request.user, task):
        raise PermissionDenied
    today = queries.today_local()
    can_report = True
    try:
        services.reporting_unit(task, request.user)
    except PermissionDenied:
        can_report = False
    return render(request, "followup/task_detail.html", {
        "task": task, "state": task.state(today), "today": today,
        "reports": task.reports.select_related("unit", "reported_by", "reviewed_by"),
        "events": history(task).order_by("-at", "-pk")[:30],
        "report_form": ProgressReportForm(initial={"percent": task.percent}) if can_report and task.is_open else None,
        "can_confirm": may_confirm_tasks(request.user),
        "review_form": ReviewForm(), "cancel_form": CancelForm() if user_manages(request.user) and task.is_open else None,
    })


@require_POST
@login_required
def task_report(request, pk: int):
    task = get_object_or_404(Task, pk=pk)
    form = ProgressReportForm(request.POST, request.FILES)
    try:
        if form.is_valid():
            services.progress_report_create(
                task=task, by=request.user, text=form.cleaned_data["text"], percent=form.cleaned_data["percent"],
                evidence=form.cleaned_data["evidence"], evidence_link=form.cleaned_data["evidence_link"] or "",
                ask_completion=form.cleaned_data["ask_completion"],
            )
            if form.cleaned_data["ask_completion"]:
                messages.success(request, _("Report recorded: the assigning side is asked to confirm the task as done."))
            else:
                messages.success(request, _("Progress report recorded."))
            return redirect("followup:task", pk=task.pk)
    except PermissionDenied as refusal:
        return _refused(request, refusal)
    except ValidationError as error:
        _errors_to_form(form, error)
    if not queries.task_visible(request.user, task):
        raise PermissionDenied
    today = queries.today_local()
    return render(request, "followup/task_detail.html", {
        "task": task, "state": task.state(today), "today": today, "report_form": form,
        "reports": task.reports.select_related("unit", "reported_by", "reviewed_by"), "events": history(task).order_by("-at", "-pk")[:30],
        "can_confirm": may_confirm_tasks(request.user), "review_form": ReviewForm(),
    }, status=400)


@require_POST
@login_required
def report_review(request, pk: int):
    report = get_object_or_404(ProgressReport.objects.select_related("task"), pk=pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        if request.POST.get("action") == "confirm":
            services.task_completion_confirm(report=report, by=request.user, note=note)
            messages.success(request, _("The task is confirmed as done."))
        else:
            services.task_completion_reject(report=report, by=request.user, note=note)
            messages.success(request, _("The report is sent back to the unit with your note."))
    except PermissionDenied as refusal:
        return _refused(request, refusal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("followup:task", pk=report.task_id)


@require_POST
@role_required(*MANAGING_ROLES)
def task_cancel(request, pk: int):
    task = get_object_or_404(Task, pk=pk)
    form = CancelForm(request.POST)
    try:
        services.task_cancel(task=task, by=request.user, reason=request.POST.get("reason", "") if form.is_valid() else "")
        messages.success(request, _("The task is cancelled."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("followup:task", pk=task.pk)


@login_required
def report_evidence(request, pk: int):
    report = get_object_or_404(ProgressReport.objects.select_related("task"), pk=pk)
    if not queries.task_visible(request.user, report.task) or not report.evidence:
        raise Http404
    return FileResponse(report.evidence.open("rb"), as_attachment=True, filename=report.evidence_name)


# --- directives -----------------------------------------------------------------------------

@role_required(*PROVINCIAL_ROLES)
def directive_list(request):
    today = queries.today_local()
    directives = list(Directive.objects.prefetch_related("tasks"))
    rows = [(d, queries.state_counts(d.tasks.all(), today)) for d in directives]
    return render(request, "followup/directive_list.html", {"rows": rows, "can_manage": user_manages(request.user)})


@role_required(*MANAGING_ROLES)
def directive_new(request):
    form = DirectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            directive = services.directive_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Directive %(number)s recorded: now add its tasks.") % {"number": directive.number})
            return redirect("followup:directive", pk=directive.pk)
    return render(request, "followup/directive_new.html", {"form": form}, status=400 if form.errors else 200)


@role_required(*PROVINCIAL_ROLES)
def directive_detail(request, pk: int):
    directive = get_object_or_404(Directive, pk=pk)
    today = queries.today_local()
    tasks = list(directive.tasks.select_related("lead_unit").prefetch_related("cooperating_units"))
    latest = queries.latest_reports(tasks)
    return render(request, "followup/directive_detail.html", {
        "directive": directive, "rows": [(t, t.state(today), latest.get(t.pk)) for t in tasks], "today": today,
        "counts": queries.state_counts(tasks, today), "can_manage": user_manages(request.user),
        "targets": targets_evaluate(directive.targets.all()),
    })


@role_required(*MANAGING_ROLES)
def task_new(request, pk: int):
    directive = get_object_or_404(Directive, pk=pk)
    form = TaskForm(request.POST or None, directive=directive)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_create(
                directive=directive, text=data["text"], lead_unit=data["lead_unit"], deadline=data["deadline"] or None,
                cooperating_units=data["cooperating_units"], number=data["number"], by=request.user,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Task %(number)s assigned to %(unit)s.") % {"number": task.number, "unit": task.lead_unit.name})
            return redirect("followup:directive", pk=directive.pk)
    return render(request, "followup/task_new.html", {"form": form, "directive": directive}, status=400 if form.errors else 200)


@role_required(*MANAGING_ROLES)
def task_import(request, pk: int):
    directive = get_object_or_404(Directive, pk=pk)
    form = TasksImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = upload_read(upload, kind="tasks")
            if import_in_background([(upload.name, content)]):  # a large table: read, checked and written by a job
                job = import_job_start(kind="followup_tasks_import", title=_("Import of the tasks of %(directive)s") % {"directive": directive},
                                       by=request.user, task=tasks_import_task, files=[(upload.name, content)], directive_id=directive.pk)
                return redirect("jobs:detail", pk=job.pk)
            count = tasks_import(directive=directive, file_name=upload.name, content=content, by=request.user)
        except ImportFailed as failure:
            problems = failure.problems
        else:
            messages.success(request, _("%(count)s tasks imported and assigned.") % {"count": count})
            return redirect("followup:directive", pk=directive.pk)
    return render(request, "followup/task_import.html", {"form": form, "directive": directive, "problems": problems},
                  status=400 if problems else 200)


@role_required(*PROVINCIAL_ROLES)
def directive_report_view(request, pk: int, fmt: str = "html"):
    directive = get_object_or_404(Directive, pk=pk)
    report = directive_report(directive, queries.today_local())
    if fmt == "xlsx":
        response = HttpResponse(directive_report_xlsx(report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{report_file_name(report, "xlsx")}"'
        return response
    if fmt == "pdf":
        response = HttpResponse(directive_report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{report_file_name(report, "pdf")}"'
        return response
    if fmt != "html":
        raise Http404
    return render(request, "followup/directive_report.html", {"report": report})


# --- improvement plans ----------------------------------------------------------------------

@login_required
def plan_list(request):
    plans = queries.plans_visible_to(request.user).prefetch_related("items")
    runs = queries.plan_runs()
    if request.user.role == Role.UNIT_OFFICER:
        runs = runs.filter(scores__unit_id=request.user.unit_id).distinct()
    return render(request, "followup/plan_list.html", {"plans": plans, "runs": runs})


@login_required
def plan_new(request):
    """Start a plan from a unit's results: /followup/plans/new/?run=<id>&unit=<code> (the scorecard links here)."""
    run = queries.plan_runs().filter(pk=_pk(request, "run")).first()
    unit_code = request.GET.get("unit") or (request.user.unit.code if request.user.role == Role.UNIT_OFFICER and request.user.unit_id else "")
    unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
    if run is None or unit is None:
        runs = queries.plan_runs()
        if request.user.role == Role.UNIT_OFFICER:
            runs = runs.filter(scores__unit_id=request.user.unit_id).distinct()
        units = Unit.objects.filter(scores__run=run).distinct().order_by("name_vi") if run else Unit.objects.none()
        return render(request, "followup/plan_pick.html", {"runs": runs, "run": run, "unit": unit, "units": units,
                                                          "is_officer": request.user.role == Role.UNIT_OFFICER})
    try:
        services.plan_access_check(request.user, unit)
    except PermissionDenied as refusal:
        return _refused(request, refusal)
    existing = ImprovementPlan.objects.filter(unit=unit, run=run).first()
    if existing is not None:
        messages.info(request, _("%(unit)s already has a plan for this run; here it is.") % {"unit": unit.name})
        return redirect("followup:plan", pk=existing.pk)
    choices = queries.plan_proposals(run, unit)
    form = plan_new_form(choices, request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = form.cleaned_data["codes"]
        targets = {c: form.cleaned_data.get(f"target_{c}") for c in codes}
        try:
            plan = services.plan_create(unit=unit, run=run, codes=codes, targets=targets, by=request.user, title=form.cleaned_data["title"])
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Plan created: add the actions, who is responsible and by when, then submit it."))
            return redirect("followup:plan", pk=plan.pk)
    rows = [(c, form[f"target_{c.node.code}"]) for c in choices]
    picked = set(form.data.getlist("codes")) if form.is_bound else set()
    return render(request, "followup/plan_new.html", {"run": run, "unit": unit, "rows": rows, "form": form, "picked": picked},
                  status=400 if form.errors else 200)


def _plan_for(request, pk: int) -> ImprovementPlan:
    plan = get_object_or_404(ImprovementPlan.objects.select_related("unit", "run__period", "run__version__framework", "run__block"), pk=pk)
    unit_access_check(request.user, plan.unit)
    return plan


def _can_edit_plan(user, plan) -> bool:
    try:
        services.plan_access_check(user, plan.unit)
    except PermissionDenied:
        return False
    return True


@login_required
def plan_detail(request, pk: int):
    plan = _plan_for(request, pk)
    following, items = queries.plan_progress(plan)
    return render(request, "followup/plan_detail.html", {
        "plan": plan, "following": following, "items": items, "today": queries.today_local(),
        "can_edit": _can_edit_plan(request.user, plan), "action_form": PlanActionForm(),
        "events": history(plan).order_by("-at", "-pk")[:20],
    })


@require_POST
@login_required
def plan_action_add(request, pk: int):
    item = get_object_or_404(PlanItem.objects.select_related("plan__unit"), pk=pk)
    unit_access_check(request.user, item.plan.unit)
    form = PlanActionForm(request.POST)
    if form.is_valid():
        try:
            services.plan_action_add(item=item, by=request.user, **form.cleaned_data)
        except PermissionDenied as refusal:
            return _refused(request, refusal)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("Action added."))
            return redirect("followup:plan", pk=item.plan_id)
    messages.error(request, _("The action was not added: %(errors)s") % {
        "errors": " ".join(str(e) for errors in form.errors.values() for e in errors)})
    return redirect("followup:plan", pk=item.plan_id)


@require_POST
@login_required
def plan_action_done(request, pk: int):
    action = get_object_or_404(PlanAction.objects.select_related("item__plan__unit"), pk=pk)
    unit_access_check(request.user, action.item.plan.unit)
    try:
        services.plan_action_done(action=action, by=request.user)
    except PermissionDenied as refusal:
        return _refused(request, refusal)
    messages.success(request, _("Action marked as done."))
    return redirect("followup:plan", pk=action.item.plan_id)


@require_POST
@login_required
def plan_submit(request, pk: int):
    plan = _plan_for(request, pk)
    try:
        services.plan_submit(plan=plan, by=request.user)
    except PermissionDenied as refusal:
        return _refused(request, refusal)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The plan is submitted."))
    return redirect("followup:plan", pk=plan.pk)


# --- targets and statistics -----------------------------------------------------------------

@role_required(*PROVINCIAL_ROLES)
def target_list(request):
    form = None
    if user_manages(request.user):
        form = TargetForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.target_create(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Target recorded."))
                return redirect("followup:targets")
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "followup/target_list.html", {"evaluations": targets_evaluate(Target.objects.all()), "form": form},
                  status=400 if form is not None and form.errors else 200)


@role_required(*PROVINCIAL_ROLES)
def statistic_list(request):
    statistic_form = value_form = None
    if user_manages(request.user):
        statistic_form = StatisticForm(request.POST if request.POST.get("form") == "statistic" else None, prefix="s")
        value_form = StatisticValueForm(request.POST if request.POST.get("form") == "value" else None, prefix="v")
        if request.method == "POST":
            form = statistic_form if request.POST.get("form") == "statistic" else value_form
            if form.is_valid():
                try:
                    if form is statistic_form:
                        services.statistic_create(by=request.user, **form.cleaned_data)
                    else:
                        services.statistic_value_set(by=request.user, **form.cleaned_data)
                except ValidationError as error:
                    _errors_to_form(form, error)
                else:
                    messages.success(request, _("Recorded."))
                    return redirect("followup:statistics")
    elif request.method == "POST":
        raise PermissionDenied
    statistics = Statistic.objects.prefetch_related("values")
    return render(request, "followup/statistic_list.html", {
        "statistics": statistics, "figures": queries.statistics_year_on_year(),
        "statistic_form": statistic_form, "value_form": value_form,
    }, status=400 if request.method == "POST" else 200)


# --- dashboard and notices ------------------------------------------------------------------

@role_required(*PROVINCIAL_ROLES)
def dashboard(request):
    directive = Directive.objects.filter(pk=_pk(request, "directive")).first()
    run = queries.plan_runs().filter(pk=_pk(request, "run")).first()
    data = queries.dashboard(today=queries.today_local(), directive=directive, run=run)
    return render(request, "followup/dashboard.html", {
        **data, "directive": directive, "directives": Directive.objects.all(), "runs": queries.plan_runs(),
        "can_manage": user_manages(request.user),
    })


@login_required
def notice_list(request):
    """The notices moved to their own page (chiso.notices); old links land there."""
    return redirect("notices:list")


@require_POST
@role_required(*MANAGING_ROLES)
def digest_now(request):
    job = job_start(kind="followup_digest", title=_("Follow-up digest"), by=request.user, task=followup_digest_task)
    return redirect("jobs:detail", pk=job.pk)
