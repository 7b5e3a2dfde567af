"""The format of the service's log lines, for `kb` and every process `kb serve` starts.

Each line names its process: with ``KB_WORKERS`` above 1 several server processes write to one
log, and an operator must be able to tell which of them logged a line (a failed reload, a slow
question). Kept apart from ``api/server.py`` so that the CLI does not import uvicorn for it.
"""

from __future__ import annotations

PROCESS = "[pid %(process)d]"


def log_format(role: str | None = None) -> str:
    """The line format; ``role`` marks a helper process's lines (e.g. ``refresh``)."""
    name = f"%(name)s [{role}]" if role else "%(name)s"
    return f"%(asctime)s %(levelname)s {PROCESS} {name}: %(message)s"
