"""Pages spread in the result list (index/diversity.py)."""

from __future__ import annotations

from collections import Counter

import pytest

from index.diversity import PER_PAGE
from index.diversity import spread_pages as spread_order


def spread_pages(ranked: list[tuple[int, float]], page_of: list, k: int, **kwargs: float) -> list[tuple[int, float]]:  # type: ignore[type-arg]
    """``index.diversity.spread_pages`` on (passage, score) pairs, best first."""
    scores = dict(ranked)
    return spread_order([i for i, _ in ranked], [scores.get(i, 0.0) for i in range(len(page_of))], page_of, k,
                        **kwargs)  # type: ignore[arg-type]


def test_a_page_already_listed_waits_for_the_pages_not_yet_listed() -> None:
    # A wrong first page filled the list with its other passages ("haandbog p. 17" four times in
    # the first five) and the page that answers was sixth.
    page_of = [("haandbog", 17), ("haandbog", 17), ("godpraksis", 11), ("haandbog", 17), ("haandbog", 17),
               ("metodehaefte", 9), ("haandbog", 17)]
    ranked = [(i, 10.0 - i) for i in range(len(page_of))]
    spread = spread_pages(ranked, page_of, k=5)
    assert [i for i, _ in spread] == [0, 1, 2, 5, 3]
    assert spread[3] == (5, 5.0)  # a passage listed in its turn keeps its score
    # The first two stay as ranked (the answer reads them), and nothing is dropped.
    everything = spread_pages(ranked, page_of, k=7)
    assert [i for i, _ in everything] == [0, 1, 2, 5, 3, 4, 6]
    # Scores still rank the list (clients sort by them): a held-back passage's is lowered to its
    # place, each as far below the one before as in the fused scores (7, 6, 4 → 5, 4, 2).
    assert [s for _, s in everything] == [10.0, 9.0, 8.0, 5.0, 5.0, 4.0, 2.0]
    # A shorter list is the start of a longer one: "Vis flere" adds passages, it does not reorder.
    assert spread_pages(ranked, page_of, k=4) == everything[:4]


def test_a_pages_second_passage_waits_behind_the_pages_not_yet_listed() -> None:
    """After the first two, one passage per page: a second passage of page "a" adds no place to
    look (each result links to its page), while page "c" does. It is listed after "c", not dropped
    ("Vis flere" shows it)."""
    page_of = ["a", "b", "a", "c", "a"]
    ranked = [(0, 5.0), (1, 4.0), (2, 3.0), (3, 2.0), (4, 1.5)]
    assert PER_PAGE == 1
    assert [i for i, _ in spread_pages(ranked, page_of, k=5)] == [0, 1, 3, 2, 4]
    assert [i for i, _ in spread_pages(ranked, page_of, k=3)] == [0, 1, 3]
    # Two per page, measured and not kept (index/diversity.py), lists the page's second passage in its turn.
    assert [i for i, _ in spread_pages(ranked, page_of, k=5, per_page=2)] == [0, 1, 2, 3, 4]


def test_a_new_page_does_not_push_a_passage_that_clears_the_floor_out() -> None:
    """Spread over every candidate, a weak passage from a new page came before a strong one from a
    listed page; the floor then dropped the weak one, and the list showed fewer passages than the
    page counted as relevant ("Vis flere" offered on a list that was not full)."""
    page_of = ["a", "a", "a", "b", "c"]
    ranked = [(0, 5.0), (1, 4.0), (2, 3.0), (3, 1.0), (4, 0.5)]
    spread = spread_pages(ranked, page_of, k=3, floor=2.0)
    assert [i for i, _ in spread] == [0, 1, 2]
    assert [i for i, _ in spread_pages(ranked, page_of, k=5, floor=2.0)] == [0, 1, 2, 3, 4]
    # Among the passages that clear it, pages are spread as before.
    assert [i for i, _ in spread_pages([(0, 5.0), (1, 4.0), (2, 3.0), (3, 2.5)], page_of, k=4, floor=2.0)] \
        == [0, 1, 3, 2]


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_a_short_list_is_the_ranking_head_or_the_first_new_page(k: int) -> None:
    page_of = ["a", "a", "a", "b"]
    ranked = [(0, 4.0), (1, 3.0), (2, 2.0), (3, 1.0)]
    assert [i for i, _ in spread_pages(ranked, page_of, k)] == [0, 1, 3][:k]


def test_the_built_index_lists_a_new_page_before_a_repeated_one(search_index) -> None:  # type: ignore[no-untyped-def]
    for question in ("tvangsægteskab", "hvad gør jeg hvis en elev siger hun skal giftes mod sin vilje",
                     "genopdragelsesrejse", "risikovurdering", "underretning"):
        hits = search_index.search(question, k=10)
        assert len(hits) == 10
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
        listed_on = Counter((h.passage.publication_id, h.passage.page_start) for h in hits[:2])
        # Those over the floor come first; within each tier a passage of a page already listed
        # comes after every passage of a page that is not.
        tiers = [h.relevance >= search_index.floor for h in hits[2:]]
        assert tiers == sorted(tiers, reverse=True), question
        waited = {True: False, False: False}
        for hit, over in zip(hits[2:], tiers, strict=True):
            page = (hit.passage.publication_id, hit.passage.page_start)
            if listed_on[page] >= PER_PAGE:
                waited[over] = True
            else:
                assert not waited[over], (question, page)
                listed_on[page] += 1
