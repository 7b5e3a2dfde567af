"""`kb serve` as a real process: what an operator sees in its log."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import kb_env

CPR = "010203-1234"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
