"""The Danish web pages: the search page (``/`` and ``/?q=…``) and passage permalinks (``/p/{id}``).

Everything is rendered on the server, so the pages work without JavaScript and a ``/?q=…`` link
from an intranet page shows the results directly.
"""

from __future__ import annotations

from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.citations import catalogue
from api.deps import LiveDep, QueryLogDep, SettingsDep, TemplatesDep
from api.errors import PersonalData, UnknownPublication
from api.forms import read_form
from api.personal import Scan, find
from api.questions import MAX_PASTE_CHARS, Condensed, check_publication, condense
from api.retired import passage_gone
from api.schemas import passage_base, passage_out
from api.urls import Urls
from index.errors import QuestionError
from index.search import MAX_K
from ingest.settings import MAX_QUESTION_CHARS

router = APIRouter(include_in_schema=False)

PAGE_K = 10  # passages on a results page; "Vis flere" shows this many more


def danish_number(n: int) -> str:
    return f"{n:,}".replace(",", ".")


class TooLong(Exception):
    """A pasted text over MAX_PASTE_CHARS: refused with a sentence that says what fits."""

    def __init__(self, chars: int) -> None:
        super().__init__(f"Teksten er på {danish_number(chars)} tegn, men der kan højst indsættes "
                         f"{danish_number(MAX_PASTE_CHARS)} tegn. Skriv dit spørgsmål kort (der søges på højst "
                         f"{MAX_QUESTION_CHARS} tegn), fx »Hvad gør jeg, når en elev frygter at blive giftet bort?«")


def _screen(q: str) -> Condensed:
    """Personal data first (never searched, logged or put in a URL), then the length."""
    scan = find(q)
    if scan:
        raise PersonalData(scan)
    condensed = condense(scan.text)
    if condensed.original_chars > MAX_PASTE_CHARS:
        raise TooLong(condensed.original_chars)
    return condensed


def _form_context(title: str, q: str, publication: str) -> dict[str, Any]:
    return {"title": title, "q": q, "publication": publication, "error": None, "result": None,
            "personal": None, "shortened": None}


def _personal_page(request: Request, templates: Any, scan: Scan, publication: str) -> HTMLResponse:
    """The warning: the question is not searched; the field holds it without the personal data."""
    cleaned = scan.removed()
    context = _form_context("Fjern personoplysninger", cleaned, publication)
    offer = cleaned if cleaned and not find(cleaned) and len(cleaned) <= MAX_QUESTION_CHARS else None
    context["personal"] = {
        "found": scan.describe(),
        "cleaned": cleaned,
        "cleaned_url": Urls.for_request(request).search(offer, publication or None) if offer else None,
    }
    return templates.TemplateResponse(request, "search.html", context, status_code=422)


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, templates: TemplatesDep, live: LiveDep, query_log: QueryLogDep,
                q: str = "", publication: str = "",
                k: Annotated[int, Query(description=f"Passages to show; held to 1-{MAX_K}")] = PAGE_K,
                forkortet: Annotated[int | None, Query(ge=1, le=MAX_PASTE_CHARS)] = None) -> HTMLResponse:
    """The search page; ``/?q=…`` is the linkable result page (the form itself posts, see below)."""
    # A link's k out of range shows what it can rather than an error page without the question
    # (people edit and share these URLs; the JSON API answers 422).
    k = min(max(k, 1), MAX_K)
    context = _form_context("Søg", q, publication)
    if not q.strip():
        # The empty form; "/?q=" from a portal with nothing typed is the same page, not an error.
        return templates.TemplateResponse(request, "search.html", context)
    try:
        condensed = _screen(q)
    except PersonalData as exc:
        return _personal_page(request, templates, exc.scan, publication)
    except TooLong as exc:
        context.update(q="", error=str(exc))
        return templates.TemplateResponse(request, "search.html", context, status_code=422)
    context["q"] = condensed.question
    index = live.current()  # raises NoLiveIndex → the 503 page; taken once for this request
    try:
        chosen = check_publication(publication, index.publication_ids())
        answer = index.ask(condensed.question, k=k, publication=chosen)
    except (QuestionError, UnknownPublication) as exc:
        context["error"] = exc.detail if isinstance(exc, UnknownPublication) else str(exc)
        return templates.TemplateResponse(request, "search.html", context, status_code=exc.status_code)
    # Logged only once it is searched: refused questions (too long, personal data) never are.
    query_log("page", answer.question)
    relevant = index.relevant(answer)
    # Only passages that clear the relevance floor are listed as relevant; when none do, the
    # nearest ones are, under a heading that says they may not answer the question.
    shown = relevant or answer.hits
    passages = [passage_out(h.passage, index, h.score) for h in shown]
    numbers = {p.id: i for i, p in enumerate(passages, start=1)}
    urls = Urls.for_request(request)
    publications = catalogue(index.manifest)
    total = index.total(answer, relevant)
    more = total > len(relevant)
    shortened = condensed.original_chars if condensed.shortened else forkortet
    context.update(
        title=f"{answer.question} – søgeresultat",
        q=answer.question,
        shortened=shortened,
        result={
            "confident": answer.confident,
            "relevant": bool(relevant),
            "sentences": [{"text": s.text, "passage_id": s.passage_id, "number": numbers.get(s.passage_id)}
                          for s in answer.sentences],
            # where each answer sentence sits in its passage, so the page shows it in context
            "spans": {pid: [(s.start, s.end) for s in answer.sentences if s.passage_id == pid]
                      for pid in {s.passage_id for s in answer.sentences}},
            "passages": passages,
            "count": total,
            "publication": publications[chosen].short_title if chosen in publications else None,
            # The next page is still the shortened text's search: it says so too.
            "more_url": urls.search(answer.question, chosen, k=min(k + PAGE_K, MAX_K), shortened=shortened)
            + f"#kilde-{k + 1}"
            if more else None,
            "rss_url": urls.rss(answer.question, chosen),
        },
    )
    return templates.TemplateResponse(request, "search.html", context)


@router.post("/", response_class=HTMLResponse)
async def search_form(request: Request, templates: TemplatesDep) -> Response:
    """The search form posts here, so a question reaches no URL before it has been checked.

    A clean question is redirected (303) to its linkable ``/?q=…``; one with personal data gets
    the warning page instead and never appears in a URL, the browser history, a title or a log.
    A long text is redirected as its question-like sentences, and the page says so.
    """
    form = await read_form(request)
    q, publication = form.get("q", ""), form.get("publication", "")
    urls = Urls.for_request(request)
    if not q.strip():
        return RedirectResponse(urls.home(), status_code=303)
    try:
        # In a worker thread: a pasted case (the body may be far longer than a question) takes tens
        # of milliseconds to scan and condense, which would hold every other request on the loop.
        condensed = await to_thread.run_sync(_screen, q)
    except PersonalData as exc:
        return _personal_page(request, templates, exc.scan, publication)
    except TooLong as exc:
        # The text stays in the field to be shortened: it was posted, so it is in no URL, and it
        # holds no personal data (checked first).
        context = _form_context("Søg", " ".join(q.split()), publication)
        context["error"] = str(exc)
        return templates.TemplateResponse(request, "search.html", context, status_code=422)
    shortened = condensed.original_chars if condensed.shortened else None
    return RedirectResponse(urls.search(condensed.question, publication or None, shortened=shortened),
                            status_code=303)


@router.get("/p/{passage_id}", response_class=HTMLResponse)
def passage_page(passage_id: str, request: Request, templates: TemplatesDep, live: LiveDep,
                 settings: SettingsDep) -> HTMLResponse:
    index = live.current()
    found = index.get(passage_id)
    if found is None:
        raise passage_gone(settings.data_dir, passage_id, set(index.publication_ids()), page=True)
    passage = passage_base(found, index)
    neighbours = [index.get(i) if i else None for i in index.neighbours(passage_id)]
    previous, following = (passage_base(n, index) if n else None for n in neighbours)
    context = {
        "title": f"{passage.section or 'Passage'} – {passage.publication_title}",
        "q": "",
        "publication": "",
        "passage": passage,
        "previous": previous,
        "next": following,
    }
    # The page's »Hjalp svaret?« form is this rendering's alone (its token): an intranet proxy
    # handing the same page to everyone would merge their answers into one.
    return templates.TemplateResponse(request, "passage.html", context, headers={"Cache-Control": "private"})

