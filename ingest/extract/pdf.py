"""Opening a PDF: the one check that a file is a PDF pypdf can read, used by fetch and extract."""

from __future__ import annotations

from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from ingest.errors import ExtractionError

PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024  # readers accept the %PDF- header anywhere in the first 1024 bytes
# SIRI's guides have 30-200 pages. A file with tens of thousands (a hostile or broken one) was read
# until KB_EXTRACT_TIMEOUT, holding the store lock for the whole build, at every nightly refresh.
MAX_PAGES = 2000


def open_pdf(path: Path, *, name: str | None = None) -> PdfReader:
    """A reader for ``path`` that has at least one page, or an ``ExtractionError`` that says why not.

    ``name`` is how messages refer to the file (a download's URL rather than its temporary path).
    A PDF locked only against editing or printing opens with the empty password and is accepted.
    """
    name = name or str(path)
    if not path.is_file():
        raise ExtractionError(f"PDF-filen {name} findes ikke.")
    if path.stat().st_size == 0:
        raise ExtractionError(f"PDF-filen {name} er tom (0 byte).")
    with path.open("rb") as fh:
        head = fh.read(PDF_HEADER_WINDOW)
    if PDF_MAGIC not in head:
        # Typically an HTML error page saved under the PDF's name by a failed download.
        kind = "en HTML-side" if head.lstrip()[:1] == b"<" else "noget andet"
        raise ExtractionError(f"Filen {name} er {kind}, ikke en PDF.")
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ExtractionError(f"PDF-filen {name} er krypteret med en adgangskode og kan ikke læses.")
        count = len(reader.pages)
    except ExtractionError:
        raise
    except DependencyError as exc:
        raise ExtractionError(
            f"PDF-filen {name} er krypteret (AES); installér pakken 'cryptography' for at læse den: {exc}"
        ) from exc
    except FileNotDecryptedError as exc:
        raise ExtractionError(f"PDF-filen {name} er krypteret og kan ikke læses: {exc}") from exc
    except Exception as exc:  # pypdf signals a broken file with many exception types (PyPdfError, ValueError, ...)
        raise ExtractionError(f"PDF-filen {name} er beskadiget og kan ikke åbnes: {exc}") from exc
    if count == 0:
        raise ExtractionError(f"PDF-filen {name} har ingen sider.")
    if count > MAX_PAGES:
        raise ExtractionError(f"PDF-filen {name} har {count} sider; højst {MAX_PAGES} læses. Er det den rigtige fil?")
    return reader
