"""What an operator reads when a PDF fails to extract: Danish throughout, and true about the file.

Every PDF here is generated (raw objects, pypdf or reportlab); the reader's own English words may
reach the log, never the message.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from ingest.errors import ExtractionError, FetchError
from ingest.extract import Extractor
from ingest.extract.stream import SpanReader
from ingest.fetch import check_pdf
from ingest.isolate import IsolatedExtractor, describe_failure, failure_detail
from tests.fixtures import pdfkit
from tests.fixtures.hostile import Raising
from tests.fixtures.pdfkit import write_objects

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
TEXT = b"BT /F1 12 Tf 72 700 Td (Underretning efter serviceloven om tvangsaegteskab.) Tj ET"
# pypdf's words for a file cut off mid-way; English is for the log only.
PYPDF_WORDS = ("Stream has ended", "EOF marker", "unexpectedly", "not found")


def _stream(body: bytes, entries: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(body), entries) + body + b"\nendstream"


def _form(body: bytes, xobject: int | None) -> bytes:
    resources = b"/Font << /F1 4 0 R >>" + (b" /XObject << /X0 %d 0 R >>" % xobject if xobject else b"")
    return _stream(body, b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << " + resources + b" >>")


def one_page(path: Path, contents: bytes, objects: list[bytes], xobjects: bytes = b"/X0 6 0 R") -> Path:
    """A one-page PDF: 1 catalog, 2 pages, 3 page, 4 font, 5 the page's content stream, 6… ``objects``."""
    page = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> "
            b"/XObject << " + xobjects + b" >> >> /Contents 5 0 R >>")
    return write_objects(path, [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                page, FONT, _stream(contents), *objects])


def nested_forms(path: Path, depth: int) -> Path:
    """The page draws form 1, which draws form 2, … ``depth`` forms deep; only the innermost shows text."""
    forms = [_form(b"/X0 Do", 7 + i) for i in range(depth - 1)] + [_form(TEXT, None)]
    return one_page(path, b"/X0 Do", forms)


def message_of(path: Path) -> ExtractionError:
    with pytest.raises(ExtractionError) as caught:
        Extractor()(path)
    return caught.value


# --------------------------------------------------------------------------- no text: why


def test_forms_nested_too_deep_are_reported_as_malformed_not_as_a_scan(tmp_path: Path) -> None:
    """An operator's review: text twelve forms down read as "scannet uden OCR?", and sent them looking
    for OCR for a file that is malformed or hostile."""
    error = message_of(nested_forms(tmp_path / "dyb.pdf", SpanReader.MAX_FORM_DEPTH + 4))
    message = str(error)
    assert "OCR" not in message and "scannet uden" not in message
    assert f"indlejret mere end {SpanReader.MAX_FORM_DEPTH} niveauer" in message
    assert "unormalt opbygget" in message and "dyb.pdf" in message


def test_forms_as_deep_as_allowed_are_read(tmp_path: Path) -> None:
    doc = Extractor()(nested_forms(tmp_path / "dyb.pdf", SpanReader.MAX_FORM_DEPTH))
    assert [b.text for b in doc.blocks] == ["Underretning efter serviceloven om tvangsaegteskab."]


def test_a_page_that_reads_only_through_a_form_cycle_is_reported_as_malformed(tmp_path: Path) -> None:
    # Two forms that draw each other, and nothing else on the page.
    path = one_page(tmp_path / "ring.pdf", b"/X0 Do", [_form(b"/X0 Do", 7), _form(b"/X0 Do", 6)])
    message = str(message_of(path))
    assert "OCR" not in message and "henviser til sig selv i ring" in message


@pytest.mark.parametrize("inline", [False, True], ids=["xobject", "inline"])
def test_a_page_of_images_only_is_still_called_a_scan(tmp_path: Path, inline: bool) -> None:
    if inline:
        path = one_page(tmp_path / "scan.pdf", b"q 400 0 0 600 90 100 cm BI /W 2 /H 2 /CS /G /BPC 8 ID "
                                              b"\x80\x80\x80\x80 EI Q", [], xobjects=b"")
    else:
        image = _stream(b"\x80" * 4, b"/Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
                                     b"/BitsPerComponent 8")
        path = one_page(tmp_path / "scan.pdf", b"q 400 0 0 600 90 100 cm /Im0 Do Q", [image], xobjects=b"/Im0 6 0 R")
    message = str(message_of(path))
    assert "kun billeder (scannet uden OCR?)" in message
    # What to do, not only what is wrong: the operator on call has the file and the folder.
    assert message.endswith("Kør tekstgenkendelse (OCR, fx ocrmypdf) på PDF'en, eller hent en udgave med tekst "
                            "hos udgiveren, og læg den i korpusmappen.")


def test_a_page_whose_content_does_not_decode_is_not_called_a_scan(tmp_path: Path) -> None:
    """A content stream that is not the Flate data it claims to be: pypdf reads it as nothing."""
    body = bytes(range(256)) * 4
    path = write_objects(tmp_path / "rod.pdf", [
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>", FONT, _stream(body, b"/Filter /FlateDecode")])
    message = str(message_of(path))
    assert "OCR" not in message and "hverken tekst eller billeder" in message and "kan ikke afkodes" in message


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


def test_a_cut_off_pdf_that_pypdf_still_opens_is_said_to_be_cut_off(tmp_path: Path) -> None:
    """Cut within its last line ("%%EO"), pypdf opens the file, finds its page and no content on it."""
    source = write_objects(tmp_path / "hel.pdf", [b"<< /Type /Catalog /Pages 2 0 R >>",
                                                  b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                                                  b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"])
    path = tmp_path / "afkortet.pdf"
    path.write_bytes(source.read_bytes()[:-3])
    assert len(PdfReader(path).pages) == 1
    message = str(message_of(path))
    assert "er afkortet eller beskadiget" in message and "hverken tekst" not in message


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


def test_kb_ingest_reports_in_danish_and_logs_the_reader_words(work_settings, caplog) -> None:  # type: ignore[no-untyped-def]
    """Through the build: the report line is Danish and names the file; the log has pypdf's words."""
    import json

    from click.testing import CliRunner

    from api.cli import cli
    from tests.conftest import kb_env

    pdfkit.write_corrupt_pdf(work_settings.corpus_dir / "godpraksis.pdf",
                             source=work_settings.corpus_dir / "godpraksis.pdf")
    nested_forms(work_settings.corpus_dir / "metodehaefte.pdf", SpanReader.MAX_FORM_DEPTH + 4)
    with caplog.at_level(logging.WARNING, logger="kb.build"):
        result = CliRunner().invoke(cli, ["ingest", "--json"], env=kb_env(work_settings))
    assert result.exit_code == 4, result.output
    errors = {p["id"]: p["error"] for p in json.loads(result.stdout)["publications"] if p["status"] == "failed"}
    assert set(errors) == {"godpraksis", "metodehaefte"}
    assert "godpraksis.pdf er afkortet eller beskadiget" in errors["godpraksis"]
    assert not any(words in errors["godpraksis"] for words in PYPDF_WORDS)
    assert "metodehaefte.pdf kan ikke læses, fordi den er unormalt opbygget" in errors["metodehaefte"]
    assert "OCR" not in errors["metodehaefte"]
    assert any("godpraksis" in r.getMessage() and "Stream has ended unexpectedly" in r.getMessage()
               for r in caplog.records)


def test_an_encrypted_pdf_message_has_no_reader_english(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdfkit._pdf_bytes(None))))
    writer.encrypt("hemmelig", algorithm="AES-256")
    path = tmp_path / "laast.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    message = str(message_of(path))
    assert "laast.pdf er krypteret med en adgangskode og kan ikke læses." in message
    assert message.endswith("Hent en udgave uden adgangskode hos udgiveren, eller gem PDF'en uden adgangskode, "
                            "og læg den i korpusmappen.")
