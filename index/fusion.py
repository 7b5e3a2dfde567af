"""Hybrid fusion of the lexical and dense rankings: pure functions on score arrays.

Both retrievers score every passage (the corpus is small), so fusion sees full score vectors:

- ``rrf``:    Σ w_r / (k + rank_r)                       — rank-only, scale-free
- ``zscore``: Σ w_r · (s_r − mean(s_r)) / std(s_r)        — how far a passage stands out
- ``minmax``: Σ w_r · (s_r − min) / (max − min)          — plain weighted sum

``bench/quality.py --variants`` measures them with both the English MiniLM (weak dense, strong
BM25 on Danish) and multilingual-e5-small (strong dense). Z-score fusion wins with both; its dense
weight is the model family's (:func:`fusion_for`), chosen on the tuning half of the realistic
evaluation questions and, as a second opinion, on the small fixture question set:

- e5: 0.5 (tuning half MRR@10 0.784, R@5 0.889, against 0.781 and 0.879 at 0.4; fixture set
  0.666 against 0.658). 0.6 ties on the tuning half (0.782); 0.8 falls to 0.742.
- MiniLM: 0.3 (tuning half 0.736 and 0.879, against 0.730 and 0.859 at 0.4; fixture set R@5
  0.762 against 0.714). Its English-only dense side is weak on Danish.

Each family's dense weight is split between the passage vector and the passage's best sentence
(``sentence_weight``, the best sentence's cosine; ``index/retrievers.SentenceRetriever``), chosen
the same way: e5 0.4 (tuning half MRR 0.784 → 0.792, R@1 0.707 → 0.717; fixture set 0.666 →
0.672), MiniLM 0.3 (tuning 0.736 → 0.741, R@1 0.646 → 0.657; the fixture set disagreed, 0.639 →
0.632). The best sentence's BM25 score as a third lexical signal lost with e5 (tuning MRR 0.777 at
0.2), and the mean of the best two sentences' cosines gained less than the best one's.

One weight of 0.4 for both came first; the per-build calibration on section titles chose 0.85 for
e5 (MRR 0.715), and equal-weight RRF fell to 0.601 with MiniLM, so neither is used.

Measured on the tuning half and not kept (R@1 / R@5 / MRR@10; production e5 0.713 / 0.895 / 0.793,
MiniLM 0.657 / 0.860 / 0.741):

- a learned linear reranking of the fused top 30 (listwise logistic regression on 14 features:
  idf-weighted coverage of the question, coverage by the section title, the page's best and second
  fused scores, the publication's share of the top 10, rank, length, the z-scores), 5 folds × 3
  out of fold: with all features e5 0.713 / 0.858 / 0.771 and MiniLM 0.653 / 0.774 / 0.713; the
  best single feature for e5 (the share of question words found) gave 0.716 / 0.909 / 0.789 and
  lost with MiniLM (0.571 R@1). The fusion already holds what these features know;
- a third dense vector per passage, the passage with its same-section neighbours, at 0.2 of the
  dense weight: e5 0.713 / 0.895 / 0.794, MiniLM 0.671 / 0.839 / 0.744; "section. passage" as
  that vector: at most a tie. Both gained two questions of 63 on the fixture set with e5;
- the thesaurus terms appended to the question the model embeds: e5 0.685 / 0.881 / 0.767 with
  three terms, 0.678 / 0.874 / 0.766 with all; MiniLM 0.622 / 0.846 / 0.725. The question before
  spelling correction: e5 0.706 / 0.895 / 0.788.

Measured later, against e5 0.748 / 0.902 / 0.811 and MiniLM 0.720 / 0.881 / 0.782, and not kept:

- dense pseudo-relevance feedback (the query vector plus β × the mean of the first m passages'
  vectors, then ranked again): e5 gained at some settings (m 5, β 1.0: 0.769 / 0.895 / 0.822;
  m 3, β 0.6: 0.748 / 0.909 / 0.815) but not on the fixture set (MRR 0.679 → 0.670-0.672),
  MiniLM lost at every setting (R@5 0.860-0.867), and the answer rule's signals moved with it
  (right answers 0.196 → 0.168 before a refit);
- BM25's k1 and b (1.2 / 0.75): k1 0.9-2.2 and b 0.5-0.9 moved either model by one question at
  most, either way; the character n-grams' share of the lexical score (0.5-1.5 of the words'):
  the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from index.confidence import FAMILIES

Method = Literal["rrf", "zscore", "minmax"]


@dataclass(frozen=True)
class FusionConfig:
    method: Method = "zscore"
    dense_weight: float = 0.5  # lexical weight is 1 − dense_weight
    rrf_k: int = 60
    # Share of the dense weight given to the passage's best sentence (its cosine with the question)
    # rather than the whole passage's: a paraphrase often matches one sentence of a passage that
    # also covers other things. 0 = the passage vector alone (versions built before this).
    sentence_weight: float = 0.0


DEFAULT_FUSION = FusionConfig(method="zscore", dense_weight=0.4)  # a model of no known family
FAMILY_FUSION = {
    "e5": FusionConfig(method="zscore", dense_weight=0.5, sentence_weight=0.4),
    "minilm": FusionConfig(method="zscore", dense_weight=0.3, sentence_weight=0.3),
}


def fusion_for(model_name: str) -> FusionConfig:
    """The fusion measured best for the model's family (see the module's docstring)."""
    for family, pattern in FAMILIES:
        if pattern.search(model_name):
            return FAMILY_FUSION[family]
    return DEFAULT_FUSION


def mean_std(scores: np.ndarray) -> tuple[float, float]:
    """``(scores.mean(), scores.std())`` of a 1-D float64 array, to the last bit, for a seventh of the time.

    The same reductions as numpy's (pairwise sums, then one division), without its Python-level
    argument handling: on the few hundred scores of a question that handling was most of the
    cost, 24 µs against 3.6 µs, and a search takes these statistics of its score arrays six times.
    """
    n = scores.size
    mean = np.add.reduce(scores) / n
    deviations = scores - mean
    np.square(deviations, out=deviations)
    return float(mean), float(np.sqrt(np.add.reduce(deviations) / n))


def zscore(scores: np.ndarray) -> np.ndarray:
    mean, std = mean_std(scores)
    if std < 1e-9:
        return np.zeros_like(scores)
    return (scores - mean) / std


def minmax(scores: np.ndarray) -> np.ndarray:
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-9:
        return np.zeros_like(scores)
    return (scores - lo) / (hi - lo)


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each entry (1 = highest score)."""
    order = np.argsort(-scores, kind="stable")
    out = np.empty(len(scores), dtype=np.float64)
    out[order] = np.arange(1, len(scores) + 1)
    return out


def fuse(lexical: np.ndarray, dense: np.ndarray, config: FusionConfig = DEFAULT_FUSION,
         sentence: np.ndarray | None = None) -> np.ndarray:
    """One fused score per passage; higher is better.

    ``sentence`` is each passage's best sentence score (``SentenceRetriever``); it takes
    ``config.sentence_weight`` of the dense weight. Without it the passage vector has all of it.
    """
    if lexical.shape != dense.shape or (sentence is not None and sentence.shape != dense.shape):
        raise ValueError("every retriever must score the same passages")
    w_dense, w_lex = config.dense_weight, 1.0 - config.dense_weight
    w_sentence = w_dense * config.sentence_weight if sentence is not None else 0.0
    w_dense -= w_sentence
    if lexical.size == 0:
        return lexical.astype(np.float64)
    if config.method == "rrf":
        # A passage no query word reaches has no lexical rank at all, not the last one.
        lex_part = np.where(lexical > 0, w_lex / (config.rrf_k + ranks(lexical)), 0.0)
        fused = lex_part + w_dense / (config.rrf_k + ranks(dense))
        if sentence is not None and w_sentence:
            fused += w_sentence / (config.rrf_k + ranks(sentence))
        return fused
    normalise = zscore if config.method == "zscore" else minmax
    # asarray, not astype: the retrievers' scores are float64 already, and a copy of each bought nothing.
    fused = (w_lex * normalise(np.asarray(lexical, dtype=np.float64))
             + w_dense * normalise(np.asarray(dense, dtype=np.float64)))
    if sentence is not None and w_sentence:
        fused += w_sentence * normalise(np.asarray(sentence, dtype=np.float64))
    return fused


def top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """The indices of the k highest scores, highest first."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.argpartition(-scores, k - 1)[:k]
    return idx[np.argsort(-scores[idx], kind="stable")]


def top_k(scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    return [(int(i), float(scores[i])) for i in top_indices(scores, k)]
