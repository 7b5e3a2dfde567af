"""The Danish web pages: the search page (``/`` and ``/?q=…``) and passage permalinks (``/p/{id}``).

Everything is rendered on the server, so the pages work without JavaScript and a ``/?q=…`` link
from an intranet page shows the results directly.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import LiveDep, QueryLogDep, SettingsDep, TemplatesDep
from api.errors import PassageNotFound
from api.schemas import passage_base, passage_out
from index.errors import CorruptIndex, QuestionError
from index.store import VersionStore, read_passages
from ingest.settings import MAX_QUESTION_CHARS

router = APIRouter(include_in_schema=False)

PAGE_K = 10  # passages on a results page


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, templates: TemplatesDep, live: LiveDep, query_log: QueryLogDep,
                q: str = "") -> HTMLResponse:
    context: dict[str, object] = {"title": "Søg", "q": q, "error": None, "result": None,
                                  "max_chars": MAX_QUESTION_CHARS}
    if not q.strip():
        # The empty form; "/?q=" from a portal with nothing typed is the same page, not an error.
        return templates.TemplateResponse(request, "search.html", context)
    query_log("page", q)
    index = live.current()  # raises NoLiveIndex → the 503 page; taken once for this request
    try:
        answer = index.ask(q, k=PAGE_K)
    except QuestionError as exc:
        context["error"] = str(exc)
        return templates.TemplateResponse(request, "search.html", context, status_code=422)
    passages = [passage_out(h.passage, index, h.score) for h in answer.hits]
    numbers = {p.id: i for i, p in enumerate(passages, start=1)}
    context.update(
        title=f"{answer.question} – søgeresultat",
        q=answer.question,
        result={
            "confident": answer.confident,
            "sentences": [{"text": s.text, "passage_id": s.passage_id, "number": numbers.get(s.passage_id)}
                          for s in answer.sentences],
            "passages": passages,
        },
    )
    return templates.TemplateResponse(request, "search.html", context)


@router.get("/p/{passage_id}", response_class=HTMLResponse)
def passage_page(passage_id: str, request: Request, templates: TemplatesDep, live: LiveDep,
                 settings: SettingsDep) -> HTMLResponse:
    index = live.current()
    found = index.get(passage_id)
    if found is None:
        retired = retired_section(settings.data_dir, passage_id)
        detail = ("Passagen findes ikke i den nuværende udgave af publikationerne. Teksten kan være ændret, "
                  "da publikationen blev opdateret.")
        if retired:
            detail += f" Den stod i afsnittet «{retired}» – søg efter det herunder."
        raise PassageNotFound(detail, query=retired)
    passage = passage_base(found, index)
    neighbours = [index.get(i) if i else None for i in index.neighbours(passage_id)]
    previous, following = (passage_base(n, index) if n else None for n in neighbours)
    context = {
        "title": f"{passage.section or 'Passage'} – {passage.publication_title}",
        "q": "",
        "passage": passage,
        "previous": previous,
        "next": following,
    }
    return templates.TemplateResponse(request, "passage.html", context)


# -- passages that are gone -----------------------------------------------------------------------
def retired_section(data_dir: Path, passage_id: str) -> str | None:
    """The section an id had in an older version still on disk (newest first), or None.

    Permalinks stay stable while a passage's text is unchanged; when the text changed, the id is
    gone, and its old section is the best search to offer instead.
    """
    store = VersionStore(data_dir)
    for version in reversed(store.versions()):
        sections = _sections(str(store.path(version)))
        if passage_id in sections:
            return sections[passage_id]
    return None


@lru_cache(maxsize=8)
def _sections(version_path: str) -> dict[str, str | None]:
    # Versions never change once written, so their id → section map can be cached by path.
    try:
        return {p.id: p.section for p in read_passages(Path(version_path))}
    except CorruptIndex:
        return {}
