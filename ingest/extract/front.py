"""Front and back matter that is neither cover nor contents: the colophon (imprint) page.

The page after the cover that names the publisher, the ISBN, layout and photo credits is not
guidance; left as a body page it becomes a passage that matches every question about the
publication itself. It is small type or a few "Label: value" lines of imprint vocabulary, near
the start (before the text begins) or on the last pages.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.extract.records import PageLayout
from ingest.models import PageKind

_IMPRINT = re.compile(
    r"\b(?:e-?ISBN|ISBN|ISSN|udgivet\s+af|udgiver|forlag|layout|grafisk|design|foto|fotos|illustrationer?"
    r"|tryk|trykt|oplag|redaktion|forsidefoto|copyright|kan\s+downloades|kan\s+hentes|bestilles)\b|©",
    re.IGNORECASE,
)
MAX_CHARS = 1500
LEADING_PAGES = 4  # a colophon sits among the first pages, before the text begins
TRAILING_PAGES = 2


def is_front_matter(layout: PageLayout, body_size: float, before: Sequence[PageKind], total: int) -> bool:
    """Whether a page classified as body is a colophon: imprint lines, little text, at either end."""
    lines = layout.lines
    if not lines or sum(len(ln.text) for ln in lines) > MAX_CHARS:
        return False
    leading = layout.number <= LEADING_PAGES and all(kind != "body" for kind in before)
    trailing = layout.number > total - TRAILING_PAGES and layout.number > LEADING_PAGES
    if not (leading or trailing):
        return False
    imprint = sum(_IMPRINT.search(ln.text) is not None for ln in lines)
    small = all(ln.size < body_size - 0.5 for ln in lines)
    return imprint >= 2 or (imprint >= 1 and small)
