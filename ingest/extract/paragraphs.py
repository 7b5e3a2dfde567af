"""Paragraphs: lines split at gaps, headings and list items, joined and cleaned into blocks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ingest import clean
from ingest.extract.records import Line, PageLayout, Paragraph
from ingest.models import Block, BlockRole

BULLETS = ("•", "▪", "●", "■", "◦", "►", "➢", "✓")  # Symbol/Wingdings bullets arrive as these (symbols.py)
DASH_ITEMS = ("– ", "- ", "— ")  # list items only after a colon or another dash item


class ParagraphBuilder:
    """Turns page layouts with marked headings into ``Block``s; ``clean`` gives a block its final text."""

    def __init__(self, clean_text: Callable[[str], str]) -> None:
        self.clean = clean_text

    def __call__(self, layouts: list[PageLayout]) -> list[Block]:
        """Blocks in reading order: headings, and paragraphs split at gaps, headings and bullets."""
        leading = _leading_by_size(layouts)
        per_page = [self._page_paragraphs(layout, leading) for layout in layouts]
        self._carry_hyphenated_words(layouts, per_page)
        blocks: list[Block] = []
        for layout, paragraphs in zip(layouts, per_page, strict=True):
            for para in paragraphs:
                block = self._block(para, layout)
                if block is not None:
                    blocks.append(block)
        return blocks

    def _page_paragraphs(self, layout: PageLayout, leading: dict[float, float]) -> list[Paragraph]:
        heading_at = {start: (end, level, title) for start, end, level, title in layout.headings}
        paragraphs: list[Paragraph] = []
        for start, _end, level, title in layout.headings:
            if start < 0:  # an outline title not found in the text opens the page
                paragraphs.append(Paragraph("heading", [], level, title))
        current: Paragraph | None = None
        i = 0
        lines = layout.lines
        while i < len(lines):
            if i in heading_at:
                end, level, title = heading_at[i]
                paragraphs.append(Paragraph("heading", lines[i : end + 1], level, title))
                current = None
                i = end + 1
                continue
            line = lines[i]
            if current is None or self._breaks(current, line, layout, leading):
                current = Paragraph("text", [])
                paragraphs.append(current)
            current.lines.append(line)
            i += 1
        return paragraphs

    def _breaks(self, current: Paragraph, line: Line, layout: PageLayout, leading: dict[float, float]) -> bool:
        """Whether ``line`` starts a new paragraph after the ``current`` one (same page, reading order)."""
        prev = current.last
        if prev.margin != line.margin or line.note:
            return True  # a margin note, and each footnote, is a block of its own
        if (line.role, line.group) != (prev.role, prev.group) or line.role == "row":
            return True  # into or out of a box, the next footnote, a table row
        if layout.kind == "cover" or abs(prev.size - line.size) > 0.6 or _starts_item(current, line):
            return True  # a cover is a list of separate items: title, subtitle, publisher, year
        if layout.kind == "toc" and (clean.is_toc_line(prev.text) or clean.is_toc_line(line.text)):
            return True
        if line.y < prev.y and line.column == prev.column:
            step = leading.get(prev.size, prev.size * 1.2)
            limit = step * 1.2 + 0.5
            if _goes_on(prev, line):
                # Tight text of the same size (a screen dump) can set the leading below this
                # paragraph's own; a sentence that goes on in lowercase at the same indent is no new
                # paragraph unless the gap is as wide as a paragraph's spacing.
                limit = max(limit, 1.6 * prev.size)
            return prev.y - line.y > limit
        # moved up: the next column or band; the paragraph goes on unless the last line ended it
        return not _continues(prev, layout)

    def _carry_hyphenated_words(self, layouts: list[PageLayout], per_page: list[list[Paragraph]]) -> None:
        """A word hyphenated across a page break is completed on the page where it starts."""
        for n in range(len(per_page) - 1):
            here, there = per_page[n], per_page[n + 1]
            if not here or not there or here[-1].kind != "text" or there[0].kind != "text":
                continue
            if layouts[n].kind != "body" or layouts[n + 1].kind != "body":
                continue
            last, first = here[-1].last, there[0].lines[0]
            if not last.text.endswith("-") or not _continues(last, layouts[n]):
                continue
            head, _, rest = first.text.partition(" ")
            joined = clean.join_hyphenated([last.text, head])
            if joined.endswith(" " + head):
                continue  # a suspended compound ("børne-" / "og ...") stays where it is
            here[-1].lines[-1] = replace(last, text=joined)
            if rest:
                there[0].lines[0] = replace(first, text=rest)
            else:
                there[0].lines.pop(0)
                if not there[0].lines:
                    there.pop(0)

    def _block(self, para: Paragraph, layout: PageLayout) -> Block | None:
        if para.kind == "heading":
            text = para.title or clean.join_hyphenated(ln.text for ln in para.lines)
            text = self.clean(text)
            return Block("heading", text, layout.number, para.level, _role(para.lines)) if text else None
        texts = [ln.text for ln in para.lines]
        if layout.kind == "toc":
            texts = [clean.strip_dot_leader(t) for t in texts]
        text = self.clean(clean.join_hyphenated(texts))
        return Block("text", text, layout.number, role=_role(para.lines)) if text else None


def _role(lines: list[Line]) -> BlockRole:
    role = lines[0].role if lines else "body"
    return role if role in ("box", "footnote") else "body"


def _leading_by_size(layouts: list[PageLayout]) -> dict[float, float]:
    """Typical baseline distance of consecutive lines in one column, per font size."""
    steps: dict[float, list[float]] = {}
    for layout in layouts:
        if layout.kind != "body":
            continue  # contents entries and cover items are spaced out, not set in paragraphs
        for prev, line in zip(layout.lines, layout.lines[1:], strict=False):
            step = prev.y - line.y
            if prev.size == line.size and prev.column == line.column and 0 < step < 2.5 * line.size:
                steps.setdefault(line.size, []).append(step)
    # The lower quartile, not the median: paragraph gaps are frequent enough to pull the median up.
    return {size: sorted(values)[len(values) // 4] for size, values in steps.items() if values}


_SENTENCE_END = (".", "!", "?", ":", "»", '"', "”")


def _starts_item(current: Paragraph, line: Line) -> bool:
    """A list item starts a paragraph of its own: a bullet, or a dash after a colon or a dash item.

    A dash alone is not enough: "– " also opens a parenthetical remark inside a sentence.
    """
    if line.text.startswith(BULLETS):
        return True
    if not line.text.startswith(DASH_ITEMS):
        return False
    return current.last.text.rstrip().endswith(":") or current.lines[0].text.startswith(DASH_ITEMS)


def _goes_on(prev: Line, line: Line) -> bool:
    """``line`` carries on ``prev``'s sentence: same indent, ``prev`` ends mid-sentence, ``line``
    starts in lowercase ("er sat til asyn-" / "chronous.")."""
    return (
        abs(prev.x0 - line.x0) <= 2.0
        and not prev.text.rstrip().endswith(_SENTENCE_END)
        and line.text[:1].isalpha()
        and line.text[:1].islower()
    )


def _continues(line: Line, layout: PageLayout) -> bool:
    """Whether a paragraph probably goes on after ``line`` at the top of the next column or page.

    A full line or one that does not end a sentence continues; a short line that ends a
    sentence is a paragraph's last line.
    """
    right = layout.column_right.get(line.column, line.x1)
    width = layout.column_width.get(line.column, 0.0) or 1.0
    full = line.x1 >= right - 0.15 * width
    return full or not line.text.rstrip().endswith(_SENTENCE_END)
