"""The 400/413 page: a request refused before any app sees it."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.shortcuts import render

from .uploads import body_drain


def bad_request(request, exception=None):
    """handler400: a request Django refuses for its size (more than DATA_UPLOAD_MAX_MEMORY_SIZE
    besides the files) gets a Vietnamese 413 page, its body read and dropped so that the client
    receives the page, not a reset connection; any other unreadable request a Vietnamese 400."""
    if isinstance(exception, RequestDataTooBig):
        body_drain(request)
        return render(request, "413.html", {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}, status=413)
    return render(request, "400.html", status=400)
