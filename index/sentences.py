"""Answer units: the sentences of a passage, cleaned and described for the answer stage.

A unit is what an answer may quote: one sentence, or a sentence ending in ":" together with the
list it introduces ("En sikkerhedsplan kan fx indeholde: • … • …", or "… fire faser: 1. … 2. …"
after ``rejoin_enumerators``), never a heading glued to the
sentence after it. Each unit knows its place in the passage (for reading order and for marking
it in the passage text) and two facts the answer stage weighs:

- ``narrative``: it tells a story about a person (a case: "Ved en af samtalerne fortæller hun …")
  rather than giving guidance; a caseworker asking what to do needs the guidance;
- ``guidance``: it says what to do (modal verbs "skal", "bør", "må ikke", or an imperative);
- ``reference``: a bare legal reference or footnote line, which names a rule but answers nothing;
- ``continues``: it opens by pointing back at the sentence before ("Det skal kun inddrages, hvis
  …", "I så fald …"), so it cannot be quoted without that sentence. A sentence too short to be a
  unit of its own ("Pligten er personlig.") opens the unit of the one that points back at it.

A passage joins the PDF's blocks with a space, and a list item or a table row ends without a full
stop, so the sentence printed after a list or a table reads as part of its last item or cell
("• risikovurderingen viser moderat eller høj risiko Er der tvivl, skal der ikke mægles."). The
unit keeps it (the ranker and the confidence rule were fitted on such units); ``split_tail`` tells
the answer where the list ends, so a quote shows the sentence after it on a line of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.models import Passage
from ingest.split import split_sentences

MIN_UNIT_WORDS = 5
MAX_LIST_ITEMS = 8

_BULLET = re.compile(r"^(?:[•\-–·▪◦]|\d{1,2}[.)])\s")
_ENUMERATOR_END = re.compile(r"(?:^|\s)(\d{1,2})\.$")  # "… aftales 2.": the next item's marker
# A number after one of these words is a reference, not a list's next marker ("… beskrevet i afsnit 5.").
_REFERENCE_BEFORE = re.compile(r"(?:^|\s)(?:afsnit|kapitel|kap\.|side|s\.|bilag|nr\.|stk\.|§|paragraf|figur|tabel|"
                               r"boks|note|linje)$", re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:hun|han|hendes|hans|hende|ham)\b", re.IGNORECASE)
_CASE_MARK = re.compile(r"\bcase\b|\bcasen\b", re.IGNORECASE)
_GUIDANCE = re.compile(
    r"\b(?:skal|bør|må ikke|må aldrig|må derfor|det er vigtigt|det er afgørende|sørg for|husk at|kan med fordel|"
    r"anbefales|anbefaler|er forpligtet|har pligt|har ansvaret|undlad|undgå|aldrig)\b",
    re.IGNORECASE,
)
# First words of Danish imperative sentences in professional guidance ("Kontakt ikke forældrene …").
_IMPERATIVES = frozenset({
    "afsæt", "aftal", "brug", "del", "dokumentér", "dokumenter", "fortsæt", "giv", "hold", "husk", "inddrag",
    "kontakt", "lav", "lov", "lyt", "notér", "noter", "orientér", "orienter", "overvej", "ring", "send", "skriv",
    "spørg", "sørg", "tag", "tal", "tilbyd", "undersøg", "underret", "undgå", "undlad", "vurdér", "vurder", "vær",
    "find", "hør", "læs", "planlæg", "ræk", "henvend", "indkald", "opret", "følg", "start", "stop"
})
# Finite verbs that make a short line a sentence rather than a reference or a caption.
_VERB = re.compile(r"\b(?:er|skal|kan|må|bør|har|vil|giver|gælder|betyder|sker|skal|siger|handler)\b", re.IGNORECASE)
# What a legal citation carries besides the paragraph: its source and amendments.
_CITATION = re.compile(r"\b(?:jf\.|lov nr\.|lovbekendtgørelse|bekendtgørelse nr\.|indsat ved|ændret ved|"
                       r"stk\.\s*\d)", re.IGNORECASE)
# Openers that refer back: a pronoun subject with its verb ("Det skal", not the determiner in "Den
# unge skal"), or an adverbial that needs the sentence before ("I så fald", "Derfor").
_CONTINUES = re.compile(
    r"^(?:(?:Det|Den|De|Dette|Denne|Disse)\s+(?:er|var|skal|kan|må|bør|har|vil|gælder|betyder|sker|kræver|"
    r"giver|blev|bliver)\b|(?:Her|Så|Derfor|Dermed|Men|Og|Ellers|Samtidig|Desuden|Derudover|Heller ikke|"
    r"I så fald|I sådanne tilfælde|I det tilfælde|I disse tilfælde)\b)")
# Where a sentence glued after a list's last item or a table's last cell begins: a capitalised word
# right after a lower-case word or a number, with no punctuation between them.
_TAIL_START = re.compile(r"(?<=[a-zæøå0-9)]) (?=([A-ZÆØÅ][a-zæøå]+)\b(?:\s+(\w+))?)")
_ITEM = re.compile(r"(?:^|\s)•\s")
# An item starts with a capital, as the splitter reads "N." before one: "1. marts og 2. september"
# are dates.
_NUMBERED_ITEM = re.compile(r"(?:^|\s)(\d{1,2})\.\s(?=[A-ZÆØÅ])")
# A table cell as ``ingest/extract/tables.py`` writes a row: "Header: cell – Header: cell".
_CELL = re.compile(r" – [^–:•.]{1,60}: ")
# Words that open a Danish sentence but hardly ever stand inside a list item as a name does.
_OPENERS = frozenset({
    "der", "det", "den", "de", "dette", "denne", "disse", "hvis", "når", "men", "og", "i", "en", "et", "ved",
    "efter", "før", "under", "som", "her", "så", "derfor", "også", "alle", "ingen", "mange", "nogle", "hvor",
    "hvem", "hvad", "om", "at", "for", "med", "til", "fra", "på", "uden", "selv", "kun", "ofte", "tal",
} | _IMPERATIVES)
_PAST = re.compile(r"\b(?:\w{3,}ede|sagde|fortalte|havde|var|blev|fik|kom|gik|ville|kunne)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    text: str
    passage_id: str
    position: int  # order within the passage
    start: int  # character offsets of the unit in the passage text (for marking it in context)
    end: int
    narrative: bool
    guidance: bool
    reference: bool = False
    continues: bool = False

    def follows(self, other: Unit) -> bool:
        """Whether this unit comes right after ``other`` in the same passage."""
        return self.passage_id == other.passage_id and self.position == other.position + 1


def _strip_heading(sentence: str, section: str | None) -> str:
    """Drop the passage's section title when it was glued in front of a sentence."""
    if section and sentence.startswith(section + " ") and len(sentence) > len(section) + 1:
        rest = sentence[len(section) + 1:]
        if rest[:1].isupper() or rest[:1].isdigit():
            return rest
    return sentence


def is_guidance(text: str) -> bool:
    first = text.split(" ", 1)[0].strip(",.:;").casefold()
    return first in _IMPERATIVES or bool(_GUIDANCE.search(text))


def is_narrative(text: str, in_case: bool) -> bool:
    """A story about someone: in a case box, or told in the past tense ("… fortalte, at hun …")."""
    if is_guidance(text):
        return False
    if in_case:
        return True
    past = len(_PAST.findall(text))
    return past >= 2 or (past >= 1 and bool(_PRONOUN.search(text)))


def is_reference(text: str) -> bool:
    """A bare legal reference or footnote ("Servicelovens § 75 om foreløbige afgørelser."): no answer.

    A citation with its source ("Straffelovens § 260, stk. 2, jf. lovbekendtgørelse nr. 1156 af
    20. september 2018.") runs longer than a bare one, so it may have up to 20 words.
    """
    words = text.split()
    if _VERB.search(text):
        return False
    if len(words) <= 12 and ("§" in text or text[:1].isdigit()):
        return True
    return len(words) <= 20 and "§" in text and bool(_CITATION.search(text))


def split_tail(piece: str) -> list[str]:
    """A list or a table and the sentence glued after its last item or row, as two pieces.

    Only where the piece ends with a full stop that the list cannot own: its other items end
    without one (a list of full sentences has no glued tail to find), or it is a table. The tail
    starts at the first capitalised word after the last item or cell marker that opens a sentence
    ("Er der tvivl", "Planen bør") and is followed by a sentence with a verb; a name inside the
    item ("kontakt Udenrigsministeriets Borgerservice") does not open one.
    """
    if not piece.rstrip().endswith((".", "!", "?")):
        return [piece]
    items = list(_ITEM.finditer(piece)) or numbered_items(piece)
    if len(items) >= 2:
        texts = [piece[a.end():b.start()] for a, b in zip(items, items[1:], strict=False)]
        if any(t.rstrip().endswith((".", "!", "?", ";")) for t in texts):
            return [piece]
        last = items[-1].end()
    else:
        cells = list(_CELL.finditer(piece))
        if not cells:
            return [piece]
        last = cells[-1].end()
    fallback: int | None = None
    for m in _TAIL_START.finditer(piece, last):
        tail = piece[m.end():]
        if len(tail.split()) < MIN_UNIT_WORDS or not _VERB.search(tail) or _ITEM.search(tail) or " – " in tail:
            continue
        word, following = m.group(1), m.group(2) or ""
        if word.casefold() in _OPENERS or _VERB.fullmatch(word) or (following.islower() and _VERB.fullmatch(following)):
            return [piece[:m.start()], tail]
        if fallback is None:
            fallback = m.start()
    if fallback is not None:
        return [piece[:fallback], piece[fallback + 1:]]
    return [piece]


def holds_list(piece: str) -> bool:
    """Whether ``piece`` (the last of ``split_tail``'s) holds a bullet or numbered list, whose last
    item then runs to its end: a sentence quoted after it must start a line of its own
    (``index/answer.py``)."""
    return bool(_ITEM.search(piece) or numbered_items(piece))


def numbered_items(piece: str) -> list[re.Match[str]]:
    """The markers of a numbered list in ``piece`` ("fire faser: 1. … 2. … 3. …"): numbers that count
    up from a 1 that opens the piece or follows a colon, at least two of them (else none). Ordinals
    in running text are no list: "fra 1. klasse til 2. klasse"."""
    found: list[re.Match[str]] = []
    for m in _NUMBERED_ITEM.finditer(piece):
        number, before = int(m.group(1)), piece[:m.start()].rstrip()
        opens = number == 1 and not found and (not before or before.endswith(":"))
        if opens or (found and number == len(found) + 1):
            found.append(m)
    return found if len(found) >= 2 else []


def split_rows(piece: str) -> list[str]:
    """A quoted table as its caption and its rows, which a passage runs together with spaces.

    A row is "Header: cell – Header: cell" (``ingest/extract/tables.py``), or "Label – Header: cell"
    when the first column has no header; either way each row repeats the first header. A row starts
    at that header, or at the capitalised label before " – Header:", so "… forvaltningschefen
    Revideres – Handlingsplan: …" reads as two rows, not as "forvaltningschefen revideres".
    """
    first = _CELL.search(piece)
    if first is None:
        return [piece]
    header = first.group(0)[3:]  # ": " included: "Handlingsplan: "
    labelled = ": " not in piece[:first.start()]  # the first column is a label without a header
    starts: list[int] = []
    name = ""
    if labelled:
        at = [m.start() for m in re.finditer(re.escape(f" – {header}"), piece)]
        for end in at[1:]:
            boundaries = [m.start() for m in _TAIL_START.finditer(piece, 0, end)]
            if boundaries and boundaries[-1] > at[0]:
                starts.append(boundaries[-1])
    else:
        name = piece[:first.start()].rsplit(": ", 1)[0].split()[-1] if ": " in piece[:first.start()] else ""
        if not name:
            return [piece]
        starts = [m.start() for m in re.finditer(rf" (?={re.escape(name)}: )", piece)]
    rows = len(starts) + (0 if labelled else int(piece.startswith(f"{name}: ")))
    if not starts or (not labelled and rows < 2):  # one row: nothing to set apart
        return [piece]
    pieces, last = [], 0
    for start in starts:
        if piece[last:start].strip():
            pieces.append(piece[last:start])
        last = start + 1
    pieces.append(piece[last:])
    return pieces


def rejoin_enumerators(sentences: list[str]) -> list[str]:
    """A numbered list's markers given back to their items.

    A passage runs a numbered list together ("… fire faser: 1. Formøder … aftales 2. Et fællesmøde
    …"), and the sentence splitter reads every "N." before a capital as a sentence end, so an answer
    quoted "Et mæglingsforløb har typisk fire faser: 1. Formøder med hver af parterne, hvor rammerne
    aftales 2." and stopped. A sentence that ends in a marker that opens a list (1 after a colon, or
    opening the passage) or goes on with one (the number after the last, not a reference such as
    "afsnit 5.") hands it to the sentence after it; the colon sentence then keeps its items as a
    bullet list's does.
    """
    sentences = list(sentences)
    out: list[str] = []
    last = 0  # the number of the list item just handed on, 0 outside a list
    for n, sentence in enumerate(sentences):
        marker = _ENUMERATOR_END.search(sentence) if n + 1 < len(sentences) else None
        number = int(marker.group(1)) if marker else 0
        before = sentence[:marker.start()].rstrip() if marker else ""
        opens = number == 1 and (before.endswith(":") or (n == 0 and not before))
        goes_on = bool(last) and number == last + 1 and not _REFERENCE_BEFORE.search(before)
        if marker and (opens or goes_on):
            sentences[n + 1] = f"{number}. {sentences[n + 1]}"
            last = number
            if before:
                out.append(before)
            continue
        last = 0 if not _BULLET.match(sentence) else last
        out.append(sentence)
    return out


def units(passage: Passage) -> list[Unit]:
    """The passage's answer units in reading order."""
    text = passage.text
    sentences = rejoin_enumerators(split_sentences(text))
    merged: list[str] = []
    i = 0
    while i < len(sentences):
        sentence = sentences[i]
        i += 1
        # A sentence that introduces a list keeps its items: the colon alone answers nothing.
        items = 0
        while sentence.rstrip().endswith(":") or (items and i < len(sentences) and _BULLET.match(sentences[i])):
            if i >= len(sentences) or items >= MAX_LIST_ITEMS:
                break
            sentence = f"{sentence} {sentences[i]}"
            i += 1
            items += 1
        merged.append(sentence)
    out: list[Unit] = []
    cursor = 0
    in_case = bool(passage.section and _CASE_MARK.search(passage.section))
    # (position, start, whether it points back itself) of a short sentence just left out
    short: tuple[int, int, bool] | None = None
    for position, raw in enumerate(merged):
        start = text.find(raw, cursor)
        if start < 0:
            start = cursor
        end = start + len(raw)
        cursor = end
        if _CASE_MARK.search(raw[:20]):
            in_case = True  # a case box started inside the passage; what follows is its story
        sentence = _strip_heading(raw, passage.section)
        start += len(raw) - len(sentence)
        if len(sentence.split()) < MIN_UNIT_WORDS:
            # Too short to quote alone, but what the next sentence may point back at.
            short = ((position, start, bool(_CONTINUES.match(sentence)))
                     if sentence.endswith(".") and _VERB.search(sentence) else None)
            continue
        continues = bool(_CONTINUES.match(sentence))
        if continues and short is not None and short[0] == position - 1:
            # "Pligten er personlig. Det betyder, at …": quoted alone, "Det" would point at nothing.
            # The pair points back in turn when the short sentence does ("Det gælder også her.").
            start, continues = short[1], short[2]
            sentence = text[start:end]
        short = None
        out.append(Unit(sentence, passage.id, position, start, end, is_narrative(sentence, in_case),
                        is_guidance(sentence), is_reference(sentence), continues))
    return out
