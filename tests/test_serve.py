"""`kb serve` as a real process: what an operator sees in its log, and how it treats slow clients."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import kb_env

CPR = "010203-1234"
HEADER_TIMEOUT = 1  # seconds, for the served process below (the default is 10)
KEEP_ALIVE_TIMEOUT = 1
CLOSE_WAIT = 30.0  # generous: the server must close within this, on a busy shared machine
PUBLIC = "https://intranet.kommune.example/vidensbase"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "kb serve exited"
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("kb serve did not become ready")


@pytest.fixture(scope="module")
def served(built_settings, tmp_path_factory):  # noqa: ANN001, ANN201
    """A real `kb serve` with short header and keep-alive deadlines and a public URL."""
    port = free_port()
    env = {**os.environ, **kb_env(built_settings, HF_HUB_OFFLINE="1", KB_HEADER_TIMEOUT=str(HEADER_TIMEOUT),
                                  KB_KEEP_ALIVE_TIMEOUT=str(KEEP_ALIVE_TIMEOUT), KB_PUBLIC_URL=PUBLIC)}
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], env=env,
                                cwd=Path(__file__).parent.parent, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_ready(f"http://127.0.0.1:{port}", proc)
            yield port
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def closed_by_server(sock: socket.socket) -> bool:
    """Reads until the server closes the connection (True) or CLOSE_WAIT passes (False)."""
    sock.settimeout(CLOSE_WAIT)
    try:
        while sock.recv(4096):
            pass  # e.g. a response to a complete request before the close
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def read_to_close(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    reply = b""
    while chunk := sock.recv(4096):
        reply += chunk
    return reply


def test_a_slow_header_is_cut_off(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        started = time.monotonic()
        assert closed_by_server(sock)
        # Closed by the header deadline, not by some much later cleanup.
        assert time.monotonic() - started < CLOSE_WAIT


def test_a_slow_body_is_cut_off(served: int) -> None:
    # Headers arrive in time, but the body of 200 announced bytes never comes.
    with socket.create_connection(("127.0.0.1", served), timeout=5) as sock:
        sock.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 200\r\n\r\n{\"question\": ")
        started = time.monotonic()
        assert closed_by_server(sock)
        assert time.monotonic() - started < CLOSE_WAIT


def test_a_body_that_arrives_in_time_is_answered(served: int) -> None:
    body = b'{"question": "tvangs\xc3\xa6gteskab"}'
    with socket.create_connection(("127.0.0.1", served), timeout=30) as sock:
        sock.sendall(b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        time.sleep(HEADER_TIMEOUT / 2)
        sock.sendall(body)
        assert read_to_close(sock).startswith(b"HTTP/1.1 200")


def test_a_silent_connection_is_cut_off(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=5) as sock:
        assert closed_by_server(sock)


def test_an_idle_keep_alive_connection_is_closed_after_the_response(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert closed_by_server(sock)


def test_huge_headers_are_refused(served: int) -> None:
    with socket.create_connection(("127.0.0.1", served), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 40_000)
        sock.settimeout(CLOSE_WAIT)
        assert read_to_close(sock).startswith(b"HTTP/1.1 400")


def test_requests_on_the_real_server(served: int) -> None:
    base = f"http://127.0.0.1:{served}"
    redirect = httpx.get(f"{base}/corpus/haandbog.pdf/", headers={"Host": "evil.example"}, timeout=30)
    assert redirect.status_code == 307
    assert redirect.headers["location"] == f"{PUBLIC}/corpus/haandbog.pdf"
    head = httpx.head(f"{base}/healthz", timeout=30)
    assert head.status_code == 200 and head.content == b""
    assert "server" not in head.headers  # no "uvicorn" advertised
    body = httpx.get(f"{base}/api/search", params={"q": "tvangsægteskab", "k": 1}, timeout=60).json()
    assert body["results"][0]["permalink"].startswith(f"{PUBLIC}/p/")


def test_kb_serve_logs_questions_redacted_only_when_asked(built_settings, tmp_path):  # noqa: ANN001
    port = free_port()
    env = {**os.environ, **kb_env(built_settings, KB_LOG_QUERIES="1", HF_HUB_OFFLINE="1")}
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], env=env,
                                cwd=Path(__file__).parent.parent, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.2)
            # A question with a CPR number is refused (and not logged); a clean one is logged.
            personal = f"pigen med cpr {CPR} vil ikke giftes"
            assert httpx.get(f"{base}/", params={"q": personal}, timeout=60).status_code == 422
            assert httpx.post(f"{base}/api/ask", json={"question": personal}, timeout=60).status_code == 422
            question = "pigen vil ikke giftes"
            assert httpx.get(f"{base}/", params={"q": question}, timeout=60).status_code == 200
            assert httpx.post(f"{base}/api/ask", json={"question": question}, timeout=60).status_code == 200
            time.sleep(0.5)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    text = log.read_text()
    assert "kb.queries" in text and "page pigen vil ikke giftes" in text and "ask pigen vil ikke giftes" in text, \
        text[-2000:]
    assert CPR not in text and "0102031234" not in text and "cpr" not in text
    # the access log shows paths, never the question in the query string
    assert "GET / HTTP" in text and "giftes" not in text.split("kb.queries")[0]


def test_concurrent_searches_each_get_their_own_results(served: int) -> None:
    # The API routes await the shared query encoder on the event loop: questions that arrive together
    # are encoded in one batch, and each request must still get the passages for its own question.
    base = f"http://127.0.0.1:{served}"
    questions = ["tvangsægteskab", "genopdragelsesrejse", "Hvornår skal kommunen underrette?",
                 "negativ social kontrol", "risikovurdering", "sikkerhedsplan", "samtale med den unge",
                 "parkeringstilladelse"]

    def ids(question: str) -> list[str]:
        body = httpx.get(f"{base}/api/search", params={"q": question, "k": 5}, timeout=120).json()
        return [r["id"] for r in body["results"]]

    alone = {q: ids(q) for q in questions}
    with ThreadPoolExecutor(len(questions)) as pool:
        together = list(pool.map(ids, questions * 2))
    assert together == [alone[q] for q in questions * 2]
    assert alone["tvangsægteskab"] and not alone["parkeringstilladelse"]


def test_several_worker_processes_serve_and_share_the_refresh_jobs(built_settings, tmp_path):  # noqa: ANN001
    """KB_WORKERS=2: two processes on one port, each with the header deadline and the query log
    of `kb serve`, and a refresh job started in one is found by whichever process a poll reaches."""
    from tests.api_support import copy_data_dir

    settings = copy_data_dir(built_settings, tmp_path / "data")  # the refresh makes a version here
    port = free_port()
    env = {**os.environ, **kb_env(settings, HF_HUB_OFFLINE="1", KB_WORKERS="2", KB_LOG_QUERIES="1",
                                  KB_HEADER_TIMEOUT=str(HEADER_TIMEOUT), KB_ADMIN_TOKEN="s3cret-token-for-tests")}
    log = tmp_path / "serve.log"
    auth = {"Authorization": "Bearer s3cret-token-for-tests"}
    base = f"http://127.0.0.1:{port}"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port)], env=env,
                                cwd=Path(__file__).parent.parent, stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_ready(base, proc)
            # Both processes must be ready: a fresh connection may reach either.
            for _ in range(20):
                assert httpx.get(f"{base}/readyz", timeout=60).status_code == 200
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the rest
                assert closed_by_server(sock)
            question = "tvangsægteskab"
            for _ in range(6):
                assert httpx.get(f"{base}/api/search", params={"q": question, "k": 3}, timeout=60).json()["results"]
            job_id = httpx.post(f"{base}/api/admin/refresh", headers=auth, timeout=60).json()["id"]
            deadline = time.monotonic() + 300
            while True:
                polled = httpx.get(f"{base}/api/admin/refresh/{job_id}", headers=auth, timeout=60)
                assert polled.status_code == 200, polled.text  # never "no such job" from the other process
                if polled.json()["state"] != "running" or time.monotonic() > deadline:
                    break
                time.sleep(0.3)
            assert polled.json()["state"] == "done", polled.json()
            assert (settings.data_dir / "jobs" / f"{job_id}.json").is_file()
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    text = log.read_text()
    assert text.count("Started server process") == 2, text[-3000:]
    assert text.count(f"search {question}") == 6, text[-3000:]  # the query log of both processes
    # Every line names its process, so an operator can tell the workers apart: each worker's
    # "live index version" line carries its own pid, the one uvicorn announced it with.
    workers = set(re.findall(r"Started server process \[(\d+)\]", text))
    loaded = set(re.findall(r"\[pid (\d+)\] kb\.live: live index version", text))
    assert len(workers) == 2 and loaded == workers, text[-3000:]
    searched = set(re.findall(rf"\[pid (\d+)\] kb\.queries: search {question}", text))
    assert len(searched) >= 1 and searched <= workers, text[-3000:]
    access = re.findall(r"\[pid (\d+)\] [\d.:]+ - \"GET /api/search", text)
    assert len(access) == 6 and set(access) <= workers, text[-3000:]


def test_kb_serve_runs_one_process_per_core_at_most_two_unless_told(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api.server import server_processes
    from ingest.settings import Settings

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    assert server_processes(Settings(workers=None)) == 1
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)))
    assert server_processes(Settings(workers=None)) == 2  # each process holds a copy of the model
    assert server_processes(Settings(workers=5)) == 5


def test_a_dead_worker_is_replaced_in_seconds_though_a_replacement_may_load_for_a_minute(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """uvicorn waits ``timeout_worker_healthcheck`` for a worker's answer to its liveness ping, and
    the parent holds the worker's end of the pipe: a worker killed between ping and pong was
    noticed (and SIGTERM handled) only after that wait, 60 s when it was also the SIGHUP
    replacement's start-up allowance."""
    import signal

    from uvicorn.supervisors import multiprocess

    from api.server import WORKER_APP, Supervisor, server_config
    from ingest.settings import Settings

    waits: dict[str, float] = {}

    class Worker:
        pid = 1
        exitcode = -9

        def __init__(self, *args: object) -> None:
            pass

        def is_alive(self, timeout: float = 5) -> bool:
            waits["ping"] = timeout
            return True

        def start(self) -> None:
            pass

        def wait_until_ready(self, timeout: float, should_exit: object = None) -> bool:
            waits["ready"] = timeout
            return True

        def terminate(self) -> None:
            pass

        def join(self) -> None:
            pass

    monkeypatch.setattr(signal, "signal", lambda *args: None)  # not the test runner's handlers
    monkeypatch.setattr(multiprocess, "Process", Worker)
    config = server_config(WORKER_APP, Settings(workers=2), host="127.0.0.1", port=0)
    supervisor = Supervisor(config, sockets=[])
    supervisor.processes = [Worker()]  # type: ignore[list-item]
    supervisor.keep_subprocess_alive()
    supervisor.restart_all()
    assert waits["ping"] <= 5
    assert waits["ready"] >= 60
    assert config.timeout_worker_healthcheck == waits["ping"]  # restored after the restart
