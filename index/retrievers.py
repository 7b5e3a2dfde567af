"""Retrievers: each scores every passage for a ``Query``; the search chain fuses what they return.

The contract is small (txtai's ANN base class and Haystack's retrievers have the same shape):
``scores(query)`` gives one score per passage in passage order, higher is better, and
``search(query, k)`` the k best as (passage index, score). The corpus is a few thousand passages,
so scoring all of them is cheaper than any candidate cut-off and lets fusion normalise over the
whole distribution. A new retriever (OpenSearch, PostgreSQL) is a new subclass here.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from index.dense import DenseIndex
from index.fusion import top_k
from index.lexical import LexicalIndex
from index.query import Query

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

    def scores(self, query: Query) -> np.ndarray:
        own = self.index.scores(query.search_text).astype(np.float64)
        if not query.expansion or self.expansion_weight <= 0:
            return own
        extra = self.index.score_tokens(self.index.analyzer(" ".join(query.expansion)))
        return own + self.expansion_weight * extra.astype(np.float64)


@dataclass
class DenseRetriever(Retriever):
    index: DenseIndex
    name: str = "dense"

    def scores(self, query: Query) -> np.ndarray:
        return self.index.scores(query.vector).astype(np.float64)
