"""Whether to answer: a calibrated rule on measured signals, fitted on the tuning questions.

A confidently wrong answer is worse than an honest "no certain answer", so the service answers
only when the signals say the first excerpt is likely right. The signals (``Signals``) do not
depend on one model's score scale more than they must:

- ``coverage``: idf-weighted share of the question's content words found in the top passages
  (words the corpus never uses count fully against: "parkeringstilladelse");
- ``dense_z``: how many standard deviations the best passage's cosine lies above the question's
  mean cosine to the corpus;
- ``gap``: the fused score of the first passage minus the second's (does one stand out?);
- ``agreement``: 1/rank of the first passage in the lexical ranking plus 1/rank in the dense one
  (do both retrievers point at it?);
- ``sentence_z``: the chosen sentence's cosine with the question, in the same z units;
- ``sentence_coverage``: the question's content words found in the chosen sentence;
- ``unknown``: idf share of the question's words that the corpus never uses;
- ``choice``: the sentence ranker's probability for its pick (``index/choice.py``), summed over
  the sentences quoted with it in the first excerpt: is one place clearly the answer, or are
  several alike?
- ``synonym_coverage``: ``coverage`` with a thesaurus synonym counting as found ("giftes mod sin
  vilje" in a passage that says "tvangsægteskab"). Only the passage rule reads it: measured on
  the tuning half, refitted, it listed the first passage for more questions it is about and for
  fewer it is not (right − wrong e5 51 → 53, MiniLM 33 → 36, out of fold; the check half agreed,
  47 → 50 and 39 → 41), while in the answer rule synonyms did no better (e5) or worse (MiniLM).
- ``definition``: the question asks what a term is, and a sentence of the first excerpt opens by
  saying it (``index/definition.py``): 1 or 0.

The rule is logistic: p = σ(w·signals + b), answer when p ≥ threshold. A second rule of the same
form on the same signals (``passage_rule_for``) says whether the first passage is about the
question at all: search lists passages when either says yes, so a question that the guides
cover but no single sentence answers still gets its passages, and one they do not cover gets none.
``bench/fit_confidence.py`` fits w, b and the threshold of both per model family on the tuning
half of the evaluation questions (never on the check half) and writes ``index/confidence.json``;
a model of another family uses the production model's rules (multilingual-e5-small).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import numpy as np

RULES_FILE = Path(__file__).with_name("confidence.json")
DEFAULT_FAMILY = "e5"
FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("e5", re.compile(r"(^|[/_-])(multilingual-)?e5([-_]|$)", re.IGNORECASE)),
    ("minilm", re.compile(r"minilm", re.IGNORECASE)),
)


@dataclass(frozen=True)
class Signals:
    coverage: float = 0.0
    dense_z: float = 0.0
    gap: float = 0.0
    agreement: float = 0.0
    sentence_z: float = 0.0
    sentence_coverage: float = 0.0
    unknown: float = 0.0
    choice: float = 0.0
    synonym_coverage: float = 0.0
    definition: float = 0.0

    def vector(self) -> np.ndarray:
        # Not dataclasses.astuple: it deep-copies every field, and this runs twice per search.
        return np.array([getattr(self, f.name) for f in fields(self)], dtype=np.float64)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


@dataclass(frozen=True)
class ConfidenceRule:
    weights: tuple[float, ...]
    bias: float
    threshold: float
    family: str = "fallback"

    def probability(self, signals: Signals) -> float:
        z = float(np.dot(np.array(self.weights), signals.vector())) + self.bias
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def confident(self, signals: Signals) -> bool:
        return self.probability(signals) >= self.threshold


# Before any fit: the old two-threshold behaviour in logistic form (coverage ≥ 0.45 or z ≥ 3.2, roughly).
FALLBACK = ConfidenceRule(weights=(10.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), bias=-7.0, threshold=0.5)


def family_of(model_name: str) -> str:
    for family, pattern in FAMILIES:
        if pattern.search(model_name):
            return family
    return DEFAULT_FAMILY


# Before any fit, passages are listed when the question's words are mostly in them.
FALLBACK_PASSAGES = ConfidenceRule(weights=(10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0), bias=-6.0,
                                   threshold=0.5)


@lru_cache(maxsize=2)
def _rules(key: str) -> dict[str, ConfidenceRule]:
    if not RULES_FILE.is_file():
        return {}
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    names = Signals.names()
    out: dict[str, ConfidenceRule] = {}
    for family, rule in data.get(key, {}).items():
        # A signal added after a rule was fitted weighs nothing in it until the rule is refitted.
        weights = tuple(float(rule["weights"].get(n, 0.0)) for n in names)
        out[family] = ConfidenceRule(weights, float(rule["bias"]), float(rule["threshold"]), family)
    return out


def rule_for(model_name: str) -> ConfidenceRule:
    """Whether the first answer excerpt is likely right."""
    rules = _rules("families")
    return rules.get(family_of(model_name)) or rules.get(DEFAULT_FAMILY) or FALLBACK


def passage_rule_for(model_name: str) -> ConfidenceRule:
    """Whether the first passage is likely about the question, though no sentence may answer it."""
    rules = _rules("passages")
    return rules.get(family_of(model_name)) or rules.get(DEFAULT_FAMILY) or FALLBACK_PASSAGES
