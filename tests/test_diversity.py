"""Pages spread in the result list (index/diversity.py)."""

from __future__ import annotations

import pytest

from index.diversity import spread_pages


def test_a_page_already_listed_waits_for_the_pages_not_yet_listed() -> None:
    # A wrong first page filled the list with its other passages ("haandbog p. 17" four times in
    # the first five) and the page that answers was sixth.
    page_of = [("haandbog", 17), ("haandbog", 17), ("godpraksis", 11), ("haandbog", 17), ("haandbog", 17),
               ("metodehaefte", 9), ("haandbog", 17)]
    ranked = [(i, 10.0 - i) for i in range(len(page_of))]
    spread = spread_pages(ranked, page_of, k=5)
    assert [i for i, _ in spread] == [0, 1, 2, 5, 3]
    assert spread[3] == (5, 5.0)  # the scores stay each passage's own
    # The first two stay as ranked (the answer reads them), and nothing is dropped.
    assert [i for i, _ in spread_pages(ranked, page_of, k=7)] == [0, 1, 2, 5, 3, 4, 6]


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_a_short_list_is_the_ranking_head_or_the_first_new_page(k: int) -> None:
    page_of = ["a", "a", "a", "b"]
    ranked = [(0, 4.0), (1, 3.0), (2, 2.0), (3, 1.0)]
    assert [i for i, _ in spread_pages(ranked, page_of, k)] == [0, 1, 3][:k]


def test_the_built_index_lists_a_new_page_before_a_repeated_one(search_index) -> None:  # type: ignore[no-untyped-def]
    for question in ("tvangsægteskab", "hvad gør jeg hvis en elev siger hun skal giftes mod sin vilje",
                     "genopdragelsesrejse", "risikovurdering", "underretning"):
        pages = [(h.passage.publication_id, h.passage.page_start) for h in search_index.search(question, k=10)]
        assert len(pages) == 10
        seen = set(pages[:2])
        repeated = False
        for page in pages[2:]:
            if page in seen:
                repeated = True
            else:
                assert not repeated, (question, pages)
                seen.add(page)
