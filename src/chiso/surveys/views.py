"""The secretariat's and analysts' survey pages: questionnaires, surveys, invitations, responses.

Unit officers are refused every page here: they never see individual responses.
"""

from __future__ import annotations

import io
import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chiso.accounts.permissions import (
    MANAGING_ROLES, SURVEY_ANSWER_ROLES, SURVEY_VIEWING_ROLES, may_see_small_survey_groups, may_see_survey_answers, role_required,
    user_manages,
)
from chiso.audit.queries import history
from chiso.core.safe_cells import csv_writer
from chiso.core.tabular import ImportFailed, upload_read
from chiso.jobs.imports import import_in_background, import_job_start

from chiso.surveys.collection import draft_cookies
from chiso.surveys.collection.entries import addresses_allowed, answers_entry_change, entry_action
from chiso.surveys.collection.evaluation import first_entries
from chiso.surveys.collection.importing import responses_import
from chiso.surveys.collection.links import code_shown
from chiso.surveys.collection.media import media_archive
from chiso.surveys.collection.pages import display_value, hidden_values, pages_relevant, review_sections, widgets
from chiso.surveys.collection.trial import trial_answers, trial_evaluate, trial_for, trial_reset, trial_store
from chiso.surveys.collection.xlsform import warning_text, xlsform_write
from chiso.surveys.fieldwork.browsing import BrowseForm, responses_browse
from chiso.surveys.fieldwork.mailing import invitation_link, invitation_values
from chiso.surveys.forms import AnonymityForm, ExtendForm, InvitationsForm, QuestionnaireUploadForm, ResponsesImportForm, SurveyForm, VersionForm
from chiso.surveys.models import Invitation, PaperForm, QuestionnaireVersion, Response, Survey
from chiso.surveys.queries import (paper_form_differences, paper_forms_overview, response_evaluation, survey_anonymity_refusal,
                                  survey_summary, surveys_list, versions_list)
from chiso.surveys.services import (
    AccessRefused,
    invitation_code,
    invitations_create,
    paper_form_settle,
    paper_form_start,
    questionnaire_import,
    survey_anonymity_set,
    survey_close,
    survey_create,
    survey_extend,
    survey_open_now,
    survey_paper_double_entry_set,
    survey_version_set,
)
from chiso.surveys.tasks import questionnaire_import_task, responses_import_task


@role_required(*SURVEY_VIEWING_ROLES)
def survey_list(request):
    return render(
        request,
        "surveys/list.html",
        {"surveys": surveys_list(), "versions": versions_list(), "can_manage": user_manages(request.user)},
    )


@role_required(*MANAGING_ROLES)
def questionnaire_upload(request):
    problems = []
    form = QuestionnaireUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            content = upload_read(upload, kind="xlsform")
            if import_in_background([(upload.name, content)]):  # a large workbook: parsed and stored by a job
                job = import_job_start(kind="surveys_questionnaire_import", title=_("Import of the questionnaire %(file)s") % {"file": upload.name},
                                       by=request.user, task=questionnaire_import_task, files=[(upload.name, content)])
                return redirect("jobs:detail", pk=job.pk)
            result = questionnaire_import(file_name=upload.name, content=content, by=request.user)
        except ImportFailed as failure:
            problems = failure.problems
        else:
            if result.created:
                messages.success(request, _("Questionnaire %(form)s version %(version)s imported.") % {"form": result.version.questionnaire.form_id, "version": result.version.version})
            else:
                messages.info(request, _("This version was already imported; nothing changed."))
            return redirect("surveys:questionnaire", pk=result.version.pk)
    return render(request, "surveys/questionnaire_upload.html", {"form": form, "problems": problems}, status=400 if problems else 200)


@role_required(*SURVEY_VIEWING_ROLES)
def questionnaire_detail(request, pk: int):
    version = get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire", "created_by").defer("xlsform"), pk=pk)
    form = version.form
    return render(
        request,
        "surveys/questionnaire_detail.html",
        {
            "version": version,
            "warnings": [warning_text(w) for w in version.warnings or []],
            "formdef": form,
            "elements": _preview_rows(form),
            "can_manage": user_manages(request.user),
        },
    )


def _preview_rows(form):
    """Every element with its depth, label, hint, choices and logic: the preview of a form."""
    rows = []

    def visit(element, depth):
        for child in element.children:
            if child.type == "calculate" and child.name.endswith("_count") and child.bind.get("readonly"):
                continue  # pyxform's own repeat counter
            choices = []
            if child.is_select:
                if child.itemset_file:
                    choices = [(child.itemset_file, _("the period's units of block %(block)s") % {"block": child.units_block})]
                else:
                    choices = [(c.name, form.text(c.label)) for c in form.choices.get(child.list_name or "", [])]
            rows.append({"element": child, "depth": depth, "label": form.text(child.label), "hint": form.text(child.hint), "choices": choices,
                         "constraint_message": form.text(child.constraint_message),
                         "repeat_count": form.repeat_count_as_written(child) if child.is_repeat else ""})
            if child.is_group:
                visit(child, depth + 1)

    visit(form.root, 0)
    return rows


@role_required(*SURVEY_VIEWING_ROLES)
def questionnaire_download(request, pk: int, kind: str):
    version = get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=pk)
    if kind == "original":
        content, name = bytes(version.xlsform), version.file_name
    elif kind == "xlsform":
        content, name = xlsform_write(version.survey), f"{version.questionnaire.form_id}-{version.version}.xlsx"
    else:
        raise Http404
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*MANAGING_ROLES)
def survey_new(request):
    form = SurveyForm(request.POST or None, initial={"period": request.period, "version": request.GET.get("version")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        survey = survey_create(
            code=data["code"], title_vi=data["title_vi"], title_en=data["title_en"], period=data["period"], version=data["version"],
            opens_at=data["opens_at"], closes_at=data["closes_at"], open_link=data["open_link"], by=request.user,
            anonymous=not data["not_anonymous"],
        )
        messages.success(request, _("Survey created."))
        return redirect("surveys:detail", code=survey.code)
    return render(request, "surveys/survey_form.html", {"form": form})


@role_required(*SURVEY_ANSWER_ROLES)
def survey_media_zip(request, code: str):
    """issue 20: the photos, recordings and files that a survey's written responses name, in one ZIP."""
    survey = _survey(code)
    if survey.anonymous:
        raise Http404
    target = tempfile.TemporaryFile()
    media_archive(survey, target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=f"{survey.code}-media.zip", content_type="application/zip")


def _survey(code: str) -> Survey:
    return get_object_or_404(Survey.objects.select_related("period", "version__questionnaire"), code=code)


@role_required(*SURVEY_VIEWING_ROLES)
def survey_detail(request, code: str):
    survey = _survey(code)
    manages = user_manages(request.user)
    return render(
        request,
        "surveys/survey_detail.html",
        {
            "survey": survey,
            "summary": survey_summary(survey),
            "can_manage": manages,
            "can_see_responses": may_see_survey_answers(request.user),
            "extend_form": ExtendForm(initial={"closes_at": survey.closes_at}) if manages else None,
            "version_form": VersionForm(survey=survey, initial={"version": survey.version}) if manages else None,
            # Anonymity changes only before anyone began answering (survey_anonymity_refusal).
            "anonymity_form": AnonymityForm(initial={"not_anonymous": not survey.anonymous})
            if manages and survey_anonymity_refusal(survey) is None else None,
            "invitations_form": InvitationsForm() if manages else None,
            "open_url": request.build_absolute_uri(reverse("surveys_public:open", args=[survey.open_key])) if survey.open_link else "",
            "events": history(survey).order_by("-at", "-pk")[:20] if manages else [],
        },
    )


@require_POST
@role_required(*MANAGING_ROLES)
def survey_action(request, code: str, action: str):
    survey = _survey(code)
    if action == "close":
        survey_close(survey=survey, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("The survey is closed. Links now say so."))
    elif action == "open":
        try:
            survey_open_now(survey=survey, by=request.user)
            messages.success(request, _("The survey is open."))
        except ValidationError as refused:  # issue 20: an anonymous survey with media questions
            messages.error(request, " ".join(refused.messages))
    elif action == "extend":
        form = ExtendForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a valid closing time."))
        else:
            try:
                survey_extend(survey=survey, closes_at=form.cleaned_data["closes_at"], by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The survey now closes at %(time)s.") % {"time": _local(form.cleaned_data["closes_at"])})
    elif action == "version":
        form = VersionForm(request.POST, survey=survey)
        if form.is_valid():
            try:
                survey_version_set(survey=survey, version=form.cleaned_data["version"], by=request.user)
                messages.success(request, _("New answers use version %(version)s; answers already started keep theirs.") % {"version": form.cleaned_data["version"].version})
            except ValidationError as refused:  # issue 20: an anonymous survey with media questions
                messages.error(request, " ".join(refused.messages))
    elif action == "anonymity":
        form = AnonymityForm(request.POST)
        if form.is_valid():
            try:
                survey = survey_anonymity_set(survey=survey, anonymous=not form.cleaned_data["not_anonymous"], by=request.user,
                                              reason=form.cleaned_data["reason"])
            except ValidationError as refused:
                messages.error(request, " ".join(refused.messages))
            else:
                messages.success(request, _("The survey is anonymous.") if survey.anonymous else _("The survey is not anonymous."))
    else:
        raise Http404
    return redirect("surveys:detail", code=survey.code)


def _local(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@require_POST
@role_required(*MANAGING_ROLES)
def invitations_new(request, code: str):
    survey = _survey(code)
    form = InvitationsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("labels", [])))
        return redirect("surveys:detail", code=survey.code)
    created = invitations_create(survey=survey, labels=form.cleaned_data["labels"], by=request.user)
    base = request.build_absolute_uri("/")[:-1]
    links = [(invitation.label, f"{base}{reverse('surveys_public:token', args=[token])}", code_shown(invitation_code(invitation)))
             for invitation, token in created]
    ids = ",".join(str(invitation.pk) for invitation, _token in created)
    return render(request, "surveys/invitations_created.html", {
        "survey": survey, "links": links, "code_url": f"{base}{reverse('surveys_public:code')}", "ids": ids,
    })


@role_required(*MANAGING_ROLES)
def invitations_download(request, code: str, fmt: str):
    """The links and codes of invitations made by hand (those just made: `?ids=`), as CSV for a
    mail merge or as one SMS text per line. Made again from each salt: nothing is stored."""
    survey = _survey(code)
    if fmt not in ("csv", "txt"):
        raise Http404
    invitations = Invitation.objects.filter(survey=survey, member__isnull=True).exclude(link_salt="").exclude(
        status__in=(Invitation.Status.COMPLETED, Invitation.Status.REVOKED)).order_by("label", "pk")
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.strip().isdigit()]
    if ids:
        invitations = invitations.filter(pk__in=ids)
    base = request.build_absolute_uri("/")[:-1]
    rows = []
    for invitation in invitations:
        token = invitation_link(invitation)
        if token:
            rows.append((invitation, invitation_values(invitation, token, base, survey=survey)))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv_writer(buffer)
        writer.writerow([_("Label"), _("Link"), _("Survey code"), _("Code page"), _("Deadline")])
        for invitation, values in rows:
            writer.writerow([invitation.label, values["duong_dan"], values["ma_khao_sat"], values["trang_nhap_ma"], values["han_chot"]])
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        lines = [
            _("%(label)s\tPlease answer %(survey)s by %(deadline)s: %(link)s (or enter code %(code)s at %(page)s)") % {
                "label": invitation.label, "survey": values["ten_khao_sat"], "deadline": values["han_chot"], "link": values["duong_dan"],
                "code": values["ma_khao_sat"], "page": values["trang_nhap_ma"]}
            for invitation, values in rows
        ]
        response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{survey.code}-invitations.{fmt}"'
    return response


@role_required(*MANAGING_ROLES)
def paper_entry(request, code: str):
    """Nhập phiếu giấy — type the form number, then the form; after saving, this page again
    with an empty number: the next form. Forms typed twice and their differences are listed."""
    survey = _survey(code)
    if request.method == "POST":
        try:
            draft = paper_form_start(survey=survey, number=request.POST.get("number", ""), by=request.user)
        except AccessRefused:
            messages.error(request, _("The survey has not opened yet."))
            return redirect("surveys:detail", code=survey.code)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("surveys:paper", code=survey.code)
        ref = draft_cookies.ref_add(request, draft=draft, channel="paper")
        return draft_cookies.kept(request, redirect("surveys_public:resume", ref=ref))
    return render(request, "surveys/paper.html", {"survey": survey, **paper_forms_overview(survey, request.user)})


@require_POST
@role_required(*MANAGING_ROLES)
def paper_double_entry(request, code: str):
    survey = _survey(code)
    required = request.POST.get("required") == "1"
    survey_paper_double_entry_set(survey=survey, required=required, by=request.user)
    messages.success(request, _("Each paper form is now typed twice.") if required else _("Each paper form is now typed once."))
    return redirect("surveys:paper", code=survey.code)


@role_required(*MANAGING_ROLES)
def paper_settle(request, code: str, pk: int):
    """Đối chiếu — the two entries of a form side by side where they differ; a third person picks."""
    survey = _survey(code)
    paper_form = get_object_or_404(PaperForm, survey=survey, pk=pk)
    errors = []
    if request.method == "POST" and paper_form.status == PaperForm.Status.TO_SETTLE:
        rows = paper_form_differences(paper_form)
        chosen = {row["address"]: request.POST.get(f"pick-{row['address']}", "") for row in rows}
        typed = {row["address"]: request.POST.get(f"typed-{row['address']}", "") for row in rows}
        try:
            paper_form_settle(paper_form=paper_form, chosen=chosen, typed=typed, by=request.user)
        except (PermissionDenied, ValidationError) as error:
            errors = error.messages if isinstance(error, ValidationError) else [str(error) or _("You may not settle this form.")]
        else:
            messages.success(request, _("Form %(number)s settled: it counts with the next batch of paper forms.") % {"number": paper_form.number})
            return redirect("surveys:paper", code=survey.code)
    rows = paper_form_differences(paper_form) if paper_form.status == PaperForm.Status.TO_SETTLE else []
    return render(request, "surveys/paper_settle.html", {
        "survey": survey, "paper_form": paper_form, "rows": rows, "errors": errors,
        "own": paper_form.entries.filter(clerk=request.user).exists(),
    }, status=400 if errors else 200)


@role_required(*MANAGING_ROLES)
def responses_import_view(request, code: str):
    survey = _survey(code)
    problems = []
    form = ResponsesImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            files = [(f.name, upload_read(f, kind="responses")) for f in form.cleaned_data["files"]]
            if import_in_background(files):  # a large export: read, checked and held by a job
                job = import_job_start(kind="surveys_responses_import", title=_("Import of responses: %(survey)s") % {"survey": survey.title_vi},
                                       by=request.user, task=responses_import_task, files=files, survey_id=survey.pk)
                return redirect("jobs:detail", pk=job.pk)
            result = responses_import(survey=survey, files=files, by=request.user)
        except ImportFailed as failure:
            problems = failure.problems
        else:
            messages.success(
                request,
                _("Imported %(created)s responses; %(existing)s were imported before and skipped.") % {"created": result.created, "existing": result.already_imported},
            )
            if result.held:
                messages.info(request, _("%(held)s imported responses wait for the next batch: responses are added in batches, never a few at a time.") % {"held": result.held})
            return redirect("surveys:detail", code=survey.code)
    return render(request, "surveys/responses_import.html", {"survey": survey, "form": form, "problems": problems}, status=400 if problems else 200)


@role_required(*SURVEY_ANSWER_ROLES)
def response_list(request, code: str):
    """Duyệt phiếu — the responses, filtered by GET parameters, a page at a time, with a summary per question."""
    survey = _survey(code)
    form = BrowseForm(request.GET or None, survey=survey)
    valid = not form.is_bound or form.is_valid()
    browse = responses_browse(survey=survey, filters=form.cleaned_data if form.is_bound else {}, all_groups=may_see_small_survey_groups(request.user)) if valid else None
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "surveys/response_list.html", {
        "survey": survey, "form": form, "browse": browse, "query": query.urlencode(), "total": survey.responses.count(),
    }, status=200 if valid else 400)


@role_required(*SURVEY_ANSWER_ROLES)
def response_detail(request, code: str, pk):
    survey = _survey(code)
    response = get_object_or_404(Response.objects.select_related("version", "survey__period"), survey=survey, pk=pk)
    evaluation = response_evaluation(response)
    sections = [
        {"title": title, "rows": [(w, display_value(w)) for w in items]}
        for _page, title, items in review_sections(evaluation)
    ]
    return render(request, "surveys/response_detail.html", {"survey": survey, "response": response, "sections": sections})


# --- trying a form (test mode: the respondent's pages, nothing stored in the survey's data) ---

def _trial_or_404(request, code: str):
    trial = trial_for(code=code, period=getattr(request, "period", None))
    if trial is None:
        raise Http404
    return trial


@role_required(*MANAGING_ROLES)
def questionnaire_try(request, pk: int):
    return _try_start(request, f"v{pk}")


@role_required(*MANAGING_ROLES)
def survey_try(request, code: str):
    return _try_start(request, f"s-{code}")


def _try_start(request, code: str):
    trial_reset(request.session, _trial_or_404(request, code))
    return redirect("surveys:try_page", trial=code, key="start")


def _try_render(request, trial, evaluation, page, pages, *, errors=None, notice="", fragment=False):
    index = [p.key for p in pages].index(page.key) if page in pages else 0
    items = widgets(page, evaluation, errors=errors or {})
    context = {
        "trial": trial, "survey": trial.survey or {"title": trial.version.title}, "page": page, "page_title": page.title(evaluation),
        "widgets": items, "has_entry_buttons": any(w.kind in ("entries", "entry_end") for w in items),
        "shown": [w.address for w in items if w.is_question], "hidden": hidden_values(page, evaluation),
        "errors": [(w, w.error) for w in items if w.error] + [(None, m) for a, m in (errors or {}).items() if a not in {w.address for w in items}],
        "notice": notice, "step": index + 1, "steps": len(pages) + 1, "is_first": index == 0,
    }
    return render(request, "surveys/_page_fields.html" if fragment else "surveys/respond_page.html", context)


@role_required(*MANAGING_ROLES)
def try_page(request, trial: str, key: str):
    trial = _trial_or_404(request, trial)
    answers = trial_answers(request.session, trial)
    if request.method != "POST":
        evaluation = trial_evaluate(trial, answers)
        pages = pages_relevant(evaluation)
        page = next((p for p in pages if p.key == key), pages[0] if pages and key == "start" else None)
        if page is None:
            return redirect("surveys:try_review", trial=trial.code)
        return _try_render(request, trial, evaluation, page, pages)
    shown = addresses_allowed(trial.form, answers, request.POST.getlist("_shown"))
    values = {address: " ".join(v for v in request.POST.getlist(address) if v) for address in shown}
    action = request.POST.get("action", "next")
    evaluation = trial_evaluate(trial, answers, values=values, addresses=shown)
    errors = evaluation.errors(addresses=set(shown)) if action == "next" else {}
    answers = evaluation.answers_computed()
    if first_entries(trial.form, answers):  # lists never started get their first entry
        evaluation = trial_evaluate(trial, answers)
    trial_store(request.session, trial, answers)
    pages = pages_relevant(evaluation)
    keys = [p.key for p in pages]
    page = next((p for p in pages if p.key == key), None)
    if errors and page is not None:
        return _try_render(request, trial, evaluation, page, pages, errors=errors)
    change = entry_action(action)
    if change is not None and page is not None:
        outcome = answers_entry_change(form=trial.form, answers=answers, evaluation=evaluation, page=page, kind=change[0], address=change[1])
        if outcome.error:
            return _try_render(request, trial, evaluation, page, pages, errors={"": outcome.error})
        trial_store(request.session, trial, answers)
        return redirect(reverse("surveys:try_page", args=[trial.code, key]) + "#" + outcome.anchor)
    if action == "back":
        position = keys.index(key) if key in keys else len(keys)
        return redirect("surveys:try_page", trial=trial.code, key=keys[max(0, position - 1)]) if keys else redirect("surveys:try_review", trial=trial.code)
    if page is not None and action == "next":
        appeared = [w for w in widgets(page, evaluation) if w.is_question and w.address not in shown]
        if appeared:
            return _try_render(request, trial, evaluation, page, pages, notice=_("Your answers added questions to this page."))
    following = keys[keys.index(key) + 1:] if key in keys else keys
    if following and action != "save":
        return redirect("surveys:try_page", trial=trial.code, key=following[0])
    return redirect("surveys:try_review", trial=trial.code)


@require_POST
@role_required(*MANAGING_ROLES)
def try_refresh(request, trial: str, key: str):
    """htmx: the trial page's questions as the posted answers make them (nothing is kept)."""
    trial = _trial_or_404(request, trial)
    answers = trial_answers(request.session, trial)
    shown = addresses_allowed(trial.form, answers, request.POST.getlist("_shown"))
    values = {address: " ".join(v for v in request.POST.getlist(address) if v) for address in shown}
    evaluation = trial_evaluate(trial, answers, values=values, addresses=shown)
    pages = pages_relevant(evaluation)
    page = next((p for p in pages if p.key == key), None)
    if page is None:
        return HttpResponse(status=204)
    return _try_render(request, trial, evaluation, page, pages, fragment=True)


@role_required(*MANAGING_ROLES)
def try_review(request, trial: str):
    """The review page; "submit" checks the whole form as the server would and stores nothing."""
    trial = _trial_or_404(request, trial)
    evaluation = trial_evaluate(trial, trial_answers(request.session, trial))
    problems = evaluation.errors()
    checked = request.method == "POST"
    sections = []
    for page, title, items in review_sections(evaluation):
        rows = [(w, display_value(w), problems.get(w.address, "")) for w in items]
        sections.append({"page": page, "title": title, "rows": rows, "has_problem": any(r[2] for r in rows)})
    pages = pages_relevant(evaluation)
    return render(
        request,
        "surveys/respond_review.html",
        {
            "trial": trial, "survey": trial.survey or {"title": trial.version.title}, "sections": sections, "problem_count": len(problems),
            "step": len(pages) + 1, "steps": len(pages) + 1, "last_page": pages[-1].key if pages else None,
            "trial_checked": checked and not problems,
        },
        status=400 if checked and problems else 200,
    )
