"""The child process of an admin refresh: `kb refresh` with the server's settings, as JSON lines.

    stdin   the settings as JSON (the server's, without the admin token)
    stdout  {"progress": {...}} per step, then {"report": {...}}; logs go to stderr (the server's log)

Run by ``api.jobs.SubprocessRefresh``; not meant to be started by hand (use `kb refresh`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from typing import Any

from api.logs import log_format
from index.errors import KBIndexError
from ingest.errors import IngestError
from ingest.settings import Settings

NICENESS = 10  # searches in the serving process come first on a shared machine


def main() -> None:
    with contextlib.suppress(OSError):
        os.nice(NICENESS)
    # As `kb serve` logs (api/server.py): the service's own lines at info, a library's from warnings
    # up; faiss's loader says "Could not load library … ModuleNotFoundError" at info on every start.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format=log_format("refresh"))
    logging.getLogger("kb").setLevel(logging.INFO)
    settings = Settings(**json.loads(sys.stdin.read()))

    def emit(message: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(message, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    from api.refresh import refresh

    try:
        report = refresh(settings, progress=False, on_progress=lambda step: emit({"progress": step}))
    except (IngestError, KBIndexError) as exc:  # a bad manifest, a busy store, a model that will not load
        report = {"ok": False, "error": str(exc)}
    emit({"report": report})


if __name__ == "__main__":
    main()
