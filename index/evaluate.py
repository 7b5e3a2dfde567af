"""Retrieval and answer quality on a question file.

Retrieval: recall@1/5/10 and MRR@10, overall and per ``kind``, scored on the full top-k list
(before any relevance floor): the product's as ``kb ask`` returns it, led by the passage its
answer quotes; a fusion variant's (``--fusion``, the bench's variant rows) as it ranks, since it
is not answered. A result is relevant when its publication matches and its page
range contains one of the question's pages.

Answers (``kb ask``'s behaviour), for answerable questions:

- right: confident, and the first answer excerpt (one sentence, or neighbouring ones quoted
  together) comes from a relevant passage and holds the question's ``evidence`` phrase (when the
  question has one; otherwise a relevant passage suffices);
- confidently wrong: confident but not right;
- declined: not confident although the question has an answer;
- drafts right: the first excerpt is right whether or not the rule was confident, the most the
  confidence rule could make right with the excerpts it is given; ``declined_draft_right`` counts
  the right excerpts it withheld.

Unanswerable questions (``"publication": null``) are right when the answer is not confident.
A question with ``filter_publication`` (one exported from a caseworker's filtered search) is
searched within that publication alone, as she searched it.
Printed-label accuracy: of the first relevant hits, the share whose ``page_label`` is the
printed page number the question file gives (``labels``, parallel to ``pages``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.fusion import FusionConfig
from index.search import Answer, Hit, SearchIndex, gated

CUTOFFS = (1, 5, 10)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    publication: str | None
    pages: tuple[int, ...]
    kind: str = "unspecified"
    labels: tuple[str, ...] = ()
    evidence: str | None = None
    filter_publication: str | None = None  # asked within this publication alone (a filtered search)

    @property
    def answerable(self) -> bool:
        return self.publication is not None


@dataclass
class QuestionResult:
    question: Question
    hits: list[Hit]
    confident: bool | None  # None when only a ranking was measured (one retriever alone)
    rank: int | None  # 1-based rank of the first relevant hit
    answer: Answer | None = None
    # The answer before the confidence rule decided (``SearchIndex.draft``): its excerpts also when
    # it declined, so that an evaluation sees what the rule withheld.
    draft: Answer | None = None

    @property
    def answer_right(self) -> bool:
        """Confident, first excerpt from a relevant passage holding the evidence phrase."""
        return bool(self.confident) and self.answer is not None and _quotes_the_answer(self.answer, self.question)

    @property
    def draft_right(self) -> bool:
        """The first excerpt of the draft is right, whether or not the rule let it be shown."""
        return self.draft is not None and _quotes_the_answer(self.draft, self.question)

    @property
    def label_right(self) -> bool | None:
        """Whether the first relevant hit carries the printed label; None when not measurable."""
        if self.rank is None or not self.question.labels:
            return None
        return self.hits[self.rank - 1].passage.page_label == expected_label(self.hits[self.rank - 1], self.question)


def _quotes_the_answer(answer: Answer, question: Question) -> bool:
    """The first excerpt comes from a relevant passage and holds the evidence phrase."""
    if not answer.sentences:
        return False
    first = answer.sentences[0]
    hit = next((h for h in answer.hits if h.passage.id == first.passage_id), None)
    if hit is None or not relevant(hit, question):
        return False
    return question.evidence is None or holds(first.text, question.evidence)


def normalise(text: str) -> str:
    """Case, ligatures, dashes and spacing do not decide whether a sentence holds a phrase."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return " ".join(re.findall(r"[^\W_]+|[-§%]", text))


def holds(sentence: str, phrase: str) -> bool:
    return f" {normalise(phrase)} " in f" {normalise(sentence)} "


def expected_label(hit: Hit, question: Question) -> str | None:
    """The printed label of the hit's first page, from the question's (page, label) pairs."""
    p = hit.passage
    for page, label in zip(question.pages, question.labels, strict=False):
        if page == p.page_start:
            return label
    for page, label in zip(question.pages, question.labels, strict=False):
        if p.page_start <= page <= p.page_end and label.isdigit():
            return str(int(label) - (page - p.page_start))
    return None


@dataclass
class EvalReport:
    results: list[QuestionResult] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        groups: dict[str, list[QuestionResult]] = defaultdict(list)
        for r in self.results:
            if r.question.answerable:
                groups["all"].append(r)
                groups[r.question.kind].append(r)
        out: dict[str, Any] = {name: _metrics(rs) for name, rs in groups.items()}
        labelled = [r.label_right for r in self.results if r.label_right is not None]
        if labelled:
            out["labels"] = {"measured": len(labelled), "right": sum(labelled),
                             "accuracy": round(sum(labelled) / len(labelled), 4)}
        judged = [r for r in self.results if r.confident is not None]
        if not judged:
            return out
        unanswerable = [r for r in judged if not r.question.answerable]
        answerable = [r for r in judged if r.question.answerable]
        right = sum(1 for r in answerable if r.answer_right)
        confident = sum(1 for r in answerable if r.confident)
        n = len(answerable) or 1
        out["answers"] = {
            "answerable": len(answerable),
            "right": right,
            "confidently_wrong": confident - right,
            "declined": len(answerable) - confident,
            "declined_with_relevant_passage": sum(1 for r in answerable if not r.confident and r.rank
                                                  and r.rank <= 5),
            # What the confidence rule can at most make right: drafts whose first excerpt is right,
            # and how many of those it declined.
            "drafts_right": sum(1 for r in answerable if r.draft_right),
            "declined_draft_right": sum(1 for r in answerable if not r.confident and r.draft_right),
            "right_rate": round(right / n, 4),
            "confidently_wrong_rate": round((confident - right) / n, 4),
            "declined_rate": round((len(answerable) - confident) / n, 4),
            "unanswerable": len(unanswerable),
            "unanswerable_declined": sum(1 for r in unanswerable if not r.confident),
            "unanswerable_declined_rate": round(sum(1 for r in unanswerable if not r.confident)
                                                / (len(unanswerable) or 1), 4),
        }
        return out


def _metrics(results: list[QuestionResult]) -> dict[str, float | int]:
    n = len(results)
    metrics: dict[str, float | int] = {"questions": n}
    for k in CUTOFFS:
        metrics[f"recall@{k}"] = round(sum(1 for r in results if r.rank and r.rank <= k) / n, 4) if n else 0.0
    metrics["mrr@10"] = round(sum(1 / r.rank for r in results if r.rank and r.rank <= 10) / n, 4) if n else 0.0
    return metrics


def load_questions(path: Path) -> list[Question]:
    questions: list[Question] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            for name in ("publication", "filter_publication"):
                if not isinstance(d.get(name), str | None):
                    raise ValueError(f"»{name}« skal være et publikations-id eller null")
            questions.append(Question(str(d["id"]), d["question"], d.get("publication"),
                                      tuple(int(p) for p in d.get("pages") or ()), d.get("kind", "unspecified"),
                                      tuple(str(x) for x in d.get("labels") or ()), d.get("evidence"),
                                      # "" as on the search page: no filter
                                      d.get("filter_publication") or None))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}, linje {number}: ugyldigt spørgsmål ({exc})") from exc
    if not questions:
        # An empty table with exit code 0 reads as a measurement; it is a wrong or empty file.
        raise ValueError(f"{path} indeholder ingen spørgsmål (én JSON-linje pr. spørgsmål med »id« og »question«).")
    return questions


def check_publications(questions: list[Question], known: list[str]) -> None:
    """A publication id the index does not hold (a typo, another corpus) would be scored as a miss
    and lower recall without a word; name the questions and ids instead."""
    unknown: dict[str, list[str]] = defaultdict(list)
    for q in questions:
        for pub in {p for p in (q.publication, q.filter_publication) if p is not None}:
            if pub not in known:
                unknown[pub].append(q.id)
    if unknown:
        named = "; ".join(f"»{pub}« (spørgsmål {', '.join(ids)})" for pub, ids in sorted(unknown.items()))
        raise ValueError(f"spørgsmålsfilen nævner publikationer, der ikke er i det live indeks: {named}. "
                         f"Det live indeks har: {', '.join(known)}.")


def relevant(hit: Hit, question: Question) -> bool:
    p = hit.passage
    return p.publication_id == question.publication and any(p.page_start <= n <= p.page_end for n in question.pages)


def evaluate(index: SearchIndex, questions: list[Question], *, k: int = 10,
             fusion: FusionConfig | None = None, with_confidence: bool = True) -> EvalReport:
    """Rank (and, for the production configuration, answer) every question."""
    report = EvalReport()
    depth = max(k, max(CUTOFFS))
    for q in questions:
        answer: Answer | None = None
        draft: Answer | None = None
        if with_confidence and fusion is None:
            draft = index.draft(q.question, k=depth, publication=q.filter_publication)
            answer = gated(draft)  # what ``ask`` returns
            hits, confident = answer.hits, answer.confident
        else:
            hits, confident = index.search(q.question, k=depth, fusion=fusion, publication=q.filter_publication), None
        rank = next((i for i, h in enumerate(hits, start=1) if relevant(h, q)), None)
        report.results.append(QuestionResult(q, hits[:k], confident, rank, answer, draft))
    return report
