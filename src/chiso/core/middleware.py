"""Request set-up every page relies on: the language and the period being looked at."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

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


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose English with the switch.

    The browser's Accept-Language is ignored on purpose: many officials' browsers are set
    to English, and a provincial system must open in Vietnamese for everyone.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
