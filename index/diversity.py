"""The list spreads over pages: after the first passages, a page already listed waits its turn.

A page of a guide holds several passages, and when one of them matches a question its neighbours
usually do too. Ranked by score alone, a wrong first page then filled the list with its other
passages ("haandbog p. 17" four times in the first five) and pushed the page that answers out of
sight, and a caseworker scrolled past the same page again and again. So after the first ``KEEP``
passages, which stay as ranked (the answer reads them), a passage whose page is already listed
comes after the best passage of every page not yet listed; the held-back ones follow in their
order. Nothing is dropped: the fused scores and the relevance floor are unchanged, only the order
of the list is.

Measured on the tuning half (``bench/quality.py``; second opinion on the fixture questions):

- MiniLM R@5 0.881 → 0.909, R@10 0.930 → 0.944, MRR@10 0.782 → 0.787 (fixture R@5 0.746 → 0.778);
- e5 R@5 0.902 → 0.909, R@10 0.944 → 0.958, MRR@10 0.811 → 0.815 (fixture 0.730 → 0.746);
- answers unchanged with both (they read the first two passages, which stay where they are).
- Spreading from the first passage on moved the answer's second passage and lost R@1 (MiniLM
  0.720 → 0.692); two passages per page instead of one gained less (MiniLM R@5 0.895, e5 0.902).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

KEEP = 2  # passages listed as ranked before pages are spread
POOL = 3  # candidates read per passage listed: the pages held back are taken from this many


def spread_pages(ranked: Sequence[tuple[int, float]], page_of: Sequence[Hashable], k: int,
                 keep: int = KEEP) -> list[tuple[int, float]]:
    """The first ``k`` of ``ranked`` (passage index, score) with pages spread after the first ``keep``."""
    listed: list[tuple[int, float]] = []
    held: list[tuple[int, float]] = []
    pages: set[Hashable] = set()
    for i, score in ranked:
        page = page_of[i]
        if len(listed) >= keep and page in pages:
            held.append((i, score))
        else:
            listed.append((i, score))
            pages.add(page)
        if len(listed) >= k:
            break
    return (listed + held)[:k]
