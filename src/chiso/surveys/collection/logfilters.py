"""Keep invitation tokens out of every log line: runserver's, Django's request log, gunicorn's.

The only URL with a token is the first GET of an invitation link, `/s/<token>/`. This filter
is attached (in apps.py) to the loggers that write request lines and rewrites such a path to
`/s/[token]/` before any handler sees it. A reverse proxy's own access log is configured to
do the same (docs/surveys.md).
"""

import logging
import re

TOKEN_PATH = re.compile(r"(/s/)(?!(?:r|open|done|code)/)[A-Za-z0-9_\-]{8,}")
REDACTED = r"\1[token]"
LOGGERS = ["django.server", "django.request", "django.security.csrf", "django.security.DisallowedHost", "gunicorn.access", "gunicorn.error", "chiso"]


def redact(text: str) -> str:
    return TOKEN_PATH.sub(REDACTED, text)


class TokenRedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not this filter's business
            return True
        if "/s/" in message:
            record.msg = redact(message)
            record.args = None
        request = getattr(record, "request", None)
        if request is not None and "/s/" in getattr(request, "path", ""):
            # django.request hands the request to handlers (AdminEmailHandler prints its path)
            record.request = None
        return True


def install() -> None:
    token_filter = TokenRedactingFilter()
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenRedactingFilter) for f in logger.filters):
            logger.addFilter(token_filter)
