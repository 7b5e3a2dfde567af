"""Records that flow out of ``ingest/``: publications, extracted documents and passages.

    Publication ──extract──► Document (pages + blocks) ──split──► [Passage]

Everything here is plain data; the index layer imports ``Passage`` and ``Publication``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PageKind = Literal["body", "cover", "toc", "index", "front"]  # front: colophon and other imprint pages
BlockKind = Literal["heading", "text"]
BlockRole = Literal["body", "box", "footnote"]


@dataclass(frozen=True)
class Publication:
    """One entry of ``publications.toml``."""

    id: str
    title: str
    file: str
    publisher: str | None = None
    year: int | None = None
    landing_url: str | None = None
    pdf_url: str | None = None


@dataclass(frozen=True)
class PageInfo:
    """Facts about one PDF page. ``number`` is the 1-based page index that ``#page=N`` opens."""

    number: int
    label: str | None = None  # printed page number from the PDF's /PageLabels, when it has one
    kind: PageKind = "body"  # cover, front matter, contents and index pages never become answerable passages


@dataclass(frozen=True)
class Block:
    """A clean paragraph or a section title, in reading order.

    ``text`` is already clean: no running headers/footers, no line-break hyphens, no glued
    words, lines of a paragraph joined by single spaces.
    """

    kind: BlockKind
    text: str
    page: int  # 1-based PDF page index
    level: int = 1  # heading depth (1 = top level); ignored for text blocks
    role: BlockRole = "body"  # "box": a shaded box's title or text; "footnote": one note from the page's foot


@dataclass
class Document:
    """What the extractor returns for one PDF."""

    pages: list[PageInfo]
    blocks: list[Block]
    warnings: list[str] = field(default_factory=list)

    def page(self, number: int) -> PageInfo:
        return self.pages[number - 1]


@dataclass(frozen=True)
class Passage:
    """The unit of retrieval and citation (see DESIGN.md for the JSON shape)."""

    id: str
    publication_id: str
    publication_title: str
    page_start: int
    page_end: int
    page_label: str | None
    section: str | None
    text: str

    def to_dict(self) -> dict[str, object]:
        # Every field is a str, int or None: dataclasses.asdict's deep copy would copy nothing,
        # and it ran for each of a search's ten results.
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Passage:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})  # type: ignore[arg-type]
