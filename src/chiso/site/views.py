"""Home pages per role (the public portal for visitors) and the period switcher."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chiso.notices.queries import notices_latest_unread
from chiso.units.models import Period

from .middleware import SESSION_KEY
from .queries import home_summary

def home(request):
    """A visitor without an account lands on the public portal (which links to the staff log-in);
    staff see their own home page."""
    if not request.user.is_authenticated:
        return redirect("portal:home")
    summary = home_summary(request.user, request.period)
    # Every role's newest unread notices: new work from any app, at once (chiso.notices).
    return render(request, "site/home.html", {"summary": summary, "notices": notices_latest_unread(request.user)})


def favicon(request):
    """Browsers ask for /favicon.ico on their own (bookmarks, a PDF opened in a tab); the pages
    name theirs. Resolved per request: the hashed name exists only after collectstatic."""
    return redirect(static("core/favicon.ico"), permanent=True)


@require_POST
@login_required
def period_switch(request):
    period = Period.objects.filter(code=request.POST.get("period", "")).first()
    if period is not None:
        request.session[SESSION_KEY] = period.code
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "home"
    return redirect(target)
