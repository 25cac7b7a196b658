"""Request set-up every page relies on (the language), and the page for a form-only address."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation


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


class MethodNotAllowedPage:
    """A page, not a blank screen, for an address that takes a form's submission only.

    Django's `require_POST` (and the logout view) answer a link or a typed address with an empty
    405: a user who reloads after a form, follows an old bookmark or types /accounts/logout/ saw
    a white page. The status and its Allow header stay; htmx requests keep the empty answer (it
    would be swapped into the page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code == 405 and not response.content and request.method in ("GET", "HEAD")
                and not request.headers.get("HX-Request")):
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response
