"""Privacy of questions: they are not logged by default, and redacted when logging is on.

Caseworkers may paste details of a case into the search box. So:

- ``KB_LOG_QUERIES`` off (default): no question reaches any log. The access log keeps the path
  only (:class:`DropQueryString` strips ``?q=…`` from uvicorn's access records).
- ``KB_LOG_QUERIES=1``: questions go to the ``kb.queries`` logger after :func:`redact_question` has
  replaced CPR numbers, e-mail addresses and phone numbers (Danish, and foreign ones with a + or
  00 country code). The detector is the one that makes the search page refuse such questions
  (:mod:`api.personal`), so the log and the warning never disagree about what is personal data.
"""

from __future__ import annotations

import logging

from api.personal import redact

__all__ = ["DropQueryString", "QueryLog", "QuietProbes", "install_access_log_filter", "redact", "redact_question"]

query_log = logging.getLogger("kb.queries")

MAX_LOGGED_CHARS = 500


def redact_question(question: str) -> str:
    """A question as it may be kept: in the query log and in stored feedback. The one entry point;
    the detector is :mod:`api.personal`'s, the same one behind the search page's warning."""
    return redact(question)[:MAX_LOGGED_CHARS]


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


class QuietProbes(logging.Filter):
    """Drops the access-log records of answered liveness and readiness probes.

    A load balancer probes every few seconds, and those lines would bury the requests people
    make; writing each one also cost 0.08 ms of a 0.3 ms probe. A probe that fails (a 503 from
    ``/readyz``) is still logged.
    """

    PATHS = frozenset({"/healthz", "/readyz"})

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 5 and isinstance(args[2], str) and isinstance(args[4], int):
            return not (args[2].split("?", 1)[0] in self.PATHS and 200 <= args[4] < 300)
        return True


def install_access_log_filter(logger_name: str = "uvicorn.access") -> None:
    """Idempotent: run at every start-up, after uvicorn has configured its loggers."""
    logger = logging.getLogger(logger_name)
    for kind in (QuietProbes, DropQueryString):
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
