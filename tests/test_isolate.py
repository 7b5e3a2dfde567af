"""Extraction in a child process: every failure of one PDF becomes a clear ExtractionError.

The child really runs (spawned); the hostile extractors come from tests/fixtures/hostile.py. Limits
are tiny so that the tests assert outcomes (error, child gone), never wall-clock time.
"""

from __future__ import annotations

import os
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
