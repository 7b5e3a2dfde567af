""""Hjalp svaret?": the form post from result and passage pages (works without JavaScript)."""

from __future__ import annotations

from urllib.parse import parse_qs

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import FeedbackDep, LiveDep, TemplatesDep
from api.errors import render_error_page
from api.feedback import SOURCES
from ingest.settings import MAX_QUESTION_CHARS

router = APIRouter(include_in_schema=False)

ANSWERS = {"ja": True, "nej": False}


@router.post("/feedback", response_class=HTMLResponse)
async def feedback(request: Request, templates: TemplatesDep, live: LiveDep, store: FeedbackDep) -> Response:
    # A plain form post: parsed here rather than with FastAPI's Form(), which needs python-multipart.
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    helpful = ANSWERS.get(form.get("helpful", ""))
    source = form.get("source", "")
    question = form.get("q", "")[:MAX_QUESTION_CHARS]
    if helpful is None or source not in SOURCES:
        return render_error_page(request, 422, "Svaret kunne ikke gemmes: vælg »Ja« eller »Nej«.", None, question)
    index = live.current()
    passage = index.get(form.get("passage_id", ""))
    if passage is None:
        return render_error_page(request, 404, "Svaret kunne ikke gemmes: passagen findes ikke længere.", None,
                                 question)
    await to_thread.run_sync(lambda: store.add(
        helpful=helpful, source=source, question=question if source == "search" else None,  # type: ignore[arg-type]
        passage_id=passage.id, publication_id=passage.publication_id, page_start=passage.page_start,
        page_end=passage.page_end, page_label=passage.page_label, version=index.version))
    context = {"title": "Tak for din tilbagemelding", "q": "", "helpful": helpful,
               "back_question": question if source == "search" else "", "passage_id": passage.id}
    return templates.TemplateResponse(request, "feedback.html", context)
