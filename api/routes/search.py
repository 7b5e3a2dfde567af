"""The JSON API: search, ask, one passage, and the publications of the live version."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from api.deps import IndexDep, QueryLogDep, SettingsDep, UrlsDep
from api.errors import error_responses
from api.questions import check_publication, refuse_personal_data
from api.retired import passage_gone
from api.schemas import (
    PUBLICATION_HELP,
    PUBLICATION_MAX_CHARS,
    PUBLICATION_PATTERN,
    QUESTION_HELP,
    QUESTION_PATTERN_API,
    AskIn,
    AskOut,
    PassageBase,
    SearchOut,
    answer_out,
    hits_out,
    model_name,
    passage_base,
)
from api.status import without_server_paths
from index.search import MAX_K
from ingest.fetchstate import read_facts
from ingest.settings import MAX_QUESTION_CHARS

router = APIRouter(prefix="/api", tags=["search"])

Question = Annotated[str, Query(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=QUESTION_PATTERN_API,
                                description=QUESTION_HELP)]
K = Annotated[int, Query(ge=1, le=MAX_K, description=f"How many passages to return (1-{MAX_K})")]
Publication = Annotated[str | None, Query(max_length=PUBLICATION_MAX_CHARS, pattern=PUBLICATION_PATTERN,
                                          description=PUBLICATION_HELP)]

# A question with personal data is refused before it is searched or logged.
QUESTION_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {**error_responses(404)[404], "description": "`publication` names no publication of the live version"},
    422: {**error_responses(422)[422], "description": (
        "Invalid input, or a question that holds personal data (a CPR number, phone number or e-mail "
        "address), which is never searched or logged; `detail` says which, in Danish")},
}


class PassageDetailOut(PassageBase):
    """One passage by id (no `score`: nothing was searched) with its neighbours for reading on."""

    previous_id: str | None = Field(None, description="The passage before, in the same publication, or null")
    next_id: str | None = Field(None, description="The passage after, in the same publication, or null")


class PublicationOut(BaseModel):
    id: str = Field(description="The publication's id in the manifest")
    title: str = Field(description="The publication's full title")
    file: str = Field(description="The PDF's file name; served at /corpus/{file}")
    publisher: str | None = Field(None, description="The publisher, when the manifest names one")
    year: int | None = Field(None, description="The year of publication, when the manifest gives one")
    sha256: str | None = Field(None, description="SHA-256 of the PDF this version was built from; its first 12 "
                                                 "hex digits name the edition in passage URLs (`?udgave=`)")
    pages: int = Field(0, description="Pages in the PDF")
    passages: int = Field(0, description="Passages indexed from it")
    status: str | None = Field(None, description="Build status in this version (added/updated/unchanged/failed)")
    kept_previous: bool = Field(False, description="True when the PDF could not be read at the last build and "
                                                   "the passages of the version before are kept")
    error: str | None = Field(None, description="Why the last build could not read the PDF, or null")
    fetch: dict[str, Any] | None = Field(None, description="What `kb fetch` recorded: URLs, ETag, sha256, times")


class PublicationsOut(BaseModel):
    version: str = Field(description="The live index version's id")
    created: str | None = Field(None, description="When the version was built (ISO 8601)")
    model: str | None = Field(None, description="The embedding model's name (a Hugging Face id, or the name of "
                                                "the local folder it was loaded from)")
    passage_count: int | None = Field(None, description="Passages in the version")
    publications: list[PublicationOut] = Field(description="The publications in the version")


def sent_as_is(out: BaseModel) -> Response:
    """The model as JSON, as it is. FastAPI validates what a route returns against its
    ``response_model`` once more (for a sync route in a second trip through the thread pool);
    ours are built from validated data, and ``response_model`` still documents them."""
    return Response(out.model_dump_json(), media_type="application/json")


@router.get("/search", response_model=SearchOut, responses={**error_responses(503), **QUESTION_ERRORS})
async def search(index: IndexDep, query_log: QueryLogDep, urls: UrlsDep, q: Question, k: K = 10,
                 publication: Publication = None) -> Response:
    """Hybrid search (BM25 + embeddings) over the passages of the live version.

    Only passages that clear the relevance floor are returned, so `results` may hold fewer than
    k passages, or none (`confident: false`) when the publications do not answer the query.
    """
    refuse_personal_data(q)
    publication = check_publication(publication, index.publication_ids())
    found = await index.find_async(q, k, publication=publication)
    query_log("search", q)
    return sent_as_is(SearchOut(query=found.query, confident=found.confident,
                                results=hits_out(found.hits, index, base=urls.base())))


@router.post("/ask", response_model=AskOut, responses={**error_responses(400, 413, 503), **QUESTION_ERRORS})
async def ask(body: AskIn, index: IndexDep, query_log: QueryLogDep, urls: UrlsDep) -> Response:
    """Extractive answer (1-3 excerpts, each citing its passage) and the passages behind it.

    A body that is not UTF-8 is answered with 400."""
    refuse_personal_data(body.question)
    publication = check_publication(body.publication, index.publication_ids())
    answer = await index.ask_async(body.question, body.k, publication=publication)
    query_log("ask", body.question)
    return sent_as_is(answer_out(answer, index, base=urls.base()))


@router.get("/passages/{passage_id}", response_model=PassageDetailOut, responses=error_responses(404, 503))
def passage(passage_id: str, index: IndexDep, urls: UrlsDep, settings: SettingsDep) -> PassageDetailOut:
    """One passage with the ids of its neighbours (for reading on). A passage that is gone answers
    404 with a Danish `detail` that says whether its text changed (and in which section it stood)
    or its publication was taken out."""
    found = index.get(passage_id)
    if found is None:
        raise passage_gone(settings.data_dir, passage_id, set(index.publication_ids()), page=False)
    previous_id, next_id = index.neighbours(passage_id)
    return PassageDetailOut(**passage_base(found, index, base=urls.base()).model_dump(),
                            previous_id=previous_id, next_id=next_id)


@router.get("/publications", response_model=PublicationsOut, responses=error_responses(503))
def publications(index: IndexDep, settings: SettingsDep) -> PublicationsOut:
    """The publications in the live version, with build facts and what `kb fetch` recorded."""
    manifest = index.manifest
    items = []
    for pub in manifest.publications:
        facts = read_facts(settings.corpus_dir, pub.id)
        items.append(PublicationOut(**{**pub.model_dump(), "error": without_server_paths(pub.error, settings),
                                       "fetch": facts.to_dict() if facts else None}))
    return PublicationsOut(version=index.version, created=manifest.created, model=model_name(manifest.model),
                           passage_count=manifest.passage_count, publications=items)
