"""Retrievers: each scores every passage for a ``Query``; the search chain fuses what they return.

The contract is small (txtai's ANN base class and Haystack's retrievers have the same shape):
``scores(query)`` gives one score per passage in passage order, higher is better, and
``search(query, k)`` the k best as (passage index, score). The corpus is a few thousand passages,
so scoring all of them is cheaper than any candidate cut-off and lets fusion normalise over the
whole distribution. A new retriever (OpenSearch, PostgreSQL) is a new subclass here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from index.dense import DenseIndex
from index.fusion import top_k
from index.lexical import LexicalIndex
from index.query import Query, Terms
from index.sentence_vectors import SentenceVectors

# Thesaurus terms are other people's words for what the question says, not the question itself.
DEFAULT_EXPANSION_WEIGHT = 0.3


class Retriever(ABC):
    name: str

    @abstractmethod
    def scores(self, query: Query) -> np.ndarray:
        """One score per passage, in passage order; higher is better."""

    def search(self, query: Query, k: int) -> list[tuple[int, float]]:
        return top_k(self.scores(query).astype(np.float64), k)


@dataclass
class LexicalRetriever(Retriever):
    index: LexicalIndex
    expansion_weight: float = DEFAULT_EXPANSION_WEIGHT
    name: str = "lexical"
    # The thesaurus's terms, the only texts a question's expansion is made of: each is analysed
    # once per version, where analysing a question's expansion anew (seven terms, some 90 tokens
    # with their n-grams) took a third of the lexical side's time.
    phrases: Iterable[str] = ()

    def __post_init__(self) -> None:
        self._analysed = {phrase: self.index.analyzer.runs(phrase) for phrase in self.phrases}

    def scores(self, query: Terms) -> np.ndarray:  # no vector needed: see SearchIndex.draft_async
        own = self.index.scores(query.weighted_text).astype(np.float64)
        if not query.expansion or self.expansion_weight <= 0:
            return own
        extra = self.index.score_tokens(self._expansion_tokens(query.expansion))
        return own + self.expansion_weight * extra.astype(np.float64)

    def _expansion_tokens(self, expansion: list[str]) -> list[str]:
        """``analyzer(" ".join(expansion))``, token for token, from the terms analysed at load."""
        runs = [self._analysed.get(term) for term in expansion]
        if any(r is None for r in runs):  # not the version's thesaurus: analysed here
            return self.index.analyzer(" ".join(expansion))
        return self.index.analyzer.joined([r for r in runs if r is not None])


@dataclass
class DenseRetriever(Retriever):
    index: DenseIndex
    name: str = "dense"

    def scores(self, query: Query) -> np.ndarray:
        return self.index.scores(query.vector).astype(np.float64)


@dataclass
class SentenceRetriever(Retriever):
    """Each passage's best sentence: the highest cosine between the question and one of its units.

    A passage can cover several things, and its one vector is their average; a question that
    paraphrases one of its sentences meets that sentence better than the whole. The vectors are
    the answer units' (``index/sentence_vectors.py``), stored with the version, so this costs one
    matrix-vector product. A version without them scores every passage alike (no signal). Rows
    stored before the unit rules changed are still read: each is a piece of its own passage's text,
    which is what this score needs; only the answer needs them to be today's units.
    """

    vectors: SentenceVectors | None
    passages: int
    name: str = "sentence"

    def __post_init__(self) -> None:
        if self.vectors is None:
            self._starts = np.zeros(0, dtype=np.int64)
            self._has = np.zeros(self.passages, dtype=bool)
            return
        offsets = self.vectors.offsets
        self._has = offsets[1:] > offsets[:-1]  # a passage of only short lines has no unit
        self._starts = offsets[:-1][self._has]

    def scores(self, query: Query) -> np.ndarray:
        if self.vectors is None or self._starts.size == 0:
            return np.zeros(self.passages, dtype=np.float64)
        cosines = (self.vectors.vectors @ query.vector).astype(np.float64)
        # A passage without units gets the lowest cosine any sentence has: no evidence, not a zero.
        out = np.full(self.passages, float(cosines.min()))
        out[self._has] = np.maximum.reduceat(cosines, self._starts)
        return out
