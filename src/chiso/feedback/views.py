"""Staff pages: the secretariat routes, splits, merges and publishes; units answer; everyone with
a provincial role sees the figures. Filers' contact details appear for the secretariat only."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.accounts.permissions import MANAGING_ROLES, PROVINCIAL_ROLES, STAFF_ROLES, is_provincial, role_required, user_manages
from chiso.audit.queries import history
from chiso.frameworks.queries import source_map
from chiso.jobs.services import job_start
from chiso.units.models import Unit

from .forms import AnswerForm, DismissForm, MergeForm, PublishForm, RouteForm, SplitForm
from .models import Attachment, Feedback
from .queries import (
    contact_for,
    counts_by_state,
    feedback_list,
    feedback_visible_to,
    figures_table,
    province_figures,
)
from .services import (
    feedback_answer,
    feedback_dismiss,
    feedback_indicators_publish,
    feedback_merge,
    feedback_publish,
    feedback_route,
    feedback_split,
    feedback_unpublish,
    user_may_answer,
)
from .tasks import feedback_escalate_task


def _units():
    return Unit.objects.filter(valid_to__isnull=True).select_related("block").order_by("block__order", "name_vi")


@role_required(*STAFF_ROLES)
def feedback_list_view(request):
    state = request.GET.get("state", "")
    overdue = request.GET.get("overdue") == "1"
    unit = None
    if request.GET.get("unit") and is_provincial(request.user):
        unit = Unit.objects.filter(code=request.GET["unit"]).first()
    items = feedback_list(request.user, state=state if state in Feedback.State.values else "", unit=unit, overdue=overdue)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    counts = counts_by_state(request.user)
    states = [(value, label, counts[value]) for value, label in Feedback.State.choices if value in counts]
    return render(request, "feedback/list.html", {
        "page": page, "state": state, "overdue": overdue, "unit": unit, "states": states,
        "today": timezone.localdate(), "can_manage": user_manages(request.user),
    })


def _get(request, number: str) -> Feedback:
    return get_object_or_404(feedback_visible_to(request.user).select_related("parent", "merged_into", "answered_by"), number=number)


@role_required(*STAFF_ROLES)
def feedback_detail(request, number: str):
    feedback = _get(request, number)
    manages = user_manages(request.user)
    units = _units()
    context = {
        "feedback": feedback,
        "contact": contact_for(request.user, feedback),
        "attachments": feedback.attachments.all(),
        "events": history(feedback),
        "parts": feedback.parts.select_related("unit") if is_provincial(request.user) else [],
        "merged": feedback.merged.all() if is_provincial(request.user) else [],
        "ratings": feedback.ratings.all(),
        "today": timezone.localdate(),
        "can_manage": manages,
        "can_answer": user_may_answer(request.user, feedback),
    }
    if manages:
        initial_unit = feedback.unit or feedback.unit_suggested
        context.update(
            route_form=RouteForm(units=units, initial={"unit": initial_unit}),
            split_form=SplitForm(units=units),
            merge_form=MergeForm(),
            dismiss_form=DismissForm(),
            publish_form=PublishForm(initial={"summary": feedback.public_summary or feedback.text}),
        )
    if context["can_answer"]:
        context["answer_form"] = AnswerForm()
    return render(request, "feedback/detail.html", context)


def _done(request, feedback: Feedback, message: str):
    messages.success(request, message)
    return redirect("feedback:detail", number=feedback.number)


def _failed(request, feedback: Feedback, error):
    for text in getattr(error, "messages", [str(error)]):
        messages.error(request, text)
    return redirect("feedback:detail", number=feedback.number)


@require_POST
@role_required(*MANAGING_ROLES)
def feedback_action(request, number: str, action: str):
    feedback = _get(request, number)
    units = _units()
    try:
        if action == "route":
            form = RouteForm(request.POST, units=units)
            if not form.is_valid():
                raise ValidationError(_("Choose the responsible unit."))
            feedback = feedback_route(feedback=feedback, unit=form.cleaned_data["unit"], by=request.user, note=form.cleaned_data["note"])
            return _done(request, feedback, _("Routed to %(unit)s; deadline %(deadline)s.") % {
                "unit": feedback.unit.name, "deadline": f"{feedback.deadline:%d/%m/%Y}"})
        if action == "split":
            form = SplitForm(request.POST, units=units)
            if not form.is_valid():
                raise ValidationError(_("Check the parts."))
            parts = feedback_split(feedback=feedback, parts=form.parts(), by=request.user)
            return _done(request, feedback, _("Split into %(n)s parts, each routed to its unit.") % {"n": len(parts)})
        if action == "merge":
            form = MergeForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Give the number of the other feedback."))
            into = Feedback.objects.filter(number=form.cleaned_data["into"].strip().upper()).first()
            if into is None:
                raise ValidationError(_("No feedback has the number %(number)s.") % {"number": form.cleaned_data["into"]})
            feedback_merge(feedback=feedback, into=into, by=request.user, note=form.cleaned_data["note"])
            return _done(request, feedback, _("Merged into %(number)s.") % {"number": into.number})
        if action == "dismiss":
            form = DismissForm(request.POST)
            feedback_dismiss(feedback=feedback, reason=form.data.get("reason", ""), by=request.user)
            return _done(request, feedback, _("Set aside; the filer sees the reason."))
        if action == "publish":
            form = PublishForm(request.POST)
            feedback_publish(feedback=feedback, summary=form.data.get("summary", ""), by=request.user)
            return _done(request, feedback, _("The answer is published."))
        if action == "unpublish":
            feedback_unpublish(feedback=feedback, by=request.user, reason=request.POST.get("reason", ""))
            return _done(request, feedback, _("The answer is no longer published."))
    except ValidationError as error:
        return _failed(request, feedback, error)
    raise Http404


@require_POST
@login_required
def feedback_answer_view(request, number: str):
    feedback = _get(request, number)
    if not user_may_answer(request.user, feedback):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    try:
        feedback_answer(feedback=feedback, text=form.data.get("text", ""), by=request.user)
    except ValidationError as error:
        return _failed(request, feedback, error)
    return _done(request, feedback, _("Your answer has been recorded."))


@login_required
def attachment_download(request, pk: int):
    attachment = get_object_or_404(Attachment, pk=pk)
    if not feedback_visible_to(request.user).filter(pk=attachment.feedback_id).exists():
        raise Http404
    path = Path(settings.MEDIA_ROOT) / attachment.file
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=attachment.display_name, content_type=attachment.content_type)


@role_required(*PROVINCIAL_ROLES)
def figures(request):
    period = request.period
    rows = figures_table(period) if period else []
    return render(request, "feedback/figures.html", {
        "period": period, "rows": rows, "total": province_figures(period) if period else None,
        "can_manage": user_manages(request.user), "indicator_map": source_map("feedback", period) if period else {},
    })


@require_POST
@role_required(*MANAGING_ROLES)
def figures_publish(request):
    if request.period is None:
        raise Http404
    written = feedback_indicators_publish(period=request.period, by=request.user)
    messages.success(request, _("%(n)s indicator values written for %(period)s; index runs now read them.") % {
        "n": written, "period": request.period.name})
    return redirect("feedback:figures")


@require_POST
@role_required(*MANAGING_ROLES)
def escalate(request):
    job = job_start(kind="feedback_escalate", title=_("Check of overdue feedback"), by=request.user, task=feedback_escalate_task)
    return redirect("jobs:detail", pk=job.pk)
