"""The Jinja environment (built once, autoescaped), its filters and globals, and the base context.

Every page gets the keys of :data:`BASE_CONTEXT`; ``tests/test_html.py`` checks each page's
real context against it. The context processor adds the request-derived keys; each handler
passes ``title`` and ``q`` itself.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from api.citations import CorpusNote, catalogue, citation, page_reference, reference
from api.feedback import new_token
from api.questions import MAX_PASTE_CHARS
from api.urls import Urls
from index.errors import NoLiveIndex
from index.sentences import numbered_items
from ingest.settings import MAX_QUESTION_CHARS

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

SITE_NAME = "Vidensbase om æresrelaterede konflikter"
DEMO_NOTICE = "Demo: eksempeltekst, ikke SIRI's publikationer"

BASE_CONTEXT: dict[str, str] = {
    "request": "the current request (Starlette's template response needs it)",
    "urls": "the URL helper (api.urls.Urls) bound to this request's root path and origin",
    "site_name": "the service's Danish name, in the header and every <title>",
    "demo": "True when KB_DEMO is set: every page shows the demo banner",
    "demo_notice": "the text of the demo banner",
    "live_version": "id of the index version serving this process, or None",
    "publications": "the live version's publications by id (api.citations.PublicationInfo); {} without an index",
    "corpus_note": "the footer's publisher, years and date of the live version (api.citations.CorpusNote) or None",
    "title": "the page's own title (handler)",
    "q": "the question to show in the search field, '' for none (handler)",
}

WORD = re.compile(r"[^\W_]+", re.UNICODE)
MIN_PREFIX = 4  # a stem this long matches longer forms too ("tvangsægteskab" → "…ægteskaberne")


class Highlighter:
    """Marks the question's words in a passage: escape every piece first, then wrap matches.

    The text is split into words and the gaps between them; each piece is escaped on its own
    and only whole words are wrapped in ``<mark>``, so markup can never be built from the text.
    A word matches a question word when their Danish Snowball stems agree, or when it starts
    with a question stem of at least ``MIN_PREFIX`` letters (Danish inflects by suffixes).
    """

    def __init__(self) -> None:
        from index.lexical import Analyzer, AnalyzerConfig

        self._analyzer = Analyzer(AnalyzerConfig(decompound=False))
        # PyStemmer objects must not be called from two threads at once; requests run in a pool.
        self._local = threading.local()

    def _stem(self, word: str) -> str:
        stemmer = getattr(self._local, "stemmer", None)
        if stemmer is None:
            import Stemmer

            stemmer = self._local.stemmer = Stemmer.Stemmer("danish")
        return str(stemmer.stemWord(word))

    def terms(self, question: str) -> frozenset[str]:
        """The question's content-word stems (stop words dropped)."""
        return frozenset(self._stem(w) for w in self._analyzer.words(question) if len(w) > 1)

    def matches(self, word: str, terms: frozenset[str]) -> bool:
        folded = word.casefold()
        if self._stem(folded) in terms:
            return True
        return any(len(t) >= MIN_PREFIX and folded.startswith(t) for t in terms)

    def __call__(self, text: str, terms: frozenset[str]) -> Markup:
        if not terms:
            return escape(text)
        pieces: list[Markup] = []
        end = 0
        for match in WORD.finditer(text):
            pieces.append(escape(text[end:match.start()]))
            word = match.group()
            pieces.append(Markup("<mark>{}</mark>").format(word) if self.matches(word, terms) else escape(word))
            end = match.end()
        pieces.append(escape(text[end:]))
        return Markup("").join(pieces)


def in_context(text: str, spans: list[tuple[int, int]], terms: frozenset[str], highlight: Highlighter) -> Markup:
    """The passage text with the answer's sentences marked (``<strong class="answer-quote">``).

    ``spans`` are the sentences' character offsets in ``text`` (from the answer); the rest of the
    text is highlighted as usual. Overlapping or out-of-range spans are ignored, never trusted.
    """
    pieces: list[Markup] = []
    end = 0
    for start, stop in sorted(spans):
        if start < end or stop > len(text) or start >= stop:
            continue
        pieces.append(highlight(text[end:start], terms))
        pieces.append(Markup('<strong class="answer-quote">{}</strong>').format(highlight(text[start:stop], terms)))
        end = stop
    pieces.append(highlight(text[end:], terms))
    return Markup("").join(pieces)


class ExcerptPart(NamedTuple):
    lead: str  # the text before the list, or all of it
    items: list[str]  # the list's items, without their markers
    ordered: bool = False  # a numbered list ("fire faser: 1. … 2. …"), shown as one


def list_items(text: str) -> ExcerptPart:
    """An answer excerpt as its lead-in and its list items ("kan fx indeholde: • a • b" →
    ("kan fx indeholde:", ["a", "b"]), or "fire faser: 1. a 2. b", numbered); a text without a list
    is all lead-in.

    The answer box is itself a list: an excerpt that quotes a list, written out with its "•",
    showed a bullet after the box's own ("• • hvem den unge kan ringe til"), and a numbered list
    ran on as one line ("… aftales 2. Et fællesmøde …").
    """
    lead, *items = re.split(r"(?:^|\s)•\s+", text)
    if items:
        return ExcerptPart(lead.strip(), [item.strip() for item in items if item.strip()])
    markers = numbered_items(text)
    if not markers:
        return ExcerptPart(text.strip(), [])
    ends = [m.start() for m in markers[1:]] + [len(text)]
    numbered = [text[m.end():end].strip() for m, end in zip(markers, ends, strict=True)]
    return ExcerptPart(text[:markers[0].start()].strip(), [item for item in numbered if item], ordered=True)


def answer_parts(text: str) -> list[ExcerptPart]:
    """An answer excerpt as its parts, each a lead-in and its bullet items (``list_items``): a new
    part starts at each line break, which the answer puts after a list or a table, so the sentence
    printed after a list shows after it, not as the end of its last item."""
    return [list_items(part) for part in text.split("\n")]


def pages_label(page_start: int, page_end: int) -> str:
    """Danish PDF page range: "PDF-side 14" or "PDF-side 14–15"."""
    return f"PDF-side {page_start}" if page_start == page_end else f"PDF-side {page_start}–{page_end}"


def _base_context(request: Request) -> dict[str, Any]:
    state = request.app.state
    live = getattr(state, "live", None)
    try:
        manifest = live.current().manifest if live is not None else None
    except NoLiveIndex:
        manifest = None
    return {
        "urls": Urls.for_request(request),
        "site_name": SITE_NAME,
        "demo": state.settings.demo,
        "demo_notice": DEMO_NOTICE,
        "live_version": live.version if live is not None else None,
        "publications": catalogue(manifest) if manifest else {},
        "corpus_note": CorpusNote.from_manifest(manifest) if manifest else None,
    }


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,  # a missing key is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
    )
    highlighter = Highlighter()
    env.filters["highlight"] = highlighter
    env.filters["in_context"] = lambda text, spans, terms: in_context(text, spans, terms, highlighter)
    env.filters["pages_label"] = lambda p: pages_label(p.page_start, p.page_end)
    env.filters["list_items"] = list_items
    env.filters["answer_parts"] = answer_parts
    env.globals["highlight_terms"] = highlighter.terms
    env.globals["max_question_chars"] = MAX_QUESTION_CHARS
    env.globals["max_paste_chars"] = MAX_PASTE_CHARS
    env.globals["citation"] = citation
    env.globals["reference"] = reference
    env.globals["page_reference"] = page_reference
    env.globals["feedback_token"] = new_token
    return Jinja2Templates(env=env, context_processors=[_base_context])
