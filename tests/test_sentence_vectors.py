"""Answer units are embedded when a version is built, so no question waits for them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from index.sentence_vectors import SentenceVectors, unit_texts
from index.sentences import units


def test_a_built_version_holds_a_vector_for_every_unit(search_index) -> None:  # type: ignore[no-untyped-def]
    stored = search_index.sentence_vectors
    assert stored is not None
    texts, offsets = unit_texts(search_index.passages)
    assert stored.vectors.shape == (len(texts), search_index.embedder.dimension)
    assert np.array_equal(stored.offsets, offsets)
    first = next(i for i, p in enumerate(search_index.passages) if units(p))
    found = stored.of(first, units(search_index.passages[first]))
    assert found is not None
    text, vector = next(iter(found.items()))
    assert np.allclose(vector, search_index.embedder.encode_passages([text])[0], atol=1e-4)


def test_answers_need_no_sentence_embedding_at_question_time(search_index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    original = search_index.embedder.encode_passages

    def counting(texts):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return original(texts)

    monkeypatch.setattr(search_index.embedder, "encode_passages", counting)
    answer = search_index.draft("Hvad er tvangsægteskab?", 5)
    assert answer.sentences
    assert calls == []


def test_a_version_without_them_embeds_units_when_first_needed(search_index) -> None:  # type: ignore[no-untyped-def]
    lazy = replace(search_index, sentence_vectors=None)
    stored = search_index.draft("Hvad er tvangsægteskab?", 5)
    embedded = lazy.draft("Hvad er tvangsægteskab?", 5)
    assert [s.text for s in embedded.sentences] == [s.text for s in stored.sentences]


def test_rows_that_no_longer_fit_the_units_are_not_used() -> None:
    stored = SentenceVectors(np.zeros((3, 4), dtype=np.float32), np.array([0, 2, 3]))
    assert stored.of(0, []) is None  # two stored rows, no units now: the unit rules changed


@pytest.mark.parametrize("offsets", [np.array([0, 2]), np.array([0, 1, 2])])
def test_stored_vectors_that_do_not_fit_the_passages_are_ignored(tmp_path, offsets) -> None:  # type: ignore[no-untyped-def]
    from index.sentence_vectors import write

    write(tmp_path, np.zeros((3, 4), dtype=np.float32), offsets)
    assert SentenceVectors.load(tmp_path, passages=2) is None
