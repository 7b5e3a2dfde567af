"""Query encoding for a server: the questions of concurrent requests are encoded together.

A server answers several searches at once. Encoding each question in its own request thread makes
every thread start its own torch thread team, and on a small machine those teams fight for the
same cores (a search took 0.7-2.5 s instead of 55 ms). :class:`QueryBatcher` gives the model
threads of its own: requests hand their questions to them and wait; a free one encodes whatever is
waiting in one batch (one model call for eight questions costs far less than eight calls) and
hands the rows back.

``encode_passages`` (an answer's candidate sentences) runs in the same threads, one call per
request. Everything else (``dimension``, ``model_name`` …) is the wrapped embedder's own; a long
build should use ``inner`` directly, so that searches do not wait behind its batches.

Several such threads (``workers``, ``KB_QUERY_WORKERS``, default one per physical core up to four;
with ``KB_WORKERS`` server processes, one per core of the process's share) take turns: each
encodes what is waiting when it is free, so one batch is encoded while the next gathers. On two
cores, one worker on two threads encoded 87 questions/s in batches of 8; two workers on one
thread each, 109-137. Those figures were taken while every encode was slowed as
described below; since, `GET /api/search` at concurrency 8 over HTTP (``bench/http_latency.py``,
MiniLM) served 116.7 requests/s with two workers and 119.5 with one, within the machine's noise.

Only the first worker, the lead, ever runs torch on more than one thread, and it takes the work
whenever it is free. Torch's OpenMP runtime (libgomp) keeps a team of threads for every thread
that has run a model on several; once it manages more threads than there are cores, it makes
every team sleep and wake at each of a forward pass's hundred parallel steps instead of
spinning. On two cores a question then took 13-20 ms instead of 8.5 ms, in every thread of the
process: two workers on two threads each, or one worker after the main thread had run the model
once, were enough. So a lone question gets every core on the lead; under load each busy worker
runs on one core (the lead's share is the cores divided among the busy workers), and the others
never start a team. ``KB_QUERY_THREADS`` fixes the lead's number instead: set it to 1 on a
machine shared with another busy process, where a torch thread preempted mid-step makes the
others spin at its end (one question took 27 ms on one thread, 520 ms on two, medians; a server
spent 104-126 ms of CPU per search on two threads, 18-23 ms on one).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from index.cores import CoreShare
from index.embed import Embedder, set_torch_threads, torch_threads

MAX_BATCH = 32  # questions per model call; a batch is padded to its longest question
MAX_WORKERS = 4  # more encoding threads than this only split the batches smaller


@dataclass
class _Job:
    texts: list[str]
    passages: bool = False  # encode_passages (alone) rather than encode_queries (batched)
    done: threading.Event = field(default_factory=threading.Event)
    vectors: np.ndarray | None = None
    error: BaseException | None = None
    waiter: asyncio.Future[None] | None = None  # set when an event loop awaits the job

    def finish(self) -> None:
        self.done.set()
        if self.waiter is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting any more
                self.waiter.get_loop().call_soon_threadsafe(_settle, self.waiter)

    def result(self) -> np.ndarray:
        if self.error is not None:
            raise self.error
        assert self.vectors is not None
        return self.vectors


async def _vectors(job: _Job) -> np.ndarray:
    assert job.waiter is not None
    await job.waiter
    return job.result()


def _settle(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():  # a request that was cancelled meanwhile has no use for it
        waiter.set_result(None)


class QueryBatcher:
    def __init__(self, embedder: Embedder, *, max_batch: int = MAX_BATCH, threads: int | None = None,
                 workers: int | None = None, processes: int = 1, share: CoreShare | None = None) -> None:
        """``processes``: how many server processes share the machine's cores (``KB_WORKERS``).
        Their torch threads must never outnumber the cores: threads of two processes that stall
        one another cost far more than one core less (see above). With ``share`` (the processes'
        shared count of who is encoding, ``index/cores.py``) the lead takes every core while no
        other process encodes; without it, its share (cores ÷ processes) always."""
        self.inner = embedder
        self.max_batch = max_batch
        self.threads = threads  # None: the cores shared among the busy workers
        self.share = share
        cores = torch_threads()  # torch's own choice: the physical cores
        self.cores = cores if share is not None else max(1, cores // processes)
        if workers is None:
            workers = max(1, min(cores // processes, MAX_WORKERS))
        self.model_calls = 0  # how many batches were encoded (tests bound the work with it)
        self._pending: list[_Job] = []
        self._wake = threading.Condition()
        self._closed = False
        self._busy = 0
        self._lead_busy = False
        self._workers = [threading.Thread(target=self._run, args=(n == 0,), name=f"kb-query-encoder-{n}",
                                          daemon=True)
                         for n in range(workers)]
        for worker in self._workers:
            worker.start()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._submit(_Job(list(texts)))

    async def encode_queries_async(self, texts: Sequence[str]) -> np.ndarray:
        """``encode_queries`` for an event loop: it waits for the vectors without a thread of its own.

        A sync route waits in a thread-pool thread, and the hops there and back cost more than
        the rest of a search's own work (``bench/http_latency.py``).
        """
        job = _Job(list(texts), waiter=asyncio.get_running_loop().create_future())
        self._enqueue(job)
        return await _vectors(job)

    def encode_passages(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        return self._submit(_Job(list(texts), passages=True))

    def _submit(self, job: _Job) -> np.ndarray:
        self._enqueue(job)
        job.done.wait()
        return job.result()

    def _enqueue(self, job: _Job) -> None:
        with self._wake:
            if self._closed:
                raise RuntimeError("the query encoder is closed")
            self._pending.append(job)
            self._wake.notify_all()  # the lead, or another worker when the lead is busy

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        for worker in self._workers:
            worker.join(timeout=30)
        if self.share is not None:
            self.share.close()

    def _take(self, lead: bool) -> tuple[list[_Job], int] | None:
        """The next batch, and how many workers are busy with it counted. The others leave the
        work to the lead while it is free (see the module's docstring)."""
        with self._wake:
            while not (self._pending and (lead or self._lead_busy)) and not self._closed:
                self._wake.wait()
            if not self._pending:
                return None
            self._busy += 1
            if self._busy == 1 and self.share is not None:
                self.share.encoding(True)
            self._lead_busy = self._lead_busy or lead
            jobs = [self._pending.pop(0)]
            if not jobs[0].passages:
                count = len(jobs[0].texts)
                while (self._pending and not self._pending[0].passages
                       and count + len(self._pending[0].texts) <= self.max_batch):
                    jobs.append(self._pending.pop(0))
                    count += len(jobs[-1].texts)
            if self._pending:  # for a worker other than the lead, now that the lead is busy
                self._wake.notify_all()
            return jobs, self._busy

    def _run(self, lead: bool) -> None:
        current: int | None = None
        if not lead:
            set_torch_threads(1)
            current = 1
        while (taken := self._take(lead)) is not None:
            jobs, busy = taken
            if self.share is not None:
                busy += self.share.others_encoding()
            wanted = (self.threads or max(1, self.cores // busy)) if lead else 1
            # Set on the lead's first batch too: torch gives a thread that has not run yet the
            # last number any thread set, and the others set 1.
            if wanted != current:
                set_torch_threads(wanted)
                current = wanted
            texts = [t for job in jobs for t in job.texts]
            try:
                encode = self.inner.encode_passages if jobs[0].passages else self.inner.encode_queries
                vectors = encode(texts)
                with self._wake:
                    self.model_calls += 1
            except BaseException as exc:  # handed to the waiting requests, which raise it
                for job in jobs:
                    job.error = exc
            else:
                start = 0
                for job in jobs:
                    job.vectors = vectors[start:start + len(job.texts)]
                    start += len(job.texts)
            with self._wake:
                self._busy -= 1
                if self._busy == 0 and self.share is not None:
                    self.share.encoding(False)
                if lead:
                    self._lead_busy = False
            for job in jobs:
                job.finish()
