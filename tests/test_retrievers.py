"""The best-sentence retriever: each passage scored by its closest sentence to the question."""

from __future__ import annotations

import numpy as np

from index.query import Query
from index.retrievers import SentenceRetriever
from index.sentence_vectors import SentenceVectors


def _query(vector: list[float]) -> Query:
    v = np.array(vector, dtype=np.float32)
    return Query("q", "q", "q", [], [], (), [], v / np.linalg.norm(v))


def test_each_passage_scores_its_best_sentence_and_one_without_sentences_the_lowest():
    vectors = np.array([
        [1.0, 0.0], [0.0, 1.0],  # passage 0: one sentence on each topic
        # passage 1: only short lines, no unit
        [0.6, 0.8],  # passage 2: one sentence between the two
    ], dtype=np.float32)
    retriever = SentenceRetriever(SentenceVectors(vectors, np.array([0, 2, 2, 3])), passages=3)
    scores = retriever.scores(_query([0.0, 1.0]))
    assert scores.tolist() == [1.0, np.float32(0.0), np.float32(0.8)]
    # The passage's whole vector would average its two topics; its best sentence does not.
    assert retriever.scores(_query([1.0, 0.0]))[0] == 1.0


def test_a_version_without_sentence_vectors_gives_no_signal():
    scores = SentenceRetriever(None, passages=4).scores(_query([1.0, 0.0]))
    assert scores.tolist() == [0.0, 0.0, 0.0, 0.0]
