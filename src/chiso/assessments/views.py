"""Pages of the PAR assessment: cycles, one unit's sheet, an item, by-criterion appraisal, the
council, history, reports. Views check input, call one service or query, and render; a refused
attempt on an assessment is recorded before the 403."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from chiso.accounts import permissions
from chiso.accounts.permissions import MANAGING_ROLES, PROVINCIAL_ROLES, role_required, user_can_see_unit
from chiso.core.uploads import body_drain
from chiso.frameworks.queries import version_tree
from chiso.jobs.services import job_start
from chiso.units.models import Unit

from . import documents, forms, queries, reports, services, tasks
from .evidence import evidence_max_bytes, evidence_path, too_large_message
from .models import Affiliation, Assessment, Cycle, Evidence, Item
from .uploads import LimitedUploadHandler

log = logging.getLogger(__name__)
Status = Assessment.Status


# --- helpers ---------------------------------------------------------------------------------

def _refuse(request, assessment: Assessment, action: str):
    services.access_refusal_record(assessment=assessment, by=request.user, action=f"{request.method} {request.path} ({action})")
    log.warning("refused: %s %s %s", request.user, request.method, request.path)
    raise PermissionDenied


def _assessment(request, pk: int, action: str = "view") -> Assessment:
    assessment = get_object_or_404(
        Assessment.objects.select_related("cycle__version__framework", "cycle__period", "cycle__block", "cycle__run", "unit__block", "decision"),
        pk=pk,
    )
    if not permissions.may_view_assessment(request.user, assessment):
        _refuse(request, assessment, action)
    return assessment


def _item(assessment: Assessment, item_pk: int) -> Item:
    return get_object_or_404(Item.objects.select_related("node", "updated_by", "appraised_by"), pk=item_pk, assessment=assessment)


def _run(request, on: Assessment, action: str, service, /, **kwargs):
    """Call a service; a PermissionDenied is recorded as a refused attempt on `on`. Returns (result, error)."""
    try:
        return service(**kwargs), None
    except PermissionDenied:
        _refuse(request, on, action)
    except ValidationError as error:
        return None, error


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _back(assessment: Assessment, item: Item | None = None, anchor: str = ""):
    if item is not None:
        return redirect(reverse("assessments:item", args=[assessment.pk, item.pk]) + anchor)
    return redirect("assessments:detail", pk=assessment.pk)


def _mode(actions: frozenset[str]) -> str:
    """How the sheet is shown to this user now: who may write what (from queries.actions_allowed)."""
    if "self_assess" in actions:
        return "self"
    if "appraise" in actions:
        return "appraise"
    if "council_adjust" in actions:
        return "council"
    return "read"


def _refuse_role(request, assessment: Assessment, action: str) -> None:
    """Not this person's step at all: a 403 (recorded) before anything else, confirmation included."""
    if isinstance(queries.action_refusal(request.user, assessment, action), PermissionDenied):
        _refuse(request, assessment, action)


def _confirmed(request) -> bool:
    """Irreversible steps carry a ticked box (required in the form, checked here: no JavaScript needed)."""
    if request.POST.get("confirm"):
        return True
    messages.error(request, _("Tick the box to confirm: this step cannot be undone."))
    return False


# --- cycles ----------------------------------------------------------------------------------

@login_required
def index(request):
    user = request.user
    cycles = queries.cycles_for(user)
    if user.role == "officer":
        mine = Assessment.objects.filter(unit_id=user.unit_id).select_related("cycle__period", "unit").order_by("-cycle__period__start_date")
    else:
        mine = []
    return render(request, "assessments/index.html", {
        "cycles": cycles, "mine": mine, "due": queries.due_items(user), "can_manage": permissions.is_secretariat(user),
    })


@login_required
def due(request):
    return render(request, "assessments/due.html", {"due": queries.due_items(request.user)})


@role_required(*MANAGING_ROLES)
def cycle_new(request):
    form = forms.CycleForm(request.POST or None, initial={"period": request.period})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_create(
                version=data["version"], period=data["period"], block=data["block"], by=request.user, title=data["title"],
                self_assessment_due=data["self_assessment_due"], appraisal_due=data["appraisal_due"],
                council_due=data["council_due"], explanation_days=data["explanation_days"] or None,
                council_size=data["council_size"], quorum_percent=data["quorum_percent"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The cycle is open: %(count)s units can now self-assess.") % {"count": cycle.assessments.count()})
            left_out = queries.cycle_left_out(cycle)
            if left_out:
                messages.info(request, _("Left out: %(units)s.") % {"units": "; ".join(f"{o.unit.name} ({o.reason})" for o in left_out)})
            return redirect("assessments:cycle", pk=cycle.pk)
    return render(request, "assessments/cycle_new.html", {"form": form})


def _cycle(pk: int) -> Cycle:
    return get_object_or_404(Cycle.objects.select_related("version__framework", "period", "block", "run", "survey_run"), pk=pk)


@login_required
def cycle_detail(request, pk: int):
    cycle = _cycle(pk)
    user = request.user
    if not permissions.is_provincial(user):
        own = cycle.assessments.filter(unit_id=user.unit_id).first()
        if own is None:
            raise PermissionDenied
        return redirect("assessments:detail", pk=own.pk)
    can_manage = permissions.is_secretariat(user)
    return render(request, "assessments/cycle.html", {
        "cycle": cycle, "rows": queries.cycle_rows(cycle, user), "counts": queries.status_counts(cycle),
        "can_manage": can_manage, "is_expert": permissions.is_expert(user), "is_council": permissions.is_council(user),
        "schedule_form": forms.ScheduleChangeForm(initial={
            "self_assessment_due": cycle.self_assessment_due, "appraisal_due": cycle.appraisal_due, "council_due": cycle.council_due,
            "explanation_days": cycle.explanation_days, "council_size": cycle.council_size, "quorum_percent": cycle.quorum_percent,
        }) if can_manage else None,
        "survey_form": forms.SurveyForm(runs=queries.survey_runs_for(cycle)) if can_manage else None,
        "publish_form": forms.PublishForm() if can_manage else None,
        "problems": services.results_problems(cycle) if can_manage else [],
        "first_code": _first_code(cycle),
        "left_out": queries.cycle_left_out(cycle), "reason_form": forms.ReasonForm(),
        "add_form": forms.UnitAddForm(units=queries.cycle_addable_units(cycle)) if can_manage else None,
        "can_delete": can_manage and not cycle.assessments.exclude(status__in=[Status.DRAFT, Status.EXCLUDED]).exists()
        and not cycle.assessments.filter(submitted_at__isnull=False).exists() and not cycle.run_id,
    })


@require_POST
@role_required(*MANAGING_ROLES)
def cycle_unit_add(request, pk: int):
    cycle = _cycle(pk)
    form = forms.UnitAddForm(request.POST, units=queries.cycle_addable_units(cycle))
    if not form.is_valid():
        messages.error(request, _("Choose the unit and give the reason."))
        return redirect("assessments:cycle", pk=cycle.pk)
    try:
        assessment = services.cycle_unit_add(cycle=cycle, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("%(unit)s is added to the cycle.") % {"unit": assessment.unit.name})
    return redirect("assessments:cycle", pk=cycle.pk)


@require_POST
@role_required(*MANAGING_ROLES)
def cycle_delete(request, pk: int):
    cycle = _cycle(pk)
    form = forms.ReasonForm(request.POST)
    if not _confirmed(request) or not form.is_valid():
        if form.errors:
            messages.error(request, _("Give the reason for deleting the cycle."))
        return redirect("assessments:cycle", pk=cycle.pk)
    try:
        services.cycle_delete(cycle=cycle, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("assessments:cycle", pk=cycle.pk)
    messages.success(request, _("The cycle is deleted; its record stays in the audit trail."))
    return redirect("assessments:index")


def _first_code(cycle: Cycle) -> str | None:
    item = Item.objects.filter(assessment__cycle=cycle, part=Item.SELF).order_by("order").first()
    return item.code if item else None


@require_POST
@role_required(*MANAGING_ROLES)
def cycle_schedule(request, pk: int):
    cycle = _cycle(pk)
    form = forms.ScheduleChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the dates: %(errors)s") % {"errors": " ".join(e for errs in form.errors.values() for e in errs)})
        return redirect("assessments:cycle", pk=cycle.pk)
    try:
        services.cycle_schedule_set(cycle=cycle, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The schedule is saved."))
    return redirect("assessments:cycle", pk=cycle.pk)


@require_POST
@role_required(*MANAGING_ROLES)
def cycle_survey(request, pk: int):
    cycle = _cycle(pk)
    form = forms.SurveyForm(request.POST, runs=queries.survey_runs_for(cycle))
    if form.is_valid():
        try:
            outcome = services.survey_points_apply(cycle=cycle, run=form.cleaned_data["run"], by=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Survey points: %(changed)s changed, %(unchanged)s unchanged.") % {
                "changed": outcome.changed, "unchanged": outcome.unchanged})
            if outcome.missing:
                messages.warning(request, _("No survey result for: %(cells)s.") % {
                    "cells": ", ".join(f"{u.name} {c}" for u, c in outcome.missing[:20])})
    else:
        messages.error(request, _("Choose a survey run."))
    return redirect("assessments:cycle", pk=cycle.pk)


@require_POST
@role_required(*MANAGING_ROLES)
def cycle_results(request, pk: int):
    cycle = _cycle(pk)
    try:
        services.cycle_results_compute(cycle=cycle, by=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The results are computed as a draft run: check them, then publish."))
    return redirect("assessments:cycle", pk=cycle.pk)


@require_POST
@role_required(*MANAGING_ROLES)
def cycle_publish(request, pk: int):
    cycle = _cycle(pk)
    form = forms.PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tick the box to confirm the publication."))
        return redirect("assessments:cycle", pk=cycle.pk)
    # the run page's own publication is closed for PAR runs: this is the one door
    try:
        services.cycle_publish(cycle=cycle, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Published."))
    return redirect("assessments:cycle", pk=cycle.pk)


@require_POST
@role_required(*MANAGING_ROLES)
def cycle_reminders(request, pk: int):
    _cycle(pk)
    job = job_start(kind="assessment_reminders", title=_("E-mail reminders"), by=request.user,
                    task=tasks.reminders_task, base_url=request.build_absolute_uri("/").rstrip("/"))
    return redirect("jobs:detail", pk=job.pk)


@require_POST
@role_required(*PROVINCIAL_ROLES)
def cycle_unit_reports(request, pk: int):
    cycle = _cycle(pk)
    job = job_start(kind="assessment_reports", title=_("PDF reports of every unit — %(title)s") % {"title": cycle.title},
                    by=request.user, task=tasks.unit_reports_task, cycle_id=cycle.pk)
    return redirect("jobs:detail", pk=job.pk)


@role_required(*PROVINCIAL_ROLES)
def cycle_report(request, pk: int, fmt: str):
    cycle = _cycle(pk)
    name = f"chi-so-cchc-{cycle.period.code}-{cycle.block.code}"
    if fmt == "xlsx":
        return _download(reports.province_xlsx(cycle), f"{name}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if fmt == "pdf":
        return _download(reports.province_pdf(cycle), f"{name}.pdf", "application/pdf")
    raise Http404


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@role_required(*PROVINCIAL_ROLES)
def cycle_document(request, pk: int, kind: str):
    """The tờ trình and the báo cáo kết quả as DOCX, from the templates an office edits in Word."""
    cycle = _cycle(pk)
    makers = {"to-trinh": documents.submission_docx, "bao-cao": documents.report_docx}
    if kind not in makers:
        raise Http404
    return _download(makers[kind](cycle), f"{kind}-chi-so-cchc-{cycle.period.code}-{cycle.block.code}.docx", DOCX)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- one assessment ---------------------------------------------------------------------------

@login_required
def assessment_detail(request, pk: int, *, bonus_form=None, status=200):
    """The unit's sheet with what this person can do now; `bonus_form` is a refused bonus/penalty
    form shown again with what was typed (a refusal loses nothing)."""
    assessment = _assessment(request, pk)
    user = request.user
    sheet = queries.assessment_sheet(assessment)
    actions = queries.actions_allowed(user, assessment)
    rules = queries.bonus_penalty_rules(assessment.cycle.version)
    return render(request, "assessments/detail.html", {
        "assessment": assessment, "cycle": assessment.cycle, "sheet": sheet, "mode": _mode(actions), "actions": actions,
        "is_officer": permissions.is_officer_of(user, assessment.unit), "is_council": permissions.is_council(user),
        "can_manage": permissions.is_secretariat(user), "conflict": permissions.is_expert(user) and permissions.has_conflict(user, assessment.unit),
        "problems": services.submission_problems(assessment) if "submit" in actions else [],
        "pending": list(services.pending_questions(assessment)), "rounds": queries.explanation_rounds(assessment),
        "explanation_state": queries.due_state(assessment.explanation_due) if assessment.status == Status.EXPLANATION_REQUESTED else "",
        "explanation_days_left": queries.working_days_left(assessment.explanation_due) if assessment.explanation_due else None,
        "reopen_form": forms.ReopenForm(),
        "bonus_form": bonus_form or forms.BonusPenaltyForm(rules=rules, initial=forms.BonusPenaltyForm.initial_from(assessment)),
        "rules": rules, "reason_form": forms.ReasonForm(), "extend_form": forms.ExtendForm(),
        "accept_form": forms.AcceptForm(criteria=_criteria(assessment)),
        "can_see_evidence": permissions.may_view_evidence(user, assessment),
    }, status=status)


def _criteria(assessment: Assessment) -> list[tuple[str, str]]:
    """The criteria (parents of sub-criteria) for the bulk acceptance's choice."""
    rows = list(version_tree(assessment.cycle.version))
    parents = {r.node.parent_code for r in rows if r.node.type == "Indicator" and not (r.node.extra or {}).get("part")}
    return [(r.node.code, f"{r.number} {r.node.name}"[:90]) for r in rows if r.node.code in parents]


TRANSITIONS = {
    "submit": services.assessment_submit,
    "withdraw": services.assessment_withdraw,
    "start": services.assessment_appraisal_start,
    "request_explanation": services.assessment_explanation_request,
    "send_explanation": services.assessment_explanation_submit,
    "complete": services.assessment_appraisal_complete,
}
CONFIRM = {"submit", "complete"}  # steps that cannot be undone by the one who takes them
DONE = {
    "submit": gettext_lazy("Submitted. The expert team will appraise it."),
    "withdraw": gettext_lazy("Withdrawn: the self-assessment is a draft again. Submit it again by the deadline."),
    "start": gettext_lazy("Appraisal started."),
    "request_explanation": gettext_lazy("The explanation request is sent to the unit."),
    "send_explanation": gettext_lazy("The explanations are sent to the expert team."),
    "complete": gettext_lazy("Appraisal completed; the assessment goes to the council."),
}


@require_POST
@login_required
def assessment_transition(request, pk: int, action: str):
    assessment = _assessment(request, pk, action)
    service = TRANSITIONS.get(action)
    if service is None:
        raise Http404
    _refuse_role(request, assessment, action)
    if action in CONFIRM and not _confirmed(request):
        return redirect("assessments:detail", pk=assessment.pk)
    _result, error = _run(request, assessment, action, service, assessment=assessment, by=request.user)
    if error is not None:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, str(DONE[action]))
    return redirect("assessments:detail", pk=assessment.pk)


REASONED = {  # secretariat's and expert team's steps that need a reason
    "close_unsubmitted": (services.assessment_close_unsubmitted, gettext_lazy("Closed as not submitted; the reason is on record.")),
    "exclude": (services.assessment_exclude, gettext_lazy("The unit is excluded from the cycle; the reason is on record.")),
    "include": (services.assessment_include, gettext_lazy("The unit is back in the cycle as a draft.")),
    "skip_explanation": (services.assessment_explanation_skip, gettext_lazy("The appraisal goes on without the explanation.")),
}


@require_POST
@login_required
def assessment_reasoned(request, pk: int, action: str):
    assessment = _assessment(request, pk, action)
    if action not in REASONED:
        raise Http404
    service, done = REASONED[action]
    _refuse_role(request, assessment, action)
    form = forms.ReasonForm(request.POST)
    if action in ("close_unsubmitted", "exclude") and not _confirmed(request):
        return redirect("assessments:detail", pk=assessment.pk)
    if not form.is_valid():
        messages.error(request, _("Give the reason."))
        return redirect("assessments:detail", pk=assessment.pk)
    _result, error = _run(request, assessment, action, service, assessment=assessment, by=request.user, reason=form.cleaned_data["reason"])
    if error is not None:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, str(done))
    return redirect("assessments:detail", pk=assessment.pk)


@require_POST
@login_required
def assessment_extend(request, pk: int):
    assessment = _assessment(request, pk, "extend explanation")
    form = forms.ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the number of working days and the reason."))
        return redirect("assessments:detail", pk=assessment.pk)
    _result, error = _run(request, assessment, "extend explanation", services.assessment_explanation_extend, assessment=assessment,
                          by=request.user, **form.cleaned_data)
    if error is not None:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("The deadline is extended; the unit can explain again."))
    return redirect("assessments:detail", pk=assessment.pk)


@require_POST
@login_required
def assessment_accept(request, pk: int):
    """Chấp nhận hàng loạt: the claims of a criterion or of the whole unit, where evidence is present."""
    assessment = _assessment(request, pk, "accept claims")
    form = forms.AcceptForm(request.POST, criteria=_criteria(assessment))
    _refuse_role(request, assessment, "accept_claims")
    if not _confirmed(request):
        return redirect("assessments:detail", pk=assessment.pk)
    if not form.is_valid():
        messages.error(request, _("Choose a criterion or the whole unit."))
        return redirect("assessments:detail", pk=assessment.pk)
    outcome, error = _run(request, assessment, "accept claims", services.assessment_claims_accept, assessment=assessment,
                          by=request.user, under=form.cleaned_data["under"] or None)
    if error is not None:
        messages.error(request, _error_text(error))
        return redirect("assessments:detail", pk=assessment.pk)
    messages.success(request, _("%(count)s claims accepted.") % {"count": len(outcome.accepted)})
    if outcome.without_evidence:
        messages.warning(request, _("Not accepted, the evidence is missing: %(codes)s.") % {
            "codes": ", ".join(i.code for i in outcome.without_evidence)})
    if outcome.unclaimed:
        messages.warning(request, _("Not accepted, the unit gave no points: %(codes)s.") % {
            "codes": ", ".join(i.code for i in outcome.unclaimed)})
    return redirect("assessments:detail", pk=assessment.pk)


@login_required
def assessment_document(request, pk: int):
    """The unit's phụ lục as DOCX, with the official heading."""
    assessment = _assessment(request, pk, "document")
    name = f"phu-luc-chi-so-cchc-{assessment.cycle.period.code}-{assessment.unit.code}.docx"
    return _download(documents.appendix_docx(assessment), name, DOCX)


@require_POST
@login_required
def assessment_reopen(request, pk: int):
    assessment = _assessment(request, pk, "reopen")
    form = forms.ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for reopening."))
        return redirect("assessments:detail", pk=assessment.pk)
    _result, error = _run(request, assessment, "reopen", services.assessment_reopen, assessment=assessment, by=request.user,
                          reason=form.cleaned_data["reason"], until=form.cleaned_data["until"])
    if error is not None:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Reopened. The reason is on record."))
    return redirect("assessments:detail", pk=assessment.pk)


@require_POST
@login_required
def assessment_bonus(request, pk: int):
    assessment = _assessment(request, pk, "bonus")
    rules = queries.bonus_penalty_rules(assessment.cycle.version)
    form = forms.BonusPenaltyForm(request.POST, rules=rules)
    if not form.is_valid():  # each refusal after the reason it is about; the typed points stay in the form
        messages.error(request, " ".join(f"{form.fields[name].label}: {e}" if name in form.fields else e
                                         for name, errs in form.errors.items() for e in errs))
        return assessment_detail(request, assessment.pk, bonus_form=form, status=400)
    _result, error = _run(request, assessment, "bonus", services.assessment_bonus_penalty_set, assessment=assessment, by=request.user,
                          points=form.points(), note=form.cleaned_data["note"])
    if error is not None:
        messages.error(request, _error_text(error))
        return assessment_detail(request, assessment.pk, bonus_form=form, status=400)
    messages.success(request, _("Bonus and penalty points saved."))
    return redirect("assessments:detail", pk=assessment.pk)


@login_required
def assessment_report(request, pk: int, fmt: str):
    assessment = _assessment(request, pk, "report")
    name = f"chi-so-cchc-{assessment.cycle.period.code}-{assessment.unit.code}"
    if fmt == "xlsx":
        return _download(reports.unit_xlsx(assessment), f"{name}.xlsx",
                         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if fmt == "pdf":
        return _download(reports.unit_pdf(assessment), f"{name}.pdf", "application/pdf")
    raise Http404


@login_required
def unit_assessments_history(request, code: str):
    unit = get_object_or_404(Unit, code=code)
    if not user_can_see_unit(request.user, unit):
        first = Assessment.objects.filter(unit=unit).select_related("cycle").first()
        if first is not None:
            _refuse(request, first, "history")
        raise PermissionDenied
    cycle = None
    if request.GET.get("cycle", "").isdigit():
        cycle = Cycle.objects.filter(pk=int(request.GET["cycle"])).first()
    cycles = Cycle.objects.filter(assessments__unit=unit).select_related("period").distinct()
    return render(request, "assessments/history.html", {
        "unit": unit, "events": queries.unit_assessments_history(unit, cycle), "cycles": cycles, "cycle": cycle,
    })


# --- items ------------------------------------------------------------------------------------

def _item_context(request, assessment: Assessment, item: Item, **extra) -> dict:
    user = request.user
    evidence = list(item.evidence.select_related("added_by", "removed_by"))
    actions = queries.actions_allowed(user, assessment)
    asked_now = services._asked_now(item, assessment)
    context = {
        "assessment": assessment, "cycle": assessment.cycle, "item": item, "node": item.node,
        "mode": _mode(actions), "actions": actions, "questions": list(item.questions.select_related("asked_by", "answered_by", "replied_by")),
        "evidence": [e for e in evidence if e.removed_at is None], "removed": [e for e in evidence if e.removed_at],
        "history": queries.item_history(item), "can_see_evidence": permissions.may_view_evidence(user, assessment),
        "can_add_evidence": "self_assess" in actions or ("explain" in actions and asked_now),
        # a draft's evidence, or what the unit added with this explanation (what was appraised stays)
        "removable": {e.pk for e in evidence if e.removed_at is None and (
            "self_assess" in actions or ("explain" in actions and asked_now and e.during_explanation))},
        "can_explain": "explain" in actions and asked_now,
        "asked_now": asked_now, "is_officer": permissions.is_officer_of(user, assessment.unit),
        "self_form": forms.SelfAssessForm(initial={
            "points": item.self_points, "not_applicable": item.self_na, "note": item.self_note,
            "evidence_explanation": item.evidence_explanation, "lock_version": item.lock_version}),
        "appraise_form": _appraise_form(item, assessment),
        "explain_form": forms.ExplainForm(initial={"explanation": item.explanation, "lock_version": item.lock_version}),
        "council_form": forms.CouncilAdjustForm(initial={
            "points": item.final[0], "not_applicable": item.final[1], "lock_version": item.lock_version}),
        "document_form": forms.DocumentForm(), "upload_form": forms.UploadForm(), "max_bytes": evidence_max_bytes(),
    }
    context.update(extra)
    return context


def _appraise_form(item: Item, assessment: Assessment, data=None):
    pending = item.explanation_request if item.explanation_round == assessment.explanation_round + 1 else ""
    points, na = item.appraisal_now if item.is_appraised else (item.self_points, item.self_na)
    comment = item.round2_comment if assessment.appraisal_round > 1 else item.appraisal_comment
    return forms.AppraiseForm(data, initial={
        "points": points, "not_applicable": na, "comment": comment, "explanation_request": pending, "lock_version": item.lock_version,
    })


@login_required
def item_detail(request, pk: int, item_pk: int):
    assessment = _assessment(request, pk)
    item = _item(assessment, item_pk)
    return render(request, "assessments/item.html", _item_context(request, assessment, item))


def _item_response(request, assessment: Assessment, item: Item, error: ValidationError | None, success: str, where: str):
    """htmx: the row again (with the message) and the totals; otherwise back to the page with a message."""
    item = Item.objects.select_related("node", "updated_by", "appraised_by").get(pk=item.pk)
    if request.htmx:
        if where == "criterion":
            row = next(r for r in queries.criterion_rows(assessment.cycle, item.code, request.user) if r.item.pk == item.pk)
            return render(request, "assessments/_criterion_row.html", {
                "row": row, "cycle": assessment.cycle, "error": error and _error_text(error), "saved": error is None,
                "can_see_evidence": permissions.may_view_evidence(request.user, assessment),
            })
        sheet = queries.assessment_sheet(assessment)
        row = next(r for r in sheet.rows if r.item and r.item.pk == item.pk)
        return render(request, "assessments/_sheet_row_response.html", {
            "row": row, "sheet": sheet, "assessment": assessment, "mode": _mode(queries.actions_allowed(request.user, assessment)),
            "error": error and _error_text(error), "saved": error is None,
        })
    if error is not None:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, success)
    if where == "criterion":
        return redirect(reverse("assessments:criterion", args=[assessment.cycle_id]) + f"?code={item.code}#i{item.pk}")
    if where == "sheet":
        return redirect(reverse("assessments:detail", args=[assessment.pk]) + f"#i{item.pk}")
    return _back(assessment, item)


@require_POST
@login_required
def item_self(request, pk: int, item_pk: int):
    assessment = _assessment(request, pk, "self-assess")
    item = _item(assessment, item_pk)
    form = forms.SelfAssessForm(request.POST)
    if not form.is_valid():
        error = ValidationError([e for errs in form.errors.values() for e in errs])
    else:
        data = form.cleaned_data
        keep = request.POST.get("where") == "sheet"  # the sheet's row sends points only: keep the note
        _result, error = _run(
            request, assessment, "self-assess", services.item_self_assess, item=item, by=request.user,
            points=data["points"], not_applicable=data["not_applicable"],
            note=item.self_note if keep else data["note"],
            evidence_explanation=item.evidence_explanation if keep else data["evidence_explanation"],
            expected_version=data["lock_version"],
        )
    return _item_response(request, assessment, item, error, _("Saved."), request.POST.get("where", "item"))


@require_POST
@login_required
def item_appraise(request, pk: int, item_pk: int):
    assessment = _assessment(request, pk, "appraise")
    item = _item(assessment, item_pk)
    form = forms.AppraiseForm(request.POST)
    if not form.is_valid():
        error = ValidationError([e for errs in form.errors.values() for e in errs])
    else:
        data = form.cleaned_data
        _result, error = _run(
            request, assessment, "appraise", services.item_appraise, item=item, by=request.user, points=data["points"],
            not_applicable=data["not_applicable"], comment=data["comment"],
            explanation_request=data["explanation_request"], expected_version=data["lock_version"],
        )
    return _item_response(request, assessment, item, error, _("Saved."), request.POST.get("where", "item"))


@require_POST
@login_required
def item_explain(request, pk: int, item_pk: int):
    assessment = _assessment(request, pk, "explain")
    item = _item(assessment, item_pk)
    form = forms.ExplainForm(request.POST)
    if not form.is_valid():
        error = ValidationError(_("Write the explanation."))
    else:
        _result, error = _run(request, assessment, "explain", services.item_explain, item=item, by=request.user,
                              explanation=form.cleaned_data["explanation"], expected_version=form.cleaned_data["lock_version"])
    return _item_response(request, assessment, item, error, _("Explanation saved."), "item")


@require_POST
@login_required
def item_council(request, pk: int, item_pk: int):
    assessment = _assessment(request, pk, "council")
    item = _item(assessment, item_pk)
    form = forms.CouncilAdjustForm(request.POST)
    if not form.is_valid():
        error = ValidationError([e for errs in form.errors.values() for e in errs])
    else:
        data = form.cleaned_data
        _result, error = _run(request, assessment, "council", services.item_council_adjust, item=item, by=request.user,
                              points=data["points"], not_applicable=data["not_applicable"], reason=data["reason"],
                              expected_version=data["lock_version"])
    return _item_response(request, assessment, item, error, _("Saved."), "item")


@require_POST
@login_required
def item_document(request, pk: int, item_pk: int):
    assessment = _assessment(request, pk, "document")
    item = _item(assessment, item_pk)
    form = forms.DocumentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return _back(assessment, item, "#evidence")
    _result, error = _run(request, assessment, "document", services.evidence_document_add, item=item, by=request.user,
                          **form.cleaned_data)
    if error is not None:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Document reference added."))
    return _back(assessment, item, "#evidence")


@csrf_exempt
@login_required
def item_upload(request, pk: int, item_pk: int):
    """The size is checked before the body is read: a 200 MB upload is refused without storing it.

    The CSRF check runs inside (csrf_protect), after the upload handler that stops large files
    is in place: the middleware would otherwise read the whole body first.
    """
    if request.method != "POST":
        return HttpResponse(status=405)
    limit = evidence_max_bytes()
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > limit + 64 * 1024:
        assessment = _assessment(request, pk, "upload")
        item = _item(assessment, item_pk)
        body_drain(request, declared)
        context = _item_context(request, assessment, item, upload_error=too_large_message(size=declared))
        # No "Connection: close": runserver's WSGI server refuses hop-by-hop headers from the
        # application (a 500); the body is read and dropped instead, so the browser, still
        # sending, receives the page rather than a reset connection, under gunicorn too.
        return render(request, "assessments/item.html", context, status=413)
    request.upload_handlers.insert(0, LimitedUploadHandler(limit, request=request))
    return _item_upload(request, pk, item_pk)


@csrf_protect
def _item_upload(request, pk: int, item_pk: int):
    assessment = _assessment(request, pk, "upload")
    item = _item(assessment, item_pk)
    upload = request.FILES.get("file")
    too_large = None
    if upload is None:
        too_large = getattr(request, "_upload_too_large", None)
        error = ValidationError(too_large_message(name=too_large) if too_large else _("Choose a file."))
    else:
        _result, error = _run(request, assessment, "upload", services.evidence_file_add, item=item, by=request.user,
                              name=upload.name, chunks=upload.chunks())
    if error is not None:
        context = _item_context(request, assessment, item, upload_error=_error_text(error))
        # a file stopped while it streamed in is too large, as one refused by its announced size (413)
        return render(request, "assessments/item.html", context, status=413 if too_large else 400)
    messages.success(request, _("File uploaded."))
    return _back(assessment, item, "#evidence")


@require_POST
@login_required
def evidence_remove(request, pk: int, evidence_pk: int):
    assessment = _assessment(request, pk, "remove evidence")
    evidence = get_object_or_404(Evidence.objects.select_related("item"), pk=evidence_pk, item__assessment=assessment)
    if not _confirmed(request):
        return _back(assessment, evidence.item, "#evidence")
    form = forms.RemoveForm(request.POST)
    form.is_valid()
    _result, error = _run(request, assessment, "remove evidence", services.evidence_remove, evidence=evidence, by=request.user,
                          reason=form.cleaned_data.get("reason", ""))
    if error is not None:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Evidence removed; the record stays in the history."))
    return _back(assessment, evidence.item, "#evidence")


@login_required
def evidence_download(request, pk: int, evidence_pk: int):
    assessment = _assessment(request, pk, "download evidence")
    if not permissions.may_view_evidence(request.user, assessment):
        _refuse(request, assessment, "download evidence")
    evidence = get_object_or_404(Evidence, pk=evidence_pk, item__assessment=assessment, kind=Evidence.Kind.FILE)
    path = evidence_path(evidence.file_path)
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- appraisal by criterion, the council ----------------------------------------------------------

@role_required(*PROVINCIAL_ROLES)
def criterion(request, pk: int):
    cycle = _cycle(pk)
    codes = [(n.code, n) for n in cycle.version.nodes.filter(type="Indicator").order_by("order") if not (n.extra or {}).get("part")]
    if not codes:
        raise Http404
    code = request.GET.get("code") or codes[0][0]
    node = dict(codes).get(code)
    if node is None:
        raise Http404
    previous, following = queries.criterion_neighbours(cycle, code)
    rows = queries.criterion_rows(cycle, code, request.user)
    return render(request, "assessments/criterion.html", {
        "cycle": cycle, "node": node, "codes": codes, "code": code, "rows": rows, "previous": previous, "following": following,
        "is_expert": permissions.is_expert(request.user),
        "can_see_evidence": request.user.role == "appraiser" or permissions.is_secretariat(request.user),
    })


@role_required(*PROVINCIAL_ROLES)
def council(request, pk: int):
    cycle = _cycle(pk)
    ready = cycle.assessments.filter(status=Status.APPRAISED).select_related("unit")
    form = forms.DecisionForm(request.POST or None, assessments=ready, initial={"assessments": list(ready)})
    if request.method == "POST":
        if not permissions.is_council(request.user):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.council_decide(
                    cycle=cycle, assessments=list(data["assessments"]), by=request.user, meeting_date=data["meeting_date"],
                    members_present=data["members_present"], votes_for=data["votes_for"], votes_against=data["votes_against"],
                    votes_abstain=data["votes_abstain"], minutes_number=data["minutes_number"], note=data["note"],
                )
            except PermissionDenied:
                raise
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The decision is recorded and the points are locked."))
                return redirect("assessments:council", pk=cycle.pk)
    return render(request, "assessments/council.html", {
        "cycle": cycle, "board": queries.council_board(cycle), "form": form, "is_council": permissions.is_council(request.user),
        "decisions": cycle.decisions.select_related("recorded_by").prefetch_related("assessments__unit"),
    }, status=400 if form.errors else 200)


# --- conflicts of interest ---------------------------------------------------------------------------

@role_required(*MANAGING_ROLES)
def affiliations(request):
    form = forms.AffiliationForm(request.POST or None)
    if request.method == "POST":
        if "remove" in request.POST:
            affiliation = get_object_or_404(Affiliation, pk=request.POST["remove"])
            services.affiliation_remove(affiliation=affiliation, by=request.user)
            messages.success(request, _("Removed."))
            return redirect("assessments:affiliations")
        if form.is_valid():
            services.affiliation_declare(by=request.user, **form.cleaned_data)
            messages.success(request, _("Recorded: this appraiser will not appraise that unit."))
            return redirect("assessments:affiliations")
    return render(request, "assessments/affiliations.html", {
        "form": form, "affiliations": Affiliation.objects.select_related("user", "unit").order_by("user__username"),
    })
