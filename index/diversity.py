"""The list spreads over pages: after the first passages, a page already listed waits its turn.

A page of a guide holds several passages, and when one of them matches a question its neighbours
usually do too. Ranked by score alone, a wrong first page then filled the list with its other
passages ("haandbog p. 17" four times in the first five) and pushed the page that answers out of
sight. So after the first ``KEEP`` passages, which stay as ranked (the answer reads them), a
passage whose page already has ``PER_PAGE`` passages listed comes after the best passage of every
page not yet listed; the held-back ones follow in their order. Nothing is dropped, and a passage
from a new page never overtakes one that clears the relevance floor when it does not clear it
itself (``spread_pages``). The relevance floor reads each passage's own fused score; a held-back
passage's score is lowered to its place in the list.

One per page. A hit is a page, and each result links to its page, so a second passage of a listed
page adds no place to look, while the best passage of another page does. Measured on the tuning
half with small-to-big on the page (``index/context.py``), as page R@5 / MRR@10 / R@10 /
questions whose top five hold a relevant passage with the evidence phrase (of 143):

- not spread: e5 0.909 / 0.826 / – / 124, MiniLM 0.867 / 0.789 / – / 112;
- one per page (kept): e5 0.923 / 0.831 / 0.965 / 114, MiniLM 0.895 / 0.798 / 0.951 / 104;
- two per page: e5 0.909 / 0.827 / 0.951 / 121, MiniLM 0.888 / 0.795 / 0.937 / 110. It was the
  choice for a while, for the passage after a page's first, which often holds the answer the
  first leads up to. But when one per page holds that passage back, its page is still in the top
  five, one link away, and the answer reads the first two passages whatever the spread;
- three per page: e5 0.909 / 0.826 / – / 123, MiniLM 0.888 / 0.792 / – / 111; one per page but
  the first passage's page exempt: e5 0.916 / 0.827 / – / 119, MiniLM 0.874 / 0.791 / – / 111;
- answers are the same with every spread: they read the first two passages, which stay where
  they are;
- spreading from the first passage on moved the answer's second passage and lost R@1 (MiniLM
  0.720 → 0.692, with small-to-big on the section). On the fixture questions one per page gained
  R@5 with both (MiniLM 0.746 → 0.778, e5 0.730 → 0.746), where pages hold fewer passages.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

import numpy as np

KEEP = 2  # passages listed as ranked before pages are spread
PER_PAGE = 1  # passages of one page listed (after the first KEEP) before the other pages' best
POOL = 150  # candidates read, whatever k is: the list for a smaller k is the start of a larger k's


def spread_pages(order: Sequence[int] | np.ndarray, scores: Sequence[float] | np.ndarray,
                 page_of: Sequence[Hashable], k: int,
                 keep: int = KEEP, floor: float = -math.inf, per_page: int = PER_PAGE) -> list[tuple[int, float]]:
    """The first ``k`` of the passages in ``order`` (best first; ``scores`` by passage) with pages
    spread after the first ``keep``, as (passage, the score that ranks it there): a page that has
    ``per_page`` passages listed waits until every other page has its best listed.

    Passages that clear the relevance ``floor`` are spread among themselves, then the rest: a
    passage from a new page must not push one that clears the floor out of the list (the page then
    counted more relevant passages than it showed). A passage held back keeps its distance below
    the one before it in the fused scores, counted from the last one listed, so scores still rank
    the list (clients sort by them) and equal scores keep their order. ``order`` is read only as
    far as the list needs: a search reads some twenty of its hundred and fifty.
    """
    out: list[tuple[int, float]] = []
    listed_on: dict[Hashable, int] = {}  # passages listed per page
    j = 0
    for over_floor in (True, False):
        listed: list[tuple[int, float]] = []
        held: list[tuple[int, float]] = []
        while j < len(order) and len(out) + len(listed) < k:
            i = int(order[j])
            score = float(scores[i])
            if over_floor and score < floor:
                break
            j += 1
            if len(out) + len(listed) >= keep and listed_on.get(page_of[i], 0) >= per_page:
                held.append((i, score))
            else:
                listed.append((i, score))
                listed_on[page_of[i]] = listed_on.get(page_of[i], 0) + 1
        out += listed
        if held and len(out) < k:
            # Below the last one listed, each as far below it as it was below the first held back.
            last, first = (out[-1][1] if out else held[0][1]), held[0][1]
            out += [(i, min(score, last - (first - score))) for i, score in held]
        if len(out) >= k:
            break
    # A held-back passage of the first tier may fall below a listed one of the second: none above
    # the one before it.
    for n in range(1, min(len(out), k)):
        if out[n][1] > out[n - 1][1]:
            out[n] = (out[n][0], out[n - 1][1])
    return out[:k]
