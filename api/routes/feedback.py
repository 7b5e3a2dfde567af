""""Hjalp svaret?": the form post from result and passage pages (works without JavaScript)."""

from __future__ import annotations

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import FeedbackDep, LiveDep, TemplatesDep
from api.errors import render_error_page
from api.feedback import SOURCES, valid_token
from api.forms import read_form
from api.personal import find
from api.urls import Urls
from ingest.settings import MAX_QUESTION_CHARS

router = APIRouter(include_in_schema=False)

ANSWERS = {"ja": True, "nej": False}
NOT_SAVED = "Dit svar blev ikke gemt"


def _searchable(question: str) -> str:
    """The question as it may go back into a URL or the search field: a result page only offers
    screened questions, but a form can be posted by hand, and personal data must reach no URL."""
    if not question.strip() or len(question) > MAX_QUESTION_CHARS or find(question):
        return ""
    return question


@router.post("/feedback", response_class=HTMLResponse)
async def feedback(request: Request, templates: TemplatesDep, live: LiveDep, store: FeedbackDep) -> Response:
    form = await read_form(request)
    helpful = ANSWERS.get(form.get("helpful", ""))
    source = form.get("source", "")
    # Whole: the store redacts before it shortens, so no CPR number is kept in part at the cut.
    question = form.get("q", "")
    searchable = _searchable(question)
    if helpful is None or source not in SOURCES:
        return render_error_page(request, 422, "Svaret kunne ikke gemmes: vælg »Ja« eller »Nej«.", None, searchable,
                                 title=NOT_SAVED)
    index = live.current()
    urls = Urls.for_request(request)
    publication = form.get("publication", "")
    chosen = publication if publication in index.publication_ids() else None
    passage = index.get(form.get("passage_id", ""))
    if passage is None:
        # Usually a refresh made a new version live while the page was open, and the passage's text
        # changed: "Siden findes ikke" would be wrong (the page is there); the way on is to search again.
        again = (urls.search(searchable, chosen), "Søg igen") if searchable else (urls.home(), "Søg igen")
        return render_error_page(request, 404, "Publikationerne er blevet opdateret, mens du læste, og passagen, "
                                 "dit svar gjaldt, findes ikke længere i samme form. Søg igen, og svar på det nye "
                                 "resultat.", None, searchable, link=again, title=NOT_SAVED)
    token = valid_token(form.get("token"))
    filtered = chosen if source == "search" else None  # a passage page searched nothing
    await to_thread.run_sync(lambda: store.add(
        helpful=helpful, source=source, question=question if source == "search" else None,  # type: ignore[arg-type]
        passage_id=passage.id, publication_id=passage.publication_id, page_start=passage.page_start,
        page_end=passage.page_end, page_label=passage.page_label, version=index.version,
        filter_publication=filtered, token=token))
    if source == "passage":
        back = (urls.passage(passage.id), "Tilbage til passagen")
    elif searchable:
        # The result page it came from, with its publication filter (an unknown one is dropped).
        back = (urls.search(searchable, chosen), "Tilbage til søgeresultatet")
    else:
        back = (urls.home(), "Tilbage til søgningen")
    # Going back to answer again may show a new rendering of the result page (it is never cached),
    # whose form is another: the other answer is offered here, for this form. Without a token it
    # would be a second answer, so it is not offered.
    change = {"passage_id": passage.id, "source": source, "q": searchable if source == "search" else "",
              "publication": filtered or "", "token": token} if token else None
    context = {"title": "Tak for din tilbagemelding", "q": "", "helpful": helpful, "back": back, "change": change}
    return templates.TemplateResponse(request, "feedback.html", context)


@router.get("/feedback")
def feedback_reopened(request: Request) -> RedirectResponse:
    """The thank-you page's address opened again (history, a restored tab): there is nothing to
    show without the post, so the search, rather than a 405 that speaks of HTTP methods."""
    return RedirectResponse(Urls.for_request(request).home(), status_code=303)
