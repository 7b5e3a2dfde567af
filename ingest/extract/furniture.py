"""Running headers, footers and bare page numbers: found across all pages and dropped."""

from __future__ import annotations

from ingest import clean
from ingest.extract.records import Line


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

    def drop(self, pages: list[list[Line]], title_size: float) -> list[list[Line]]:
        """Pages without running headers, footers and bare page numbers.

        Lines of ``title_size`` or more are titles even when they recur (chapter openers), never furniture.
        """
        kept: list[list[Line]] = []
        for lines, drop in zip(pages, self.find(pages), strict=True):
            kept.append([ln for i, ln in enumerate(lines) if i not in drop or ln.size >= title_size])
        return kept
