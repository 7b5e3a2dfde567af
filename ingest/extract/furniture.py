"""Running headers, footers and bare page numbers: found across all pages, dropped, and read for
the printed page numbers they carry."""

from __future__ import annotations

import re
from collections import Counter

from ingest import clean
from ingest.extract.records import Line

# A number at either end of a running line: "12 | Håndbog ...", "Håndbog ... 12", "Side 12".
_EDGE_NUMBER = re.compile(r"^\D{0,12}?(\d{1,4})\b|\b(\d{1,4})\D{0,3}$")
_ROMAN = re.compile(r"^[\s\-–—|•·]*([ivxlc]{1,7})[\s\-–—|•·]*$", re.IGNORECASE)
MIN_AGREEMENT = 0.6  # share of the pages with a printed number that must agree on one offset


class Furniture:
    """Finds the lines that repeat at the top and bottom of pages (see ``clean.find_running_lines``).

    Args:
        depth: how many lines at the top and bottom of a page may be headers/footers.
    """

    def __init__(self, *, depth: int = 3) -> None:
        self.depth = depth

    def find(self, pages: list[list[Line]]) -> list[set[int]]:
        """Indices, per page, of the furniture lines."""
        return clean.find_running_lines(
            [[ln.text for ln in lines] for lines in pages],
            [[ln.y for ln in lines] for lines in pages],
            depth=self.depth,
        )

    def drop(self, pages: list[list[Line]], title_size: float, found: list[set[int]] | None = None) -> list[list[Line]]:
        """Pages without running headers, footers and bare page numbers.

        Lines of ``title_size`` or more are titles even when they recur (chapter openers), never furniture.
        """
        found = self.find(pages) if found is None else found
        kept: list[list[Line]] = []
        for lines, drop in zip(pages, found, strict=True):
            kept.append([ln for i, ln in enumerate(lines) if i not in drop or ln.size >= title_size])
        return kept

    def labels(
        self, pages: list[list[Line]], title_size: float, found: list[set[int]] | None = None
    ) -> list[str | None]:
        """Printed page numbers read from headers and footers, or None where there is no evidence.

        Arabic numbers must agree on offsets from the PDF page index on most pages that print one
        (odd/even sides and pages without a number, like chapter openers, do not matter). An
        offset counts when at least three pages agree on it; there may be more than one, since a
        page taken out or put in shifts the numbers after it (one offset for every page put each
        citation before such a gap off by one). A page that prints a number gets it; one that does
        not gets the offset of the numbered pages around it, when they agree, and no label at a
        gap, where either side could be right. Pages before printed page 1 (front matter) get the
        roman numeral they print, if any. Without consistent offsets nothing is labelled.
        Bare numbers ("12", "Side 12") are the evidence; numbers inside running lines ("Håndbog | 12")
        count only in documents that print no bare numbers. Titles (``title_size``) never count.
        """
        found = self.find(pages) if found is None else found
        bare: list[set[int]] = []
        inline: list[set[int]] = []
        roman: dict[int, str] = {}
        for index, (lines, running) in enumerate(zip(pages, found, strict=True), start=1):
            bare.append(set())
            inline.append(set())
            for i in _edges(len(lines), self.depth):
                text = lines[i].text.strip()
                if lines[i].size >= title_size:
                    continue
                if clean.is_page_number(text, 9999):
                    match = _ROMAN.match(text)
                    if match:
                        roman[index] = match.group(1).lower()
                    else:
                        bare[-1].update(int(n) for n in re.findall(r"\d{1,4}", text)[:1])
                elif i in running:
                    match = _EDGE_NUMBER.search(text)
                    if match:
                        inline[-1].add(int(match.group(1) or match.group(2)))
        evidence = bare if any(bare) else inline
        offsets: Counter[int] = Counter()
        numbered = 0
        for index, numbers in enumerate(evidence, start=1):
            if numbers:
                numbered += 1
                offsets.update({n - index for n in numbers})
        if not offsets:
            return [roman.get(n) for n in range(1, len(pages) + 1)]
        valid = {o for o, count in offsets.items() if count >= min(3, len(pages))}
        own: list[int | None] = []
        for index, numbers in enumerate(evidence, start=1):
            mine = sorted({n - index for n in numbers} & valid)
            own.append(mine[0] if len(mine) == 1 else None)
        agree = sum(1 for o in own if o is not None)
        if not valid or agree < MIN_AGREEMENT * numbered:
            return [None] * len(pages)
        return [label if label is not None else roman.get(index)
                for index, label in enumerate(_labels_from(own), start=1)]


def _labels_from(own: list[int | None]) -> list[str | None]:
    """Each page's printed number from its own offset, or from its numbered neighbours' when both
    sides agree (or only one side has any); None where they differ or the number is below 1."""
    labels: list[str | None] = []
    for index, offset in enumerate(own, start=1):
        if offset is None:
            before = next((o for o in reversed(own[:index - 1]) if o is not None), None)
            after = next((o for o in own[index:] if o is not None), None)
            sides = {o for o in (before, after) if o is not None}
            offset = sides.pop() if len(sides) == 1 else None
        labels.append(str(index + offset) if offset is not None and index + offset >= 1 else None)
    return labels


def _edges(count: int, depth: int) -> list[int]:
    return sorted(set(range(min(depth, count))) | set(range(max(0, count - depth), count)))
