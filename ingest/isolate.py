"""Extract one PDF in a child process with a deadline and a memory cap, so one PDF fails alone.

    IsolatedExtractor(path)
      ── python -m ingest.isolate_child ──► worker: nice(), setrlimit(RLIMIT_AS), then per request
                     extract(path) ──pipe──► ("page", n)…  then  ("done", Document) | ("failed", message, detail)
      └─ parent waits at most ``timeout`` s per PDF; past it, or when the worker dies, kills it and
         raises ExtractionError naming the file and the setting that bounds it.
      ("log", record) from the child's loggers, at any time: logged here, through the parent's
         handlers, in the parent's format (``ingest.isolate_child`` says why).

One worker serves the PDFs of a build in turn (its start-up, ~0.3 s, is paid once); after any
failure it is replaced by a fresh one, so a PDF never runs in a process another PDF damaged.
``close()`` (the builder calls it at the end of the collect step) ends it; so does the parent's
exit, which closes the worker's stdin.

A hostile PDF can make a reader loop for minutes or allocate gigabytes inside one call; neither a
thread nor an exception handler can stop that, a process can. A fresh interpreter (not ``fork``)
because the caller may be a server with threads and a loaded model; and not multiprocessing's
``spawn`` either, which re-imports the caller's main module in the child (seconds, with torch).
The child gets the pickled extractor and path on stdin and answers on an inherited pipe.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from ingest.errors import ExtractionError
from ingest.isolate_child import describe_failure, failure_detail
from ingest.models import Document
from ingest.settings import DEFAULT_EXTRACT_MAX_MEMORY_MB, DEFAULT_EXTRACT_TIMEOUT

__all__ = ["IsolatedExtractor", "Limits", "describe_failure", "failure_detail"]

log = logging.getLogger("kb.extract")

Extract = Callable[..., Document]

CHILD_NICENESS = 10  # extraction yields the CPU to a server answering searches on the same machine
_POLL_SECONDS = 0.5


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
        self._worker: _Worker | None = None

    def __call__(self, path: Path, *, on_page: Callable[[int], None] | None = None) -> Document:
        path = Path(path)
        worker = self._worker or self._start()
        try:
            worker.request(path)
            return self._wait(worker.process, worker.receive, path, on_page)
        except BrokenPipeError:
            self.close()
            raise ExtractionError(self._died(worker.process, path)) from None
        except BaseException:
            self.close()  # killed, dead or in an unknown state: the next PDF gets a fresh worker
            raise

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def __enter__(self) -> IsolatedExtractor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start(self) -> _Worker:
        self._worker = _Worker.start(self.extract, self.limits)
        return self._worker

    def _wait(self, child: subprocess.Popen[bytes], receive: Connection, path: Path,
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
            if kind == "log":
                _relay(message[1])
            elif kind == "page":
                if on_page is not None:
                    on_page(message[1])
            elif kind == "done":
                document: Document = message[1]
                return document
            elif kind == "memory":
                raise ExtractionError(self._too_much_memory(path))
            else:  # "failed": the child's own description, and the reader's words for the log
                raise ExtractionError(message[1], detail=message[2])

    def _too_much_memory(self, path: Path) -> str:
        return (f"{path.name}: udtrækningen brugte mere end {self.limits.max_memory_mb} MB hukommelse og er "
                "stoppet; PDF'en er for tung eller beskadiget (grænsen er KB_EXTRACT_MAX_MEMORY_MB).")

    def _died(self, child: subprocess.Popen[bytes], path: Path) -> str:
        try:
            code = child.wait(5)
        except subprocess.TimeoutExpired:
            code = None
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            if self.limits.max_memory_mb and -code in (signal.SIGKILL, signal.SIGSEGV, signal.SIGBUS):
                return self._too_much_memory(path)  # what running out of address space looks like
            return f"{path.name}: udtrækningen stoppede uventet (signal {name}); PDF'en kan ikke læses."
        return f"{path.name}: udtrækningen stoppede uventet (afslutningskode {code}); PDF'en kan ikke læses."


def _relay(attributes: dict[str, object]) -> None:
    """A child's log record, handled as if logged here (levels checked again: they may have changed)."""
    record = logging.makeLogRecord(attributes)
    logger = logging.getLogger(record.name)
    if logger.isEnabledFor(record.levelno):
        logger.handle(record)


def _log_levels() -> dict[str, int]:
    """The levels set on this process's loggers (``""`` the root), for the child to log at the same."""
    levels = {"": logging.getLogger().level}
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET:
            levels[name] = logger.level
    return levels


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    receive: Connection

    @classmethod
    def start(cls, extract: Extract, limits: Limits) -> _Worker:
        read_fd, write_fd = os.pipe()
        try:
            process = subprocess.Popen([sys.executable, "-m", "ingest.isolate_child", str(write_fd)],
                                       stdin=subprocess.PIPE, pass_fds=(write_fd,))
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)  # the worker holds the only writer: EOF then means it is gone
        worker = cls(process, Connection(read_fd, writable=False))
        # The import path first, so the worker can find the extractor's module (tests pass their own).
        worker.send(sys.path)
        worker.send((extract, limits.max_memory_mb, limits.niceness, _log_levels()))
        return worker

    def send(self, item: object) -> None:
        assert self.process.stdin is not None
        pickle.dump(item, self.process.stdin)
        self.process.stdin.flush()

    def request(self, path: Path) -> None:
        self.send(path)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()  # EOF: an idle worker exits by itself
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.receive.close()
