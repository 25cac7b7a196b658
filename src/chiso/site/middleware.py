"""The period being looked at, on every request."""

from chiso.units.models import Period
from chiso.units.queries import period_current

SESSION_KEY = "chiso_period"
PUBLIC_SURVEY_PREFIX = "/s/"  # chiso.surveys.public_urls


class CurrentPeriodMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.period = None
        if request.path.startswith(PUBLIC_SURVEY_PREFIX) and not request.user.is_authenticated:
            # A respondent's pages show no period, and they are the busiest pages at survey time.
            return self.get_response(request)
        code = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if code:
            request.period = Period.objects.filter(code=code).first()
        if request.period is None:
            request.period = period_current()
        return self.get_response(request)
