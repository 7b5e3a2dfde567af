"""HTTP latency of the served API, against the in-process floor measured in the same run.

    .venv/bin/python bench/http_latency.py [--requests 400] [--k 10] [--root DIR] [--uvicorn-flags "…"]

Starts a real `kb serve` process on 127.0.0.1 and measures, over keep-alive connections with a
thin stdlib client (``http.client``, so the client's own cost stays small):

- ``GET /healthz`` at concurrency 1 (goal: p50 under 0.5 ms);
- ``GET /api/search`` at concurrency 1 (goal: p50 and p95 within 1.2× the floor's) and 8
  (goal: requests/s at least 0.8 × cores ÷ floor p50);
- ``POST /api/ask`` at concurrency 1 and 8 (for information);
- after the server has stopped, the app's own work per search in this process (``own_work``):
  what the search adds to the floor, apart from uvicorn and the socket. It is measured warm and
  right after a model call, as every search in the server runs, and the second is what counts: a
  forward pass evicts the caches, and the same work then took 1.3-1.8 times as long. It is this
  checkout's app, so it is left out with ``--root``.

The floor is ``embedder.encode_queries([q])`` plus FAISS ``dense.search`` in this process, with no
HTTP, no BM25 and no fusion. That is the product's own encode call, which skips
``SentenceTransformer.encode``'s per-call Python (``index/embed.py``), so it is a stricter floor than
the bare model call; the goals are read against it. The bare call (``model.encode`` plus FAISS) is
measured too, interleaved with the floor after the server has stopped, and the search's ratio to it
is printed for information. On a shared machine its p50 moves by a quarter between two runs a
minute apart, so it is measured interleaved with ``GET /api/search`` at concurrency 1: blocks of
``--block`` requests, floor then server (the other side idle), over the same questions, pooled
per side. Both sides see the same machine, and the ratios compare like with like. The median of
the block pairs' p50 ratios is printed too: it is not moved by a few blocks that a burst of load
from elsewhere slowed on one side.

``--root`` serves another checkout (e.g. ``git archive main | tar -x -C /tmp/before``) with this
venv, and ``--uvicorn-flags "--http h11 --loop asyncio"`` starts plain uvicorn with those flags
instead of `kb serve`: together they reproduce a "before" figure.

``KB_WORKERS`` in the environment sets the server's processes (default: one per core, at most
two, ``api/server.py``); the floor is the same.

Uses the ``KB_*`` environment when ``KB_DATA_DIR`` is set (an index you built); otherwise it
builds the fixture corpus with the offline MiniLM model into a temporary folder.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import cycle, islice
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from common import QUESTIONS, ROOT, build_index, fixture_corpus, minilm_path  # type: ignore[import-not-found]

READY_TIMEOUT = 300.0  # seconds: the server loads the model and the index at start-up
WARMUP = 30
CONCURRENCY = 8  # the second concurrency measured, and the batch of the floor's best rate
FALLBACK_QUESTIONS = [
    "Hvad er en genopdragelsesrejse?",
    "Hvordan laver man en risikovurdering?",
    "Hvad er negativ social kontrol?",
    "Hvornår skal kommunen underrette?",
    "Hvilken hjælp kan en ung få, der frygter tvangsægteskab?",
]


@dataclass
class Row:
    name: str
    concurrency: int
    latencies: list[float]  # seconds
    wall: float
    errors: int = 0
    block_p50s: list[float] = field(default_factory=list)  # ms, one per block when interleaved
    per_call: int = 1  # questions per timed call (the batched floor encodes several at once)

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[18] * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) * self.per_call / self.wall


def questions() -> list[str]:
    if QUESTIONS.is_file():
        found = [json.loads(line)["question"] for line in QUESTIONS.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        if found:
            return found
    return FALLBACK_QUESTIONS


def server_env() -> tuple[dict[str, str], Path | None]:
    """The server's environment, and a temp dir to clean up when we built the index ourselves."""
    env = dict(os.environ, HF_HUB_OFFLINE=os.environ.get("HF_HUB_OFFLINE", "1"))
    if os.environ.get("KB_DATA_DIR"):
        return env, None
    tmp = Path(tempfile.mkdtemp(prefix="kb-bench-http-"))
    print("building the fixture corpus index with MiniLM in", tmp, file=sys.stderr)
    corpus = fixture_corpus(tmp / "corpus")
    settings, report, _ = build_index(corpus, minilm_path(), tmp / "data")
    if not report.live:
        raise SystemExit(f"index build failed: {report.error}")
    env.update(KB_CORPUS_DIR=str(settings.corpus_dir), KB_DATA_DIR=str(settings.data_dir),
               KB_EMBEDDING_MODEL=settings.embedding_model)
    return env, tmp


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(env: dict[str, str], port: int, root: Path, uvicorn_flags: str | None) -> subprocess.Popen[bytes]:
    if uvicorn_flags is None:  # what operators run
        command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    else:
        command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
                   "--port", str(port), "--log-level", "warning", *shlex.split(uvicorn_flags)]
    env = dict(env, PYTHONPATH=str(root))
    return subprocess.Popen(command, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Client:
    """One keep-alive connection per thread; returns the status of each request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        return conn

    def request(self, method: str, path: str, body: bytes | None = None) -> int:
        conn = self._conn()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
        except (http.client.HTTPException, OSError):
            conn.close()
            self.local.conn = None
            return 599
        return response.status


def wait_ready(client: Client, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with code {process.returncode}")
        if client.request("GET", "/readyz") == 200:
            return
        time.sleep(0.25)
    raise SystemExit("the server did not become ready")


def measure(name: str, call: Callable[[str], int], qs: list[str], n: int, concurrency: int,
            warmup: int = WARMUP) -> Row:
    def timed(q: str) -> tuple[float, bool]:
        start = time.perf_counter()
        ok = call(q) == 200
        return time.perf_counter() - start, ok

    # Concurrency 1 runs in this thread: the floor's model runs where it always has (a new thread
    # per block would start a new team of torch threads, and libgomp slows them all once there
    # are more than cores; see index/batching.py).
    with ThreadPoolExecutor(concurrency) if concurrency > 1 else contextlib.nullcontext() as pool:
        run = pool.map if pool is not None else map
        list(run(timed, islice(cycle(qs), warmup)))
        start = time.perf_counter()
        results = list(run(timed, islice(cycle(qs), n)))
        wall = time.perf_counter() - start
    return Row(name, concurrency, [t for t, _ in results], wall, sum(1 for _, ok in results if not ok))


def interleaved(a: tuple[str, Callable[[str], int]], b: tuple[str, Callable[[str], int]], qs: list[str], n: int,
                block: int) -> tuple[Row, Row]:
    """``a`` and ``b`` at concurrency 1 in alternating blocks over the same questions, pooled per side."""
    rows = {name: Row(name, 1, [], 0.0) for name in (a[0], b[0])}
    for name, call in (a, b):
        measure(name, call, qs, 0, 1)  # warm-up only
    done = 0
    while done < n:
        size = min(block, n - done)
        chunk = list(islice(cycle(qs), done, done + size))
        for name, call in (a, b):
            part = measure(name, call, chunk, size, 1, warmup=0)
            rows[name].latencies.extend(part.latencies)
            rows[name].wall += part.wall
            rows[name].errors += part.errors
            rows[name].block_p50s.append(part.p50)
        done += size
    return rows[a[0]], rows[b[0]]


def batched(name: str, call: Callable[[list[str]], int], qs: list[str], n: int, size: int) -> Row:
    """``call`` on ``size`` questions at a time, in this thread: the model's own best rate."""
    chunks = [list(islice(cycle(qs), i, i + size)) for i in range(0, n, size)]
    call(chunks[0])  # warm-up
    row = measure(name, lambda i: call(chunks[int(i)]), [str(i) for i in range(len(chunks))], len(chunks), 1,
                  warmup=0)
    row.per_call = size
    return row


@dataclass
class Floor:
    """The in-process calls measured against the server, on one loaded model and index."""

    one: Callable[[str], int]  # the floor: encode + FAISS
    batch: Callable[[list[str]], int]  # the floor on several questions at once
    hybrid: Callable[[str], int]  # index.search
    bare: Callable[[str], int]  # SentenceTransformer.encode + FAISS
    settings: Any
    embedder: Any
    index: Any


def load_floor(env: dict[str, str]) -> Floor:
    from api.wiring import make_live
    from index.embed import Embedder
    from ingest.settings import Settings

    settings = Settings(corpus_dir=Path(env.get("KB_CORPUS_DIR", "corpus")), data_dir=Path(env["KB_DATA_DIR"]),
                        embedding_model=env.get("KB_EMBEDDING_MODEL", Settings().embedding_model))
    embedder = Embedder(settings.embedding_model)
    live = make_live(settings, embedder=embedder)
    live.reload()
    index = live.current()

    def floor(q: str) -> int:
        index.dense.search(embedder.encode_queries([q])[0], 10)
        return 200

    def floor_batch(qs: list[str]) -> int:
        for vector in embedder.encode_queries(qs):
            index.dense.search(vector, 10)
        return 200

    def hybrid(q: str) -> int:
        index.search(q, 10)
        return 200

    def bare(q: str) -> int:
        vector = embedder.model.encode([embedder.prefixes.query + q], normalize_embeddings=True)[0]
        index.dense.search(vector, 10)
        return 200

    return Floor(floor, floor_batch, hybrid, bare, settings, embedder, index)


class Replayed:
    """The embedder with each question's vector encoded beforehand (``prime``, in the caller's
    thread): the app then searches without waiting for the model, and its encoding thread never
    runs the model (a second team of torch threads would slow the floor's, see index/batching.py)."""

    def __init__(self, embedder: Any) -> None:
        self.inner = embedder
        self.vectors: dict[str, Any] = {}

    def prime(self, texts: list[str]) -> None:
        for text, vector in zip(texts, self.inner.encode_queries(texts), strict=True):
            self.vectors[text] = vector

    def encode_queries(self, texts: list[str]) -> Any:
        import numpy as np

        return np.stack([self.vectors[t] for t in texts])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def own_work(floor: Floor, qs: list[str], n: int, k: int) -> tuple[Row, Row]:
    """``GET /api/search``'s own work: the app called in this process over ASGI (no socket, no
    uvicorn), each question's vector encoded beforehand and handed back by the app's encoding
    thread as in the server. Warm (one search after another), and right after a model call on
    another question, as in the server, where every search follows its own encode: the model's
    weights pass through the caches and evict the app's."""
    from api.app import create_app
    from index.search import check_question

    replayed = Replayed(floor.embedder)
    replayed.prime([floor.index.prepare.terms(check_question(q)).weighted_text for q in qs])
    app = create_app(floor.settings, embedder=replayed)  # type: ignore[arg-type]  # duck-typed

    async def get(q: str) -> int:
        query = urlencode({"q": q, "k": k}).encode()
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": "/api/search", "raw_path": b"/api/search", "query_string": query,
                 "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80),
                 "root_path": ""}
        status = 0

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status

    async def timed(name: str, after_model: bool) -> Row:
        # Timed inside the loop, around the app alone: a loop round trip per call would add its own.
        row = Row(name, 1, [], 0.0)
        for i, q in enumerate(islice(cycle(qs), WARMUP + n)):
            if after_model:
                floor.embedder.encode_queries([q + " (et andet spørgsmål)"])  # not timed
            start = time.perf_counter()
            status = await get(q)
            if i >= WARMUP:
                row.latencies.append(time.perf_counter() - start)
                row.wall += row.latencies[-1]
                row.errors += status != 200
        return row

    async def both() -> tuple[Row, Row]:
        async with app.router.lifespan_context(app):
            return (await timed("app's own work, warm", False),
                    await timed("app's own work, after the model", True))

    return asyncio.run(both())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400, help="requests per row (default 400)")
    parser.add_argument("--k", type=int, default=10, help="k for search (ask uses 5)")
    parser.add_argument("--block", type=int, default=50,
                        help="requests per block when the floor and search alternate (default 50)")
    parser.add_argument("--root", type=Path, default=ROOT, help="checkout to serve (default: this one)")
    parser.add_argument("--uvicorn-flags", default=None,
                        help='run plain uvicorn with these flags instead of `kb serve` (e.g. "--http h11")')
    parser.add_argument("--keep", action="store_true", help="keep the index built in a temporary folder")
    args = parser.parse_args()

    env, tmp = server_env()
    try:
        run(args, env)
    finally:
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        elif tmp is not None:
            print(f"(index kept in {tmp})", file=sys.stderr)


def run(args: argparse.Namespace, env: dict[str, str]) -> None:
    qs = questions()
    n = args.requests
    loaded = load_floor(env)
    floor, floor_batch, hybrid, bare = loaded.one, loaded.batch, loaded.hybrid, loaded.bare

    port = free_port()
    process = start_server(env, port, args.root.resolve(), args.uvicorn_flags)
    client = Client(port)
    rows: list[Row] = []
    try:
        wait_ready(client, process)

        def search(q: str) -> int:
            return client.request("GET", "/api/search?" + urlencode({"q": q, "k": args.k}))

        def ask(q: str) -> int:
            return client.request("POST", "/api/ask", json.dumps({"question": q, "k": 5}).encode())

        rows.append(measure("GET /healthz", lambda _q: client.request("GET", "/healthz"), qs, n * 4, 1))
        pooled, search1 = interleaved(("floor: encode + FAISS", floor), ("GET /api/search", search),
                                      qs, n, args.block)
        rows.append(search1)
        print("  floor and GET /api/search x1, interleaved: done", file=sys.stderr)
        for name, call, concurrency in (("GET /api/search", search, 8), ("POST /api/ask", ask, 1),
                                        ("POST /api/ask", ask, 8)):
            rows.append(measure(name, call, qs, n, concurrency))
            print(f"  {name} x{concurrency}: done", file=sys.stderr)
    finally:
        process.terminate()
        process.wait(timeout=30)
    hybrid_row = measure("index.search (in-process)", hybrid, qs, n, 1)
    floor_again, bare_row = interleaved(("floor: encode + FAISS", floor), ("bare model.encode + FAISS", bare),
                                        qs, n, args.block)
    ceiling = batched(f"floor, {CONCURRENCY} at once (per batch)", floor_batch, qs, n, CONCURRENCY)
    # Last: its app starts threads of its own. It is this checkout's app, so not with --root.
    own = own_work(loaded, qs, n, args.k) if args.root.resolve() == ROOT.resolve() else ()

    cores = os.cpu_count() or 1
    print(f"\nServer: {'kb serve' if args.uvicorn_flags is None else 'uvicorn ' + args.uvicorn_flags} "
          f"from {args.root}, KB_WORKERS={env.get('KB_WORKERS', 'unset (default)')}; "
          f"model {env.get('KB_EMBEDDING_MODEL', '(default)')}; {n} requests per row "
          f"({n * 4} for /healthz); {cores} CPU cores\n")
    header = f"{'what':<32}{'conc':>5}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for row in [pooled, ceiling, hybrid_row, bare_row, *own, *rows]:
        print(f"{row.name:<32}{row.concurrency:>5}{row.p50:>9.2f}{row.p95:>9.2f}{row.rate:>9.1f}{row.errors:>8}")

    by = {(r.name, r.concurrency): r for r in rows}
    s1, s8, health = search1, by[("GET /api/search", 8)], by[("GET /healthz", 1)]
    target_rate = 0.8 * cores / (pooled.p50 / 1000)
    print("\nGoals")
    print(f"  search p50 / floor p50   {s1.p50 / pooled.p50:5.2f}x   (goal <= 1.20)")
    print(f"  search p95 / floor p95   {s1.p95 / pooled.p95:5.2f}x   (goal <= 1.20)")
    # A burst of load from elsewhere lands on one side's block: the median of the pairs' ratios
    # does not move with a few such blocks, where the pooled p50s do.
    pairs = [b / a for a, b in zip(pooled.block_p50s, s1.block_p50s, strict=True)]
    print(f"  search p50 / floor p50, median of {len(pairs)} block pairs {statistics.median(pairs):5.2f}x "
          f"(blocks {min(pairs):.2f}-{max(pairs):.2f})")
    print(f"  index.search p50 / floor {hybrid_row.p50 / pooled.p50:5.2f}x   (in-process, no HTTP)")
    # Measured apart from the search, so read through the floor they were both interleaved with.
    bare_ratio = bare_row.p50 / floor_again.p50
    print(f"  search p50 / bare model call p50 {s1.p50 / (pooled.p50 * bare_ratio):5.2f}x (information: "
          f"SentenceTransformer.encode + FAISS is {bare_ratio:.2f}x the floor)")
    # What the search adds to the floor is the app's own work (with the hand-over to its encoding
    # thread), measured right after a model call as in the server, plus uvicorn and the socket;
    # the goal leaves 0.2 x the floor for all of it.
    if own:
        own_warm, own_cold = own
        print(f"  search p50 - floor p50   {s1.p50 - pooled.p50:5.2f} ms: the app's own work "
              f"{own_cold.p50:.2f} ms after the model ({own_warm.p50:.2f} warm); the 1.2x goal leaves "
              f"{0.2 * pooled.p50:.2f} ms for it, uvicorn and the socket")
    print(f"  /healthz p50             {health.p50:5.2f} ms (goal < 0.5)")
    print(f"  search req/s at conc 8   {s8.rate:6.1f}   (goal >= 0.8 x {cores} cores / floor p50 = {target_rate:.1f})")
    # The goal's cores ÷ floor assumes one question per core at the floor's speed, but the floor
    # already runs on every core; the model's own best rate is one batch of eight at a time.
    print(f"  search req/s at conc 8 / the floor's rate {CONCURRENCY} at once {s8.rate / ceiling.rate:5.2f}x "
          f"({ceiling.rate:.1f} questions/s in-process, no HTTP, no BM25, no answer)")


if __name__ == "__main__":
    main()
