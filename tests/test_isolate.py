"""Extraction in a child process: every failure of one PDF becomes a clear ExtractionError.

The child really runs (spawned); the hostile extractors come from tests/fixtures/hostile.py. Limits
are tiny so that the tests assert outcomes (error, child gone), never wall-clock time.
"""

from __future__ import annotations

import logging
import os
import re
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
from tests.fixtures.pdfkit import write_simple_pdf, write_wrong_pointers_pdf, write_wrong_startxref_pdf


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


# One line of the parent's format (api/logs.py): time, level, process, logger, message.
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (?:DEBUG|INFO|WARNING|ERROR|CRITICAL) "
                      r"\[pid (?P<pid>\d+)\] (?P<logger>[\w.]+): (?P<message>.*)$")


@pytest.fixture
def warning_pdfs(tmp_path: Path) -> tuple[Path, Path]:
    """Two PDFs that pypdf reads with warnings: a wrong startxref, and wrong offsets for every object."""
    sound = write_simple_pdf(tmp_path / "hel.pdf", ["Første side om negativ social kontrol. " * 20,
                                                    "Anden side om tvangsægteskab. " * 20]).path
    return (write_wrong_startxref_pdf(tmp_path / "startxref.pdf", sound),
            write_wrong_pointers_pdf(tmp_path / "pegere.pdf", sound))


def test_the_readers_warnings_reach_the_operator_in_the_log_format_once_per_kind(warning_pdfs: tuple[Path, Path]) \
        -> None:
    """pypdf's warnings in the worker once reached `kb ingest`'s stderr bare ("incorrect startxref
    pointer(3)", "Ignoring wrong pointing object 1 0 (offset 64)", one per object), among the lines
    in the log format, with no time, level, logger or process, and no file name."""
    startxref, pointers = warning_pdfs
    code = (
        "import logging, os, sys; from pathlib import Path\n"
        "from api.logs import log_format\n"
        "from ingest.extract import Extractor\n"
        "from ingest.isolate import IsolatedExtractor\n"
        "logging.basicConfig(level=logging.WARNING, format=log_format())\n"
        "print(os.getpid())\n"
        "with IsolatedExtractor(Extractor()) as isolated:\n"
        "    for path in sys.argv[1:]:\n"
        "        isolated(Path(path))\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(startxref), str(pointers), str(pointers)],
                          cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=120,
                          check=True)
    lines = done.stderr.splitlines()
    assert lines, "the broken PDFs made pypdf warn"
    parsed = [LOG_LINE.match(line) for line in lines]
    assert all(parsed), [line for line, match in zip(lines, parsed, strict=True) if not match]
    matches = [m for m in parsed if m is not None]
    assert {m["pid"] for m in matches}.isdisjoint({done.stdout.strip()}), "the worker's own pid names its lines"
    messages = [(m["logger"], m["message"]) for m in matches]
    assert ("pypdf._reader", "startxref.pdf: incorrect startxref pointer(3)") in messages
    # One object after another pointed wrong: one line for the kind in each file, and a count of the rest.
    wrong = [text for logger, text in messages if "Ignoring wrong pointing object" in text]
    assert wrong == ["pegere.pdf: Ignoring wrong pointing object 1 0 (offset 64)"] * 2
    counts = [text for logger, text in messages if logger == "kb.extract" and "more warnings" in text]
    assert len(counts) == 2 and all(text.startswith("pegere.pdf: ") for text in counts), counts
    assert len(lines) < 12, lines


def test_the_childs_records_go_through_the_parents_logging_and_levels(
        warning_pdfs: tuple[Path, Path], caplog: pytest.LogCaptureFixture) -> None:
    startxref, _ = warning_pdfs
    reader_log = logging.getLogger("pypdf")
    before = reader_log.level  # other test modules silence pypdf for the whole session
    caplog.set_level(logging.WARNING)
    try:
        reader_log.setLevel(logging.NOTSET)
        with IsolatedExtractor(Extractor()) as isolated:
            isolated(startxref)
        (record,) = [r for r in caplog.records if "incorrect startxref" in r.getMessage()]
        assert record.name == "pypdf._reader" and record.levelno == logging.WARNING
        assert record.process != os.getpid() and record.getMessage().startswith("startxref.pdf: ")
        caplog.clear()
        reader_log.setLevel(logging.ERROR)  # an operator who silences the reader's warnings
        IsolatedExtractor(Extractor())(startxref)
        assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    finally:
        reader_log.setLevel(before)
