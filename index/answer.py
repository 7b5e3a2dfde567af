"""Extractive answers: which sentences answer the question, and whether to answer at all.

Sentences (``index/sentences.py`` units) of the top passages are scored by the fitted sentence
ranker (``index/choice.py``) on what they share with the question, lexically (idf-weighted
coverage of its content words) and densely (cosine with the question), what their neighbours
share, their passage's rank and what kind of sentence they are. The ranker's softmax says how
sure it is of its pick.

The first sentence is the best; more sentences follow only from later in the same passage or
from other passages, so the answer reads in the passages' order.

Whether to answer is a calibrated rule (``index/confidence.py``) on measured signals; the
signals are gathered here in ``Signals``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from index.sentences import Unit


@dataclass(frozen=True)
class AnswerConfig:
    max_sentences: int = 3
    passages_considered: int = 2
    # A second or third sentence must be at least this share as likely as the best one.
    relative_floor: float = 0.5
    # Kept so that index versions written before the calibrated rule still load.
    min_coverage: float = 0.45
    min_dense_z: float = 3.2

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> AnswerConfig:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})  # type: ignore[arg-type]


@dataclass(frozen=True)
class AnswerSentence:
    text: str
    passage_id: str
    start: int = 0  # character offsets in the passage's text, to mark the sentence in context
    end: int = 0


@dataclass(frozen=True)
class Evidence:
    coverage: float
    dense_z: float


def coverage(query_tokens: list[str], passage_tokens: set[str], idf: dict[str, float | None]) -> float:
    """Idf-weighted share of the question's tokens found in the passages (unknown tokens weigh most)."""
    if not query_tokens:
        return 0.0
    known = [w for w in idf.values() if w is not None]
    unknown_weight = (max(known) if known else 1.0) + 1.0
    total = found = 0.0
    for token in dict.fromkeys(query_tokens):
        weight = idf.get(token)
        weight = unknown_weight if weight is None else weight
        total += weight
        if token in passage_tokens:
            found += weight
    return found / total if total else 0.0


def dense_z(dense_scores: np.ndarray, best: int) -> float:
    if dense_scores.size < 2:
        return 0.0
    std = float(dense_scores.std())
    return 0.0 if std < 1e-9 else (float(dense_scores[best]) - float(dense_scores.mean())) / std


def novelty(sentence_stems: set[str], question_stems: set[str]) -> float:
    """Share of the sentence's content words that the question does not already say."""
    if not sentence_stems:
        return 0.0
    return len(sentence_stems - question_stems) / len(sentence_stems)


def choose(units: list[Unit], score: np.ndarray, config: AnswerConfig) -> list[AnswerSentence]:
    """The best unit first, then up to ``max_sentences - 1`` close runners-up that keep reading order."""
    if not units:
        return []
    order = [int(i) for i in np.argsort(-score, kind="stable")]
    best = order[0]
    chosen = [best]
    for i in order[1:]:
        if len(chosen) >= config.max_sentences or float(score[i]) < config.relative_floor * float(score[best]):
            break
        same_passage_before = units[i].passage_id == units[best].passage_id and units[i].position < units[best].position
        if not same_passage_before:
            chosen.append(i)
    first, rest = chosen[0], chosen[1:]
    # Later units read in their passage's order (passages in rank order), after the best one.
    passage_order = {u.passage_id: n for n, u in reversed(list(enumerate(units)))}
    rest.sort(key=lambda i: (passage_order[units[i].passage_id], units[i].position))
    return [AnswerSentence(units[i].text, units[i].passage_id, units[i].start, units[i].end) for i in [first, *rest]]
