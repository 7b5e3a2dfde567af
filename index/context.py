"""Small-to-big: a passage on a page that answers the question ranks up.

Passages are small (one or two paragraphs) so that citations are precise, but the evidence for
a question is often spread over a page: a heading and its first paragraph name the topic, the
next paragraph holds the answer. This stage adds to each passage's fused score a share of the
best score among its neighbours on the same page (the passage before and after it in reading
order, when it starts on a page the other one covers), counting only positive evidence, so a
strong page lifts its weaker passages and a weak one drags nobody down.

The page, not the section, because a citation is a page, and a section's passages are nearly
always on one page anyway. Measured on the tuning half (R@1 / R@5 / MRR@10), against the section
neighbours at 0.2 that came first (e5 0.748 / 0.909 / 0.815, MiniLM 0.720 / 0.909 / 0.787), with
the list spread at one passage per page (``index/diversity.py``):

- page neighbours at 0.3: e5 0.769 / 0.923 / 0.831, MiniLM 0.734 / 0.895 / 0.798; the answers
  unchanged with both. At 0.2: e5 0.748 / 0.930 / 0.819, MiniLM 0.727 / 0.895 / 0.791; at 0.4:
  e5 0.769 / 0.916 / 0.828, MiniLM 0.727 / 0.895 / 0.792.
- section neighbours at 0.3: e5 0.762 / 0.909 / 0.822, MiniLM 0.713 / 0.902 / 0.785.
- every other passage on the page, not only the next ones: at 0.3 e5 0.755 / 0.937 / 0.821,
  MiniLM 0.741 / 0.874 / 0.802, and fewer right answers with both (e5 0.196 → 0.189).
- On the fixture set pages and sections are the same neighbours; 0.3 did better there than 0.2
  (e5 R@5 0.746 → 0.762, MiniLM R@1 0.571 → 0.587).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.models import Passage


@dataclass(frozen=True)
class ContextConfig:
    # share of the better page neighbour's (positive) fused score; 0.3 measured on the tuning half
    neighbour_weight: float = 0.3


def same_page(before: Passage, after: Passage) -> bool:
    """Whether ``after``, the next passage in reading order, starts on a page ``before`` covers."""
    return (before.publication_id == after.publication_id
            and before.page_start <= after.page_start <= before.page_end)


@dataclass
class PageNeighbours:
    """For every passage, the index of the passage before and after it on the same page (or -1)."""

    previous: np.ndarray
    next: np.ndarray

    @classmethod
    def of(cls, passages: list[Passage]) -> PageNeighbours:
        n = len(passages)
        previous = np.full(n, -1, dtype=np.int64)
        nxt = np.full(n, -1, dtype=np.int64)
        for i in range(1, n):
            if same_page(passages[i - 1], passages[i]):
                previous[i], nxt[i - 1] = i - 1, i
        return cls(previous, nxt)

    def apply(self, fused: np.ndarray, config: ContextConfig) -> np.ndarray:
        if config.neighbour_weight <= 0 or fused.size == 0:
            return fused
        positive = np.maximum(fused, 0.0)
        padded = np.append(positive, 0.0)  # index -1 reads the appended 0: no neighbour, no help
        best = np.maximum(padded[self.previous], padded[self.next])
        return fused + config.neighbour_weight * best
