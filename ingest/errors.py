"""Errors raised by ``ingest/``; catch at the level you can handle.

    IngestError                 anything that stops a publication from becoming passages
     ├── ManifestError          publications.toml is missing, unreadable or invalid
     ├── FetchError             a PDF could not be downloaded (the old file is kept)
     └── ExtractionError        a PDF is missing, corrupt, encrypted, empty or has no text

Every message names the file it is about, so a report line is enough to act on.
"""

from __future__ import annotations


class IngestError(Exception):
    """Base class: a publication could not be read, fetched or extracted."""


class ManifestError(IngestError):
    """``publications.toml`` is missing, unreadable or has an invalid entry."""


class FetchError(IngestError):
    """A publication could not be downloaded."""


class ExtractionError(IngestError):
    """A PDF could not be turned into text (missing, corrupt, encrypted, empty, or image-only)."""
