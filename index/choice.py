"""Which sentence answers: measured features of each candidate sentence, weighed by a fitted ranker.

The sentence that shares most words with a question is often the one that restates its topic
("Grænsen mellem strenge forældre og negativ social kontrol kan være svær at trække."), while the
answer follows it ("Et pejlemærke er, om kontrollen er begrundet i barnets tarv og alder …").
So besides a sentence's own likeness to the question, the ranker reads its neighbours', the rank
of its passage, what kind of sentence it is (guidance, case story, list) and
whether it is the kind of sentence the question asks for (a number for "hvor længe", a reason
for "hvorfor", a "not" for a yes/no question).

The weights are a listwise logistic model (softmax over one question's candidates), fitted per
model family by ``bench/fit_choice.py`` on the tuning half of the evaluation questions only and
kept in ``index/choice.json``; a model of another family uses the production model's weights.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.confidence import DEFAULT_FAMILY, family_of
from index.definition import asked_terms, definitions
from index.sentences import Unit

WEIGHTS_FILE = Path(__file__).with_name("choice.json")

FEATURES: tuple[str, ...] = (
    "coverage",  # idf-weighted share of the question's content words in the sentence, or their synonyms
    "coverage_share",  # the same, relative to the best candidate's
    "dense",  # cosine with the question, 1 for the best candidate, 0 three corpus spreads below
    "passage_rank",  # 1 / (1 + rank of the sentence's passage)
    "top_passage",
    "opens_passage",
    "story",  # a case narrative, and the question is not about a case
    "guidance_for_action",  # says what to do, and the question asks what to do
    "guidance",
    "novelty",  # share of the sentence's content words the question does not say
    "echo",  # says little beyond the question's own words
    "previous_coverage",  # the sentence before it in the passage: does it name the question's topic?
    "previous_dense",
    "next_coverage",
    "quantity_match",  # "hvor længe / hvor mange / hvornår / frist" and the sentence holds a number or period
    "reason_match",  # "hvorfor" and the sentence gives a reason
    "negation_match",  # a yes/no question and the sentence says "ikke", "aldrig", "ingen"
    "list",  # a colon sentence with its items
    "length",  # characters, up to 400, over 400
    "context_coverage",  # the better of its own and the previous sentence's coverage, minus the best
    "definition",  # the question asks what a term is, and the sentence opens by saying it (index/definition.py)
)

_ACTION_QUESTION = re.compile(
    r"\b(?:hvad (?:gør|skal|bør|kan) (?:jeg|vi|man|du)|hvordan|hvad er (?:næste|første) skridt|"
    r"skal jeg|skal vi|skal man|bør jeg|bør vi|må jeg|må vi|kan jeg|kan vi|what (?:do|should) i)\b",
    re.IGNORECASE,
)
_CASE_QUESTION = re.compile(r"\b(?:case|casen|cases|eksempel|eksemplet|historien)\b", re.IGNORECASE)
_QUANTITY_QUESTION = re.compile(
    r"\b(?:hvor (?:længe|mange|tit|ofte|hurtigt|gammel|lang)|hvornår|frist\w*|inden for|"
    r"how (?:long|many|often)|when|deadline)\b", re.IGNORECASE)
_REASON_QUESTION = re.compile(r"\b(?:hvorfor|why)\b", re.IGNORECASE)
_YES_NO_QUESTION = re.compile(r"^\s*(?:skal|kan|må|er|har|giver|bør|får|gælder|vil)\b", re.IGNORECASE)
_QUANTITY = re.compile(
    r"\d|\b(?:to|tre|fire|fem|seks|syv|otte|ni|ti|tolv|første|hver|døgn|timer?|dage?|uger?|"
    r"måneder?|år|senest|straks|samme dag)\b", re.IGNORECASE)
_REASON = re.compile(r"\b(?:fordi|derfor|da|så|kan opleves|risiko for|for at)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(?:ikke|aldrig|ingen|intet)\b", re.IGNORECASE)


def is_action_question(question: str) -> bool:
    return bool(_ACTION_QUESTION.search(question))


def is_case_question(question: str) -> bool:
    return bool(_CASE_QUESTION.search(question))


def features(question: str, units: list[Unit], coverage: np.ndarray, dense: np.ndarray, passage_rank: list[int],
             novelty: list[float], dense_scale: float, synonyms: Sequence[str] = ()) -> np.ndarray:
    """One row of ``FEATURES`` per candidate unit (units of one passage are adjacent, in reading order).

    ``dense`` is each unit's cosine with the question, counted down from the best candidate's in
    units of ``dense_scale`` (the spread of the question's cosines over the corpus), so that
    neither a model's cosine scale nor a small candidate set decides. ``synonyms``: other names
    of the term the question asks the meaning of (``Terms.other_names``: thesaurus terms for the
    whole term, never for one of its words).
    """
    n = len(units)
    if n == 0:
        return np.zeros((0, len(FEATURES)))
    action, about_case = is_action_question(question), is_case_question(question)
    quantity, reason = bool(_QUANTITY_QUESTION.search(question)), bool(_REASON_QUESTION.search(question))
    yes_no = bool(_YES_NO_QUESTION.search(question))
    definition = definitions(asked_terms(question, synonyms), units)
    near = np.clip(1.0 + (dense - float(dense.max())) / (3.0 * max(dense_scale, 1e-6)), 0.0, 1.0)
    best_coverage = float(coverage.max()) or 1.0
    same = [i > 0 and units[i - 1].passage_id == units[i].passage_id for i in range(n)]
    rows = []
    for i, unit in enumerate(units):
        previous = i - 1 if same[i] else None
        following = i + 1 if i + 1 < n and same[i + 1] else None
        previous_coverage = float(coverage[previous]) if previous is not None else 0.0
        text = unit.text
        rows.append((
            coverage[i], coverage[i] / best_coverage, near[i], 1.0 / (1 + passage_rank[i]), passage_rank[i] == 0,
            previous is None, unit.narrative and not about_case, unit.guidance and action, unit.guidance,
            novelty[i], novelty[i] < 0.34, previous_coverage,
            near[previous] if previous is not None else 0.0,
            float(coverage[following]) if following is not None else 0.0,
            quantity and bool(_QUANTITY.search(text)), reason and bool(_REASON.search(text)),
            yes_no and bool(_NEGATION.search(text)), " • " in text or text.startswith("•"),
            min(len(text), 400) / 400, max(float(coverage[i]), previous_coverage) - best_coverage,
            definition[i],
        ))
    return np.array(rows, dtype=np.float64)


@dataclass(frozen=True)
class SentenceRanker:
    weights: tuple[float, ...]
    family: str = "fallback"

    def scores(self, x: np.ndarray) -> np.ndarray:
        return x @ np.array(self.weights) if len(x) else np.zeros(0)

    @staticmethod
    def probabilities(scores: np.ndarray) -> np.ndarray:
        """Softmax over one question's candidates: how sure the ranker is of its pick."""
        if scores.size == 0:
            return scores
        e = np.exp(scores - scores.max())
        return e / e.sum()


# Before any fit: own likeness first, then the neighbours'; stories and echoes down.
FALLBACK = SentenceRanker(tuple({
    "coverage": 2.0, "dense": 2.0, "passage_rank": 1.0, "story": -2.0, "guidance_for_action": 0.5,
    "echo": -2.0, "previous_coverage": 0.5, "previous_dense": 0.5,
}.get(name, 0.0) for name in FEATURES))


@lru_cache(maxsize=1)
def _rankers() -> dict[str, SentenceRanker]:
    if not WEIGHTS_FILE.is_file():
        return {}
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    # A feature added after a fit weighs nothing until the ranker is refitted.
    return {family: SentenceRanker(tuple(float(w["weights"].get(name, 0.0)) for name in FEATURES), family)
            for family, w in data.get("families", {}).items()}


def ranker_for(model_name: str) -> SentenceRanker:
    rankers = _rankers()
    return rankers.get(family_of(model_name)) or rankers.get(DEFAULT_FAMILY) or FALLBACK
