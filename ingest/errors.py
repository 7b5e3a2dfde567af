"""Errors raised by ``ingest/``; catch at the level you can handle.

    IngestError                 anything that stops a publication from becoming passages
     ├── ManifestError          publications.toml is missing, unreadable or invalid
     ├── FetchError             a PDF could not be downloaded (the old file is kept)
     └── ExtractionError        a PDF is missing, corrupt, encrypted, empty or has no text

Every message names the file it is about, so a report line is enough to act on. Messages are
Danish throughout (the operator reads them in `kb ingest`'s report and the admin refresh report);
a reader's own English words travel beside them in ``ExtractionError.detail``, for the log.
"""

from __future__ import annotations


class IngestError(Exception):
    """Base class: a publication could not be read, fetched or extracted."""


class ManifestError(IngestError):
    """``publications.toml`` is missing, unreadable or has an invalid entry."""


class FetchError(IngestError):
    """A publication could not be downloaded."""


class ExtractionError(IngestError):
    """A PDF could not be turned into text (missing, corrupt, encrypted, empty, or image-only).

    ``detail`` is what the PDF reader itself said (e.g. pypdf's "EOF marker not found"), for
    whoever catches the error to log; it is never part of the message.
    """

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.detail = detail
