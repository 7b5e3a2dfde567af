"""What an operator reads when a PDF fails to extract: Danish throughout, and true about the file.

Every PDF here is generated (raw objects, pypdf or reportlab); the reader's own English words may
reach the log, never the message.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from ingest.errors import ExtractionError, FetchError
from ingest.extract import Extractor
from ingest.fetch import check_pdf
from ingest.isolate import IsolatedExtractor, describe_failure, failure_detail
from tests.fixtures import pdfkit
from tests.fixtures.hostile import Raising

# pypdf's words for a file cut off mid-way; English is for the log only.
PYPDF_WORDS = ("Stream has ended", "EOF marker", "unexpectedly", "not found")


def message_of(path: Path) -> ExtractionError:
    with pytest.raises(ExtractionError) as caught:
        Extractor()(path)
    return caught.value


# --------------------------------------------------------------------------- cut off, broken


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_a_truncated_pdf_is_said_to_be_cut_off_in_danish(tmp_path: Path, keep: float) -> None:
    """An operator's review: the message ended in pypdf's "Stream has ended unexpectedly"."""
    path = pdfkit.write_corrupt_pdf(tmp_path / "afkortet.pdf", keep=keep)
    error = message_of(path)
    message = str(error)
    assert "er afkortet eller beskadiget" in message and "afbrudt download" in message
    assert not any(words in message for words in PYPDF_WORDS), message
    assert error.detail and "PdfStreamError" in error.detail  # kept for the log


def test_a_broken_pdf_that_is_not_cut_off_names_the_error_kind_and_the_log(tmp_path: Path) -> None:
    path = tmp_path / "rod.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"rod " * 200 + b"\n%%EOF\n")
    error = message_of(path)
    assert "er beskadiget og kan ikke åbnes (PdfReadError; se loggen)" in str(error)
    assert "afkortet" not in str(error) and error.detail


def test_fetch_refuses_a_truncated_download_in_danish(tmp_path: Path) -> None:
    path = pdfkit.write_corrupt_pdf(tmp_path / "hentet.pdf")
    with pytest.raises(FetchError) as caught:
        check_pdf(path, "https://siri.dk/haandbog.pdf")
    message = str(caught.value)
    assert "https://siri.dk/haandbog.pdf er afkortet" in message
    assert not any(words in message for words in PYPDF_WORDS), message


# --------------------------------------------------------------------------- the isolated path


def test_the_reader_words_travel_from_the_extraction_process_for_the_log(tmp_path: Path) -> None:
    path = pdfkit.write_corrupt_pdf(tmp_path / "afkortet.pdf")
    with pytest.raises(ExtractionError) as caught:
        IsolatedExtractor(Extractor())(path)
    assert "er afkortet eller beskadiget" in str(caught.value)
    assert caught.value.detail and "Stream has ended unexpectedly" in caught.value.detail


def test_an_unexpected_reader_error_keeps_its_english_out_of_the_message(tmp_path: Path) -> None:
    pdf = tmp_path / "rapport.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    with pytest.raises(ExtractionError) as caught:
        IsolatedExtractor(Raising("rapport.pdf", "KeyError"))(pdf)
    assert str(caught.value) == "rapport.pdf: PDF'en er beskadiget eller kan ikke læses (KeyError; se loggen)."
    assert caught.value.detail == "KeyError: 'kunstig fejl i rapport.pdf'"


def test_describe_failure_and_its_detail_split_the_danish_from_the_english(tmp_path: Path) -> None:
    exc = ValueError("could not convert string to float: b'1.2.3'")
    assert "could not" not in describe_failure(tmp_path / "a.pdf", exc)
    assert failure_detail(exc) == "ValueError: could not convert string to float: b'1.2.3'"


def test_an_encrypted_pdf_message_has_no_reader_english(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdfkit._pdf_bytes(None))))
    writer.encrypt("hemmelig", algorithm="AES-256")
    path = tmp_path / "laast.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    assert str(message_of(path)).endswith("er krypteret med en adgangskode og kan ikke læses.")
