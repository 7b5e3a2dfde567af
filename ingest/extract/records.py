"""The records the stages pass along: spans, lines, paragraphs and page layouts (all in points)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ingest import clean
from ingest.models import BlockRole, PageKind

LineRole = BlockRole | Literal["row"]


@dataclass(frozen=True, slots=True)
class Span:
    """One run of glyphs drawn by one string of a ``Tj``/``TJ``, in page coordinates (points)."""

    text: str
    x0: float
    x1: float
    y: float  # baseline
    size: float  # font size as drawn (text and page matrices applied)
    space: float  # width of a space in this font as drawn; the unit for word gaps
    bold: bool
    rise: float = 0.0  # a sub- or superscript moved onto its word's baseline: how far it was drawn above it


@dataclass(frozen=True, slots=True)
class Line:
    """Spans on one baseline that belong together (a gap wider than a word gap ends a line)."""

    text: str
    x0: float
    x1: float
    y: float
    size: float
    bold: bool
    column: int = 0  # 0: full width (or single column), 1, 2, ...: columns from the left
    margin: bool = False  # a note in the column's left margin (a side-head), read as its own block
    role: LineRole = "body"  # "box": inside a shaded box; "footnote": in the notes area; "row": a table row
    group: int = 0  # which box or which footnote the line belongs to (a change starts a new block)
    note: bool = False  # opens with a raised note mark: the first line of a footnote
    # Note marks left out of the text on purpose, each with the word it followed ("" at the line's
    # start): a measure against another reader counts them as dropped, not as lost words.
    marks: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        """Letters and digits only, case-folded: what heading titles are matched on."""
        return match_key(self.text)


@dataclass
class Paragraph:
    kind: str  # "heading" | "text"
    lines: list[Line]
    level: int = 1
    title: str | None = None  # a heading's text when it comes from the outline

    @property
    def last(self) -> Line:
        return self.lines[-1]


@dataclass
class PageLayout:
    number: int
    lines: list[Line]  # reading order, furniture removed
    kind: PageKind = "body"
    # (first line, last line, level, outline title); first = last = -1: a title not found in the text
    headings: list[tuple[int, int, int, str | None]] = field(default_factory=list)
    column_right: dict[int, float] = field(default_factory=dict)  # column → right edge of its text
    column_width: dict[int, float] = field(default_factory=dict)


def match_key(text: str) -> str:
    return "".join(c for c in clean.normalise(text).casefold() if c.isalnum())
