"""Pure text-cleaning rules for extracted PDF lines; no PDF knowledge here.

    page lines ─► find_running_lines / drop_running_lines   (headers, footers, page numbers)
               ─► is_toc_line / strip_dot_leader             (tables of contents)
               ─► join_hyphenated                            (lines → one paragraph)
               ─► normalise, split_glued                     (characters and glued words)

Each rule works on plain strings so it can be tested without a PDF; ``ingest/extract.py``
decides which lines a rule sees.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ingest import words

SOFT_HYPHEN = "\u00ad"

_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
# Spaces of every width become a plain space; invisible marks that break words are dropped.
_SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060\ufeff\x00-\x08\x0b\x0e-\x1f\x7f]")
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})
# A soft hyphen is invisible inside a line, so one that ends a word before a space was drawn: fonts whose
# /ToUnicode maps the hyphen glyph to U+00AD turn every "børne- og" into "børne\u00ad og".
_DRAWN_SOFT_HYPHEN = re.compile(r"(?<=[^\W\d_])\u00ad+(?=\s)")


def normalise(text: str) -> str:
    """NFC, ligatures spelled out, soft hyphens and zero-width marks gone, whitespace collapsed.

    A soft hyphen between a letter and a space is the drawn hyphen of a suspended compound and
    becomes "-"; everywhere else it is a break opportunity and is dropped.
    """
    text = text.translate(_LIGATURES).translate(_HYPHENS)
    text = _DRAWN_SOFT_HYPHEN.sub("-", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    return unicodedata.normalize("NFC", text).strip()


# --------------------------------------------------------------------------- running lines

_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"""^[\s\-–—|•·]*                       # decoration: "- 4 -", "| 4"
        (?:side|s\.|page|p\.)?\s*           # "Side 4"
        (?P<n>\d{1,4}|[ivxlcdm]{1,7})       # arabic or roman
        (?:\s*(?:/|af|of)\s*\d{1,4})?       # "4 af 40", "4/40"
        [\s\-–—|•·]*$""",
    re.IGNORECASE | re.VERBOSE,
)


def running_key(line: str) -> str:
    """What must match for two lines to be "the same" header: digits normalised, case folded."""
    return _DIGITS.sub("#", " ".join(line.split())).casefold()


def is_page_number(line: str, max_number: int = 999) -> bool:
    """A bare printed page number: "12", "Side 12", "12 af 40", "- 12 -", "iv".

    ``max_number`` keeps years ("2018") on a cover from looking like page numbers.
    """
    match = _PAGE_NUMBER.match(line.strip())
    if match is None:
        return False
    number = match.group("n")
    return not number.isdigit() or int(number) <= max_number


def find_running_lines(
    pages: Sequence[Sequence[str]],
    positions: Sequence[Sequence[float]] | None = None,
    *,
    depth: int = 3,
    min_pages: int = 3,
    max_step: int = 2,
    tolerance: float = 2.0,
) -> list[set[int]]:
    """Indices, per page, of running headers/footers and bare page numbers.

    ``pages`` holds each page's lines from top to bottom. Only the first and last ``depth`` lines
    of a page are candidates. A candidate is running when the same text (digits normalised) is a
    candidate on at least ``min_pages`` pages that follow each other at most ``max_step`` apart
    (so alternating left/right-page headers and chapter-specific running heads count, while a
    chapter title that recurs now and then does not). With ``positions`` (the lines' baselines),
    the repeats must also sit at the same height within ``tolerance``. Bare page numbers are
    dropped wherever they sit in the candidate zone.
    """
    need = min(min_pages, len(pages)) if len(pages) > 1 else math.inf
    max_number = len(pages) + 50
    found: list[set[int]] = [set() for _ in pages]
    occurrences: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
    for p, lines in enumerate(pages):
        for i in _edge_indices(len(lines), depth):
            line = lines[i]
            if is_page_number(line, max_number):
                found[p].add(i)
            elif line.strip():
                y = positions[p][i] if positions is not None else 0.0
                occurrences[running_key(line)].append((p, i, y))
    for occ in occurrences.values():
        if len(occ) < need:
            continue
        for p, i, y in occ:
            same = sorted({q for q, _, y2 in occ if abs(y2 - y) <= tolerance})
            if _longest_run(same, max_step) >= need:
                found[p].add(i)
    return found


def drop_running_lines(pages: Sequence[Sequence[str]], **options: object) -> list[list[str]]:
    """The pages without their running headers, footers and bare page numbers."""
    found = find_running_lines(pages, **options)  # type: ignore[arg-type]
    return [[line for i, line in enumerate(lines) if i not in drop] for lines, drop in zip(pages, found, strict=True)]


def _edge_indices(count: int, depth: int) -> list[int]:
    return sorted(set(range(min(depth, count))) | set(range(max(0, count - depth), count)))


def _longest_run(pages: Iterable[int], max_step: int) -> int:
    """Length of the longest chain of page numbers each at most ``max_step`` after the previous."""
    best = run = 0
    previous: int | None = None
    for page in pages:
        run = run + 1 if previous is not None and page - previous <= max_step else 1
        best = max(best, run)
        previous = page
    return best


# --------------------------------------------------------------------------- tables of contents

_LEADER = r"(?:(?:[.·_]\s*){4,}|(?:…\s*){2,})"  # dots, spaced dots, rules or ellipsis characters
# The page: "4", "iv", or a chapter-page number "3-7" as manuals number their pages.
_TOC_LINE = re.compile(
    rf"^(?P<title>.*?\S)\s*{_LEADER}\s*(?P<page>\d{{1,4}}(?:[-–.]\d{{1,4}})?|[ivxlcdm]{{1,7}})\s*$", re.IGNORECASE
)
TOC_TITLES = ("indhold", "indholdsfortegnelse", "indholdsfortegnelsen", "contents", "table of contents")


def is_toc_line(line: str) -> bool:
    """A table-of-contents entry with a dot leader: "Indledning ........ 4"."""
    return _TOC_LINE.match(line) is not None


def strip_dot_leader(line: str) -> str:
    """ "Indledning ........ 4" → "Indledning 4"; other lines are returned unchanged."""
    match = _TOC_LINE.match(line)
    return f"{match.group('title')} {match.group('page')}" if match else line


def is_toc_title(line: str) -> bool:
    return " ".join(line.split()).casefold().rstrip(":") in TOC_TITLES


def names_section(line: str, titles: Sequence[str]) -> bool:
    """A line that is one of ``titles``, or a running header that ends in one
    ("KSP/CICS - Administration Stikordsregister")."""
    text = " ".join(line.split()).casefold().rstrip(":")
    return text in titles or (" " in text and text.rsplit(" ", 1)[1] in titles)


INDEX_TITLES = ("stikordsregister", "stikord", "indeks", "index", "register", "emneregister", "sagregister")


def is_index_title(line: str) -> bool:
    """The title of a back-of-book index ("Stikordsregister", "Indeks")."""
    return " ".join(line.split()).casefold().rstrip(":") in INDEX_TITLES


# --------------------------------------------------------------------------- joining lines

# A line ending in "børne-" followed by one of these keeps its hyphen and a space.
SUSPENSION_WORDS = frozenset({"og", "eller", "samt", "til", "end", "og/eller", "&", "hhv.", "henholdsvis", "såvel"})
# Hard-hyphenated words whose first part is a whole word: keep "ikke-vestlige", never "ikkevestlige".
HYPHEN_PREFIXES = frozenset({"ikke", "non", "ex", "anti", "pro", "semi", "multi", "post", "pre", "co"})
_TRAILING_WORD = re.compile(r"(\w+)-$")
_LEADING_LETTERS = re.compile(r"[^\W\d_]+")


def join_hyphenated(lines: Iterable[str]) -> str:
    """Join a paragraph's lines with single spaces, undoing line-break hyphenation.

    "sags-" + "behandlere" → "sagsbehandlere"; "børne-" + "og ungeområdet" keeps the hyphen and a
    space (a suspended compound); "SSP-" + "samarbejdet" and "e-" + "mail" keep the hyphen without
    a space (the hyphen belongs to the word). A soft hyphen (U+00AD) at a line end is the drawn
    hyphen of a font that maps its hyphen glyph there, and follows the same rules.

    Linear in the total length: each decision looks only at the end of the previous line.
    """
    parts: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not parts:
            parts.append(line)
            continue
        left = parts[-1]
        how = _join_kind(left[-_TAIL:], line)
        if how in ("drop", "hyphen", "suspended"):
            parts[-1] = left[:-1] + ("" if how == "drop" else "-")
        parts += [" ", line] if how in ("space", "suspended") else [line]
    return "".join(parts)


_TAIL = 80  # longer than any word whose hyphen is judged


def _join_kind(left: str, right: str) -> str:
    """How a line ending in ``left`` joins the next line ``right``.

    "space": with a space; "join": as is; "drop": without the line-end hyphen; "hyphen": keeping
    the hyphen, no space; "suspended": keeping the hyphen, then a space.
    """
    if left.endswith(SOFT_HYPHEN):
        left = left[:-1] + "-"
    match = _TRAILING_WORD.search(left)
    if match is None:
        return "join" if left.endswith("/") else "space"  # "og/" + "eller"
    first = right.split(maxsplit=1)[0]
    if first.casefold().rstrip(",;") in SUSPENSION_WORDS:
        return "suspended"
    after_hyphen = match.start() > 0 and left[match.start() - 1] == "-"  # "pop-up-"
    if _hyphen_is_part_of_word(match.group(1), first, after_hyphen=after_hyphen):
        return "hyphen"
    return "drop"


def _hyphen_is_part_of_word(head: str, next_word: str, *, after_hyphen: bool = False) -> bool:
    """Whether a line-end hyphen is a real hyphen ("SSP-samarbejdet"), not a hyphenation point.

    ``head`` is the run of letters before the hyphen; ``after_hyphen``: a hyphen comes before it.
    """
    letters = _LEADING_LETTERS.match(next_word)
    rest = letters.group(0).casefold() if letters else ""
    camel = _CAMEL_TAIL.search(head)
    if camel and next_word[:1].islower() and rest and words.is_word_any(camel.group(1).casefold() + rest):
        # A PDF that glued two words ("brugerprofilAnven-" / "delse") broke the second at a syllable;
        # names with a capital inside ("iPhone-" / "appen") keep their hyphen.
        return False
    if len(head) == 1 or any(c.isdigit() for c in head) or any(c.isupper() for c in head[1:]):
        return True  # "e-mail", "2018-udgaven", "SSP-", "EU-"
    if next_word[:1].isupper() or next_word[:1].isdigit():
        return True  # "Syd-" + "Danmark", "paragraf-" + "12"
    if after_hyphen:
        # "pop-up-" + "billede": a compound of hyphenated parts broken at one of its hyphens; a part
        # broken at a syllable ("SSP-samar-" + "bejdet", "ikke-vest-" + "lige") joins into a word.
        return (
            bool(rest)
            and words.is_word_any(head)
            and words.is_word(rest)
            and not words.is_word_any(head.casefold() + rest)
        )
    if head.casefold() not in HYPHEN_PREFIXES:
        return False
    # "ikke-vestlige", "ex-kæresten" keep the hyphen; "ex-/ample", "pro-/duced" in English text are
    # one word broken at the line end: the joined form is a word, or the rest is not one on its own.
    if not rest or words.is_word_any(head.casefold() + rest):
        return False
    return words.is_word(rest)


_CAMEL_TAIL = re.compile(r"[a-zæøå]([A-ZÆØÅ][a-zæøå]+)$")  # the last part of "brugerprofilAnven"


# --------------------------------------------------------------------------- words


def split_glued(token: str) -> str:
    """A token of glued words with spaces restored, or the token unchanged (see ``ingest/words.py``)."""
    return words.split_glued(token)


def restore_glued_words(text: str) -> str:
    """Split the tokens of a text that are too long to be one word (``words.SUSPECT_LEN`` letters).

    Shorter tokens are left alone even when :func:`split_glued` could cut them: in running text
    an unknown 15-letter token is far more often a compound ("polititilhold") than two glued words,
    and gaps between words are restored from glyph positions before this runs.
    """
    return " ".join(
        _repair_suspect(t) if words.is_suspect(t) and not is_identifier(t) else t for t in text.split(" ")
    )


_CAMEL = re.compile(r"[a-zæøå][A-ZÆØÅ]")
_DOMAIN_PATH = re.compile(r"\w\.\w{2,}/")


def is_identifier(token: str) -> bool:
    """A URL, an e-mail address, a file path or a program identifier: never split into words.

    camelCase ("unsupportedIdentifierType") and snake_case are names from software, not glued Danish.
    """
    if "@" in token or "://" in token or "_" in token or token.casefold().startswith("www."):
        return True
    return _CAMEL.search(token) is not None or _DOMAIN_PATH.search(token) is not None


_GLUED_PUNCT = re.compile(r"([,;!?])(?=[^\W\d_])")


def _repair_suspect(token: str) -> str:
    # A glued line lost the spaces after its commas too ("familiemedlemmer,der").
    return " ".join(split_glued(part) for part in _GLUED_PUNCT.sub(r"\1 ", token).split(" "))


def clean_block_text(text: str, *, glued: bool = True) -> str:
    """The final form of a block's text: normalised, glued words split when ``glued``."""
    text = normalise(text)
    return normalise(restore_glued_words(text)) if glued else text


MAX_HEADING_WORDS = 14  # Danish section titles run to a dozen words; a longer bold line is a sentence


def looks_like_heading(text: str, max_chars: int = 120) -> bool:
    """Short, has letters, and does not read like a sentence or a list entry."""
    text = text.strip()
    if not text or len(text) > max_chars or not any(c.isalpha() for c in text):
        return False
    if len(text.split()) > MAX_HEADING_WORDS:
        return False
    if text.endswith((".", ",", ";")) and not text.endswith(".."):
        return False
    return not is_toc_line(text) and not text.startswith(("•", "-", "–", "▪", "●", "■"))


# Finite forms of the verbs Danish statements are most often built on: the copula, the auxiliaries
# and the commonest full verbs. A title is a noun phrase, a question or a how-to; a line that states
# something with one of these after its subject is a sentence.
FINITE_VERBS = frozenset(
    re.findall(
        r"\S+",
        """
    er var har havde kan kunne skal skulle vil ville må måtte bør burde bliver blev får fik gør gjorde
    går gik kommer kom ligger lå står stod findes gælder betyder hedder giver gav indeholder omfatter sker
    """,
    )
)
# Words that, before the verb, make the line a question, a how-to or a subordinate clause
# ("Hvem kan hjælpe", "Sådan er håndbogen bygget op", "Når fagpersoner er uenige", "Tegn, som …").
_NOT_MAIN_CLAUSE = frozenset(
    re.findall(
        r"\S+",
        """
    som der at hvis når fordi mens selvom da hvad hvem hvor hvornår hvordan hvorfor hvilke hvilken hvilket sådan
    """,
    )
)
STATEMENT_MIN_WORDS = 6  # a shorter statement is a headline ("Forældrene får besked")
_NUMBERING = re.compile(r"^[\d.]+$")


def reads_as_statement(text: str) -> bool:
    """A declarative sentence: a subject, then a finite verb ("Ansvarlig enhed i kommunen er …").

    Questions, how-tos, subordinate clauses, labelled titles ("Case: …") and short headlines are not.
    """
    tokens = [t for t in text.split() if not _NUMBERING.match(t)]
    if len(tokens) < STATEMENT_MIN_WORDS or text.rstrip().endswith("?"):
        return False
    for i, token in enumerate(tokens):
        word = token.strip(".,;:!()\"'”“»«").casefold()
        if word in _NOT_MAIN_CLAUSE:
            return False
        if i and word in FINITE_VERBS:
            return True  # after at least one word of a subject (a verb first is an imperative)
        if token.endswith((",", ":")):
            return False  # a clause, an apposition or a label comes first
    return False


def is_field_label(text: str) -> bool:
    """A label that introduces a value ("Valideringsregel:", "Eksempel:"), not a section title."""
    return text.rstrip().endswith(":")
