"""The public feedback pages under /gopy/: no account, no identity shown anywhere.

The tracking code never appears in a URL: it is typed into a form (POST) and swapped for a
random reference bound to this browser by a signed cookie (filing_cookies.py), as survey tokens are.
No page here writes a session: an anonymous filer leaves no session row, hence no time.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chiso.core.uploads import body_drain
from chiso.units.models import Unit

from . import filing_cookies
from .attachments import attachments_check, limits
from .forms import FeedbackForm, RatingForm, TrackForm
from .models import Feedback
from .queries import answers_for_filer, feedback_by_code, published_answers, tracked_ratings
from .ratelimit import rate_limit_hit
from .services import feedback_file, feedback_rate

def _ref_get(request, ref: str) -> Feedback | None:
    pk = filing_cookies.ref_get(request, ref)
    return Feedback.objects.select_related("type", "unit", "merged_into").filter(pk=pk).first() if pk else None


def _too_many(request):
    return render(request, "feedback/public_limited.html", status=429)


def _public_units():
    # Units that exist today, as a filer would look for them.
    return Unit.objects.filter(Q(valid_to__isnull=True)).select_related("block").order_by("block__order", "name_vi")


def public_home(request):
    return render(request, "feedback/public_home.html", {"latest": published_answers()[:5], "track_form": TrackForm()})


@never_cache
@require_http_methods(["GET", "POST"])
def public_file(request):
    if request.method == "POST":
        # Refuse an oversized body before Django reads it (the files would be spooled to disk).
        if int(request.META.get("CONTENT_LENGTH") or 0) > limits()["total_bytes"] + 256 * 1024:
            body_drain(request)  # so a client still sending reads the page, not a reset connection
            return render(request, "feedback/public_limited.html", {"too_large": True}, status=413)
        if rate_limit_hit(request, "file"):
            return _too_many(request)
    form = FeedbackForm(request.POST or None, request.FILES or None, units=_public_units())
    if request.method == "POST":
        if request.POST.get("website"):
            # A robot filled the honeypot: it sees the usual page, and nothing is stored.
            return redirect("feedback_public:sent")
        if form.is_valid():
            data = form.cleaned_data
            uploads = data["files"]
            try:
                attachments_check([(f.name, f.size, f) for f in uploads])  # before reading any file
                feedback, code = feedback_file(
                    type=data["type"], title=data["title"], text=data["text"], filer_kind=data["filer_kind"],
                    anonymous=data["anonymous"], consent_publish=data["consent_publish"], unit_suggested=data["unit"],
                    on_behalf_of=data["on_behalf_of"], contact=form.contact,
                    attachments=[(f.name, f.read()) for f in uploads],
                )
            except ValidationError as error:
                form.add_error("files" if uploads else None, error)
            else:
                filing_cookies.new_code_keep(request, code=code, ref=filing_cookies.ref_add(request, feedback.pk))
                return filing_cookies.kept(request, redirect("feedback_public:sent"))
    return render(request, "feedback/public_file.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
def public_sent(request):
    """The tracking code, shown once: reloading the page does not show it again."""
    new = filing_cookies.new_code_take(request)
    return filing_cookies.kept(request, render(request, "feedback/public_sent.html", {"code": new and new.get("code"), "ref": new and new.get("ref")}))


@never_cache
@require_http_methods(["GET", "POST"])
def public_track(request):
    form = TrackForm(request.POST or None)
    error = ""
    if request.method == "POST":
        if rate_limit_hit(request, "track"):
            return _too_many(request)
        if form.is_valid():
            feedback = feedback_by_code(form.cleaned_data["code"])
            if feedback is not None:
                return filing_cookies.kept(request, redirect("feedback_public:tracked", ref=filing_cookies.ref_add(request, feedback.pk)))
        error = _("No feedback has this tracking code. Check it and try again.")
    return render(request, "feedback/public_track.html", {"form": form, "error": error}, status=400 if error else 200)


@never_cache
def public_tracked(request, ref: str):
    tracked = _ref_get(request, ref)
    if tracked is None:
        return redirect("feedback_public:track")
    answers = answers_for_filer(tracked)
    rated = set(tracked_ratings(tracked))
    return render(request, "feedback/public_tracked.html", {
        "ref": ref, "tracked": tracked, "answers": answers, "rated": rated,
        "rating_form": RatingForm(), "attachments": tracked.attachments.all(),
    })


@never_cache
@require_POST
def public_rate(request, ref: str):
    tracked = _ref_get(request, ref)
    if tracked is None:
        return redirect("feedback_public:track")
    if rate_limit_hit(request, "rate"):
        return _too_many(request)
    form = RatingForm(request.POST)
    if form.is_valid():
        answered = Feedback.objects.filter(public_id=form.cleaned_data["answered"]).first()
        try:
            if answered is None:
                raise PermissionDenied
            feedback_rate(tracked=tracked, answered=answered, score=form.cleaned_data["score"])
        except PermissionDenied:
            messages.error(request, _("This answer cannot be rated with your code."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Thank you: your rating has been recorded."))
    else:
        messages.error(request, _("Choose a rating from 1 to 5."))
    return redirect("feedback_public:tracked", ref=ref)


def public_answers(request):
    page = Paginator(published_answers(), 20).get_page(request.GET.get("page"))
    return render(request, "feedback/public_answers.html", {"page": page})


def public_answer(request, public_id):
    feedback = get_object_or_404(published_answers(), public_id=public_id)
    return render(request, "feedback/public_answer.html", {"feedback": feedback})
