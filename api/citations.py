"""How the pages name publications and cite passages, from the live version's manifest.

A caseworker copies a source into a case file, so it must say which publication (title,
publisher, year) and which printed page: »Håndbog til kommuner om æresrelaterede konflikter og
negativ social kontrol (SIRI 2018), s. 12«. Result headings use the section and a short name of
the publication ("Håndbog"), not the long title over and over.

The manifest may give ``short_title``; otherwise it is the title up to its first preposition
("Vejledning til kommunale handlings- og beredskabsplaner" → "Vejledning").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel

# Where a Danish publication title turns from "what" to "about what / for whom".
_PREPOSITIONS = {"til", "om", "i", "for", "med", "på", "af", "ved", "mod", "over", "under", "fra"}
_MAX_SHORT_WORDS = 3
MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")


class Citable(Protocol):
    publication_id: str
    publication_title: str
    page_start: int
    page_end: int
    page_label: str | None
    section: str | None


def short_title(title: str) -> str:
    """The words before the first preposition, at most three: "God praksis i …" → "God praksis"."""
    words = title.split()
    short: list[str] = []
    for word in words[:_MAX_SHORT_WORDS]:
        if short and word.casefold() in _PREPOSITIONS:
            break
        short.append(word)
    return " ".join(short) if len(short) < len(words) else title


def publisher_short(publisher: str) -> str:
    """An agency's initials when its name has several capitalised words (Styrelsen for
    International Rekruttering og Integration → SIRI); otherwise the name itself."""
    initials = [w[0] for w in re.findall(r"[^\W\d_]+", publisher) if w[0].isupper()]
    return "".join(initials) if len(initials) >= 3 else publisher


@dataclass(frozen=True)
class PublicationInfo:
    id: str
    title: str
    short_title: str
    publisher: str | None = None
    publisher_short: str | None = None
    year: int | None = None

    @classmethod
    def from_manifest(cls, entry: Mapping[str, Any]) -> PublicationInfo:
        title = str(entry.get("title") or entry["id"])
        publisher = entry.get("publisher") or None
        year = entry.get("year")
        return cls(
            id=str(entry["id"]),
            title=title,
            short_title=str(entry.get("short_title") or short_title(title)),
            publisher=publisher,
            publisher_short=publisher_short(publisher) if publisher else None,
            year=int(year) if isinstance(year, int) else None,
        )

    @property
    def source(self) -> str:
        """Publisher and year as cited: "SIRI 2018", "SIRI", "2018" or ""."""
        return " ".join(str(p) for p in (self.publisher_short, self.year) if p)


Manifest = Mapping[str, Any] | BaseModel  # the typed VersionManifest (index/version.py) or its JSON


def _as_mapping(manifest: Manifest) -> Mapping[str, Any]:
    # model_dump keeps the extra fields a manifest may add (``short_title``).
    return manifest.model_dump() if isinstance(manifest, BaseModel) else manifest


def catalogue(manifest: Manifest) -> dict[str, PublicationInfo]:
    """The live version's publications by id, in manifest order."""
    entries = _as_mapping(manifest).get("publications") or []
    return {str(p["id"]): PublicationInfo.from_manifest(p) for p in entries}


def page_reference(passage: Citable) -> str:
    """The printed page when known ("s. 12"), else the PDF page ("PDF-side 14")."""
    if passage.page_label:
        return f"s. {passage.page_label}"
    if passage.page_start == passage.page_end:
        return f"PDF-side {passage.page_start}"
    return f"PDF-side {passage.page_start}–{passage.page_end}"


def reference(passage: Citable, publication: PublicationInfo | None) -> str:
    """"Håndbog til kommuner … (SIRI 2018), s. 12" (without quotation marks)."""
    title = publication.title if publication else passage.publication_title
    source = publication.source if publication else ""
    return f"{title}{f' ({source})' if source else ''}, {page_reference(passage)}"


def citation(passage: Citable, publication: PublicationInfo | None) -> str:
    """The text "Kopiér kilde" copies, in Danish quotation marks: »Titel (SIRI 2018), s. 12«."""
    return f"»{reference(passage, publication)}«"


def danish_date(iso: str) -> str | None:
    """"2026-12-02T01:13:23+00:00" → "2. december 2026"; None when unreadable."""
    try:
        when = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return None
    return f"{when.day}. {MONTHS[when.month - 1]} {when.year}"


@dataclass(frozen=True)
class CorpusNote:
    """The footer's "Publikationerne er fra SIRI (2018–2021), senest opdateret 2. december 2026"."""

    publisher: str | None  # the short form, e.g. SIRI
    publisher_full: str | None  # its full name, for <abbr title="…">
    years: str | None  # "2018–2021", "2018" or None
    updated: str | None  # Danish date of the live version

    @classmethod
    def from_manifest(cls, manifest: Manifest) -> CorpusNote:
        manifest = _as_mapping(manifest)
        pubs = list(catalogue(manifest).values())
        publishers = {(p.publisher_short, p.publisher) for p in pubs if p.publisher}
        short, full = next(iter(publishers)) if len(publishers) == 1 else (None, None)
        years = sorted({p.year for p in pubs if p.year})
        span = None if not years else str(years[0]) if years[0] == years[-1] else f"{years[0]}–{years[-1]}"
        return cls(short, full if full != short else None, span, danish_date(str(manifest.get("created", ""))))
