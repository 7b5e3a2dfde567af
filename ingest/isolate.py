"""Extract one PDF in a child process with a deadline and a memory cap, so one PDF fails alone.

    IsolatedExtractor(path)
      ── spawn ──► child: nice(), setrlimit(RLIMIT_AS), extract(path)
                     ──pipe──► ("page", n)…  then  ("done", Document) | ("failed", message)
      └─ parent waits at most ``timeout`` s; past it, or when the child dies, kills the child and
         raises ExtractionError naming the file and the setting that bounds it.

A hostile PDF can make a reader loop for minutes or allocate gigabytes inside one call; neither a
thread nor an exception handler can stop that, a process can. ``spawn`` (not ``fork``) because the
caller may be a server with threads and a loaded model; the child starts clean and lower-priority.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import multiprocessing
import os
import resource
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ingest.errors import ExtractionError, IngestError
from ingest.models import Document
from ingest.settings import DEFAULT_EXTRACT_MAX_MEMORY_MB, DEFAULT_EXTRACT_TIMEOUT

log = logging.getLogger("kb.extract")

Extract = Callable[..., Document]

CHILD_NICENESS = 10  # extraction yields the CPU to a server answering searches on the same machine
MAX_DETAIL_CHARS = 300  # a reader's own message can quote whole objects; keep report lines short
_POLL_SECONDS = 0.5


def describe_failure(path: Path, exc: BaseException) -> str:
    """One Danish line for an extraction that raised, naming the file (the report and `kb ingest` show it)."""
    if isinstance(exc, IngestError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return f"{path.name}: PDF'en kræver for meget hukommelse til at blive læst (MemoryError)."
    if isinstance(exc, RecursionError):
        return f"{path.name}: PDF'en er bygget for dybt til at blive læst (RecursionError)."
    detail = " ".join(str(exc).split())[:MAX_DETAIL_CHARS]
    kind = type(exc).__name__
    return f"{path.name}: PDF'en er beskadiget eller kan ikke læses ({kind}{': ' + detail if detail else ''})."


@dataclass(frozen=True)
class Limits:
    timeout: float = DEFAULT_EXTRACT_TIMEOUT  # seconds per publication, start-up included
    max_memory_mb: int = DEFAULT_EXTRACT_MAX_MEMORY_MB  # address space of the child; 0 = no cap
    niceness: int = CHILD_NICENESS


class IsolatedExtractor:
    """``IsolatedExtractor(Extractor(), Limits(...))(path) -> Document``, same call as the extractor.

    ``extract`` must be picklable (a module-level class or function): the child imports it by name.
    """

    def __init__(self, extract: Extract, limits: Limits | None = None) -> None:
        self.extract = extract
        self.limits = limits or Limits()

    def __call__(self, path: Path, *, on_page: Callable[[int], None] | None = None) -> Document:
        path = Path(path)
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        child = context.Process(
            target=_child,
            args=(self.extract, path, send, self.limits.max_memory_mb, self.limits.niceness),
            name=f"kb-extract-{path.name}",
            daemon=True,  # never outlives the build that started it
        )
        child.start()
        send.close()  # the child holds the only writer: EOF then means it is gone
        try:
            return self._wait(child, receive, path, on_page)
        finally:
            if child.is_alive():
                child.kill()
            child.join()
            child.close()
            receive.close()

    def _wait(self, child: Any, receive: Connection, path: Path,
              on_page: Callable[[int], None] | None) -> Document:
        deadline = time.monotonic() + self.limits.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                log.error("extraction of %s passed its deadline of %.0f s; stopped", path.name, self.limits.timeout)
                raise ExtractionError(
                    f"{path.name}: udtrækningen tog mere end {self.limits.timeout:g} s og er stoppet; "
                    "PDF'en er for tung eller beskadiget (grænsen er KB_EXTRACT_TIMEOUT)."
                )
            if not receive.poll(min(remaining, _POLL_SECONDS)):
                continue
            try:
                message = receive.recv()
            except (EOFError, OSError):
                raise ExtractionError(self._died(child, path)) from None
            kind = message[0]
            if kind == "page":
                if on_page is not None:
                    on_page(message[1])
            elif kind == "done":
                document: Document = message[1]
                return document
            elif kind == "memory":
                raise ExtractionError(self._too_much_memory(path))
            else:  # "failed": the child's own description
                raise ExtractionError(message[1])

    def _too_much_memory(self, path: Path) -> str:
        return (f"{path.name}: udtrækningen brugte mere end {self.limits.max_memory_mb} MB hukommelse og er "
                "stoppet; PDF'en er for tung eller beskadiget (grænsen er KB_EXTRACT_MAX_MEMORY_MB).")

    def _died(self, child: Any, path: Path) -> str:
        child.join(5)
        code = child.exitcode
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            if self.limits.max_memory_mb and -code in (signal.SIGKILL, signal.SIGSEGV, signal.SIGBUS):
                return self._too_much_memory(path)  # what running out of address space looks like
            return f"{path.name}: udtrækningen stoppede uventet (signal {name}); PDF'en kan ikke læses."
        return f"{path.name}: udtrækningen stoppede uventet (afslutningskode {code}); PDF'en kan ikke læses."


def _child(extract: Extract, path: Path, send: Connection, max_memory_mb: int, niceness: int) -> None:
    """Runs in the spawned process: lower priority, cap memory, extract, send one result."""
    with contextlib.suppress(OSError):  # not allowed here: run at normal priority rather than not at all
        os.nice(niceness)
    if max_memory_mb:
        limit = max_memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        if "on_page" in inspect.signature(extract).parameters:
            document = extract(path, on_page=lambda n: send.send(("page", n)))
        else:
            document = extract(path)
        send.send(("done", document))
    except MemoryError:
        send.send(("memory",))
    except BaseException as exc:  # noqa: BLE001 - every failure of this one PDF is reported, never raised
        send.send(("failed", describe_failure(path, exc)))
    finally:
        send.close()
