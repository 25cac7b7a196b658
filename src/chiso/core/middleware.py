"""Attach the period the user is looking at (kỳ đánh giá) to every request."""

from chiso.units.models import Period
from chiso.units.queries import period_current

SESSION_KEY = "chiso_period"


class CurrentPeriodMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.period = None
        code = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if code:
            request.period = Period.objects.filter(code=code).first()
        if request.period is None:
            request.period = period_current()
        return self.get_response(request)
