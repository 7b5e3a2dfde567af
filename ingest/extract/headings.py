"""Section titles: outline entries matched to the lines that print them, else font size and weight."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from pypdf import PdfReader

from ingest import clean
from ingest.extract.records import Line, PageLayout, match_key
from ingest.models import PageKind

log = logging.getLogger("kb.extract")


# A title seen this many times is a label ("Eksempel", "Bemærk", "Valideringsregel" above every
# rule of a field reference), not a section, whether on many pages or a few.
REPEATED_LABEL = 4


def _table_cell(lines: Sequence[Line], i: int) -> bool:
    """A line that shares its baseline and style with another short line: a table's header cell.

    (A two-column page may align a heading with a body line of the other column; that line is in
    another style.)
    """
    line = lines[i]
    # Cells of one row are near each other in reading order (the page's columns hold a few each).
    return any(
        j != i
        and abs(other.y - line.y) < 1.0
        and other.size == line.size
        and other.bold == line.bold
        and len(other.text) <= 40
        for j, other in enumerate(lines[max(0, i - _ROW_WINDOW) : i + _ROW_WINDOW + 1], start=max(0, i - _ROW_WINDOW))
    )


_ROW_WINDOW = 60  # lines looked at on either side: bounded work on pages of very many lines


class HeadingFinder:
    """Marks heading lines on page layouts (``PageLayout.headings``).

    Args:
        font_headings: find section titles from font size/weight; ``None`` (default) does so fully
            when the PDF has no outline and, beside an outline, only for bold titles set off from
            the text and no larger than its own (levels below it); ``True`` adds them all.
        heading_scale: a line is a heading candidate when its font is this much larger than the
            body text (or bold).
    """

    def __init__(self, *, font_headings: bool | None = None, heading_scale: float = 1.12) -> None:
        self.font_headings = font_headings
        self.heading_scale = heading_scale

    def __call__(self, reader: PdfReader, layouts: list[PageLayout], body_size: float, warnings: list[str]) -> None:
        """Mark heading lines on each layout: from the outline when there is one, else from fonts."""
        outline = self._outline(reader)
        if outline:
            self._outline_headings(outline, layouts, warnings)
        # Outlines leave out the cover and the contents page, whose titles still head their text.
        by_font = [lay for lay in layouts if not outline or self.font_headings or lay.kind != "body"]
        self._font_headings(by_font, body_size)
        if outline and not self.font_headings:
            # Word bookmarks only the levels its contents shows (1-2, sometimes 3): a bold title of a
            # deeper level would otherwise open its paragraph's text ("Samtalen med den unge Kommunen …").
            body = [lay for lay in layouts if lay.kind == "body"]
            self._font_headings(body, body_size, below=_outline_floor(outline, layouts, body_size))
        for layout in layouts:
            layout.headings.sort(key=lambda h: (h[0], h[1]))

    def _outline(self, reader: PdfReader) -> list[tuple[int, str, int]]:
        """(level, title, 0-based page index) for every outline entry that points at a page."""
        entries: list[tuple[int, str, int]] = []

        def walk(items: Any, level: int) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item, level + 1)
                    continue
                try:
                    index = reader.get_destination_page_number(item)
                except Exception:
                    index = None
                title = clean.normalise(str(getattr(item, "title", "") or ""))
                # Some exports bookmark whole paragraphs; a bookmark that reads as one is not a title.
                if index is not None and index >= 0 and title and clean.looks_like_heading(title):
                    entries.append((level, title, index))

        try:
            walk(reader.outline, 1)
        except Exception as exc:
            log.warning("outline unreadable: %s", exc)
            return []
        # Bookmarks of a repeated label ("Valideringsregel" under every field) are not sections either.
        counts = Counter(match_key(title) for _, title, _ in entries)
        return [
            (level, title, index)
            for level, title, index in entries
            if counts[match_key(title)] < REPEATED_LABEL and not clean.is_field_label(title)
        ]

    def _outline_headings(
        self, outline: list[tuple[int, str, int]], layouts: list[PageLayout], warnings: list[str]
    ) -> None:
        cursor: dict[int, int] = {}
        for level, title, index in outline:
            if index >= len(layouts):
                continue
            layout = layouts[index]
            match = match_title(layout.lines, title, cursor.get(index, 0), layout.headings)
            if match is None:
                match = match_title(layout.lines, title, 0, layout.headings)
            if match is None:
                # The title is not printed as text on its page (an image, or different wording):
                # place it first on the page so the page's text still gets its section.
                layout.headings.append((-1, -1, level, title))
                warnings.append(f"side {layout.number}: bogmærket {title!r} findes ikke i sidens tekst")
                continue
            start, end = match
            layout.headings.append((start, end, level, title))
            cursor[index] = end + 1

    def _font_headings(
        self, layouts: list[PageLayout], body_size: float, *, below: tuple[int, float] | None = None
    ) -> None:
        """Short lines clearly larger than the body text, or bold, that do not read as sentences.

        A short title that recurs ``REPEATED_LABEL`` times is a label (a form's field name, a
        table's header cell), not a section: it would make every page's text belong to "Type".

        ``below`` = (deepest outline level, size of its titles): only bold titles no larger than the
        outline's smallest are taken, ranked from one level below the outline's deepest. Larger
        unbookmarked type (a title page, a display quote) is left as the outline's author left it.
        """
        styles: set[tuple[float, bool]] = set()
        found: list[tuple[PageLayout, int, int, tuple[float, bool]]] = []
        seen: Counter[str] = Counter()
        for layout in layouts:
            taken = {i for start, end, _, _ in layout.headings for i in range(start, end + 1)}
            for start, end in self._heading_runs(layout, body_size, taken):
                style = (layout.lines[start].size, layout.lines[start].bold)
                if below is not None and not (
                    style[1] and style[0] <= below[1] + 0.1 and _set_off_above(layout.lines, start)
                ):
                    continue
                found.append((layout, start, end, style))
                key = "".join(ln.key for ln in layout.lines[start : end + 1])
                seen[key] += 1
        labels = {key for key, count in seen.items() if count >= REPEATED_LABEL}
        kept = []
        for layout, start, end, style in found:
            if "".join(ln.key for ln in layout.lines[start : end + 1]) in labels:
                continue
            kept.append((layout, start, end, style))
            if layout.kind == "body":
                styles.add(style)
        found = kept
        ranking = sorted(styles, key=lambda s: (-s[0], not s[1]))
        first = below[0] + 1 if below is not None else 1
        for layout, start, end, style in found:
            level = first + (ranking.index(style) if style in styles else 0)
            layout.headings.append((start, end, min(level, 6), None))

    def _heading_runs(self, layout: PageLayout, body_size: float, taken: set[int]) -> Iterator[tuple[int, int]]:
        lines = layout.lines
        if not lines:
            return
        biggest = max(ln.size for ln in lines)
        i = 0
        while i < len(lines):
            line = lines[i]
            if i in taken or not self._heading_style(line, body_size, layout.kind, biggest):
                i += 1
                continue
            end = i
            # A title that wraps: same style, next baseline close below, same column.
            while (
                end + 1 < len(lines)
                and end + 1 not in taken
                and lines[end + 1].size == line.size
                and lines[end + 1].bold == line.bold
                and lines[end + 1].column == lines[end].column
                and lines[end + 1].margin == lines[end].margin
                and 0 < lines[end].y - lines[end + 1].y <= 1.6 * line.size
            ):
                end += 1
            text = clean.join_hyphenated(ln.text for ln in lines[i : end + 1])
            # A wrapped title in clearly larger type may keep a closing period ("… brugerautori-" /
            # "sation."); the word limit still keeps display-size sentences out.
            if end > i and line.size >= 1.3 * body_size:
                text = text.rstrip(".")
            # Bold at the body's size is also emphasis inside a paragraph: a title is set off from it.
            # Nor does emphasis make a sentence a title: a bold line that states something (a contact
            # block's "Ansvarlig enhed … er …") is text, however short and set off it is.
            emphasis = line.bold and not line.margin and line.size < body_size * self.heading_scale
            if (
                clean.looks_like_heading(text)
                and not clean.is_field_label(text)
                and not _table_cell(lines, i)
                and not (emphasis and layout.kind == "body" and not _set_off_above(lines, i))
                and not (emphasis and clean.reads_as_statement(text))
                and not _sentence_goes_on(lines, end)
                and (layout.kind != "toc" or clean.is_toc_title(text))
            ):
                yield i, end
            i = end + 1

    def _heading_style(self, line: Line, body_size: float, kind: PageKind, biggest: float) -> bool:
        if kind == "cover":
            return line.size >= biggest - 0.1  # only the title, not the subtitle or the publisher
        if line.margin and line.bold:
            return True  # a bold side-head heads the paragraph it stands beside, whatever its size
        return line.size >= body_size * self.heading_scale or (line.bold and line.size >= body_size - 0.6)


def _sentence_goes_on(lines: Sequence[Line], end: int) -> bool:
    """Whether the line after ``end`` carries its sentence on: close below in its column, in lower case.

    A bold file name or term can make a sentence's first line look like a title; a title never
    breaks off mid-sentence, and a paragraph after one opens with a capital.
    """
    if end + 1 >= len(lines):
        return False
    last, following = lines[end], lines[end + 1]
    return (
        following.column == last.column
        and not following.margin
        and 0 < last.y - following.y <= 1.6 * last.size
        and following.text[:1].islower()
    )


def _set_off_above(lines: Sequence[Line], i: int) -> bool:
    """Whether a paragraph gap (or nothing) lies above line ``i`` in its column.

    A heading is set off from the text it follows; a bold sentence inside a table cell or a
    paragraph sits at the text's own leading.
    """
    line = lines[i]
    above = [
        other.y
        for other in lines[max(0, i - _ROW_WINDOW) : i]
        if other.column == line.column and not other.margin and other.y > line.y
    ]
    return not above or min(above) - line.y > 1.5 * line.size


def _outline_floor(
    outline: list[tuple[int, str, int]], layouts: list[PageLayout], body_size: float
) -> tuple[int, float]:
    """The outline's deepest level and the smallest type its titles are printed in (body size when
    none of them is found in the text)."""
    sizes = [
        layout.lines[start].size for layout in layouts for start, _, _, title in layout.headings if title and start >= 0
    ]
    return max(level for level, _, _ in outline), min(sizes, default=body_size)


def match_title(
    lines: Sequence[Line], title: str, start: int, taken: list[tuple[int, int, int, str | None]]
) -> tuple[int, int] | None:
    """The lines (first, last) that print ``title``, searching from ``start``; None if absent.

    Compares letters and digits only, so hyphenation, spacing and case do not matter, and allows
    a printed chapter number the outline leaves out ("1 Indledning" for "Indledning"), or one read
    after its title on the same baseline (a side-head's title taken for a margin note: "Start af
    service" / "2.3").
    """
    target = match_key(title)
    if not target:
        return None
    number = target[: len(target) - len(target.lstrip("0123456789"))]
    used = {i for s, e, _, _ in taken for i in range(s, e + 1)}
    for i in range(start, len(lines)):
        if i in used:
            continue
        acc = ""
        for j in range(i, min(i + 4, len(lines))):
            if j in used:
                break
            acc += lines[j].key
            stripped = acc.lstrip("0123456789")
            if acc == target or (stripped == target and stripped):
                return i, j
            if number and number + acc == target and _number_after(lines, i, j + 1, number, used):
                return i, j + 1
            if not (target.startswith(acc) or target.startswith(stripped)):
                break
    return None


def _number_after(lines: Sequence[Line], first: int, i: int, number: str, used: set[int]) -> bool:
    """Whether line ``i`` is only the title's number, printed on the title's first baseline."""
    return i < len(lines) and i not in used and lines[i].key == number and abs(lines[i].y - lines[first].y) < 1.0
