"""The enumerator app: an installable web app that collects answers with the network off.

Pages: the list of surveys, one survey's app shell (the form is drawn by
`static/surveys/offline.js` from `form.json`, which the device keeps), the submission
endpoint the device sends each set of answers to, the web app manifest and the service worker,
served here so that its scope is the app's own path. docs/surveys.md, "Offline collection".
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from chiso.surveys.models import Survey
from chiso.surveys.collection.offline import may_collect_offline, offline_form, offline_response_submit, offline_surveys
from chiso.surveys.services import AccessRefused, SubmissionRejected

SERVICE_WORKER = "surveys/offline-sw.js"
MAX_BODY = 2 * 1024 * 1024  # one set of answers; a larger body is not one


def _enumerator(request) -> None:
    if not may_collect_offline(request.user):
        raise PermissionDenied


def _json_refused(status: int, message: str) -> JsonResponse:
    return JsonResponse({"status": "refused", "message": message}, status=status)


@login_required
def app_home(request):
    _enumerator(request)
    return render(request, "surveys/enumerator/home.html", {"surveys": list(offline_surveys())})


@login_required
def app_survey(request, code: str):
    _enumerator(request)
    survey = get_object_or_404(offline_surveys(), code=code)
    return render(request, "surveys/enumerator/survey.html", {"survey": survey, "texts": app_texts()})


def app_texts() -> dict[str, str]:
    """What the app says, in the page's language; offline.js puts in the numbers."""
    return {
        "pending": _("%(count)s waiting to be sent"),
        "online": _("Online"),
        "offline": _("Offline: answers are kept on this device"),
        "saved": _("Saved on this device."),
        "sent": _("%(count)s sent."),
        "required": _("This answer is required."),
        "not_allowed": _("This answer is not allowed."),
        "integer": _("Enter a whole number."),
        "number": _("Enter a number."),
        "fix": _("Some answers need correcting: see the messages below."),
        "refused": _("Refused by the server"),
        "correct": _("Correct"),
        "login": _("Log in again to send the waiting answers."),
        "closed": _("This survey is not open."),
        "forbidden": _("You may not collect answers for this survey."),
        "no_form": _("The form is not on this device yet: open this page once with the network on."),
        "unsupported": _("This form has lists the app cannot show yet (%(lists)s): collect it on paper or on the web form."),
        "unit": _("Rating: %(unit)s"),
    }


@never_cache
def app_form(request, code: str):
    """The form the device keeps (JSON). Refusals are JSON too: the app reads them, offline or not."""
    if not request.user.is_authenticated:
        return _json_refused(401, _("Log in again to continue."))
    if not may_collect_offline(request.user):
        return _json_refused(403, _("You may not collect answers for this survey."))
    survey = offline_surveys().filter(code=code).first()
    if survey is None:
        return _json_refused(404, _("This survey is not open."))
    return JsonResponse(offline_form(survey=survey), json_dumps_params={"ensure_ascii": False})


@require_POST
@never_cache
def app_submit(request, code: str):
    """One set of answers from the device: {"key", "version", "answers": {address: value}}.

    200 with "stored" or "duplicate" (the device forgets the answers), 400 with the messages by
    address (the device keeps them for correction), 401/403/404 when it must not send here now.
    """
    if not request.user.is_authenticated:
        return _json_refused(401, _("Log in again to send the waiting answers."))
    survey = Survey.objects.filter(code=code).select_related("version").first()
    if survey is None:
        return _json_refused(404, _("This survey is not open."))
    if len(request.body) > MAX_BODY:
        return JsonResponse({"status": "rejected", "errors": {"": _("The form was incomplete; please submit again.")}}, status=400)
    try:
        body = json.loads(request.body.decode("utf-8"))
        key, answers, version = str(body["key"]), body["answers"], int(body["version"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return JsonResponse({"status": "rejected", "errors": {"": _("The form was incomplete; please submit again.")}}, status=400)
    try:
        submission = offline_response_submit(survey=survey, version_id=version, values=answers, client_key=key, by=request.user)
    except PermissionDenied:
        return _json_refused(403, _("You may not collect answers for this survey."))
    except AccessRefused:
        return _json_refused(404, _("This survey is not open."))
    except SubmissionRejected as rejection:
        return JsonResponse({"status": "rejected", "errors": rejection.errors}, status=400)
    return JsonResponse({"status": "duplicate" if submission.duplicate else "stored"})


def manifest(request):
    """The web app manifest: installs the enumerator app from the browser, no app store."""
    start = reverse("surveys:enumerator")
    data = {
        "name": _("chiso – survey collection"),
        "short_name": _("Enumerator"),
        "lang": "vi",
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f4e79",
        "icons": [
            {"src": static("core/logo.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
            {"src": static("core/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/manifest+json; charset=utf-8")


@never_cache
def service_worker(request):
    """The service worker, from the app's own path so that it may control every page of the app
    (a script under /static/ could only control /static/); `Service-Worker-Allowed` says so too."""
    found = finders.find(SERVICE_WORKER)
    if not found:
        raise Http404
    response = HttpResponse(Path(found).read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("surveys:enumerator")
    return response
