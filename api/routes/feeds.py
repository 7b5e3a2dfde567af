"""Intranet hooks: the OpenSearch 1.1 description, suggestions, and an RSS 2.0 result feed.

With these an intranet portal (or a browser) can add the service as a search engine, show
suggestions while typing, and federate results from the feed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from api.citations import catalogue, reference
from api.deps import IndexDep, QueryLogDep, SuggestionsDep, TemplatesDep
from api.errors import error_responses
from api.questions import check_publication, refuse_personal_data
from api.render import SITE_NAME
from api.routes.search import QUESTION_ERRORS, K, Publication, Question
from api.schemas import hits_out

router = APIRouter(tags=["intranet"])

SHORT_NAME = "ÆRK-vidensbase"  # OpenSearch: ShortName has at most 16 characters
DESCRIPTION = "Søg i SIRI's publikationer om æresrelaterede konflikter og negativ social kontrol"
RSS_K = 10


class OpenSearchResponse(Response):
    media_type = "application/opensearchdescription+xml"


class SuggestionsResponse(JSONResponse):
    media_type = "application/x-suggestions+json"


class RSSResponse(Response):
    media_type = "application/rss+xml"


@router.get("/opensearch.xml", response_class=OpenSearchResponse)
def opensearch(request: Request, templates: TemplatesDep) -> Response:
    """OpenSearch description; its URLs are absolute, built from this request's base URL."""
    context = {"title": SHORT_NAME, "q": "", "short_name": SHORT_NAME, "description": DESCRIPTION,
               "long_name": SITE_NAME}
    return templates.TemplateResponse(request, "opensearch.xml", context,
                                      media_type=f"{OpenSearchResponse.media_type}; charset=utf-8")


# ["q", ["completion", …]]. Written without a tuple (`prefixItems`): FastAPI renders tuple[str, list[str]]
# as a pre-3.1 `items` list, and schema tools (schemathesis) still reject both forms.
SUGGESTIONS_SCHEMA = {
    "type": "array",
    "items": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
    "minItems": 2,
    "maxItems": 2,
}


@router.get("/api/suggest", response_class=SuggestionsResponse, response_model=None,
            responses={200: {"description": "OpenSearch suggestions",
                             "content": {SuggestionsResponse.media_type: {"schema": SUGGESTIONS_SCHEMA}}},
                       **error_responses(422, 503)})
def suggest(index: IndexDep, suggestions: SuggestionsDep,
            q: Annotated[str, Query(max_length=200, description="What the user has typed so far")] = ""
            ) -> SuggestionsResponse:
    """OpenSearch suggestions: `["q", ["forslag", …]]` from section titles and frequent words."""
    # Suggestions are not logged even with KB_LOG_QUERIES: they are keystrokes, not questions.
    return SuggestionsResponse([q, suggestions.for_index(index).suggest(q)])


def json_errors(responses: dict[int | str, dict[str, Any]]) -> dict[int | str, dict[str, Any]]:
    """The feed's errors are JSON, not RSS: documented with their own content type (a ``model``
    would be documented under the route's RSS media type)."""
    schema = {"$ref": "#/components/schemas/ErrorOut"}
    return {status: {"description": r["description"], "content": {"application/json": {"schema": schema}}}
            for status, r in responses.items()}


@router.get("/api/search.rss", response_class=RSSResponse,
            responses=json_errors({**error_responses(503), **QUESTION_ERRORS}))
def search_rss(request: Request, index: IndexDep, templates: TemplatesDep, query_log: QueryLogDep,
               q: Question, k: K = RSS_K, publication: Publication = None) -> Response:
    """RSS 2.0 with OpenSearch response elements: one item per passage, linking to its permalink.

    Only passages that clear the relevance floor become items; `opensearch:totalResults` counts
    all that do (of the first 50), not only the k listed, and the feed is empty when nothing is
    relevant (`kb:confident` is then false), so an intranet's federated search shows nothing
    rather than ten weak guesses.
    """
    refuse_personal_data(q)
    publication = check_publication(publication, index.publication_ids())
    found = index.find(q, k, publication=publication)
    query_log("rss", q)
    publications = catalogue(index.manifest)
    items = []
    for passage in hits_out(found.hits, index):
        source = reference(passage, publications.get(passage.publication_id))
        items.append({"passage": passage, "title": f"{passage.section} – {source}" if passage.section else source})
    context = {"title": f"{SITE_NAME}: {found.query}", "q": found.query, "items": items, "k": k,
               "confident": found.confident, "total": found.total, "publication": publication,
               "description": DESCRIPTION}
    return templates.TemplateResponse(request, "search.rss.xml", context,
                                      media_type=f"{RSSResponse.media_type}; charset=utf-8")
