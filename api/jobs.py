"""Refreshes started from the admin API: one at a time, in a background thread, polled by id.

A refresh downloads PDFs and embeds passages for minutes; the request that starts it returns
at once with a job id. When the job ends, ``on_done`` runs (the app reloads its live index), so
the new version serves without waiting for the watcher's next poll.

The app runs each refresh with ``SubprocessRefresh`` (api/refresh_worker.py): the downloads,
extraction and embedding happen in a separate, lower-priority process that the deadline can kill,
so a hostile PDF or a slow server never slows searches in the serving process. Whatever runs the
refresh, a job still "running" after ``timeout`` seconds is ended as "failed", so a stuck refresh
never answers every later one with 409.

With ``KB_WORKERS`` above 1 the server is several processes, and a poll may reach another one
than the process that started the job. Given a ``folder`` (the data dir's ``jobs/``), every job is
also written there as JSON at each change, read back by any process, and "one at a time" holds
across processes: the check and the new job's file are made under a file lock. While a job runs,
its process holds a lock on ``<id>.running``, which the operating system releases when the
process dies: a job whose process is gone (killed, or replaced on SIGHUP) reads as failed at once,
not only after its deadline.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import queue
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Literal

from api.errors import Conflict, JobsUnwritable
from ingest.settings import DEFAULT_REFRESH_TIMEOUT, Settings

log = logging.getLogger("kb.admin")

State = Literal["running", "done", "failed"]
KEEP_JOBS = 20  # finished jobs remembered for polling; older ids answer 404
# The job's own watchdog waits this much longer than the runner's deadline, so that a runner that
# stops itself (and says why) wins, and the watchdog only catches one that cannot.
WATCHDOG_GRACE = 30.0
MAX_REPORT_LINE = 10 * 1024 * 1024  # a report of 200 publications is a few hundred kB
JOB_ID = re.compile(r"[0-9a-f]{16}")  # secrets.token_hex(8): anything else names no job (nor a file)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    id: str
    state: State = "running"
    report: dict[str, Any] | None = None
    progress: dict[str, Any] | None = None  # the latest step: {"phase", "publication", "done", "total"}
    started: str = field(default_factory=_now)
    finished: str | None = None


ORPHANED_REPORT = {"ok": False, "error": "Serverprocessen, der kørte opdateringen, stoppede undervejs; "
                                         "start opdateringen igen."}


def timed_out_report(seconds: float) -> dict[str, Any]:
    return {"ok": False, "error": f"Opdateringen blev ikke færdig inden for {seconds:g} s og er stoppet; "
                                  "det live indeks er uændret (grænsen er KB_REFRESH_TIMEOUT)."}


class RefreshJobs:
    def __init__(self, run: Callable[..., dict[str, Any]], on_done: Callable[[], object] | None = None,
                 *, timeout: float = DEFAULT_REFRESH_TIMEOUT + WATCHDOG_GRACE, folder: Path | None = None) -> None:
        """``run(on_progress=callback)`` does the refresh and returns its report; a job still running
        after ``timeout`` seconds is reported as failed. ``folder``: where the jobs are shared with
        the server's other processes (none: this process alone)."""
        self._run = run
        self._on_done = on_done
        self._timeout = timeout
        self._folder = folder
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._threads: list[threading.Thread] = []
        self._owned: dict[str, Any] = {}  # job id -> the held lock of its <id>.running file

    def start(self) -> Job:
        try:
            return self._start()
        except OSError as exc:  # e.g. a read-only data dir: say so, rather than an unexpected error
            log.error("refresh not started: %s is not writable: %s", self._folder, exc)
            raise JobsUnwritable(self._folder, exc.strerror or str(exc)) from exc

    def _start(self) -> Job:
        with self._lock, self._shared():
            if any(job.state == "running" for job in self._jobs.values()) or self._running_elsewhere():
                raise Conflict()
            job = Job(secrets.token_hex(8))
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)
            self._own(job)
            self._save(job)
            self._prune()
        thread = threading.Thread(target=self._work, args=(job,), name=f"kb-refresh-{job.id}", daemon=True)
        watchdog = threading.Timer(self._timeout, self._expire, args=(job,))
        watchdog.daemon = True
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        watchdog.start()
        return job

    def _expire(self, job: Job) -> None:
        with self._lock:
            if job.state != "running":
                return
            log.error("refresh %s passed its deadline of %.0f s; reported as failed", job.id, self._timeout)
            self._end(job, timed_out_report(self._timeout), "failed")

    def get(self, job_id: str) -> Job | None:
        if not JOB_ID.fullmatch(job_id):
            return None
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None else self._load(job_id)

    def _work(self, job: Job) -> None:
        try:
            report = self._run(on_progress=partial(self._progress, job))
            state: State = "done" if report.get("ok", True) else "failed"
        except Exception as exc:  # noqa: BLE001 - a failed refresh is reported to the poller, not raised
            log.exception("refresh %s failed", job.id)
            report, state = {"ok": False, "error": str(exc)}, "failed"
        # A partly failed build may still have made a new version live: reload either way.
        if self._on_done is not None:
            try:
                self._on_done()
            except Exception:  # noqa: BLE001
                log.exception("reload after refresh %s failed", job.id)
        with self._lock:
            if job.state == "running":  # not already ended by the watchdog
                self._end(job, report, state)

    def _end(self, job: Job, report: dict[str, Any], state: State) -> None:
        """Under ``_lock``: the job's final state, saved, then its lock released (in that order: a
        reader that finds the lock free must find the final state too)."""
        job.report, job.state, job.finished = report, state, _now()
        self._save(job)
        self._release(job)

    def _progress(self, job: Job, step: dict[str, Any]) -> None:
        with self._lock:
            job.progress = step
            self._save(job)

    def join(self, timeout: float | None = None) -> None:
        """Wait for running jobs (tests and shutdown)."""
        for thread in list(self._threads):
            thread.join(timeout)

    # -- shared with the server's other processes ---------------------------------------------------
    @contextlib.contextmanager
    def _shared(self) -> Iterator[None]:
        """Held while a job is checked for and created, in every process that shares the folder."""
        if self._folder is None:
            yield
            return
        self._folder.mkdir(parents=True, exist_ok=True)
        with open(self._folder / ".lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _own(self, job: Job) -> None:
        if self._folder is None:
            return
        fh = open(self._folder / f"{job.id}.running", "w")  # noqa: SIM115 - held while the job runs
        fcntl.flock(fh, fcntl.LOCK_EX)  # a new file: nobody else holds it
        self._owned[job.id] = fh

    def _release(self, job: Job) -> None:
        """After the job's final state is saved: a reader that then finds the lock free reads that."""
        fh = self._owned.pop(job.id, None)
        if fh is not None:
            fh.close()

    def _orphaned(self, job_id: str) -> bool:
        """Whether no live process holds the running job's lock (its process died)."""
        assert self._folder is not None
        try:
            with open(self._folder / f"{job_id}.running", "a") as fh:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
                fcntl.flock(fh, fcntl.LOCK_UN)
                return True
        except OSError:
            return False  # cannot tell (e.g. read-only): the deadline still ends it

    def _save(self, job: Job) -> None:
        if self._folder is None:
            return
        path = self._folder / f"{job.id}.json"
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps(asdict(job), ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)  # a reader sees the old state or the new, never half of one
        except OSError:
            # The job runs on: only another process's view of it is late (a full disk is said elsewhere).
            log.exception("could not write refresh job %s", job.id)

    def _load(self, job_id: str, *, again: bool = False) -> Job | None:
        if self._folder is None:
            return None
        try:
            data = json.loads((self._folder / f"{job_id}.json").read_text(encoding="utf-8"))
            job = Job(**data)
        except (OSError, ValueError, TypeError):
            return None
        if job.state == "running" and not again and job_id not in self._owned and self._orphaned(job_id):
            # Read again: the job may have ended (and its lock been released) since the first read.
            job = self._load(job_id, again=True) or job
            if job.state == "running":
                job.report, job.state, job.finished = dict(ORPHANED_REPORT), "failed", _now()
        if job.state == "running" and self._past_deadline(job):
            # Its process died (or was restarted) before it could say: ended, as its watchdog would.
            job.report, job.state, job.finished = timed_out_report(self._timeout), "failed", job.finished or _now()
        return job

    def _past_deadline(self, job: Job) -> bool:
        started = datetime.fromisoformat(job.started)
        return (datetime.now(UTC) - started).total_seconds() > self._timeout

    def _running_elsewhere(self) -> bool:
        if self._folder is None:
            return False
        for path in self._folder.glob("*.json"):
            job = self._load(path.stem)
            if job is not None and job.state == "running":
                return True
        return False

    def _prune(self) -> None:
        """Keep the newest ``KEEP_JOBS`` job files, as this process keeps its newest jobs."""
        if self._folder is None:
            return
        files = sorted(self._folder.glob("*.json"), key=_modified, reverse=True)
        for path in files[KEEP_JOBS:]:
            with contextlib.suppress(OSError):
                path.unlink()
            with contextlib.suppress(OSError):
                path.with_suffix(".running").unlink()


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # pruned meanwhile by another process
        return 0.0


class SubprocessRefresh:
    """Runs `kb refresh` in a child process (``python -m api.refresh_worker``) with a deadline.

    The child gets the server's settings on stdin and answers with JSON lines on stdout:
    ``{"progress": {...}}`` while it works, then ``{"report": {...}}``. Past ``timeout`` its whole
    process group (the extraction children too) is killed; the store lock dies with it and the
    next build clears its half-written staging directory. The price of the isolation is a second
    copy of the embedding model in memory while a refresh runs.
    """

    def __init__(self, settings: Settings, *, timeout: float | None = None, command: list[str] | None = None) -> None:
        self.settings = settings
        self.timeout = timeout if timeout is not None else settings.refresh_timeout
        self.command = command or [sys.executable, "-m", "api.refresh_worker"]

    def __call__(self, on_progress: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
        settings = self.settings.model_dump(mode="json", exclude={"admin_token"})
        child = subprocess.Popen(
            self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
            start_new_session=True,  # its own process group, so one kill ends the extraction children too
        )
        lines: queue.Queue[str | None] = queue.Queue()
        reader = threading.Thread(target=_read_lines, args=(child, lines), daemon=True)
        try:
            assert child.stdin is not None
            child.stdin.write(json.dumps(settings))
            child.stdin.close()
            reader.start()
            return self._follow(child, lines, on_progress)
        finally:
            if child.poll() is None:
                _kill_group(child)
            child.wait()

    def _follow(self, child: subprocess.Popen[str], lines: queue.Queue[str | None],
                on_progress: Callable[[dict[str, Any]], None] | None) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                log.error("refresh process %d passed its deadline of %.0f s; killed", child.pid, self.timeout)
                _kill_group(child)
                return timed_out_report(self.timeout)
            try:
                line = lines.get(timeout=min(remaining, 1.0))
            except queue.Empty:
                continue
            if line is None:  # stdout closed: the child ended without a report
                code = child.wait()
                return {"ok": False,
                        "error": f"Opdateringen stoppede uventet (afslutningskode {code}); se serverens log."}
            try:
                message = json.loads(line)
            except ValueError:
                log.warning("refresh process wrote a line that is not JSON; ignored")
                continue
            if "report" in message:
                report: dict[str, Any] = message["report"]
                return report
            if on_progress is not None and isinstance(message.get("progress"), dict):
                on_progress(message["progress"])


def _read_lines(child: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert child.stdout is not None
    for line in iter(lambda: child.stdout.readline(MAX_REPORT_LINE), ""):  # type: ignore[union-attr]
        lines.put(line)
    lines.put(None)


def _kill_group(child: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        os.killpg(child.pid, signal.SIGKILL)
