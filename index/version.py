"""The typed manifest of one index version (``versions/<id>/manifest.json``).

It is the one readable file that explains a version: what it was built from (model, pipeline,
publications with their PDF hashes and build status) and how it searches (fusion, answer and
analyzer settings, calibration). Loading validates it, so a damaged manifest is a clear
``CorruptIndex`` instead of a ``KeyError`` deep in a request. Unknown keys are kept: a manifest
written by a newer build still loads and round-trips.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

EDITION_DIGITS = 12
EDITION_PATTERN = rf"^[0-9a-f]{{{EDITION_DIGITS}}}$"

PublicationStatus = Literal["added", "updated", "unchanged", "removed", "failed"]


class PublicationEntry(BaseModel):
    """One publication as this version holds it (``kb status`` and ``/api/publications`` show it)."""

    model_config = ConfigDict(extra="allow")

    id: str
    title: str
    file: str
    sha256: str | None = None
    pages: int = 0
    passages: int = 0
    status: PublicationStatus = "added"
    kept_previous: bool = False  # failed, and the previous version's passages stand in
    error: str | None = None
    year: int | None = None
    publisher: str | None = None

    @property
    def edition(self) -> str | None:
        """The first 12 hex digits of the PDF's sha256: names this edition in citation links
        (``/corpus/{file}?udgave=…``), so a saved link opens the pages it cited after SIRI
        publishes a new edition under the same file name. None for versions built without hashes."""
        return self.sha256[:EDITION_DIGITS] if self.sha256 else None


class VersionManifest(BaseModel):
    model_config = ConfigDict(extra="allow")

    version: str
    created: str
    model: str
    dimension: int
    max_seq_length: int | None = None
    prefixes: dict[str, Any] = Field(default_factory=dict)
    pipeline: dict[str, Any] = Field(default_factory=dict)  # what passages depend on besides the PDFs
    fusion: dict[str, Any] | None = None
    answer: dict[str, Any] | None = None
    context: dict[str, Any] | None = None  # small-to-big context settings (index/search.py)
    analyzer: dict[str, Any] | None = None
    passage_count: int = 0
    publications: list[PublicationEntry] = Field(default_factory=list)
    built_with: dict[str, str] = Field(default_factory=dict)
    calibration: dict[str, Any] | None = None

    def publication(self, publication_id: str) -> PublicationEntry | None:
        return next((p for p in self.publications if p.id == publication_id), None)

    def to_json(self) -> str:
        return self.model_dump_json(indent=2)
