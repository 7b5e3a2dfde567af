"""Extractive answers: which sentences answer the question, and whether to answer at all.

Sentences (``index/sentences.py`` units) of the top passages are ranked by what they share with
the question, lexically (idf-weighted coverage of its content words) and densely (cosine with
the question), weighed as the index's calibrated fusion weighs the two, plus:

- their passage's rank (the fused ranking is the better judge of where the answer is);
- guidance over story: a sentence from a case narrative loses to guidance unless the question
  is itself about a case; for "what do I do" questions, a sentence that says what to do gains;
- no echo: a sentence that adds almost nothing to the question's own words loses.

The first sentence is the best; more sentences follow only from later in the same passage or
from other passages, so the answer reads in the passages' order.

Whether to answer is a calibrated rule (``index/confidence.py``) on measured signals; the
signals are gathered here in ``Signals``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

import numpy as np

from index.sentences import Unit

_ACTION_QUESTION = re.compile(
    r"\b(?:hvad (?:gør|skal|bør|kan) (?:jeg|vi|man|du)|hvordan|hvad er (?:næste|første) skridt|"
    r"skal jeg|skal vi|skal man|bør jeg|bør vi|må jeg|må vi|kan jeg|kan vi|what (?:do|should) i)\b",
    re.IGNORECASE,
)
_CASE_QUESTION = re.compile(r"\b(?:case|casen|cases|eksempel|eksemplet|historien)\b", re.IGNORECASE)


@dataclass(frozen=True)
class AnswerConfig:
    max_sentences: int = 3
    passages_considered: int = 2
    # A second or third sentence must score at least this share of the best one.
    relative_floor: float = 0.8
    rank_weight: float = 0.2
    guidance_bonus: float = 0.1
    narrative_penalty: float = 0.4
    echo_penalty: float = 1.0
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


def is_action_question(question: str) -> bool:
    return bool(_ACTION_QUESTION.search(question))


def is_case_question(question: str) -> bool:
    return bool(_CASE_QUESTION.search(question))


def novelty(sentence_stems: set[str], question_stems: set[str]) -> float:
    """Share of the sentence's content words that the question does not already say."""
    if not sentence_stems:
        return 0.0
    return len(sentence_stems - question_stems) / len(sentence_stems)


def rank_units(
    question: str,
    units: list[Unit],
    lexical: np.ndarray,
    dense: np.ndarray,
    passage_rank: list[int],
    novelties: list[float],
    config: AnswerConfig,
    dense_weight: float = 0.5,
    dense_scale: float = 0.05,
) -> np.ndarray:
    """One score per unit; higher answers better.

    ``lexical`` is each unit's coverage of the question (0–1). ``dense`` is its cosine with the
    question, counted from the best unit's down in units of ``dense_scale`` (the spread of the
    question's cosines over the corpus), so that neither a model's cosine scale nor a small
    candidate set (where min–max scaling would blow tiny differences up) decides.
    """
    action, about_case = is_action_question(question), is_case_question(question)
    rank_bonus = np.array([1.0 / (1 + r) for r in passage_rank])
    dense_part = np.clip(1.0 + (dense - float(dense.max())) / (3.0 * max(dense_scale, 1e-6)), 0.0, 1.0)
    score = (1 - config.rank_weight) * ((1 - dense_weight) * lexical + dense_weight * dense_part)
    score = score + config.rank_weight * rank_bonus
    for i, unit in enumerate(units):
        if unit.narrative and not about_case:
            score[i] -= config.narrative_penalty
        if action and unit.guidance:
            score[i] += config.guidance_bonus
        if unit.reference:
            score[i] -= config.echo_penalty
        if novelties[i] < 0.34:  # says back what was asked ("Risikoen kan være høj" to "hvis risikoen er høj")
            score[i] -= config.echo_penalty
    return score


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
