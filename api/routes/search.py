"""The JSON API: search, ask, one passage, and the publications of the live version."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from api.deps import IndexDep, QueryLogDep, SettingsDep
from api.errors import ErrorOut, PassageNotFound, error_responses
from api.questions import check_publication, refuse_personal_data
from api.schemas import (
    PUBLICATION_MAX_CHARS,
    PUBLICATION_PATTERN,
    AskIn,
    AskOut,
    PassageOut,
    SearchOut,
    answer_out,
    hits_out,
    passage_out,
)
from index.search import MAX_K, QUESTION_PATTERN
from ingest.fetchstate import read_facts
from ingest.settings import MAX_QUESTION_CHARS

router = APIRouter(prefix="/api", tags=["søgning"])

Question = Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=QUESTION_PATTERN.pattern,
                                description="Spørgsmål eller søgeord (højst 500 tegn)")]
K = Annotated[int, Query(ge=1, le=MAX_K, description="Antal passager (1–50)")]
Publication = Annotated[str | None, Query(max_length=PUBLICATION_MAX_CHARS, pattern=PUBLICATION_PATTERN,
                                          description="Only passages from this publication (an id from "
                                                      "/api/publications); an unknown id answers 404")]

# A question with personal data is refused before it is searched or logged.
QUESTION_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "`publication` names no publication of the live version"},
    422: {"model": ErrorOut, "description": (
        "Invalid input, or a question that holds personal data (a CPR number, phone number or e-mail "
        "address), which is never searched or logged; `detail` says which, in Danish")},
}


class PassageDetailOut(PassageOut):
    previous_id: str | None = Field(None, description="The passage before, in the same publication")
    next_id: str | None = Field(None, description="The passage after, in the same publication")


class PublicationOut(BaseModel):
    id: str
    title: str
    file: str
    publisher: str | None = None
    year: int | None = None
    sha256: str | None = None
    pages: int = 0
    passages: int = 0
    status: str | None = Field(None, description="Build status in this version (added/updated/unchanged/failed)")
    kept_previous: bool = False
    error: str | None = None
    fetch: dict[str, Any] | None = Field(None, description="What `kb fetch` recorded: URLs, ETag, sha256, times")


class PublicationsOut(BaseModel):
    version: str
    created: str | None = None
    model: str | None = None
    passage_count: int | None = None
    publications: list[PublicationOut]


@router.get("/search", response_model=SearchOut, responses={**error_responses(503), **QUESTION_ERRORS})
def search(index: IndexDep, query_log: QueryLogDep, q: Question, k: K = 10,
           publication: Publication = None) -> SearchOut:
    """Hybrid search (BM25 + embeddings) over the passages of the live version.

    Only passages that clear the relevance floor are returned, so `results` may hold fewer than
    k passages, or none (`confident: false`) when the publications do not answer the query.
    """
    refuse_personal_data(q)
    publication = check_publication(publication, index.publication_ids())
    found = index.find(q, k, publication=publication)
    query_log("search", q)
    return SearchOut(query=found.query, confident=found.confident, results=hits_out(found.hits, index))


@router.post("/ask", response_model=AskOut, responses={**error_responses(413, 503), **QUESTION_ERRORS})
def ask(body: AskIn, index: IndexDep, query_log: QueryLogDep) -> AskOut:
    """Extractive answer (1–3 sentences, each citing its passage) and the passages behind it."""
    refuse_personal_data(body.question)
    publication = check_publication(body.publication, index.publication_ids())
    answer = index.ask(body.question, body.k, publication=publication)
    query_log("ask", body.question)
    return answer_out(answer, index)


@router.get("/passages/{passage_id}", response_model=PassageDetailOut, responses=error_responses(404, 503))
def passage(passage_id: str, index: IndexDep) -> PassageDetailOut:
    """One passage with the ids of its neighbours (for reading on)."""
    found = index.get(passage_id)
    if found is None:
        raise PassageNotFound()
    previous_id, next_id = index.neighbours(passage_id)
    return PassageDetailOut(**passage_out(found, index).model_dump(), previous_id=previous_id, next_id=next_id)


@router.get("/publications", response_model=PublicationsOut, responses=error_responses(503))
def publications(index: IndexDep, settings: SettingsDep) -> PublicationsOut:
    """The publications in the live version, with build facts and what `kb fetch` recorded."""
    manifest = index.manifest
    items = []
    for pub in manifest.publications:
        facts = read_facts(settings.corpus_dir, pub.id)
        items.append(PublicationOut(**{**pub.model_dump(), "fetch": facts.to_dict() if facts else None}))
    return PublicationsOut(version=index.version, created=manifest.created, model=manifest.model,
                           passage_count=manifest.passage_count, publications=items)
