"""PDF → ``Document``: clean paragraphs and section titles in reading order, with pypdf.

    content stream ─► spans: text runs with glyph positions, font, size     _SpanReader
                   ─► lines: spans on one baseline, spaces from gaps         build_lines
    all pages      ─► running headers/footers and page numbers dropped       Extractor.drop_furniture
                   ─► page kinds (cover, toc), printed page labels           Extractor.page_kind, page_labels
    each page      ─► reading order: two columns read left, then right       reading_order
                   ─► section titles: outline, else font size/weight        Extractor.find_headings
                   ─► paragraphs: gaps, headings, list items; clean text     Extractor.paragraphs, clean

Why our own content-stream walk instead of ``page.extract_text()``: pypdf only inserts a space
where a ``TJ`` offset is at least ~0.475 of a space, so tightly justified exports whose words are
placed by offsets ("[(håndtere) -110 (sager)] TJ") come out glued, and its plain text has no
positions for columns or headings. We let pypdf parse the stream and decode fonts, and keep the
geometry ourselves. The pure text rules live in ``ingest/clean.py``.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from ingest import clean, words
from ingest.errors import ExtractionError
from ingest.models import Block, Document, PageInfo, PageKind

try:  # pypdf >= 6: font decoding and glyph widths in one object
    from pypdf.generic._font import Font
except ImportError:  # pragma: no cover - guarded so the import error names what to install
    Font = None  # type: ignore[assignment,misc]

log = logging.getLogger("kb.extract")

# Part of an index's pipeline key: bump it whenever extracted text can change, so that an index
# built by an older extractor re-extracts every PDF instead of reusing stale passages.
EXTRACTOR_VERSION = "2"

Matrix = list[float]
IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]

# Word gaps, as fractions of the font's space width. At or above STRONG a gap is a space (pypdf's
# own threshold is 0.475); between WEAK and STRONG it is a space unless the two halves make a known
# word and one half is not a word (kerning inside "T|orsdag"); below WEAK it is kerning.
WEAK_GAP = 0.25
STRONG_GAP = 0.5
BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|ultra", re.IGNORECASE)
BULLETS = ("•", "▪", "●", "■", "◦", "\uf0b7", "►", "➢", "✓")  # \uf0b7: Symbol-font bullet
DASH_ITEMS = ("– ", "- ", "— ")  # list items only after a colon or another dash item
_FORCE_BOLD = 1 << 18


def _mult(m: Matrix, n: Matrix) -> Matrix:
    """m × n for PDF's row-vector matrices [a b c d e f]."""
    return [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]


def _translate(m: Matrix, tx: float, ty: float = 0.0) -> Matrix:
    """translate(tx, ty) × m: move in m's own coordinates."""
    return [m[0], m[1], m[2], m[3], m[4] + tx * m[0] + ty * m[2], m[5] + tx * m[1] + ty * m[3]]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Span:
    """One run of glyphs drawn by one string of a ``Tj``/``TJ``, in page coordinates (points)."""

    text: str
    x0: float
    x1: float
    y: float  # baseline
    size: float  # font size as drawn (text and page matrices applied)
    space: float  # width of a space in this font as drawn; the unit for word gaps
    bold: bool


@dataclass(frozen=True, slots=True)
class Line:
    """Spans on one baseline that belong together (a gap wider than a word gap ends a line)."""

    text: str
    x0: float
    x1: float
    y: float
    size: float
    bold: bool
    column: int = 0  # 0: full width (or single column), 1: left, 2: right

    @property
    def key(self) -> str:
        """Letters and digits only, case-folded: what heading titles are matched on."""
        return _match_key(self.text)


@dataclass
class _Paragraph:
    kind: str  # "heading" | "text"
    lines: list[Line]
    level: int = 1
    title: str | None = None  # a heading's text when it comes from the outline

    @property
    def last(self) -> Line:
        return self.lines[-1]


@dataclass
class _PageLayout:
    number: int
    lines: list[Line]  # reading order, furniture removed
    kind: PageKind = "body"
    # (first line, last line, level, outline title); first = last = -1: a title not found in the text
    headings: list[tuple[int, int, int, str | None]] = field(default_factory=list)
    column_right: dict[int, float] = field(default_factory=dict)  # column → right edge of its text
    column_width: dict[int, float] = field(default_factory=dict)


def _match_key(text: str) -> str:
    return "".join(c for c in clean.normalise(text).casefold() if c.isalnum())


# --------------------------------------------------------------------------- fonts


class _FontInfo:
    """A font as the span reader needs it: decode bytes, measure them, bold or not."""

    def __init__(self, font: Any, *, identity: bool = False) -> None:
        self.font = font
        self.simple = not isinstance(font.encoding, str)
        self.space_units = float(font.space_width or 250) if self._has_space() else self._estimated_space()
        self.default_width = float(font.character_widths.get("default", 500))
        flags = int(getattr(font.font_descriptor, "flags", 0) or 0)
        self.bold = bool(BOLD_NAME.search(font.name or "")) or bool(flags & _FORCE_BOLD)
        # With an Identity-H/V encoding the codes are glyph ids: one the /ToUnicode map leaves out has
        # no known text, and pypdf's fallback (the code as a character) prints a random letter
        # ("ofĿcielle"). Other composite encodings (UniGB-UCS2-H, ...) already give Unicode.
        self.unmapped_as_unknown = identity and not self.simple and bool(font.character_map)
        self.unmapped = 0  # glyphs drawn that had no text; reported once per document
        self._widths: dict[str, float] = {}

    def _has_space(self) -> bool:
        """Whether the font has a glyph that reads as a space, so pypdf's space width is that glyph's.

        Subsets of fonts whose words are placed by offsets often have none; pypdf then measures
        whatever code 32 is (in a composite font, glyph 32) or half of /DW (500 for /DW 1000).
        """
        font = self.font
        if font.character_map.get(font.space_char) == " ":
            return True
        # A simple font's bytes go through its /Encoding first, which may give the space itself.
        return self.simple and " " in font.encoding.values()

    def _estimated_space(self) -> float:
        """Half the median glyph width, which is a space in most text faces (Helvetica 278/556)."""
        widths = sorted(float(w) for k, w in self.font.character_widths.items() if k != "default" and w > 0)
        if not widths:
            return 250.0
        return min(max(widths[len(widths) // 2] / 2, 180.0), 350.0)

    def decode(self, data: bytes) -> tuple[str, float, int, int]:
        """Text, total width (1/1000 em), glyph count and count of single-byte spaces (for ``Tw``).

        Mirrors pypdf's own text extraction so text and widths agree with ``extract_text``.
        """
        font = self.font
        if self.simple:
            raw = data.decode("latin-1")
            mapped = "".join(font.encoding.get(b, chr(b)) for b in data)
            spaces = data.count(32)
        else:
            try:
                raw = data.decode(font.encoding, "surrogatepass")
            except UnicodeDecodeError:  # odd byte count or unmapped codes, as pypdf does
                raw = data.decode(font.encoding, "replace")
            except LookupError:
                raw = data.decode("latin-1")
            mapped, spaces = raw, 0
        width = 0.0
        for char in raw:
            w = self._widths.get(char)
            if w is None:
                if char == font.space_char:
                    w = self.space_units
                else:
                    w = float(font.character_widths.get(char, self.default_width))
                self._widths[char] = w
            width += w
        cmap = font.character_map
        if self.unmapped_as_unknown:
            text = "".join(cmap.get(c, "\ufffd") for c in mapped)
            self.unmapped += text.count("\ufffd")
        else:
            text = "".join(cmap.get(c, c) for c in mapped) if cmap else mapped
        return text, width, len(raw), spaces


class _FontCache:
    """Fonts are shared by many pages; parsing a ToUnicode map once per document saves seconds."""

    def __init__(self) -> None:
        self._fonts: dict[Any, _FontInfo | None] = {}

    @property
    def unmapped(self) -> int:
        """Glyphs drawn so far whose font gives them no text."""
        return sum(font.unmapped for font in self._fonts.values() if font is not None)

    def get(self, ref: Any) -> _FontInfo | None:
        key = (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(ref)
        if key not in self._fonts:
            self._fonts[key] = self._load(ref)
        return self._fonts[key]

    @staticmethod
    def _load(ref: Any) -> _FontInfo | None:
        try:
            obj = ref.get_object()
            if not isinstance(obj, DictionaryObject):
                return None
            identity = obj.get("/Encoding") in ("/Identity-H", "/Identity-V")
            return _FontInfo(Font.from_font_resource(obj), identity=identity)
        except Exception as exc:  # a broken font loses its text, not the whole document
            log.warning("font %r unreadable: %s", ref, exc)
            return None


# --------------------------------------------------------------------------- content stream → spans


@dataclass
class _TextState:
    """The graphics-state part that ``q``/``Q`` save: matrix and text parameters (ISO 32000 9.3)."""

    ctm: Matrix = field(default_factory=lambda: list(IDENTITY))
    font: _FontInfo | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0
    leading: float = 0.0
    rise: float = 0.0

    def copy(self) -> _TextState:
        return replace(self, ctm=list(self.ctm))


class _SpanReader:
    """Walks a page's content stream (and its form XObjects) and records every text run."""

    MAX_FORM_DEPTH = 8

    def __init__(self, reader: PdfReader, fonts: _FontCache) -> None:
        self.reader = reader
        self.fonts = fonts
        self.skipped_rotated = 0  # runs in a minority orientation, e.g. a vertical margin note
        self._spans: dict[int, list[Span]] = {}
        self._box = (float("-inf"), float("-inf"), float("inf"), float("inf"))

    def read(self, page: PageObject) -> list[Span]:
        """The text runs of the page's main orientation, in that orientation's upright frame.

        A landscape page drawn rotated reads like any page; a few words turned sideways (a
        vertical margin note) are left out and counted in ``skipped_rotated``.
        """
        self._spans = {}
        # Text outside the trim box (printer's marks, slug lines with file names) is not on the page.
        box = page.trimbox
        self._box = (float(box.left) - 2, float(box.bottom) - 2, float(box.right) + 2, float(box.top) + 2)
        resources = _resolve(page.get_inherited("/Resources", DictionaryObject()))
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        if not isinstance(contents, (ArrayObject, StreamObject)):
            return []
        self._run(ContentStream(contents, self.reader, "bytes"), resources, _TextState(), depth=0)
        if not self._spans:
            return []
        chars = {angle: sum(len(s.text) for s in spans) for angle, spans in self._spans.items()}
        main = max(chars, key=chars.__getitem__)
        self.skipped_rotated += sum(len(spans) for angle, spans in self._spans.items() if angle != main)
        return self._spans[main]

    def _run(self, stream: ContentStream, resources: DictionaryObject, state: _TextState, depth: int) -> None:
        stack: list[_TextState] = []
        tm: Matrix = list(IDENTITY)
        tlm: Matrix = list(IDENTITY)
        font_dict = _resolve(resources.get("/Font"))
        for operands, operator in stream.operations:
            if operator == b"TJ":
                for item in operands[0] if operands and isinstance(operands[0], ArrayObject) else []:
                    if isinstance(item, (bytes, str)) and not isinstance(item, NameObject):
                        tm = self._show(item, tm, state)
                    elif isinstance(item, (int, float)) and state.font is not None:
                        tm = _translate(tm, -float(item) / 1000 * state.size * state.scale)
            elif operator == b"Tj" and operands:
                tm = self._show(operands[0], tm, state)
            elif operator in (b"Td", b"TD") and len(operands) >= 2:
                if operator == b"TD":
                    state.leading = -float(operands[1])
                tlm = _translate(tlm, float(operands[0]), float(operands[1]))
                tm = list(tlm)
            elif operator == b"Tm" and len(operands) >= 6:
                tlm = [float(v) for v in operands[:6]]
                tm = list(tlm)
            elif operator in (b"T*", b"'", b'"'):
                if operator == b'"' and len(operands) >= 3:
                    state.word_spacing, state.char_spacing = float(operands[0]), float(operands[1])
                tlm = _translate(tlm, 0.0, -state.leading)
                tm = list(tlm)
                if operator != b"T*" and operands:
                    tm = self._show(operands[-1], tm, state)
            elif operator == b"BT":
                tm, tlm = list(IDENTITY), list(IDENTITY)
            elif operator == b"Tf" and len(operands) >= 2:
                ref = font_dict.get(operands[0]) if font_dict else None
                state.font = self.fonts.get(ref) if ref is not None else None
                state.size = float(operands[1])
            elif operator == b"q":
                stack.append(state.copy())
            elif operator == b"Q":
                if stack:
                    state = stack.pop()
            elif operator == b"cm" and len(operands) >= 6:
                state.ctm = _mult([float(v) for v in operands[:6]], state.ctm)
            elif operator == b"Tc" and operands:
                state.char_spacing = float(operands[0])
            elif operator == b"Tw" and operands:
                state.word_spacing = float(operands[0])
            elif operator == b"Tz" and operands:
                state.scale = float(operands[0]) / 100
            elif operator == b"TL" and operands:
                state.leading = float(operands[0])
            elif operator == b"Ts" and operands:
                state.rise = float(operands[0])
            elif operator == b"Do" and operands and depth < self.MAX_FORM_DEPTH:
                self._form(operands[0], resources, state, depth)

    def _form(self, name: Any, resources: DictionaryObject, state: _TextState, depth: int) -> None:
        """Text inside a form XObject, placed by the form's /Matrix and the current matrix."""
        xobjects = _resolve(resources.get("/XObject"))
        xobj = xobjects.get(name) if xobjects else None
        xobj = xobj.get_object() if xobj is not None else None
        if not isinstance(xobj, StreamObject) or xobj.get("/Subtype") != "/Form":
            return
        inner = state.copy()
        matrix = xobj.get("/Matrix")
        if isinstance(matrix, ArrayObject) and len(matrix) == 6:
            inner.ctm = _mult([float(v) for v in matrix], inner.ctm)
        form_resources = _resolve(xobj.get("/Resources")) or resources
        try:
            stream = ContentStream(xobj, self.reader, "bytes")
        except Exception as exc:  # a broken form loses its own text only
            log.warning("form XObject %s unreadable: %s", name, exc)
            return
        self._run(stream, form_resources, inner, depth + 1)

    def _show(self, data: Any, tm: Matrix, state: _TextState) -> Matrix:
        """Record one string as a span and return the text matrix moved past it."""
        font = state.font
        if font is None or not isinstance(data, (bytes, str)):
            return tm
        raw = data if isinstance(data, bytes) else data.encode("latin-1", "replace")
        text, width, glyphs, spaces = font.decode(raw)
        advance = width / 1000 * state.size + state.char_spacing * glyphs + state.word_spacing * spaces
        advance *= state.scale
        m = _mult(_translate(tm, 0.0, state.rise), state.ctm)
        left, bottom, right, top = self._box
        frame = _upright_frame(m)
        if text.strip() and frame is not None and left <= m[4] <= right and bottom <= m[5] <= top:
            angle, x, y, along, up = frame
            self._spans.setdefault(angle, []).append(
                Span(
                    text=text,
                    x0=x,
                    x1=x + advance * along,
                    y=y,
                    size=state.size * up,
                    space=font.space_units / 1000 * state.size * state.scale * along,
                    bold=font.bold,
                )
            )
        return _translate(tm, advance)


def _upright_frame(m: Matrix) -> tuple[int, float, float, float, float] | None:
    """Where a run starts in the frame that makes its text upright: (angle, x, y, scale along, scale up).

    Text turned by 90, 180 or 270 degrees is rotated back, so a landscape page drawn sideways reads
    left to right, top to bottom. Skewed or mirrored text gives None.
    """
    a, b, c, d, x, y = m
    if abs(b) <= 0.01 * abs(a) and abs(c) <= 0.01 * abs(d):
        if a > 0 and d > 0:
            return 0, x, y, a, d
        if a < 0 and d < 0:
            return 180, -x, -y, -a, -d
    elif abs(a) <= 0.01 * abs(b) and abs(d) <= 0.01 * abs(c):
        if b > 0 and c < 0:  # running upwards
            return 90, y, -x, b, -c
        if b < 0 and c > 0:  # running downwards
            return 270, -y, x, -b, c
    return None


def _resolve(obj: Any) -> DictionaryObject:
    obj = obj.get_object() if obj is not None else None
    return obj if isinstance(obj, DictionaryObject) else DictionaryObject()


# --------------------------------------------------------------------------- spans → lines


def build_lines(spans: Sequence[Span]) -> list[Line]:
    """Group spans into lines: same baseline, and no gap wider than a word gap between them."""
    lines: list[Line] = []
    for row in _rows(spans):
        row.sort(key=lambda s: s.x0)
        segment: list[Span] = [row[0]]
        for span in row[1:]:
            prev = segment[-1]
            size = max(prev.size, span.size)
            if span.x0 - max(s.x1 for s in segment) > max(1.0 * size, 3.0 * max(prev.space, span.space)):
                lines.append(_line_from(segment))
                segment = []
            segment.append(span)
        lines.append(_line_from(segment))
    return lines


def _rows(spans: Sequence[Span]) -> Iterator[list[Span]]:
    """Spans whose baselines lie within half a font size of each other (superscripts included)."""
    ordered = sorted(spans, key=lambda s: (-s.y, s.x0))
    row: list[Span] = []
    row_y = row_size = 0.0
    for span in ordered:
        if row and abs(span.y - row_y) <= 0.5 * max(span.size, row_size):
            row.append(span)
            continue
        if row:
            yield row
        row, row_y, row_size = [span], span.y, span.size
    if row:
        yield row


def _line_from(spans: list[Span]) -> Line:
    weight: Counter[tuple[float, bool]] = Counter()
    baselines: Counter[float] = Counter()
    for span in spans:
        n = len(span.text.strip())
        weight[(round(span.size, 1), span.bold)] += n
        baselines[round(span.y, 1)] += n
    (size, bold), _ = weight.most_common(1)[0]
    baseline = baselines.most_common(1)[0][0]
    text = ""
    prev: Span | None = None
    for span in spans:
        if prev is not None and _duplicate(prev, span):
            continue  # fake bold or shadow: the same run drawn twice
        if not _footnote_mark(span, size, baseline):  # a mark keeps its place but not its text
            if prev is not None:
                text += _gap_text(text, span.text, span.x0 - prev.x1, min(prev.space, span.space))
            text += span.text
        prev = span
    return Line(
        text=" ".join(text.split()),
        x0=min(s.x0 for s in spans),
        x1=max(s.x1 for s in spans),
        y=baseline,
        size=size,
        bold=bold,
    )


_MARK = re.compile(r"[\d*†‡,]+")


def _footnote_mark(span: Span, size: float, baseline: float) -> bool:
    """A small raised number or asterisk: a note reference that would glue onto the word ("kontrol1")."""
    raised = span.y - baseline >= 0.2 * size
    return raised and span.size <= 0.85 * size and _MARK.fullmatch(span.text.strip()) is not None


def _duplicate(a: Span, b: Span) -> bool:
    return a.text == b.text and abs(a.x0 - b.x0) < 0.5 and abs(a.y - b.y) < 0.5


_ENDS_IN_PAGE_NUMBER = re.compile(r"\D\s+\d{1,3}$")
_EDGE_LETTERS = re.compile(r"[^\W\d_]+$")
_START_LETTERS = re.compile(r"^[^\W\d_]+")


def _gap_text(left: str, right: str, gap: float, space: float) -> str:
    """The separator between two runs on one line: a space where the gap is a word gap."""
    if not left or left[-1].isspace() or right[:1].isspace():
        return ""
    space = space if space > 0 else 2.5
    if gap >= STRONG_GAP * space:
        return " "
    if gap < WEAK_GAP * space:
        return ""
    # A middling gap: a tight word gap, or generous kerning inside a word ("T orsdag")?
    tail = _EDGE_LETTERS.search(left)
    head = _START_LETTERS.search(right)
    if tail and head and words.keep_joined(tail.group(0), head.group(0)):
        return ""
    return " "


# --------------------------------------------------------------------------- reading order


def reading_order(lines: Sequence[Line]) -> list[Line]:
    """Top to bottom; on a two-column page, left column before right column within each band.

    Lines that cross the gutter (a full-width title or intro) split the page into bands, and the
    columns are read band by band, as a reader does.
    """
    ordered = sorted(lines, key=lambda ln: (-ln.y, ln.x0))
    gutter = find_gutter(ordered)
    if gutter is None:
        return ordered
    start, end = gutter
    result: list[Line] = []
    left: list[Line] = []
    right: list[Line] = []
    for line in ordered:
        if line.x1 <= start + 1:
            left.append(replace(line, column=1))
        elif line.x0 >= end - 1:
            right.append(replace(line, column=2))
        else:  # crosses the gutter: closes the current band
            result += left + right + [line]
            left, right = [], []
    return result + left + right


def find_gutter(lines: Sequence[Line]) -> tuple[float, float] | None:
    """The empty vertical strip between two columns, as (left column's right edge, right column's x).

    Two columns need at least two lines starting at the same x in the middle of the text area,
    at least two lines ending before it, and fewer lines crossing it than either column has.
    """
    if len(lines) < 4:
        return None
    left_edge = min(ln.x0 for ln in lines)
    right_edge = max(ln.x1 for ln in lines)
    width = right_edge - left_edge
    if width <= 0:
        return None
    starts = Counter(round(ln.x0) for ln in lines if left_edge + 0.25 * width < ln.x0 < left_edge + 0.75 * width)
    for x, _count in starts.most_common(3):
        right = [ln for ln in lines if ln.x0 >= x - 2]
        before = [ln for ln in lines if ln.x0 < x - 2]
        left = [ln for ln in before if ln.x1 < x - 2]
        crossing = len(before) - len(left)
        if len(right) >= 2 and len(left) >= 2 and crossing < min(len(left), len(right)):
            return max(ln.x1 for ln in left), x - 2
    return None


# --------------------------------------------------------------------------- the extractor


class Extractor:
    """Turns a publisher PDF into clean blocks: ``Extractor()(path) -> Document``.

    Args:
        font_headings: find section titles from font size/weight; ``None`` (default) does so only
            when the PDF has no outline, ``True`` also adds them next to outline headings.
        heading_scale: a line is a heading candidate when its font is this much larger than the
            body text (or bold).
        glued_words: split tokens of glued words with the Danish word list as a last resort.
        furniture_depth: how many lines at the top and bottom of a page may be headers/footers.
    """

    version = EXTRACTOR_VERSION

    def __init__(
        self,
        *,
        font_headings: bool | None = None,
        heading_scale: float = 1.12,
        glued_words: bool = True,
        furniture_depth: int = 3,
    ) -> None:
        if Font is None:  # pragma: no cover
            raise ExtractionError("Udtræk kræver pypdf 7 (pypdf.generic._font mangler): pip install 'pypdf>=7'.")
        self.font_headings = font_headings
        self.heading_scale = heading_scale
        self.glued_words = glued_words
        self.furniture_depth = furniture_depth

    def __call__(self, path: Path, *, on_page: Callable[[int], None] | None = None) -> Document:
        """``on_page(1)`` is called after each page is read (progress bars)."""
        path = Path(path)
        reader = self.open(path)
        warnings: list[str] = []
        raw_pages = self.read_pages(reader, path, warnings, on_page)
        body_size = _body_size(raw_pages)
        pages = self.drop_furniture(raw_pages, body_size)
        layouts = [self.layout(number, lines) for number, lines in enumerate(pages, start=1)]
        for n, layout in enumerate(layouts):
            layout.kind = self.page_kind(layout, body_size, layouts[n - 1].kind if n else None)
        self.find_headings(reader, layouts, body_size, warnings)
        blocks = self.paragraphs(layouts)
        labels = self.page_labels(reader)
        infos = [PageInfo(number=lay.number, label=labels[i], kind=lay.kind) for i, lay in enumerate(layouts)]
        return Document(pages=infos, blocks=blocks, warnings=warnings)

    # ----------------------------------------------------------------- reading

    def open(self, path: Path) -> PdfReader:
        """A reader for ``path``, or an ``ExtractionError`` that says what is wrong with the file."""
        if not path.is_file():
            raise ExtractionError(f"PDF-filen {path} findes ikke.")
        if path.stat().st_size == 0:
            raise ExtractionError(f"PDF-filen {path} er tom (0 byte).")
        with path.open("rb") as fh:
            head = fh.read(1024)
        if b"%PDF-" not in head:
            # Typically an HTML error page saved under the PDF's name by a failed download.
            kind = "en HTML-side" if head.lstrip()[:1] == b"<" else "ikke en PDF"
            raise ExtractionError(f"Filen {path} er {kind}, ikke en PDF (den begynder med {head[:20]!r}).")
        try:
            reader = PdfReader(path)
            if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
                raise ExtractionError(f"PDF-filen {path} er krypteret med en adgangskode og kan ikke læses.")
            count = len(reader.pages)
        except ExtractionError:
            raise
        except DependencyError as exc:
            raise ExtractionError(
                f"PDF-filen {path} er krypteret (AES); installér pakken 'cryptography' for at læse den: {exc}"
            ) from exc
        except FileNotDecryptedError as exc:
            raise ExtractionError(f"PDF-filen {path} er krypteret og kan ikke læses: {exc}") from exc
        except (
            PdfReadError,
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            OSError,
            RecursionError,
        ) as exc:
            raise ExtractionError(f"PDF-filen {path} er beskadiget eller ikke en PDF: {exc}") from exc
        if count == 0:
            raise ExtractionError(f"PDF-filen {path} har ingen sider.")
        return reader

    def read_pages(
        self, reader: PdfReader, path: Path, warnings: list[str], on_page: Callable[[int], None] | None = None
    ) -> list[list[Line]]:
        """Every page's raw lines; a page that cannot be read becomes empty with a warning."""
        fonts = _FontCache()
        spans = _SpanReader(reader, fonts)
        pages: list[list[Line]] = []
        failed = 0
        for number, page in enumerate(reader.pages, start=1):
            try:
                pages.append(self.page_lines(page, spans))
            except Exception as exc:  # one broken page must not lose the other hundred
                failed += 1
                warnings.append(f"side {number}: kunne ikke læses ({exc})")
                pages.append([])
            if on_page is not None:
                on_page(1)
        if spans.skipped_rotated:
            warnings.append(f"{spans.skipped_rotated} tekststykker i roteret tekst er sprunget over")
        if fonts.unmapped:
            warnings.append(f"{fonts.unmapped} tegn uden Unicode-kode i skriftens /ToUnicode er gengivet som \ufffd")
        if not any(pages):
            reason = "er beskadiget" if failed == len(pages) else "indeholder ingen tekst (scannet uden OCR?)"
            raise ExtractionError(f"PDF-filen {path} {reason}.")
        empty = [str(n) for n, lines in enumerate(pages, start=1) if not lines]
        if empty and len(empty) < len(pages):
            warnings.append(f"sider uden tekst: {', '.join(empty)}")
        return pages

    def page_lines(self, page: PageObject, spans: _SpanReader) -> list[Line]:
        """The raw lines of one page, top to bottom (before any cleaning)."""
        return sorted(build_lines(spans.read(page)), key=lambda ln: (-ln.y, ln.x0))

    # ----------------------------------------------------------------- cleaning

    def drop_furniture(self, pages: list[list[Line]], body_size: float) -> list[list[Line]]:
        """Pages without running headers, footers and bare page numbers."""
        found = clean.find_running_lines(
            [[ln.text for ln in lines] for lines in pages],
            [[ln.y for ln in lines] for lines in pages],
            depth=self.furniture_depth,
        )
        big = body_size * self.heading_scale
        kept: list[list[Line]] = []
        for lines, drop in zip(pages, found, strict=True):
            # A large line is a title even when it recurs (chapter openers), never furniture.
            kept.append([ln for i, ln in enumerate(lines) if i not in drop or ln.size >= big])
        return kept

    def clean(self, text: str) -> str:
        """Final text of a block: normalised, glued words split."""
        return clean.clean_block_text(text, glued=self.glued_words)

    # ----------------------------------------------------------------- layout

    def layout(self, number: int, lines: list[Line]) -> _PageLayout:
        ordered = reading_order(lines)
        layout = _PageLayout(number=number, lines=ordered)
        for column in {ln.column for ln in ordered}:
            members = [ln for ln in ordered if ln.column == column]
            layout.column_right[column] = max(ln.x1 for ln in members)
            layout.column_width[column] = layout.column_right[column] - min(ln.x0 for ln in members)
        return layout

    def page_kind(self, layout: _PageLayout, body_size: float, previous: PageKind | None = None) -> PageKind:
        """Table of contents: dot leaders, an "Indhold" title, or (after a contents page) lines that
        mostly end in page numbers. Cover: a first page of little text under a title set in display
        size, or a first page without text (an image)."""
        lines = layout.lines
        toc_lines = sum(clean.is_toc_line(ln.text) for ln in lines)
        if toc_lines >= 3 or any(clean.is_toc_title(ln.text) for ln in lines[:3]):
            return "toc"
        numbered = sum(_ENDS_IN_PAGE_NUMBER.search(ln.text) is not None for ln in lines)
        if previous == "toc" and len(lines) >= 3 and numbered >= 0.6 * len(lines):
            return "toc"
        if layout.number == 1:
            if not lines:
                return "cover"  # an image-only first page
            chars = sum(len(ln.text) for ln in lines)
            body_lines = sum(abs(ln.size - body_size) <= 0.6 and not ln.bold for ln in lines)
            display = max(ln.size for ln in lines) >= 1.3 * body_size  # a cover has a big title
            if chars < 600 and body_lines < 3 and display:
                return "cover"
        return "body"

    def page_labels(self, reader: PdfReader) -> list[str | None]:
        """Printed page numbers, only when the PDF has a real /PageLabels entry."""
        if "/PageLabels" not in reader.root_object:
            return [None] * len(reader.pages)
        try:
            return [label or None for label in reader.page_labels]
        except Exception:  # a broken label tree is not worth failing the document for
            return [None] * len(reader.pages)

    # ----------------------------------------------------------------- headings

    def find_headings(
        self, reader: PdfReader, layouts: list[_PageLayout], body_size: float, warnings: list[str]
    ) -> None:
        """Mark heading lines on each layout: from the outline when there is one, else from fonts."""
        outline = self._outline(reader)
        if outline:
            self._outline_headings(outline, layouts, warnings)
        # Outlines leave out the cover and the contents page, whose titles still head their text.
        by_font = [lay for lay in layouts if not outline or self.font_headings or lay.kind != "body"]
        self._font_headings(by_font, body_size)
        for layout in layouts:
            layout.headings.sort(key=lambda h: (h[0], h[1]))

    def _outline(self, reader: PdfReader) -> list[tuple[int, str, int]]:
        """(level, title, 0-based page index) for every outline entry that points at a page."""
        entries: list[tuple[int, str, int]] = []

        def walk(items: Any, level: int) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item, level + 1)
                    continue
                try:
                    index = reader.get_destination_page_number(item)
                except Exception:
                    index = None
                title = clean.normalise(str(getattr(item, "title", "") or ""))
                if index is not None and index >= 0 and title:
                    entries.append((level, title, index))

        try:
            walk(reader.outline, 1)
        except Exception as exc:
            log.warning("outline unreadable: %s", exc)
            return []
        return entries

    def _outline_headings(
        self, outline: list[tuple[int, str, int]], layouts: list[_PageLayout], warnings: list[str]
    ) -> None:
        cursor: dict[int, int] = {}
        for level, title, index in outline:
            if index >= len(layouts):
                continue
            layout = layouts[index]
            match = _match_title(layout.lines, title, cursor.get(index, 0), layout.headings)
            if match is None:
                match = _match_title(layout.lines, title, 0, layout.headings)
            if match is None:
                # The title is not printed as text on its page (an image, or different wording):
                # place it first on the page so the page's text still gets its section.
                layout.headings.append((-1, -1, level, title))
                warnings.append(f"side {layout.number}: bogmærket {title!r} findes ikke i sidens tekst")
                continue
            start, end = match
            layout.headings.append((start, end, level, title))
            cursor[index] = end + 1

    def _font_headings(self, layouts: list[_PageLayout], body_size: float) -> None:
        """Short lines clearly larger than the body text, or bold, that do not read as sentences."""
        styles: set[tuple[float, bool]] = set()
        found: list[tuple[_PageLayout, int, int, tuple[float, bool]]] = []
        for layout in layouts:
            taken = {i for start, end, _, _ in layout.headings for i in range(start, end + 1)}
            for start, end in self._heading_runs(layout, body_size, taken):
                style = (layout.lines[start].size, layout.lines[start].bold)
                found.append((layout, start, end, style))
                if layout.kind == "body":
                    styles.add(style)
        ranking = sorted(styles, key=lambda s: (-s[0], not s[1]))
        for layout, start, end, style in found:
            level = ranking.index(style) + 1 if style in styles else 1
            layout.headings.append((start, end, min(level, 6), None))

    def _heading_runs(self, layout: _PageLayout, body_size: float, taken: set[int]) -> Iterator[tuple[int, int]]:
        lines = layout.lines
        if not lines:
            return
        biggest = max(ln.size for ln in lines)
        i = 0
        while i < len(lines):
            line = lines[i]
            if i in taken or not self._heading_style(line, body_size, layout.kind, biggest):
                i += 1
                continue
            end = i
            # A title that wraps: same style, next baseline close below, same column.
            while (
                end + 1 < len(lines)
                and end + 1 not in taken
                and lines[end + 1].size == line.size
                and lines[end + 1].bold == line.bold
                and lines[end + 1].column == lines[end].column
                and 0 < lines[end].y - lines[end + 1].y <= 1.6 * line.size
            ):
                end += 1
            text = " ".join(ln.text for ln in lines[i : end + 1])
            if clean.looks_like_heading(text) and (layout.kind != "toc" or clean.is_toc_title(text)):
                yield i, end
            i = end + 1

    def _heading_style(self, line: Line, body_size: float, kind: PageKind, biggest: float) -> bool:
        if kind == "cover":
            return line.size >= biggest - 0.1  # only the title, not the subtitle or the publisher
        return line.size >= body_size * self.heading_scale or (line.bold and line.size >= body_size - 0.6)

    # ----------------------------------------------------------------- paragraphs

    def paragraphs(self, layouts: list[_PageLayout]) -> list[Block]:
        """Blocks in reading order: headings, and paragraphs split at gaps, headings and bullets."""
        leading = _leading_by_size(layouts)
        per_page = [self._page_paragraphs(layout, leading) for layout in layouts]
        self._carry_hyphenated_words(layouts, per_page)
        blocks: list[Block] = []
        for layout, paragraphs in zip(layouts, per_page, strict=True):
            for para in paragraphs:
                block = self._block(para, layout)
                if block is not None:
                    blocks.append(block)
        return blocks

    def _page_paragraphs(self, layout: _PageLayout, leading: dict[float, float]) -> list[_Paragraph]:
        heading_at = {start: (end, level, title) for start, end, level, title in layout.headings}
        paragraphs: list[_Paragraph] = []
        for start, _end, level, title in layout.headings:
            if start < 0:  # an outline title not found in the text opens the page
                paragraphs.append(_Paragraph("heading", [], level, title))
        current: _Paragraph | None = None
        i = 0
        lines = layout.lines
        while i < len(lines):
            if i in heading_at:
                end, level, title = heading_at[i]
                paragraphs.append(_Paragraph("heading", lines[i : end + 1], level, title))
                current = None
                i = end + 1
                continue
            line = lines[i]
            if current is None or self._breaks(current, line, layout, leading):
                current = _Paragraph("text", [])
                paragraphs.append(current)
            current.lines.append(line)
            i += 1
        return paragraphs

    def _breaks(self, current: _Paragraph, line: Line, layout: _PageLayout, leading: dict[float, float]) -> bool:
        """Whether ``line`` starts a new paragraph after the ``current`` one (same page, reading order)."""
        prev = current.last
        if layout.kind == "cover" or abs(prev.size - line.size) > 0.6 or _starts_item(current, line):
            return True  # a cover is a list of separate items: title, subtitle, publisher, year
        if layout.kind == "toc" and (clean.is_toc_line(prev.text) or clean.is_toc_line(line.text)):
            return True
        if line.y < prev.y and line.column == prev.column:
            step = leading.get(prev.size, prev.size * 1.2)
            return prev.y - line.y > step * 1.2 + 0.5
        # moved up: the next column or band; the paragraph goes on unless the last line ended it
        return not _continues(prev, layout)

    def _carry_hyphenated_words(self, layouts: list[_PageLayout], per_page: list[list[_Paragraph]]) -> None:
        """A word hyphenated across a page break is completed on the page where it starts."""
        for n in range(len(per_page) - 1):
            here, there = per_page[n], per_page[n + 1]
            if not here or not there or here[-1].kind != "text" or there[0].kind != "text":
                continue
            if layouts[n].kind != "body" or layouts[n + 1].kind != "body":
                continue
            last, first = here[-1].last, there[0].lines[0]
            if not last.text.endswith("-") or not _continues(last, layouts[n]):
                continue
            head, _, rest = first.text.partition(" ")
            joined = clean.join_hyphenated([last.text, head])
            if joined.endswith(" " + head):
                continue  # a suspended compound ("børne-" / "og ...") stays where it is
            here[-1].lines[-1] = replace(last, text=joined)
            if rest:
                there[0].lines[0] = replace(first, text=rest)
            else:
                there[0].lines.pop(0)
                if not there[0].lines:
                    there.pop(0)

    def _block(self, para: _Paragraph, layout: _PageLayout) -> Block | None:
        if para.kind == "heading":
            text = para.title or " ".join(ln.text for ln in para.lines)
            text = self.clean(text)
            return Block("heading", text, layout.number, para.level) if text else None
        texts = [ln.text for ln in para.lines]
        if layout.kind == "toc":
            texts = [clean.strip_dot_leader(t) for t in texts]
        text = self.clean(clean.join_hyphenated(texts))
        return Block("text", text, layout.number) if text else None


# --------------------------------------------------------------------------- document statistics


def _body_size(pages: list[list[Line]]) -> float:
    """The font size of most characters: the body text."""
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[round(line.size * 2) / 2] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _leading_by_size(layouts: list[_PageLayout]) -> dict[float, float]:
    """Typical baseline distance of consecutive lines in one column, per font size."""
    steps: dict[float, list[float]] = {}
    for layout in layouts:
        if layout.kind != "body":
            continue  # contents entries and cover items are spaced out, not set in paragraphs
        for prev, line in zip(layout.lines, layout.lines[1:], strict=False):
            step = prev.y - line.y
            if prev.size == line.size and prev.column == line.column and 0 < step < 2.5 * line.size:
                steps.setdefault(line.size, []).append(step)
    # The lower quartile, not the median: paragraph gaps are frequent enough to pull the median up.
    return {size: sorted(values)[len(values) // 4] for size, values in steps.items() if values}


_SENTENCE_END = (".", "!", "?", ":", "»", '"', "”")


def _starts_item(current: _Paragraph, line: Line) -> bool:
    """A list item starts a paragraph of its own: a bullet, or a dash after a colon or a dash item.

    A dash alone is not enough: "– " also opens a parenthetical remark inside a sentence.
    """
    if line.text.startswith(BULLETS):
        return True
    if not line.text.startswith(DASH_ITEMS):
        return False
    return current.last.text.rstrip().endswith(":") or current.lines[0].text.startswith(DASH_ITEMS)


def _continues(line: Line, layout: _PageLayout) -> bool:
    """Whether a paragraph probably goes on after ``line`` at the top of the next column or page.

    A full line or one that does not end a sentence continues; a short line that ends a
    sentence is a paragraph's last line.
    """
    right = layout.column_right.get(line.column, line.x1)
    width = layout.column_width.get(line.column, 0.0) or 1.0
    full = line.x1 >= right - 0.15 * width
    return full or not line.text.rstrip().endswith(_SENTENCE_END)


def _match_title(
    lines: Sequence[Line], title: str, start: int, taken: list[tuple[int, int, int, str | None]]
) -> tuple[int, int] | None:
    """The lines (first, last) that print ``title``, searching from ``start``; None if absent.

    Compares letters and digits only, so hyphenation, spacing and case do not matter, and allows
    a printed chapter number the outline leaves out ("1 Indledning" for "Indledning").
    """
    target = _match_key(title)
    if not target:
        return None
    used = {i for s, e, _, _ in taken for i in range(s, e + 1)}
    for i in range(start, len(lines)):
        if i in used:
            continue
        acc = ""
        for j in range(i, min(i + 4, len(lines))):
            if j in used:
                break
            acc += lines[j].key
            stripped = acc.lstrip("0123456789")
            if acc == target or (stripped == target and stripped):
                return i, j
            if not (target.startswith(acc) or target.startswith(stripped)):
                break
    return None
