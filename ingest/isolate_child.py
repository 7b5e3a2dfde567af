"""The child side of ``ingest.isolate``: ``python -m ingest.isolate_child FD``.

Kept apart and light (no settings, no pydantic): every PDF pays this module's start-up.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import pickle
import resource
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from ingest.errors import IngestError
from ingest.models import Document

Extract = Callable[..., Document]

PARENT_CHECK_SECONDS = 1.0
MAX_DETAIL_CHARS = 300  # a reader's own message can quote whole objects; keep log lines short


def describe_failure(path: Path, exc: BaseException) -> str:
    """One Danish line for an extraction that raised, naming the file (the report and `kb ingest` show it).

    A reader's own words are English and can quote whole objects: they go to the log
    (``failure_detail``), and the line names only the kind of error to find them by.
    """
    if isinstance(exc, IngestError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return f"{path.name}: PDF'en kræver for meget hukommelse til at blive læst (MemoryError)."
    if isinstance(exc, RecursionError):
        return f"{path.name}: PDF'en er bygget for dybt til at blive læst (RecursionError)."
    return f"{path.name}: PDF'en er beskadiget eller kan ikke læses ({type(exc).__name__}; se loggen)."


def failure_detail(exc: BaseException) -> str | None:
    """What the reader itself said about a failed extraction, bounded, for the log; None when nothing more."""
    if isinstance(exc, IngestError):
        detail = getattr(exc, "detail", None)
    elif isinstance(exc, (MemoryError, RecursionError)):
        detail = None
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return " ".join(detail.split())[:MAX_DETAIL_CHARS] if detail else None



def _main() -> None:
    """The worker: set up from stdin, then extract each path that arrives, answering on the pipe in argv."""
    send = Connection(int(sys.argv[1]), readable=False)
    _exit_with_parent()
    requests = sys.stdin.buffer
    paths = pickle.load(requests)
    sys.path[:0] = [p for p in paths if p not in sys.path]
    extract, max_memory_mb, niceness = pickle.load(requests)
    _limit(max_memory_mb, niceness)
    while True:
        try:
            path = pickle.load(requests)
        except EOFError:  # the parent closed stdin, or died
            return
        _extract_one(extract, path, send)


def _exit_with_parent() -> None:
    """End the worker when the build that started it is gone.

    Only the parent enforces KB_EXTRACT_TIMEOUT, and the worker notices a closed stdin only between
    PDFs: after `kb refresh` was killed (-9, the OOM killer) mid-extraction, a hostile PDF kept its
    orphaned worker busy for as long as the PDF could hold it. A thread, since the extraction itself
    may never return to the loop.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="kb-extract-parent-watch", daemon=True).start()


def _limit(max_memory_mb: int, niceness: int) -> None:
    """Lower priority and cap the address space, for the worker's whole life."""
    with contextlib.suppress(OSError):  # not allowed here: run at normal priority rather than not at all
        os.nice(niceness)
    if max_memory_mb:
        limit = max_memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _extract_one(extract: Extract, path: Path, send: Connection) -> None:
    try:
        if "on_page" in inspect.signature(extract).parameters:
            document = extract(path, on_page=lambda n: send.send(("page", n)))
        else:
            document = extract(path)
        send.send(("done", document))
    except MemoryError:
        send.send(("memory",))
    except BaseException as exc:  # noqa: BLE001 - every failure of this one PDF is reported, never raised
        send.send(("failed", describe_failure(path, exc), failure_detail(exc)))


if __name__ == "__main__":
    _main()
