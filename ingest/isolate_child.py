"""The child side of ``ingest.isolate``: ``python -m ingest.isolate_child FD``.

Kept apart and light (no settings, no pydantic): every PDF pays this module's start-up.

The child writes no log line itself. What its loggers say (pypdf's "incorrect startxref
pointer", "Ignoring wrong pointing object …", the extractor's own warnings, and ``warnings.warn``)
goes up the pipe as a record, prefixed with the file's name, and the parent hands it to its own
logging: one format, one destination, the parent's levels (the operator once got pypdf's lines
bare on stderr, with no time, level, logger or process, among `kb ingest`'s formatted ones). The
record keeps the child's pid, which is the process that logged it. A reader repeats itself
(pypdf warns once per broken object, hundreds of times in one PDF): each kind of a library's
warning is passed on once per file, and one line at the end of the file counts the rest.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
import pickle
import re
import resource
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

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



class _Pipe:
    """The answer pipe, shared by the extraction's messages and the log records (of any thread)."""

    def __init__(self, fd: int) -> None:
        self._connection = Connection(fd, readable=False)
        self._lock = threading.Lock()

    def send(self, message: tuple[Any, ...]) -> None:
        with self._lock:
            self._connection.send(message)


class _Relay(logging.Handler):
    """Sends each record to the parent as ``("log", attributes)``, the way ``logging.makeLogRecord``
    rebuilds it: the message already formatted (its arguments may not pickle), the file's name in front.
    """

    def __init__(self, pipe: _Pipe) -> None:
        super().__init__()
        self.pipe = pipe
        self.file: str | None = None  # the PDF being extracted

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            attributes = {k: v for k, v in record.__dict__.items() if k in _RECORD_ATTRIBUTES}
            attributes.update(msg=f"{self.file}: {message}" if self.file else message, args=None, exc_info=None)
            self.pipe.send(("log", attributes))
        except Exception:  # noqa: BLE001 - a record that cannot be sent must not fail the extraction
            self.handleError(record)


# What a record carries that the parent's formatters may read; not the caller's extra objects.
_RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"exc_text", "stack_info", "taskName"}


class _OncePerKind(logging.Filter):
    """Lets through the first of each kind of a library's warning per file; counts the rest.

    The kind is the message with its numbers blanked ("Ignoring wrong pointing object # # (offset #)").
    The extractor's own lines (``kb.*``) all pass: each names what it could not read.
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[str, int, str]] = set()
        self.repeats: Counter[str] = Counter()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "kb" or record.name.startswith("kb."):
            return True
        kind = (record.name, record.levelno, re.sub(r"[0-9]+", "#", record.getMessage()))
        if kind in self.seen:
            self.repeats[record.name] += 1
            return False
        self.seen.add(kind)
        return True

    def reset(self) -> Counter[str]:
        repeats, self.repeats, self.seen = self.repeats, Counter(), set()
        return repeats


def _configure_logging(pipe: _Pipe, levels: Mapping[str, int]) -> tuple[_Relay, _OncePerKind]:
    """Every record to the parent, at the levels the parent's loggers have (``""`` is the root)."""
    relay, once = _Relay(pipe), _OncePerKind()
    relay.addFilter(once)
    root = logging.getLogger()
    root.handlers[:] = [relay]
    for name, level in levels.items():
        logging.getLogger(name or None).setLevel(level)
    logging.captureWarnings(True)  # warnings.warn too: otherwise a bare line on the shared stderr
    return relay, once


def _main() -> None:
    """The worker: set up from stdin, then extract each path that arrives, answering on the pipe in argv."""
    send = _Pipe(int(sys.argv[1]))
    _exit_with_parent()
    requests = sys.stdin.buffer
    paths = pickle.load(requests)
    sys.path[:0] = [p for p in paths if p not in sys.path]
    extract, max_memory_mb, niceness, log_levels = pickle.load(requests)
    relay, once = _configure_logging(send, log_levels)
    _limit(max_memory_mb, niceness)
    while True:
        try:
            path = pickle.load(requests)
        except EOFError:  # the parent closed stdin, or died
            return
        relay.file = Path(path).name
        _extract_one(extract, path, send, lambda: _count_repeats(once))
        relay.file = None


def _count_repeats(once: _OncePerKind) -> None:
    """One line for the library warnings held back in this file, before its answer goes up."""
    repeats = once.reset()
    if repeats:
        logging.getLogger("kb.extract").warning(
            "%d more warnings of the kinds above from %s (each kind is logged once per file)",
            sum(repeats.values()), ", ".join(sorted(repeats)))


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


def _extract_one(extract: Extract, path: Path, send: _Pipe, finish: Callable[[], None]) -> None:
    """Extract ``path`` and answer; ``finish`` runs first (its log lines then reach the parent before
    the answer, after which the parent stops reading)."""
    try:
        if "on_page" in inspect.signature(extract).parameters:
            document = extract(path, on_page=lambda n: send.send(("page", n)))
        else:
            document = extract(path)
        finish()
        send.send(("done", document))
    except MemoryError:
        send.send(("memory",))
    except BaseException as exc:  # noqa: BLE001 - every failure of this one PDF is reported, never raised
        finish()
        send.send(("failed", describe_failure(path, exc), failure_detail(exc)))


if __name__ == "__main__":
    _main()
