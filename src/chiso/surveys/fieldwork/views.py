"""The survey operation's pages: frames and samples, contact, monitoring, quality, indicators, exports.

Identity (frames, sampled businesses, contact) is for the secretariat only; analysts see answers
without identity (quality, indicators, exports); leaders see the monitoring counts.
"""

from __future__ import annotations

import io
from collections import Counter

import yaml
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chiso.accounts.permissions import MANAGING_ROLES, SURVEY_ANSWER_ROLES, SURVEY_VIEWING_ROLES, role_required
from chiso.core.safe_cells import csv_writer
from chiso.core.tabular import ImportFailed, upload_read
from chiso.frameworks.models import Framework
from chiso.indices.models import IndexRun
from chiso.jobs.imports import import_in_background, import_job_start
from chiso.jobs.services import job_start

from chiso.surveys.fieldwork import indicators  # a module: tests replace its indicator_table
from chiso.surveys.fieldwork.browsing import responses_per_day_chart
from chiso.surveys.fieldwork.exports import csv_stream
from chiso.surveys.fieldwork.frames import frame_import
from chiso.surveys.fieldwork.mailing import (
    PLACEHOLDERS,
    invitation_letters_pdf,
    invitation_opt_out,
    invitation_resend,
    message_template_get,
    message_template_set,
)
from chiso.surveys.fieldwork.monitoring import analysis_for, survey_monitor
from chiso.surveys.fieldwork.quality import decisions_in_force, response_decide, rules_check
from chiso.surveys.fieldwork.sampling import member_replace, parse_sizes, sample_draw, sample_strata
from chiso.surveys.fieldwork.weighting import weighting_check
from chiso.surveys.forms import AnalysisForm, DecisionForm, ExportForm, FrameUploadForm, MessageTemplateForm, RulesUploadForm, SampleForm
from chiso.surveys.models import (
    IndicatorComputation,
    IndicatorRule,
    Invitation,
    MessageTemplate,
    QualityFlag,
    Response,
    Sample,
    SampleMember,
    Survey,
)
from chiso.surveys.queries import INVITATION_STATES, flagged_responses, frames_list, invitations_status, quality_counts, sample_members
from chiso.surveys.services import invitation_revoke, survey_analysis_set
from chiso.surveys.tasks import export_task, frame_import_task, invitations_send_task, letters_task, quality_check_task


def _survey(code: str) -> Survey:
    return get_object_or_404(Survey.objects.select_related("period", "version__questionnaire"), code=code)


def _base_url(request) -> str:
    return request.build_absolute_uri("/")[:-1]


# --- frames ----------------------------------------------------------------------------------

@role_required(*MANAGING_ROLES)
def frame_list(request):
    return render(request, "surveys/frames.html", {"frames": frames_list()})


@role_required(*MANAGING_ROLES)
def frame_upload(request):
    problems = []
    form = FrameUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = upload_read(upload, kind="frame")
            if import_in_background([(upload.name, content)]):  # a large frame: read, checked and stored by a job
                job = import_job_start(kind="surveys_frame_import", title=_("Import of the sample frame %(name)s") % {"name": form.cleaned_data["name"]},
                                       by=request.user, task=frame_import_task, files=[(upload.name, content)], name=form.cleaned_data["name"],
                                       frame_kind=form.cleaned_data["kind"], duplicates=form.cleaned_data["duplicates"])
                return redirect("jobs:detail", pk=job.pk)
            result = frame_import(name=form.cleaned_data["name"], file_name=upload.name, content=content, kind=form.cleaned_data["kind"],
                                  duplicates=form.cleaned_data["duplicates"], by=request.user)
        except ImportFailed as failure:
            problems = failure.problems
        else:
            messages.success(request, _("Frame imported: %(n)s entries.") % {"n": result.entries})
            for note in result.merged[:20]:
                messages.info(request, note)
            if len(result.merged) > 20:
                messages.info(request, _("… and %(n)s more merged rows.") % {"n": len(result.merged) - 20})
            return redirect("surveys:frames")
    return render(request, "surveys/frame_upload.html", {"form": form, "problems": problems}, status=400 if problems else 200)


# --- sample ----------------------------------------------------------------------------------

@role_required(*MANAGING_ROLES)
def sample_view(request, code: str):
    survey = _survey(code)
    sample = Sample.objects.filter(survey=survey).select_related("frame", "created_by").first()
    form = SampleForm(request.POST or None, initial={"frame": sample.frame_id if sample else None, "strata": ["sector", "size"]})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sizes = parse_sizes(data["sizes"]) if data["allocation"] == "set" else None
            sample = sample_draw(survey=survey, frame=data["frame"], strata=data["strata"], size=data["size"] if sizes is None else None,
                                 sizes=sizes, replacement_ratio=data["replacement_ratio"], seed=data["seed"], by=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Sample drawn: %(n)s businesses, seed %(seed)s.") % {"n": sample.size, "seed": sample.seed})
            return redirect("surveys:sample", code=survey.code)
    stratum = request.GET.get("stratum", "")
    return render(request, "surveys/sample.html", {
        "survey": survey, "sample": sample, "form": form, "strata": sample_strata(sample) if sample else [],
        "members": list(sample_members(sample, stratum=stratum)[:300]) if sample else [], "stratum": stratum,
        "target": analysis_for(survey).min_answers_per_unit,
    }, status=400 if request.method == "POST" else 200)


@role_required(*MANAGING_ROLES)
def invitation_list(request, code: str):
    """Trạng thái lời mời — each invitation and where it stands (identity: the secretariat only)."""
    survey = _survey(code)
    rows = invitations_status(survey)
    counts = Counter(row["state"] for row in rows)
    state = request.GET.get("state", "")
    if state in INVITATION_STATES:
        rows = [row for row in rows if row["state"] == state]
    labels = {
        "created": _("created"), "sent": _("sent"), "opened": _("opened"), "completed": _("completed"),
        "opted_out": _("opted out"), "bounced": _("bounced"), "revoked": _("revoked"),
    }
    for row in rows:
        row["label"] = labels[row["state"]]
    return render(request, "surveys/invitation_list.html", {
        "survey": survey, "rows": rows[:2000], "shown": len(rows), "state": state,
        "states": [(s, labels[s], counts.get(s, 0)) for s in reversed(INVITATION_STATES)],
        "hand_made": sum(1 for row in rows if row["member"] is None and row["can_print"]),
    })


@require_POST
@role_required(*MANAGING_ROLES)
def invitation_action(request, code: str, pk: int, action: str):
    """One invitation: send it again (e-mail), revoke it, or print its letter."""
    survey = _survey(code)
    invitation = get_object_or_404(Invitation.objects.select_related("survey"), pk=pk, survey=survey)
    name = str(invitation)
    try:
        if action == "resend":
            invitation_resend(invitation=invitation, base_url=_base_url(request), by=request.user)
            messages.success(request, _("The invitation was e-mailed again to %(name)s.") % {"name": name})
        elif action == "revoke":
            invitation_revoke(invitation=invitation, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("The invitation of %(name)s is revoked: its link and code no longer open the form.") % {"name": name})
        elif action == "letter":
            content, _count = invitation_letters_pdf(survey=survey, invitations=[invitation], base_url=_base_url(request))
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{survey.code}-letter-{invitation.pk}.pdf"'
            return response
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(reverse("surveys:invitation_list", args=[survey.code]) + f"#i-{invitation.pk}")


@require_POST
@role_required(*MANAGING_ROLES)
def invitation_letters(request, code: str):
    """Letters (PDF) for every invitation made by hand that may still be answered."""
    survey = _survey(code)
    invitations = Invitation.objects.filter(survey=survey, member__isnull=True).exclude(link_salt="").order_by("label", "pk")
    try:
        content, _count = invitation_letters_pdf(survey=survey, invitations=invitations, base_url=_base_url(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("surveys:invitation_list", code=survey.code)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{survey.code}-letters.pdf"'
    return response


@require_POST
@role_required(*MANAGING_ROLES)
def member_replace_view(request, code: str, pk: int):
    survey = _survey(code)
    member = get_object_or_404(SampleMember.objects.select_related("sample", "invitation"), pk=pk, sample__survey=survey)
    try:
        replacement = member_replace(member=member, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Replaced by replacement no. %(n)s of the stratum.") % {"n": replacement.position})
    return redirect(reverse("surveys:sample", args=[survey.code]) + "?" + urlencode({"stratum": member.stratum}))


# --- contact ---------------------------------------------------------------------------------

@never_cache
@require_http_methods(["GET", "POST"])
def opt_out(request, token: str):
    """Declining from an invitation e-mail: a confirmation page, then no more reminders.

    The token is in this one URL (redacted from logs like `/s/<token>/`); nothing else is asked.
    """
    if request.method == "POST":
        if not invitation_opt_out(token=token):
            return render(request, "surveys/respond_refused.html", {"reason": "unknown", "survey": None}, status=404)
        return render(request, "surveys/respond_optout.html", {"done": True})
    return render(request, "surveys/respond_optout.html", {"done": False})


@role_required(*MANAGING_ROLES)
def contact_view(request, code: str):
    survey = _survey(code)
    sample = Sample.objects.filter(survey=survey).first()
    forms = {}
    heading = MessageTemplate.objects.filter(survey=survey, kind=MessageTemplate.Kind.LETTER).values("issuer", "reference", "place").first() or {}
    for kind, label in MessageTemplate.Kind.choices:
        subject, body = message_template_get(survey, kind)
        bound = request.method == "POST" and request.POST.get("kind") == kind
        letter = kind == MessageTemplate.Kind.LETTER
        forms[kind] = (label, MessageTemplateForm(request.POST if bound else None, initial={"subject": subject, "body": body, **heading},
                                                  prefix=kind, letter=letter))
        if bound and forms[kind][1].is_valid():
            data = forms[kind][1].cleaned_data
            try:
                message_template_set(survey=survey, kind=kind, subject=data.get("subject", ""), body=data["body"], by=request.user,
                                     issuer=data.get("issuer", ""), reference=data.get("reference", ""), place=data.get("place", ""))
            except ValidationError as error:
                forms[kind][1].add_error("body", error)
            else:
                messages.success(request, _("Text saved."))
                return redirect("surveys:contact", code=survey.code)
    counts = {}
    if sample is not None:
        members = SampleMember.objects.filter(sample=sample, active=True)
        counts = {
            "active": members.count(), "with_email": members.exclude(entry__email="").count(),
            "emailed": members.filter(emailed_at__isnull=False).count(), "letters": members.filter(letter_at__isnull=False).count(),
            "opted_out": members.filter(opted_out_at__isnull=False).count(), "errors": members.exclude(send_error="").count(),
        }
    return render(request, "surveys/contact.html", {"survey": survey, "sample": sample, "forms": forms, "counts": counts,
                                                     "placeholders": PLACEHOLDERS}, status=400 if request.method == "POST" else 200)


@require_POST
@role_required(*MANAGING_ROLES)
def contact_send(request, code: str, kind: str):
    survey = _survey(code)
    sample = get_object_or_404(Sample, survey=survey)
    if kind in ("invitation", "reminder"):
        title = _("Invitation e-mails: %(survey)s") if kind == "invitation" else _("Reminders: %(survey)s")
        job = job_start(kind=f"surveys_{kind}", title=title % {"survey": survey.title_vi}, by=request.user, task=invitations_send_task,
                        sample_id=sample.pk, message_kind=kind, base_url=_base_url(request), user_id=request.user.pk)
    elif kind in ("letters", "letters_no_email"):
        job = job_start(kind="surveys_letters", title=_("Invitation letters (PDF): %(survey)s") % {"survey": survey.title_vi}, by=request.user,
                        task=letters_task, sample_id=sample.pk, base_url=_base_url(request), only_without_email=kind == "letters_no_email")
    else:
        raise Http404
    return redirect("jobs:detail", pk=job.pk)


# --- monitoring -------------------------------------------------------------------------------

@role_required(*SURVEY_VIEWING_ROLES)
def monitor_view(request, code: str):
    survey = _survey(code)
    template = "surveys/_monitor.html" if request.htmx else "surveys/monitor.html"
    monitor = survey_monitor(survey)
    return render(request, template, {"survey": survey, "monitor": monitor, "days_chart": responses_per_day_chart(survey, monitor.days)})


# --- analysis settings -----------------------------------------------------------------------

@role_required(*SURVEY_ANSWER_ROLES)
def analysis_view(request, code: str):
    survey = _survey(code)
    analysis = analysis_for(survey)
    initial = {
        "min_cell": analysis.min_cell, "min_answers_per_unit": analysis.min_answers_per_unit,
        "quality": yaml.safe_dump(analysis.quality, allow_unicode=True, sort_keys=False) if analysis.quality else "",
        "weighting": yaml.safe_dump(analysis.weighting, allow_unicode=True, sort_keys=False) if analysis.weighting else "",
    }
    form = AnalysisForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        problems = rules_check(survey, [r for r in (data["quality"].get("rules") or []) if isinstance(r, dict)]) + weighting_check(survey, data["weighting"])
        if problems:
            for message in problems:
                form.add_error(None, message)
        else:
            survey_analysis_set(survey=survey, by=request.user, min_cell=data["min_cell"],
                                min_answers_per_unit=data["min_answers_per_unit"], quality=data["quality"],
                                weighting=data["weighting"])
            messages.success(request, _("Settings saved."))
            return redirect("surveys:analysis", code=survey.code)
    return render(request, "surveys/analysis.html", {"survey": survey, "form": form}, status=400 if request.method == "POST" else 200)


# --- quality ---------------------------------------------------------------------------------

@role_required(*SURVEY_ANSWER_ROLES)
def quality_view(request, code: str):
    survey = _survey(code)
    flag = request.GET.get("flag", "")
    responses = list(flagged_responses(survey, code=flag)[:300])
    decisions = decisions_in_force(survey)
    return render(request, "surveys/quality.html", {
        "survey": survey, "responses": responses, "counts": quality_counts(survey), "codes": QualityFlag.Code.choices, "flag": flag,
        "decision_form": DecisionForm(), "excluded": sum(1 for v in decisions.values() if not v), "decided": len(decisions),
        "total": Response.objects.filter(survey=survey).count(),
    })


@require_POST
@role_required(*SURVEY_ANSWER_ROLES)
def quality_run(request, code: str):
    survey = _survey(code)
    job = job_start(kind="surveys_quality", title=_("Data quality check: %(survey)s") % {"survey": survey.title_vi}, by=request.user,
                    task=quality_check_task, survey_id=survey.pk)
    return redirect("jobs:detail", pk=job.pk)


@require_POST
@role_required(*SURVEY_ANSWER_ROLES)
def quality_decide(request, code: str, pk):
    survey = _survey(code)
    response = get_object_or_404(Response, pk=pk, survey=survey)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose include or exclude and give the reason."))
    else:
        response_decide(response=response, include=form.cleaned_data["include"], reason=form.cleaned_data["reason"], by=request.user)
        messages.success(request, _("Decision recorded."))
    return redirect(reverse("surveys:quality", args=[survey.code]) + f"#r-{response.pk}")


# --- indicators --------------------------------------------------------------------------------

@role_required(*SURVEY_ANSWER_ROLES)
def indicators_view(request, code: str):
    survey = _survey(code)
    problems, errors, table = [], [], None
    form = RulesUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            indicators.indicator_rules_import(survey=survey, framework=form.cleaned_data["framework"], file_name=upload.name, content=upload_read(upload, kind="indicator_rules"))
        except ImportFailed as failure:
            problems = failure.problems
        else:
            messages.success(request, _("Rules imported."))
            return redirect(reverse("surveys:indicators", args=[survey.code]) + "?" + urlencode({"framework": form.cleaned_data["framework"].code}))
    frameworks = Framework.objects.filter(pk__in=IndicatorRule.objects.filter(survey=survey).values("framework"))
    framework = frameworks.filter(code=request.GET.get("framework", "")).first() or frameworks.first()
    rules = [(rule, indicators.rule_in_words(survey.version.form, rule))
             for rule in IndicatorRule.objects.filter(survey=survey, framework=framework)] if framework else []
    if framework is not None and not problems:
        try:
            table = indicators.indicator_table(survey=survey, framework=framework)
        except ValidationError as error:
            errors = error.messages
    computations = IndicatorComputation.objects.filter(survey=survey).select_related("framework", "by")[:10]
    # The runs these values feed: where the index, and its sampling intervals, are computed.
    runs = (IndexRun.objects.filter(version__framework=framework, period=survey.period).select_related("block").order_by("-created_at")[:5]
            if framework else [])
    return render(request, "surveys/indicators.html", {
        "survey": survey, "form": form, "problems": problems, "errors": errors, "table": table, "rules": rules, "framework": framework,
        "frameworks": frameworks, "computations": computations, "runs": runs,
        "rows": [(u, [u["values"].get(c) for c in table.codes]) for u in table.units] if table else [],
    }, status=400 if problems else 200)


@require_POST
@role_required(*SURVEY_ANSWER_ROLES)
def indicators_write(request, code: str):
    survey = _survey(code)
    framework = get_object_or_404(Framework, code=request.POST.get("framework", ""))
    try:
        computation = indicators.indicator_values_write(survey=survey, framework=framework, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        below = sum(1 for u in computation.units if u["below_minimum"])
        messages.success(request, _("Indicator values written for %(period)s: %(units)s units, %(below)s under the minimum and left without a value.") % {
            "period": survey.period.name, "units": len(computation.units), "below": below})
    return redirect(reverse("surveys:indicators", args=[survey.code]) + "?" + urlencode({"framework": framework.code}))


@role_required(*SURVEY_ANSWER_ROLES)
def indicators_respondents(request, code: str):
    """The respondent-level table behind the indicator table (for bootstrap intervals)."""
    survey = _survey(code)
    framework = get_object_or_404(Framework, code=request.GET.get("framework", ""))
    try:
        table = indicators.indicator_table(survey=survey, framework=framework)
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain; charset=utf-8")
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["response_id", "unit", "indicator", "value", "weight"])
    writer.writerows(table.respondents)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{survey.code}-{framework.code}-respondents.csv"'
    return response


# --- exports ------------------------------------------------------------------------------------

@role_required(*SURVEY_ANSWER_ROLES)
def export_view(request, code: str):
    survey = _survey(code)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        job = job_start(kind="surveys_export", title=_("Export of %(survey)s (%(format)s)") % {"survey": survey.title_vi, "format": form.cleaned_data["format"]},
                        by=request.user, task=export_task, survey_id=survey.pk, fmt=form.cleaned_data["format"], include_text=form.cleaned_data["include_text"])
        return redirect("jobs:detail", pk=job.pk)
    return render(request, "surveys/export.html", {"survey": survey, "form": form, "total": Response.objects.filter(survey=survey).count()})


@role_required(*SURVEY_ANSWER_ROLES)
def export_csv(request, code: str):
    """The responses table streamed as CSV straight from the database (any size, constant memory)."""
    survey = _survey(code)
    response = StreamingHttpResponse(csv_stream(survey, include_text=request.GET.get("text") == "1"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{survey.code}-responses.csv"'
    return response
