"""Retrieval quality on a question file: recall@1/5/10 and MRR@10, overall and per kind.

A result is relevant when its publication matches and its page range contains one of the
question's pages. Unanswerable questions (``"publication": null``) are scored on whether the
answer is ``confident: false``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.fusion import FusionConfig
from index.search import Hit, SearchIndex

CUTOFFS = (1, 5, 10)


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    publication: str | None
    pages: tuple[int, ...]
    kind: str = "unspecified"


@dataclass
class QuestionResult:
    question: Question
    hits: list[Hit]
    confident: bool | None  # None when only a ranking was measured (one retriever alone)
    rank: int | None  # 1-based rank of the first relevant hit
    answer_relevant: bool | None = None  # the first answer sentence comes from a relevant passage


@dataclass
class EvalReport:
    results: list[QuestionResult] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        groups: dict[str, list[QuestionResult]] = defaultdict(list)
        for r in self.results:
            if r.question.publication is not None:
                groups["all"].append(r)
                groups[r.question.kind].append(r)
        out: dict[str, Any] = {name: _metrics(rs) for name, rs in groups.items()}
        judged = [r for r in self.results if r.confident is not None]
        if not judged:
            return out
        unanswerable = [r for r in judged if r.question.publication is None]
        answerable = [r for r in judged if r.question.publication is not None]
        out["confidence"] = {
            "unanswerable": len(unanswerable),
            "unanswerable_declined": sum(1 for r in unanswerable if not r.confident),
            "answerable_confident": sum(1 for r in answerable if r.confident),
            "answerable": len(answerable),
            # of the confident answers, how many quote a relevant passage first
            "answer_from_relevant_passage": sum(1 for r in answerable if r.confident and r.answer_relevant),
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
            questions.append(Question(str(d["id"]), d["question"], d.get("publication"),
                                      tuple(d.get("pages") or ()), d.get("kind", "unspecified")))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}, linje {number}: ugyldigt spørgsmål ({exc})") from exc
    return questions


def relevant(hit: Hit, question: Question) -> bool:
    p = hit.passage
    return p.publication_id == question.publication and any(p.page_start <= n <= p.page_end for n in question.pages)


def evaluate(index: SearchIndex, questions: list[Question], *, k: int = 10,
             fusion: FusionConfig | None = None, with_confidence: bool = True) -> EvalReport:
    report = EvalReport()
    depth = max(k, max(CUTOFFS))
    for q in questions:
        answer_relevant = None
        if with_confidence and fusion is None:
            answer = index.ask(q.question, k=depth)
            hits, confident = answer.hits, answer.confident
            if answer.sentences:
                first = next(h for h in hits if h.passage.id == answer.sentences[0].passage_id)
                answer_relevant = relevant(first, q)
        else:
            hits, confident = index.search(q.question, k=depth, fusion=fusion), None
        rank = next((i for i, h in enumerate(hits, start=1) if relevant(h, q)), None)
        report.results.append(QuestionResult(q, hits[:k], confident, rank, answer_relevant))
    return report
