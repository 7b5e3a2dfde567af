"""Pages → passages: follow paragraphs and sections, fit the embedding model's window.

A passage never crosses a section boundary, never includes cover or table-of-contents pages,
and is never longer than the model can read: a paragraph that does not fit is cut at sentence
boundaries, and a sentence that does not fit at word boundaries, so nothing is truncated.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ingest.models import Block, Document, Passage, Publication

# Sentence ends: . ! ? followed by space and an upper-case letter or digit; avoids cutting after
# common Danish abbreviations ("bl.a.", "f.eks.", "jf.", "§ 153, stk. 2").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9«\"(])")
_WORDS = re.compile(r"[^\W\d_]{2,}")
_ABBREVIATIONS = ("bl.a.", "f.eks.", "fx.", "jf.", "stk.", "nr.", "ca.", "mv.", "m.v.", "dvs.", "evt.", "pkt.")
# A piece shorter than this is merged into a neighbour in its section; alone in its section (a
# slide's one line) it stays a passage when it has at least MIN_LONE_WORDS words, else it is noise.
MIN_PASSAGE_CHARS = 40
MIN_LONE_WORDS = 2


def normalise_text(text: str) -> str:
    """The form a passage id is derived from: NFC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def passage_id(publication_id: str, text: str) -> str:
    digest = hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()[:10]
    return f"{publication_id}-{digest}"


def split_sentences(text: str) -> list[str]:
    pieces = _SENTENCE_END.split(text)
    sentences: list[str] = []
    for piece in pieces:
        if sentences and sentences[-1].lower().endswith(_ABBREVIATIONS):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [s.strip() for s in sentences if s.strip()]


@dataclass
class _Unit:
    """A piece of text that fits the window on its own, with the page it comes from."""

    text: str
    page: int
    tokens: int


class Splitter:
    """Packs a document's paragraphs into passages of about ``target_tokens`` (hard cap ``max_tokens``).

    ``count_tokens`` counts what the embedding model sees for a passage (prefix and special
    tokens included), so the cap is the model's real limit, not a guess in characters.
    """

    def __init__(self, count_tokens: Callable[[str], int], *, max_tokens: int, target_tokens: int = 200):
        if max_tokens < 16:
            raise ValueError("max_tokens must leave room for text")
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens
        self.target_tokens = min(target_tokens, max_tokens)

    def __call__(self, publication: Publication, document: Document) -> list[Passage]:
        passages: list[Passage] = []
        seen: set[str] = set()
        for section, units in self._sections(document):
            for chunk in self._merge_short(list(self._pack(units))):
                text = " ".join(u.text for u in chunk)
                if len(text) < MIN_PASSAGE_CHARS and len(_WORDS.findall(text)) < MIN_LONE_WORDS:
                    continue
                pid = passage_id(publication.id, text)
                if pid in seen:  # the same boilerplate twice gives one passage, cited once
                    continue
                seen.add(pid)
                first, last = chunk[0].page, chunk[-1].page
                passages.append(
                    Passage(
                        id=pid,
                        publication_id=publication.id,
                        publication_title=publication.title,
                        page_start=first,
                        page_end=last,
                        page_label=document.page(first).label,
                        section=section,
                        text=text,
                    )
                )
        return passages

    def _sections(self, document: Document) -> Iterator[tuple[str | None, list[_Unit]]]:
        """Group text blocks under the nearest preceding heading; skip cover and TOC pages.

        A box (role "box") is a group of its own under its title; the text after it returns to the
        section the box stands in. Footnotes are gathered apart and come after their section's
        text, so a note is never packed into a passage with body sentences.
        """
        section: str | None = None
        outer: str | None = None  # the section a box stands in
        role = "body"  # of the units gathered so far
        units: list[_Unit] = []
        notes: list[_Unit] = []
        notes_section: str | None = None
        for block in document.blocks:
            if document.page(block.page).kind != "body":
                continue
            if block.role == "footnote":
                if not notes:
                    notes_section = outer if role == "box" else section
                notes.extend(self._units(block))
                continue
            if block.kind == "heading" or block.role != role:
                if units:
                    yield section, units
                units = []
            if block.kind == "heading":
                if block.role == "box":
                    outer = section if role != "box" else outer
                elif notes:
                    yield notes_section, notes
                    notes = []
                role = block.role
                section = block.text
                continue
            if role == "box" and block.role != "box":
                section = outer  # back from the box to the text around it
            role = block.role
            units.extend(self._units(block))
        if units:
            yield section, units
        if notes:
            yield notes_section, notes

    def _units(self, block: Block) -> list[_Unit]:
        tokens = self.count_tokens(block.text)
        if tokens <= self.max_tokens:
            return [_Unit(block.text, block.page, tokens)]
        units: list[_Unit] = []
        for sentence in split_sentences(block.text):
            n = self.count_tokens(sentence)
            if n <= self.max_tokens:
                units.append(_Unit(sentence, block.page, n))
            else:
                units.extend(_Unit(p, block.page, self.count_tokens(p)) for p in self._cut_words(sentence))
        return units

    def _cut_words(self, sentence: str) -> list[str]:
        """Last resort for a run-on sentence: greedy word packing under the cap."""
        pieces: list[str] = []
        current: list[str] = []
        for word in sentence.split():
            if current and self.count_tokens(" ".join([*current, word])) > self.max_tokens:
                pieces.append(" ".join(current))
                current = []
            current.append(word)
        if current:
            pieces.append(" ".join(current))
        return pieces

    def _merge_short(self, chunks: list[list[_Unit]]) -> list[list[_Unit]]:
        """Short chunks of one section joined to the chunk before them, else to the one after."""
        out: list[list[_Unit]] = []
        carry: list[_Unit] = []
        for chunk in chunks:
            if carry:
                if self._fits(carry + chunk):
                    chunk = carry + chunk
                else:
                    out.append(carry)
                carry = []
            if self._short(chunk):
                if out and self._fits(out[-1] + chunk):
                    out[-1] = out[-1] + chunk
                else:
                    carry = chunk
                continue
            out.append(chunk)
        if carry:
            if out and self._fits(out[-1] + carry):
                out[-1] = out[-1] + carry
            else:
                out.append(carry)
        return out

    @staticmethod
    def _short(chunk: list[_Unit]) -> bool:
        return len(" ".join(u.text for u in chunk)) < MIN_PASSAGE_CHARS

    def _fits(self, chunk: list[_Unit]) -> bool:
        return self.count_tokens(" ".join(u.text for u in chunk)) <= self.max_tokens

    def _pack(self, units: list[_Unit]) -> Iterator[list[_Unit]]:
        chunk: list[_Unit] = []
        for unit in units:
            if chunk:
                joined = self.count_tokens(" ".join(u.text for u in [*chunk, unit]))
                if joined > self.max_tokens or (
                    sum(u.tokens for u in chunk) >= self.target_tokens * 0.6 and joined > self.target_tokens
                ):
                    yield chunk
                    chunk = []
            chunk.append(unit)
        if chunk:
            yield chunk
