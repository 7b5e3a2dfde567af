"""Answer units are embedded when a version is built, so no question waits for them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from index.sentence_vectors import SentenceVectors, digest, unit_texts
from index.sentences import units
from ingest.models import Passage


def test_a_built_version_holds_a_vector_for_every_unit(search_index) -> None:  # type: ignore[no-untyped-def]
    stored = search_index.sentence_vectors
    assert stored is not None
    texts, offsets, digests = unit_texts(search_index.passages)
    assert stored.vectors.shape == (len(texts), search_index.embedder.dimension)
    assert np.array_equal(stored.offsets, offsets) and np.array_equal(stored.digests, digests)
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


def test_units_whose_rows_no_longer_fit_are_embedded_off_the_event_loop(search_index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Review of 21a21e1: a version whose digests no longer fit (the unit rules changed since its build)
    # embedded the answer's units on the server's event loop, which only checked for a version
    # without any stored vectors.
    import asyncio
    import threading

    stored = search_index.sentence_vectors
    assert search_index.units_stored
    other_units = SentenceVectors(stored.vectors, stored.offsets, stored.digests + 1)
    changed = replace(search_index, sentence_vectors=other_units)
    assert not changed.units_stored
    threads: list[int] = []
    original = changed.embedder.encode_passages

    def recording(texts):  # type: ignore[no-untyped-def]
        threads.append(threading.get_ident())
        return original(texts)

    monkeypatch.setattr(changed.embedder, "encode_passages", recording)
    answer = asyncio.run(changed.draft_async("Hvad er tvangsægteskab?", 5))
    expected = search_index.draft("Hvad er tvangsægteskab?", 5)
    assert [s.text for s in answer.sentences] == [s.text for s in expected.sentences]
    assert threads and threading.get_ident() not in threads


def test_rows_that_no_longer_fit_the_units_are_not_used() -> None:
    stored = SentenceVectors(np.zeros((3, 4), dtype=np.float32), np.array([0, 2, 3]))
    assert stored.of(0, []) is None  # two stored rows, no units now: the unit rules changed


def test_rows_of_other_unit_texts_are_not_used_though_their_count_fits() -> None:
    # A short sentence now opens the unit of the one that points back at it: one unit before, one
    # now, but another text, and the stored vector is the old text's.
    text = "Pligten er personlig. Det betyder, at en lærer eller pædagog ikke er fritaget for at underrette."
    passage = Passage("p1", "haandbog", "Håndbog", 9, 9, "7", None, text)
    now = units(passage)
    assert len(now) == 1
    before = [replace(now[0], text="Det betyder, at en lærer eller pædagog ikke er fritaget for at underrette.")]
    vectors = np.ones((1, 4), dtype=np.float32)
    built_before = SentenceVectors(vectors, np.array([0, 1]), np.array([digest([u.text for u in before])]))
    assert built_before.of(0, before) is not None
    assert built_before.of(0, now) is None
    # A version built before the digests were stored is read by the count alone.
    assert SentenceVectors(vectors, np.array([0, 1])).of(0, now) is not None


@pytest.mark.parametrize("offsets", [np.array([0, 2]), np.array([0, 1, 2])])
def test_stored_vectors_that_do_not_fit_the_passages_are_ignored(tmp_path, offsets) -> None:  # type: ignore[no-untyped-def]
    from index.sentence_vectors import write

    write(tmp_path, np.zeros((3, 4), dtype=np.float32), offsets, np.zeros(2, dtype=np.int64))
    assert SentenceVectors.load(tmp_path, passages=2) is None


def test_digests_that_do_not_fit_the_passages_are_ignored(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from index.sentence_vectors import write

    write(tmp_path, np.zeros((3, 4), dtype=np.float32), np.array([0, 2, 3]), np.zeros(5, dtype=np.int64))
    loaded = SentenceVectors.load(tmp_path, passages=2)
    assert loaded is not None and loaded.digests is None
