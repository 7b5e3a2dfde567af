"""Privacy of questions: they are not logged by default, and redacted when logging is on.

Caseworkers may paste details of a case into the search box. So:

- ``KB_LOG_QUERIES`` off (default): no question reaches any log. The access log keeps the path
  only (:class:`DropQueryString` strips ``?q=…`` from uvicorn's access records).
- ``KB_LOG_QUERIES=1``: questions go to the ``kb.queries`` logger after :func:`redact` has
  replaced CPR numbers, e-mail addresses and Danish phone numbers.

The patterns lean towards redacting too much: a lost year in a log line costs nothing, a CPR
number in a log file is a breach.
"""

from __future__ import annotations

import logging
import re

query_log = logging.getLogger("kb.queries")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# ddmmyy-xxxx, with or without the dash (or a space); any 6+4 digits, not only valid dates.
CPR = re.compile(r"(?<![\d+])\d{6}[-\u2013 ]?\d{4}(?!\d)")
# Danish numbers have 8 digits: 12345678, 12 34 56 78, 1234 5678, 12-34-56-78, 12.34.56.78;
# optionally +45 / 0045 first. A year range ("2018-2021") is not a phone number.
PHONE = re.compile(
    r"(?<![\d+])(?!(?:19|20)\d\d-(?:19|20)\d\d(?!\d))"
    r"(?:(?:\+|00)45[ .-]?)?(?:\d{8}|\d{2}(?:[ .-]\d{2}){3}|\d{4}[ .-]\d{4})(?!\d)"
)

MAX_LOGGED_CHARS = 500


def redact(text: str) -> str:
    # E-mail first (addresses may hold digits), then CPR before phone (a CPR holds 8 digits).
    text = EMAIL.sub("[e-mail]", text)
    text = CPR.sub("[cpr]", text)
    return PHONE.sub("[telefon]", text)


def redact_question(question: str) -> str:
    """A question as it may be kept: in the query log and in stored feedback. The one entry point."""
    return redact(" ".join(question.split()))[:MAX_LOGGED_CHARS]


class QueryLog:
    """Logs a question (redacted) only when the settings say so."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, route: str, question: str) -> None:
        if self.enabled:
            query_log.info("%s %s", route, redact_question(question))


class DropQueryString(logging.Filter):
    """Strips the query string from uvicorn access-log records (args: client, method, path, …)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def install_access_log_filter(logger_name: str = "uvicorn.access") -> None:
    """Idempotent: run at every start-up, after uvicorn has configured its loggers."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, DropQueryString) for f in logger.filters):
        logger.addFilter(DropQueryString())
