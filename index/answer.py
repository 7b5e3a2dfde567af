"""Extractive answers: which sentences answer the question, and whether to answer at all.

Sentences (``index/sentences.py`` units) of the top passages are scored by the fitted sentence
ranker (``index/choice.py``) on what they share with the question, lexically (idf-weighted
coverage of its content words) and densely (cosine with the question), what their neighbours
share, their passage's rank and what kind of sentence they are. The ranker's softmax says how
sure it is of its pick.

The first excerpt holds the best sentence (with its neighbours when they belong together); more
follow only from later in the same passage or from other passages, so the answer reads in the
passages' order.

Whether to answer is a calibrated rule (``index/confidence.py``) on measured signals; the
signals are gathered here in ``Signals``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from index.fusion import mean_std
from index.sentences import Unit, holds_list, split_rows, split_tail
from index.thesaurus import Synonym


@dataclass(frozen=True)
class AnswerConfig:
    max_sentences: int = 3
    passages_considered: int = 2
    # A second or third sentence must be at least this share as likely as the best one.
    relative_floor: float = 0.5
    # The first excerpt quotes the best sentence with the neighbour the ranker prefers (the one
    # before often names the topic, the one after often holds the answer to it).
    quote_neighbour: bool = True
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


@dataclass(frozen=True)
class QuestionWeights:
    """The question's distinct tokens with their idf weights, and their sum: what ``coverage``
    reads of the question, worked out once per question rather than once per sentence (an answer
    measures the coverage of some thirty sentences and passages)."""

    weights: tuple[tuple[str, float], ...]
    total: float

    @classmethod
    def of(cls, query_tokens: list[str], idf: dict[str, float | None]) -> QuestionWeights:
        known = [w for w in idf.values() if w is not None]
        unknown_weight = (max(known) if known else 1.0) + 1.0
        weights = []
        total = 0.0
        for token in dict.fromkeys(query_tokens):
            weight = idf.get(token)
            weight = unknown_weight if weight is None else weight
            weights.append((token, weight))
            total += weight
        return cls(tuple(weights), total)

    def coverage(self, passage_tokens: set[str], synonyms: tuple[Synonym, ...] = ()) -> float:
        """``coverage`` of the question these weights are of."""
        if not self.weights:
            return 0.0
        found_tokens = passage_tokens
        for synonym in synonyms:
            if any(other <= passage_tokens for other in synonym.others):
                found_tokens = found_tokens | synonym.term
        found = 0.0
        for token, weight in self.weights:
            if token in found_tokens:
                found += weight
        return found / self.total if self.total else 0.0


def coverage(query_tokens: list[str], passage_tokens: set[str], idf: dict[str, float | None],
             synonyms: tuple[Synonym, ...] = ()) -> float:
    """Idf-weighted share of the question's tokens found in the passages (unknown tokens weigh most).

    A token of a thesaurus term the question holds is found too where another term of its group
    is: "ringe til forældrene" is covered by a passage that says "kontakte forældrene".
    """
    return QuestionWeights.of(query_tokens, idf).coverage(passage_tokens, synonyms)


def dense_z(dense_scores: np.ndarray, best: int, stats: tuple[float, float] | None = None) -> float:
    """``stats``: the scores' ``mean_std`` when the caller has it (a search reads them three times)."""
    if dense_scores.size < 2:
        return 0.0
    mean, std = stats or mean_std(dense_scores)
    return 0.0 if std < 1e-9 else (float(dense_scores[best]) - mean) / std


def novelty(sentence_stems: set[str], question_stems: set[str]) -> float:
    """Share of the sentence's content words that the question does not already say."""
    if not sentence_stems:
        return 0.0
    return len(sentence_stems - question_stems) / len(sentence_stems)


def choose(units: list[Unit], score: np.ndarray, config: AnswerConfig,
           echoes: np.ndarray | None = None) -> list[AnswerSentence]:
    """The best unit's excerpt first, then close runners-up, all in reading order.

    Units that stand next to each other in a passage are quoted as one excerpt, so the topic
    sentence and the answer that follows it ("Skolen kan vurdere risikoen som høj, mens … I
    sådanne tilfælde vælges det højeste …") read as the guide wrote them. The best unit comes
    with the neighbour the ranker prefers (``quote_neighbour``). A unit that only repeats the
    question (``echoes``) is quoted only when every unit does. A close runner-up right before the
    best joins its excerpt; one further back in the same passage is left out, since putting it
    after the best would reverse the text. A unit that points back at the sentence before it is
    never quoted without that sentence, nor the best without a pointing one after it.
    """
    if not units:
        return []
    # A sentence that only repeats the question is never quoted while another can be.
    quotable = np.ones(len(units), dtype=bool) if echoes is None else ~echoes
    only_echoes = not quotable.any()  # then the best of them is quoted, alone
    order = [int(i) for i in np.argsort(-score, kind="stable") if quotable[i] or only_echoes]
    best = order[0]
    chosen = {best}
    if _points_back(units, best):
        chosen.add(best - 1)
    if best + 1 < len(units) and _points_back(units, best + 1):
        chosen.add(best + 1)
    if config.quote_neighbour and len(chosen) == 1:
        neighbour = _neighbour(units, score, best, quotable)
        if neighbour is not None:
            chosen.add(neighbour)
            if _points_back(units, neighbour):
                chosen.add(neighbour - 1)
    for i in order[1:]:
        if len(chosen) >= config.max_sentences or float(score[i]) < config.relative_floor * float(score[best]):
            break
        earlier_in_passage = units[i].passage_id == units[best].passage_id and units[i].position < units[best].position
        if not earlier_in_passage or units[best].follows(units[i]):
            chosen.add(i)
    excerpts: list[list[int]] = []
    for i in sorted(chosen):
        if excerpts and units[i].follows(units[excerpts[-1][-1]]):
            excerpts[-1].append(i)
        else:
            excerpts.append([i])
    first = next(e for e in excerpts if best in e)
    # Later excerpts read in their passage's order (passages in rank order), after the best one's.
    passage_order = {u.passage_id: n for n, u in reversed(list(enumerate(units)))}
    rest = sorted((e for e in excerpts if e is not first),
                  key=lambda e: (passage_order[units[e[0]].passage_id], units[e[0]].position))
    return [AnswerSentence(_excerpt_text([units[i] for i in e]), units[e[0]].passage_id, units[e[0]].start,
                           units[e[-1]].end) for e in [first, *rest]]


def _excerpt_text(run: list[Unit]) -> str:
    """Neighbouring units as one excerpt, a space between them as in the passage; but a line break
    where a list or a table ends inside a unit (``split_tail``): with a space, the sentence after
    it read as part of its last item ("… høj risiko Er der tvivl, skal der ikke mægles."); and one
    between a table's rows (``split_rows``), which otherwise read as one ("… forvaltningschefen
    Revideres – Handlingsplan: …"). A break takes a space's place, so ``start``/``end`` still span
    the excerpt. For the same reason a unit after one that ends with a list starts a line."""
    out, after_list = "", False
    for u in run:
        pieces = split_tail(u.text)
        if out:
            out += "\n" if after_list else " "
        out += "\n".join(row for piece in pieces for row in split_rows(piece))
        after_list = holds_list(pieces[-1])
    return out


def _points_back(units: list[Unit], i: int) -> bool:
    """Whether unit i points back at the unit right before it ("Det betyder, at …")."""
    return i > 0 and units[i].continues and units[i].follows(units[i - 1])


def _neighbour(units: list[Unit], score: np.ndarray, best: int, quotable: np.ndarray) -> int | None:
    """The unit right before or after the best in its passage that the ranker prefers, if any.

    Measured on the tuning half, the ranker and the confidence rule fitted out of fold: more first
    excerpts hold the answer (e5 49 → 53 of 99, MiniLM 45 → 47) and confident answers are as
    often or more often right (e5 30 right and 3 wrong → 30 and 2; MiniLM 17 and 2 → 19 and 2).
    Quoting only the one before, or only the one after, did less well.
    """
    around = [i for i in (best - 1, best + 1)
              if 0 <= i < len(units) and (units[i].follows(units[best]) or units[best].follows(units[i]))
              and quotable[i]]
    return max(around, key=lambda i: float(score[i])) if around else None
