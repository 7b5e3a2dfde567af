"""Opening a PDF: the one check that a file is a PDF pypdf can read, used by fetch and extract."""

from __future__ import annotations

from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError

from ingest.errors import ExtractionError

PDF_MAGIC = b"%PDF-"
PDF_HEADER_WINDOW = 1024  # readers accept the %PDF- header anywhere in the first 1024 bytes
PDF_EOF = b"%%EOF"
PDF_TRAILER_WINDOW = 1024  # a whole PDF ends with %%EOF, at most some padding after it
# SIRI's guides have 30-200 pages. A file with tens of thousands (a hostile or broken one) was read
# until KB_EXTRACT_TIMEOUT, holding the store lock for the whole build, at every nightly refresh.
MAX_PAGES = 2000
CUT_OFF = "er afkortet eller beskadiget: slutningen af filen mangler (som efter en afbrudt download)"
# What to do about a PDF locked with a password: the service cannot ask for it.
UNLOCK = ("Hent en udgave uden adgangskode hos udgiveren, eller gem PDF'en uden adgangskode, og læg den i "
          "korpusmappen.")


def open_pdf(path: Path, *, name: str | None = None) -> PdfReader:
    """A reader for ``path`` that has at least one page, or an ``ExtractionError`` that says why not.

    ``name`` is how messages refer to the file (a download's URL rather than its temporary path);
    by default its file name, as the corpus folder knows it, not where the build's copy lies.
    A PDF locked only against editing or printing opens with the empty password and is accepted.
    """
    name = name or path.name
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
            raise ExtractionError(f"PDF-filen {name} er krypteret med en adgangskode og kan ikke læses. {UNLOCK}")
        count = len(reader.pages)
    except ExtractionError:
        raise
    except DependencyError as exc:
        raise ExtractionError(
            f"PDF-filen {name} er krypteret (AES); installér pakken 'cryptography' for at læse den.",
            detail=_detail(exc),
        ) from exc
    except FileNotDecryptedError as exc:
        raise ExtractionError(f"PDF-filen {name} er krypteret og kan ikke læses. {UNLOCK}",
                              detail=_detail(exc)) from exc
    except Exception as exc:  # pypdf signals a broken file with many exception types (PyPdfError, ValueError, ...)
        # pypdf's own words ("Stream has ended unexpectedly") go to the log through ``detail``; the
        # operator reads what is wrong with the file in Danish.
        if is_cut_off(path):
            message = f"PDF-filen {name} {CUT_OFF}, så den kan ikke åbnes. Hent eller kopiér hele filen ind igen."
        else:
            message = (f"PDF-filen {name} er beskadiget og kan ikke åbnes ({type(exc).__name__}; se loggen). "
                       "Hent eller kopiér filen ind igen.")
        raise ExtractionError(message, detail=_detail(exc)) from exc
    if count == 0:
        raise ExtractionError(f"PDF-filen {name} har ingen sider.")
    if count > MAX_PAGES:
        raise ExtractionError(f"PDF-filen {name} har {count} sider; højst {MAX_PAGES} læses. Er det den rigtige fil? "
                              "Tjek »file« i publications.toml og filen i korpusmappen.")
    return reader


def is_cut_off(path: Path) -> bool:
    """True when the file does not end as a whole PDF does (no %%EOF near its end): cut off."""
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - PDF_TRAILER_WINDOW))
        return PDF_EOF not in fh.read()


def _detail(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"
