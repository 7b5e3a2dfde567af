"""Does extracted text read as language? A PDF can "extract" fine and still be unreadable.

A CID font without a /ToUnicode map gives the reader only glyph numbers, so a page that shows
Danish comes out as ``'.5<CJQX_fmt!…`` or as long runs of shifted letters. Such passages would go
live, match nothing sensible and cite nonsense. Two cheap measures catch it, over the whole text:

* the share of letters among the visible characters (garbage is full of punctuation and digits);
* the share of letters that sit in known Danish words (``wordfreq``'s list), weighted by length,
  so shifted-letter garbage with no real words fails too, and a stray known syllable in a run of
  garbage counts for little.

The thresholds leave ample room for real Danish with numbers, paragraphs (§), names, web
addresses and English loan words: the fixture guides score above 0.8 on both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.errors import ExtractionError
from ingest.models import Document
from ingest.words import is_word

MIN_LETTER_SHARE = 0.55
MIN_KNOWN_SHARE = 0.35
MIN_CHARS = 200  # too little text to judge: leave it to the "no text" check
MAX_TOKENS = 20_000  # a sample spread over the document is as telling as every word, and bounded
MAX_WORD = 40  # a longer letter run is glued or garbage, never a word

_TOKEN = re.compile(r"\S+")
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class LanguageFacts:
    letter_share: float  # letters / visible characters
    known_share: float  # letters in known Danish words / letters in words
    chars: int


def language_facts(document: Document) -> LanguageFacts:
    tokens = [t for block in document.blocks for t in _TOKEN.findall(block.text)]
    if len(tokens) > MAX_TOKENS:
        step = len(tokens) / MAX_TOKENS
        tokens = [tokens[int(i * step)] for i in range(MAX_TOKENS)]
    visible = sum(len(t) for t in tokens)
    letters = sum(len(m) for t in tokens for m in _LETTERS.findall(t))
    # Runs of one letter ("a", "§ 3 b") say nothing either way.
    runs = [run for t in tokens for run in _LETTERS.findall(t) if len(run) > 1]
    in_words = sum(len(run) for run in runs)
    known = sum(len(run) for run in runs if len(run) <= MAX_WORD and is_word(run))
    return LanguageFacts(
        letter_share=letters / visible if visible else 0.0,
        known_share=known / in_words if in_words else 0.0,
        chars=visible,
    )


def check_language(document: Document, name: str) -> LanguageFacts:
    """Raise ExtractionError when the text of ``name`` does not read as language."""
    facts = language_facts(document)
    if facts.chars < MIN_CHARS:
        return facts
    if facts.letter_share < MIN_LETTER_SHARE or facts.known_share < MIN_KNOWN_SHARE:
        raise ExtractionError(
            f"{name}: teksten kan ikke læses som sprog (bogstaver {facts.letter_share:.0%}, kendte danske "
            f"ord {facts.known_share:.0%}); PDF'en bruger sandsynligvis en skrift uden /ToUnicode-tabel. "
            "Gem PDF'en igen med tekst (eller kør OCR) og prøv igen."
        )
    return facts
