"""HTTP latency of the served API, next to the in-process floor.

    .venv/bin/python bench/http_latency.py [--requests 500] [--k 10]

Starts a real server process (uvicorn on ``api.app:create_app``, what `kb serve` runs) on
127.0.0.1 and measures ``GET /api/search`` and ``POST /api/ask`` at concurrency 1 and 8 (p50,
p95, requests/s), then the floor in one process: ``embedder.encode_queries([q])`` plus FAISS
``dense.search`` with no HTTP, no BM25, no fusion. The gap is what HTTP, JSON and the hybrid
ranking cost.

Uses the ``KB_*`` environment when ``KB_DATA_DIR`` is set (an index you built); otherwise it
builds the fixture corpus with the offline MiniLM model into a temporary folder.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import cycle, islice
from pathlib import Path

import httpx
from common import QUESTIONS, ROOT, build_index, fixture_corpus, minilm_path  # type: ignore[import-not-found]

READY_TIMEOUT = 300.0  # seconds: the server loads the model and the index at start-up
WARMUP = 20
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

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.latencies, n=20)[18] * 1000

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall


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


def start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=env)


def wait_ready(base: str, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with code {process.returncode}")
        try:
            response = httpx.get(f"{base}/readyz", timeout=2)
            if response.status_code == 200:
                return str(response.json()["version"])
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise SystemExit("the server did not become ready")


def measure(name: str, call: Callable[[str], int], qs: list[str], n: int, concurrency: int) -> Row:
    def timed(q: str) -> tuple[float, bool]:
        start = time.perf_counter()
        ok = call(q) == 200
        return time.perf_counter() - start, ok

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(timed, islice(cycle(qs), WARMUP)))
        start = time.perf_counter()
        results = list(pool.map(timed, islice(cycle(qs), n)))
        wall = time.perf_counter() - start
    return Row(name, concurrency, [t for t, _ in results], wall, sum(1 for _, ok in results if not ok))


def in_process_floor(env: dict[str, str], qs: list[str], n: int, k: int) -> list[Row]:
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
        index.dense.search(embedder.encode_queries([q])[0], k)
        return 200

    def hybrid(q: str) -> int:
        index.search(q, k)
        return 200

    return [measure("encode + FAISS (in-process)", floor, qs, n, 1),
            measure("index.search (in-process)", hybrid, qs, n, 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=500, help="requests per row (default 500)")
    parser.add_argument("--k", type=int, default=10, help="k for search (ask uses 5)")
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
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start_server(env, port)
    rows: list[Row] = []
    try:
        version = wait_ready(base, process)
        qs = questions()
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
        with httpx.Client(base_url=base, timeout=60, limits=limits) as client:
            def search(q: str) -> int:
                return client.get("/api/search", params={"q": q, "k": args.k}).status_code

            def ask(q: str) -> int:
                return client.post("/api/ask", json={"question": q, "k": 5}).status_code

            for name, call in (("GET /api/search", search), ("POST /api/ask", ask)):
                for concurrency in (1, 8):
                    rows.append(measure(name, call, qs, args.requests, concurrency))
                    print(f"  {name} x{concurrency}: done", file=sys.stderr)
    finally:
        process.terminate()
        process.wait(timeout=30)
    rows += in_process_floor(env, questions(), args.requests, args.k)

    print(f"\nIndex version {version}, model {env.get('KB_EMBEDDING_MODEL', '(default)')}, "
          f"{args.requests} requests per row, {os.cpu_count()} CPU cores\n")
    header = f"{'what':<30}{'conc':>5}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>9}{'errors':>8}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row.name:<30}{row.concurrency:>5}{row.p50:>9.1f}{row.p95:>9.1f}{row.rate:>9.1f}{row.errors:>8}")

if __name__ == "__main__":
    main()
