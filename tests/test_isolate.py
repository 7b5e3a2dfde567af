"""Extraction in a child process: every failure of one PDF becomes a clear ExtractionError.

The child really runs (spawned); the hostile extractors come from tests/fixtures/hostile.py. Limits
are tiny so that the tests assert outcomes (error, child gone), never wall-clock time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.errors import ExtractionError
from ingest.extract import Extractor
from ingest.isolate import IsolatedExtractor, Limits
from tests.fixtures.hostile import EXCEPTION_FAMILIES, Bloating, Hanging, Raising, WhoAmI, zlib_bomb_pdf


def test_isolated_extraction_returns_the_same_document_and_reports_pages(fixture_corpus: Path) -> None:
    pdf = fixture_corpus / "vejledning.pdf"
    pages: list[int] = []
    isolated = IsolatedExtractor(Extractor())(pdf, on_page=pages.append)
    assert isolated == Extractor()(pdf)
    assert sum(pages) == len(isolated.pages)


@pytest.mark.parametrize("family", sorted(EXCEPTION_FAMILIES))
def test_every_exception_family_becomes_an_extraction_error_naming_the_file(tmp_path: Path, family: str) -> None:
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(ExtractionError) as caught:
        IsolatedExtractor(Raising("rapport.pdf", family))(pdf)
    message = str(caught.value)
    assert "rapport.pdf" in message
    assert "Traceback" not in message and len(message) < 500


def test_a_hanging_extraction_is_stopped_at_its_deadline(tmp_path: Path) -> None:
    pdf = tmp_path / "haenger.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    pid_file = tmp_path / "pid"
    with pytest.raises(ExtractionError, match="KB_EXTRACT_TIMEOUT") as caught:
        IsolatedExtractor(Hanging("haenger.pdf", pid_file), Limits(timeout=3))(pdf)
    assert "haenger.pdf" in str(caught.value)
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):  # the child is gone, not left running
        os.kill(pid, 0)


def test_a_bloating_extraction_is_stopped_at_its_memory_cap(tmp_path: Path) -> None:
    pdf = tmp_path / "stor.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(ExtractionError, match="KB_EXTRACT_MAX_MEMORY_MB") as caught:
        IsolatedExtractor(Bloating("stor.pdf"), Limits(timeout=120, max_memory_mb=400))(pdf)
    assert "stor.pdf" in str(caught.value) and "400 MB" in str(caught.value)


def test_a_decompression_bomb_fails_as_that_file(tmp_path: Path) -> None:
    bomb = zlib_bomb_pdf(tmp_path / "bombe.pdf")
    with pytest.raises(ExtractionError, match="bombe.pdf"):
        IsolatedExtractor(Extractor())(bomb)


def test_one_worker_serves_a_build_and_a_failure_gets_a_fresh_one(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    with IsolatedExtractor(WhoAmI("daarlig.pdf")) as isolated:
        first = isolated(pdf).warnings
        assert isolated(pdf).warnings == first and first != [str(os.getpid())]
        with pytest.raises(ExtractionError, match="daarlig.pdf"):
            isolated(tmp_path / "daarlig.pdf")
        after = isolated(pdf).warnings
        assert after != first
    with pytest.raises(ProcessLookupError):  # closed with the block
        os.kill(int(after[0]), 0)


def test_a_worker_whose_parent_is_killed_stops_instead_of_running_on(tmp_path: Path) -> None:
    """`kb refresh` killed with -9 (an operator, an OOM killer) mid-extraction: its worker must not
    run on as an orphan, burning a core for as long as the hostile PDF holds it (no one is left to
    enforce KB_EXTRACT_TIMEOUT)."""
    pdf = tmp_path / "haenger.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    pid_file = tmp_path / "pid"
    parent_code = (
        "import sys; from pathlib import Path\n"
        "from ingest.isolate import IsolatedExtractor, Limits\n"
        "from tests.fixtures.hostile import Hanging\n"
        f"IsolatedExtractor(Hanging('haenger.pdf', Path({str(pid_file)!r})), Limits(timeout=600))(Path({str(pdf)!r}))\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], cwd=Path(__file__).resolve().parent.parent)
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pid_file.exists(), "the worker never started the extraction"
        worker = int(pid_file.read_text())
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not _running(worker):
            return
        time.sleep(0.2)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("the extraction worker ran on after its parent was killed")


def _running(pid: int) -> bool:
    """Alive and not a zombie: a container's init may never reap the orphan's exit."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
