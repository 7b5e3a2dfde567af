"""Pydantic models of the JSON that the API and `kb … --json` return (see DESIGN.md)."""

from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel, Field

from index.search import QUESTION_PATTERN, Answer, Hit, SearchIndex
from ingest.models import Passage
from ingest.settings import MAX_QUESTION_CHARS


class PassageOut(BaseModel):
    id: str
    publication_id: str
    publication_title: str
    page_start: int
    page_end: int
    page_label: str | None = None
    section: str | None = None
    text: str
    url: str = Field(description="Opens the PDF at the passage's first page")
    score: float | None = None


class AnswerSentenceOut(BaseModel):
    text: str
    passage_id: str
    start: int = Field(0, description="Offset of the sentence in its passage's text (characters), to mark it")
    end: int = Field(0, description="End offset (exclusive) of the sentence in its passage's text")


class SearchOut(BaseModel):
    query: str
    results: list[PassageOut]


class AskIn(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=QUESTION_PATTERN.pattern,
                          description="Spørgsmålet; mindst ét bogstav eller tal, højst 500 tegn")
    k: int = Field(default=5, ge=1, le=50)


class AskOut(BaseModel):
    question: str
    confident: bool
    answer: list[AnswerSentenceOut]
    passages: list[PassageOut]


def pdf_url(file: str, page: int) -> str:
    return f"/corpus/{quote(file)}#page={page}"


def passage_out(passage: Passage, index: SearchIndex, score: float | None = None) -> PassageOut:
    file = index.files.get(passage.publication_id, f"{passage.publication_id}.pdf")
    return PassageOut(**passage.to_dict(), url=pdf_url(file, passage.page_start),  # type: ignore[arg-type]
                      score=None if score is None else round(score, 4))


def hits_out(hits: list[Hit], index: SearchIndex) -> list[PassageOut]:
    return [passage_out(h.passage, index, h.score) for h in hits]


def answer_out(answer: Answer, index: SearchIndex) -> AskOut:
    return AskOut(
        question=answer.question,
        confident=answer.confident,
        answer=[AnswerSentenceOut(text=s.text, passage_id=s.passage_id, start=s.start, end=s.end)
                for s in answer.sentences],
        passages=hits_out(answer.hits, index),
    )


def citation(passage: Passage | PassageOut) -> str:
    """Danish citation: «Titel, s. 12 (PDF-side 14), «Afsnit»»."""
    pages = (f"PDF-side {passage.page_start}" if passage.page_start == passage.page_end
             else f"PDF-side {passage.page_start}–{passage.page_end}")
    parts = [passage.publication_title]
    if passage.page_label:
        parts.append(f"s. {passage.page_label} ({pages})")
    else:
        parts.append(pages)
    text = ", ".join(parts)
    if passage.section:
        text += f", «{passage.section}»"
    return text
