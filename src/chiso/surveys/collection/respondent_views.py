"""The respondent's pages: open a link, answer page by page, review, submit.

Mobile-first, Vietnamese by default, working without JavaScript (htmx only refreshes which
questions are shown). Staff typing in a paper form go through these same pages. A list the
respondent fills (a repeat without repeat_count) has add and remove buttons: see entries.py.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chiso.accounts.permissions import MANAGING_ROLES
from chiso.core import ratelimit
from chiso.core.uploads import BoundedUploadHandler, body_drain, upload_max_bytes, upload_too_large

from chiso.surveys.collection import draft_cookies
from chiso.surveys.collection.entries import addresses_allowed, draft_entry_change, draft_first_entries, entry_action
from chiso.surveys.collection.links import code_normalise
from chiso.surveys.collection.media import UPLOAD_KIND, page_uploads
from chiso.surveys.collection.pages import display_value, hidden_values, pages_relevant, review_sections, widgets
from chiso.surveys.models import Draft, Survey
from chiso.surveys.queries import draft_evaluate
from chiso.surveys.services import (
    AccessRefused,
    SubmissionRejected,
    draft_for_code,
    draft_for_open_link,
    draft_for_token,
    draft_save,
    evaluation_for,
    response_submit,
)


def _refused(request, refusal: AccessRefused, status: int = 200):
    status = 404 if refusal.reason == "unknown" else status
    return render(request, "surveys/respond_refused.html", {"reason": refusal.reason, "survey": refusal.survey}, status=status)


def _no_session(request):
    return render(request, "surveys/respond_refused.html", {"reason": "session"}, status=403)


def _load(request, ref: str):
    """(draft, channel) for a reference of this browser, or a response explaining why not."""
    entry = draft_cookies.ref_get(request, ref)
    if entry is None:
        return None, _no_session(request)
    if entry["channel"] == "paper" and not (request.user.is_authenticated and (request.user.role in MANAGING_ROLES or request.user.is_superuser)):
        return None, _no_session(request)
    draft = Draft.objects.select_related("version", "survey__period", "survey__version").filter(key=entry["draft"]).first()
    if draft is None:
        draft_cookies.ref_forget(request, ref)
        survey = Survey.objects.filter(pk=entry["survey"]).first()
        return None, draft_cookies.kept(request, _refused(request, AccessRefused("completed", survey)))
    if draft.channel == Draft.Channel.WEB and draft.survey.state() != "open":
        return None, _refused(request, AccessRefused(draft.survey.state(), draft.survey))
    # Lists never started get their first entry, in memory: the page's next save keeps it.
    draft_first_entries(draft=draft)
    return draft, None


@never_cache
@require_http_methods(["GET", "POST"])
def enter_code(request):
    """For printed letters: type the code instead of following a link (the code travels in a POST body)."""
    error, code = "", ""
    if request.method == "POST":
        code = request.POST.get("code", "").strip()[:64]
        typed = code_normalise(code)
        if code and typed is None and len(code) < 16:
            # The check character caught a typo: not a guess, not counted.
            error = _("This code is not valid: compare it with your letter, one character may be mistyped.")
        elif code:
            # Guesses are limited per address like new drafts from an open link (docs/surveys.md).
            if ratelimit.address_hit(request, "survey-code", [ratelimit.parse_rate(settings.CHISO_SURVEY_OPEN_RATE)]):
                return _refused(request, AccessRefused("busy"), status=429)
            try:
                draft = draft_for_code(code=typed) if typed else draft_for_token(token=code)
            except AccessRefused as refusal:
                if refusal.reason != "unknown":
                    return _refused(request, refusal)
                error = _("This code is not valid. Check it and try again.")
            else:
                return draft_cookies.kept(request, redirect("surveys_public:resume", ref=draft_cookies.ref_add(request, draft=draft, channel="web")))
        else:
            error = _("Enter the code printed on your invitation.")
    # A refused code is shown again, so one mistyped character is mended, not the whole code retyped.
    return render(request, "surveys/respond_code.html", {"error": error, "code": code if error else ""}, status=400 if error else 200)


@never_cache
@require_GET
def token_landing(request, token: str):
    """The invitation link. The token is swapped for a browser reference at once (draft_cookies.py)."""
    try:
        draft = draft_for_token(token=token)
    except AccessRefused as refusal:
        return _refused(request, refusal)
    return draft_cookies.kept(request, redirect("surveys_public:resume", ref=draft_cookies.ref_add(request, draft=draft, channel="web")))


@never_cache
@require_GET
def open_link(request, key: str):
    survey = Survey.objects.filter(open_link=True, open_key=key).first() if key else None
    if survey is None:
        return _refused(request, AccessRefused("unknown"))
    # One draft per browser, so reloading the link does not start over.
    for ref, entry in draft_cookies.refs(request).items():
        if entry["survey"] == survey.pk and entry["channel"] == "web" and Draft.objects.filter(key=entry["draft"]).exists():
            return redirect("surveys_public:resume", ref=ref)
    # A new draft per address is limited (CHISO_SURVEY_OPEN_RATE, in the shared cache): a script
    # dropping its cookie would otherwise fill the table with empty drafts.
    if ratelimit.address_hit(request, "survey-open", [ratelimit.parse_rate(settings.CHISO_SURVEY_OPEN_RATE)]):
        return _refused(request, AccessRefused("busy", survey), status=429)
    try:
        draft = draft_for_open_link(survey=survey)
    except AccessRefused as refusal:
        return _refused(request, refusal)
    return draft_cookies.kept(request, redirect("surveys_public:resume", ref=draft_cookies.ref_add(request, draft=draft, channel="web")))


@never_cache
@require_GET
def resume(request, ref: str):
    draft, refusal = _load(request, ref)
    if refusal:
        return refusal
    evaluation = evaluation_for(survey=draft.survey, version=draft.version, answers=draft.answers)
    pages = pages_relevant(evaluation, whole_sections=draft.channel == Draft.Channel.PAPER)
    keys = [p.key for p in pages]
    if draft.page == "review":
        return redirect("surveys_public:review", ref=ref)
    key = draft.page if draft.page in keys else (keys[0] if keys else None)
    if key is None:
        return redirect("surveys_public:review", ref=ref)
    return redirect("surveys_public:page", ref=ref, key=key)


def _posted_values(request, addresses: list[str]) -> dict[str, str]:
    return {address: " ".join(v for v in request.POST.getlist(address) if v) for address in addresses}


def _posted_shown(request, draft) -> list[str]:
    """The questions the page says it showed, less any naming an entry that does not exist."""
    return addresses_allowed(draft.version.form, draft.answers, request.POST.getlist("_shown"))


def _render_page(request, ref, draft, evaluation, page, pages, *, errors=None, notice="", status=200, fragment=False):
    index = [p.key for p in pages].index(page.key) if page in pages else 0
    items = widgets(page, evaluation, errors=errors or {})
    context = {
        "ref": ref,
        "survey": draft.survey,
        "draft": draft,
        "page": page,
        "page_title": page.title(evaluation),
        "widgets": items,
        # Enter in a text box must press Continue, not the first remove button of the page
        "has_entry_buttons": any(w.kind in ("entries", "entry_end") for w in items),
        "shown": [w.address for w in items if w.is_question],
        "hidden": hidden_values(page, evaluation),
        "errors": [(w, w.error) for w in items if w.error] + [(None, msg) for addr, msg in (errors or {}).items() if addr not in {w.address for w in items}],
        "notice": notice,
        "step": index + 1,
        "steps": len(pages) + 1,  # and the review page
        "is_first": index == 0,
        "is_paper": draft.channel == Draft.Channel.PAPER,
    }
    template = "surveys/_page_fields.html" if fragment else "surveys/respond_page.html"
    return render(request, template, context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@csrf_exempt
def page_view(request, ref: str, key: str):
    """issue 20: the CSRF check runs inside (csrf_protect), after the upload handler that stops a file
    over the media limit is in place: the middleware would otherwise read the whole body first."""
    if request.method == "POST":
        request.upload_handlers.insert(0, BoundedUploadHandler(upload_max_bytes(UPLOAD_KIND), request=request))
    return _page_view(request, ref, key)


@csrf_protect
def _page_view(request, ref: str, key: str):
    draft, refusal = _load(request, ref)
    if refusal:
        return refusal
    if request.method == "POST" and (request.POST and getattr(request, "_upload_too_large", None)):
        # a file stopped while it streamed in: nothing of the page is saved (the fields after it were not read)
        body_drain(request)
        evaluation = evaluation_for(survey=draft.survey, version=draft.version, answers=draft.answers)
        pages = pages_relevant(evaluation, whole_sections=draft.channel == Draft.Channel.PAPER)
        page = next((p for p in pages if p.key == key), None)
        if page is None:
            return redirect("surveys_public:resume", ref=ref)
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
        return _render_page(request, ref, draft, evaluation, page, pages, status=413,
                            errors={"": upload_too_large(UPLOAD_KIND, max(declared, upload_max_bytes(UPLOAD_KIND) + 1))})
    if request.method == "GET":
        evaluation = evaluation_for(survey=draft.survey, version=draft.version, answers=draft.answers)
        pages = pages_relevant(evaluation, whole_sections=draft.channel == Draft.Channel.PAPER)
        page = next((p for p in pages if p.key == key), None)
        if page is None:
            return redirect("surveys_public:resume", ref=ref)
        return _render_page(request, ref, draft, evaluation, page, pages)

    shown = _posted_shown(request, draft)
    action = request.POST.get("action", "next")
    hidden = {name[len("_calc:"):]: value for name, value in request.POST.items() if name.startswith("_calc:")}
    values = _posted_values(request, shown)
    uploaded, upload_errors = page_uploads(draft=draft, files=request.FILES, addresses=shown)  # issue 20: file questions
    values.update(uploaded)
    saved = draft_save(draft=draft, values=values, page=key, addresses=shown, validate=action == "next", hidden=hidden)
    saved.errors.update(upload_errors)
    evaluation = saved.evaluation
    if not saved.errors and draft_first_entries(draft=draft, save=True):
        # entries this save created (a count that grew) have lists of their own to start
        evaluation = evaluation_for(survey=draft.survey, version=draft.version, answers=draft.answers)
    pages = pages_relevant(evaluation, whole_sections=draft.channel == Draft.Channel.PAPER)
    keys = [p.key for p in pages]
    page = next((p for p in pages if p.key == key), None)
    if saved.errors and page is not None:
        return _render_page(request, ref, draft, evaluation, page, pages, errors=saved.errors, status=200)
    change = entry_action(action)
    if change is not None:
        if page is None:
            return redirect("surveys_public:resume", ref=ref)
        outcome = draft_entry_change(draft=draft, evaluation=evaluation, page=page, kind=change[0], address=change[1])
        if outcome.error:
            return _render_page(request, ref, draft, evaluation, page, pages, errors={"": outcome.error})
        return redirect(reverse("surveys_public:page", args=[ref, key]) + "#" + outcome.anchor)
    if action == "save":
        return render(request, "surveys/respond_saved.html", {"ref": ref, "survey": draft.survey, "is_paper": draft.channel == Draft.Channel.PAPER})
    if action == "back":
        position = keys.index(key) if key in keys else len(keys)
        return redirect("surveys_public:page", ref=ref, key=keys[max(0, position - 1)]) if keys else redirect("surveys_public:resume", ref=ref)
    if page is not None:
        # Without JavaScript, questions that the answers just made relevant appear now.
        appeared = [w for w in widgets(page, evaluation) if w.is_question and w.address not in shown]
        if appeared:
            return _render_page(request, ref, draft, evaluation, page, pages, notice=_("Your answers added questions to this page."))
    following = [k for k in keys[keys.index(key) + 1:]] if key in keys else keys
    if following:
        return redirect("surveys_public:page", ref=ref, key=following[0])
    draft.page = "review"
    draft.save(update_fields=["page"])
    return redirect("surveys_public:review", ref=ref)


@never_cache
@require_POST
def page_refresh(request, ref: str, key: str):
    """htmx: the page's questions as the posted answers make them (nothing is saved)."""
    draft, refusal = _load(request, ref)
    if refusal:
        return refusal
    shown = _posted_shown(request, draft)
    values = _posted_values(request, shown)
    values.update(page_uploads(draft=draft, files=None, addresses=shown)[0])  # issue 20: files kept, none stored here
    evaluation = draft_evaluate(draft=draft, values=values, addresses=shown)
    pages = pages_relevant(evaluation, whole_sections=draft.channel == Draft.Channel.PAPER)
    page = next((p for p in pages if p.key == key), None)
    if page is None:
        return HttpResponse(status=204)
    return _render_page(request, ref, draft, evaluation, page, pages, fragment=True)


@never_cache
@require_GET
def review(request, ref: str):
    draft, refusal = _load(request, ref)
    if refusal:
        return refusal
    return _render_review(request, ref, draft)


def _render_review(request, ref, draft, *, errors=None, status=200):
    evaluation = evaluation_for(survey=draft.survey, version=draft.version, answers=draft.answers)
    problems = errors if errors is not None else evaluation.errors()
    sections = []
    for page, title, items in review_sections(evaluation):
        rows = [(w, display_value(w), problems.get(w.address, "")) for w in items]
        sections.append({"page": page, "title": title, "rows": rows, "has_problem": any(r[2] for r in rows)})
    pages = pages_relevant(evaluation, whole_sections=draft.channel == Draft.Channel.PAPER)
    return render(
        request,
        "surveys/respond_review.html",
        {
            "ref": ref,
            "survey": draft.survey,
            "sections": sections,
            "problem_count": len(problems),
            "submission_key": uuid.uuid4().hex,
            "step": len(pages) + 1,
            "steps": len(pages) + 1,
            "last_page": pages[-1].key if pages else None,
            "is_paper": draft.channel == Draft.Channel.PAPER,
        },
        status=status,
    )


@never_cache
@require_POST
def submit(request, ref: str):
    entry = draft_cookies.ref_get(request, ref)
    if entry is None:
        return _no_session(request)
    if entry["channel"] == "paper" and not (request.user.is_authenticated and (request.user.role in MANAGING_ROLES or request.user.is_superuser)):
        return _no_session(request)
    try:
        submission = response_submit(survey_id=entry["survey"], draft_key=entry["draft"], client_key=request.POST.get("submission_key", ""), by=request.user)
    except SubmissionRejected as rejection:
        draft = Draft.objects.select_related("version", "survey__period").filter(key=entry["draft"]).first()
        if draft is None:
            return _no_session(request)
        return _render_review(request, ref, draft, errors=rejection.errors, status=400)
    except AccessRefused as refusal:
        return _refused(request, refusal)
    # The reference stays: a retry after a lost connection is recognised by its key. The
    # answers join the responses with their batch (docs/security.md), not one by one.
    if entry["channel"] == "paper":
        if submission.paper_form is not None and submission.paper_form.status != "settled":
            messages.success(request, _("Your entry of form %(number)s was saved. The form counts once its two entries agree or their differences are settled.") % {"number": submission.paper_form.number})
        else:
            messages.success(request, _("The paper form was saved. It will appear among the responses with the next batch of forms, or when the survey closes."))
        return redirect(reverse("surveys:paper", args=[submission.survey.code]))  # the next form
    return redirect("surveys_public:done")


@never_cache
@require_GET
def done(request):
    return render(request, "surveys/respond_done.html")
