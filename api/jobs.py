"""Refreshes started from the admin API: one at a time, in a background thread, polled by id.

A refresh downloads PDFs and embeds passages for minutes; the request that starts it returns
at once with a job id. When the job ends, ``on_done`` runs (the app reloads its live index), so
the new version serves without waiting for the watcher's next poll.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

from api.errors import Conflict

log = logging.getLogger("kb.admin")

State = Literal["running", "done", "failed"]
KEEP_JOBS = 20  # finished jobs remembered for polling; older ids answer 404


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


class RefreshJobs:
    def __init__(self, run: Callable[..., dict[str, Any]], on_done: Callable[[], object] | None = None) -> None:
        """``run(on_progress=callback)`` does the refresh and returns its report."""
        self._run = run
        self._on_done = on_done
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._threads: list[threading.Thread] = []

    def start(self) -> Job:
        with self._lock:
            if any(job.state == "running" for job in self._jobs.values()):
                raise Conflict()
            job = Job(secrets.token_hex(8))
            self._jobs[job.id] = job
            while len(self._jobs) > KEEP_JOBS:
                self._jobs.popitem(last=False)
        thread = threading.Thread(target=self._work, args=(job,), name=f"kb-refresh-{job.id}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

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
            job.report, job.state, job.finished = report, state, _now()

    def _progress(self, job: Job, step: dict[str, Any]) -> None:
        with self._lock:
            job.progress = step

    def join(self, timeout: float | None = None) -> None:
        """Wait for running jobs (tests and shutdown)."""
        for thread in list(self._threads):
            thread.join(timeout)
