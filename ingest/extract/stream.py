"""Content stream → spans: a walk over a page's operators (and its form XObjects) that keeps geometry."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from typing import Any

from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject, NameObject, StreamObject

from ingest.extract.content import operations as read_operations
from ingest.extract.fonts import FontCache, FontInfo
from ingest.extract.records import Span
from ingest.extract.shapes import Shape, ShapeRecorder, is_white

log = logging.getLogger("kb.extract")


Matrix = list[float]
Operations = list[tuple[list[Any], bytes]]
IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]


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


@dataclass
class TextState:
    """The graphics-state part that ``q``/``Q`` save: matrix and text parameters (ISO 32000 9.3)."""

    ctm: Matrix = field(default_factory=lambda: list(IDENTITY))
    font: FontInfo | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0
    leading: float = 0.0
    rise: float = 0.0
    white_fill: bool = False

    def copy(self) -> TextState:
        return replace(self, ctm=list(self.ctm))


class SpanReader:
    """Walks a page's content stream (and its form XObjects) and records every text run."""

    MAX_FORM_DEPTH = 8
    # Work bounds, so that a hostile file cannot multiply its work: a form drawing itself, or eight
    # forms each drawing the next 16 times (16^8 runs), stops at these. Real pages run a few dozen
    # forms and some thousands of operators; a dense map page some hundred thousand.
    MAX_FORMS_PER_PAGE = 2_000
    MAX_OPERATIONS_PER_PAGE = 500_000
    MAX_OPERATIONS_PER_DOCUMENT = 10_000_000
    _FORM_CACHE = 256  # parsed form streams kept per document (logos repeat on every page)

    def __init__(self, reader: PdfReader, fonts: FontCache) -> None:
        self.reader = reader
        self.fonts = fonts
        self.skipped_rotated = 0  # runs in a minority orientation, e.g. a vertical margin note
        self.skipped_forms = 0  # forms that draw themselves (directly or through others)
        self.skipped_deep = 0  # forms nested deeper than MAX_FORM_DEPTH, whose text is not read
        self.images = 0  # images drawn (XObjects and inline): a PDF without text but with them is a scan
        self.truncated = False  # the current page hit a work bound; its remaining text is lost
        self.forms_run = 0  # on the current page
        self.operations = 0  # on the current page
        self.total_operations = 0
        self._spans: dict[int, list[Span]] = {}
        self._box = (float("-inf"), float("-inf"), float("inf"), float("inf"))
        self._forms: dict[Any, Operations] = {}
        self._active: set[Any] = set()
        self._shapes = ShapeRecorder()
        self.shapes: list[Shape] = []  # of the page last read: shading and rules (upright pages only)

    def read(self, page: PageObject) -> list[Span]:
        """The text runs of the page's main orientation, in that orientation's upright frame.

        A landscape page drawn rotated reads like any page; a few words turned sideways (a
        vertical margin note) are left out and counted in ``skipped_rotated``.
        """
        self._spans = {}
        self.forms_run = self.operations = 0
        self.truncated = False
        self._active = set()
        self._shapes.reset()
        self.shapes = []
        # Text outside the trim box (printer's marks, slug lines with file names) is not on the page.
        box = page.trimbox
        self._box = (float(box.left) - 2, float(box.bottom) - 2, float(box.right) + 2, float(box.top) + 2)
        resources = _resolve(page.get_inherited("/Resources", DictionaryObject()))
        contents = page.get("/Contents")
        contents = contents.get_object() if contents is not None else None
        if not isinstance(contents, (ArrayObject, StreamObject)):
            return []
        try:
            self._run(read_operations(ContentStream(contents, self.reader, "bytes")), resources, TextState(), depth=0)
        except _OverBudget:
            self.truncated = True
        if not self._spans:
            return []
        chars = {angle: sum(len(s.text) for s in spans) for angle, spans in self._spans.items()}
        main = max(chars, key=chars.__getitem__)
        self.skipped_rotated += sum(len(spans) for angle, spans in self._spans.items() if angle != main)
        if main == 0:
            self.shapes = self._shapes.shapes
        return self._spans[main]

    def _run(self, operations: Operations, resources: DictionaryObject, state: TextState, depth: int) -> None:
        stack: list[TextState] = []
        tm: Matrix = list(IDENTITY)
        tlm: Matrix = list(IDENTITY)
        font_dict = _resolve(resources.get("/Font"))
        self.operations += len(operations)
        self.total_operations += len(operations)
        if self.operations > self.MAX_OPERATIONS_PER_PAGE or self.total_operations > self.MAX_OPERATIONS_PER_DOCUMENT:
            raise _OverBudget
        for operands, operator in operations:
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
            elif operator == b"Do" and operands:
                self._form(operands[0], resources, state, depth)
            elif operator in _PATH_OPERATORS:
                self._shapes.feed(operator, operands, state.ctm, state.white_fill)
            elif operator in _INLINE_IMAGE:
                self.images += 1
            elif operator in _FILL_COLOUR:
                white = is_white(operator, operands)
                state.white_fill = bool(white)

    def _form(self, name: Any, resources: DictionaryObject, state: TextState, depth: int) -> None:
        """Text inside a form XObject, placed by the form's /Matrix and the current matrix."""
        xobjects = _resolve(resources.get("/XObject"))
        ref = xobjects.get(name) if xobjects else None
        xobj = ref.get_object() if ref is not None else None
        if isinstance(xobj, StreamObject) and xobj.get("/Subtype") == "/Image":
            self.images += 1
        if not isinstance(xobj, StreamObject) or xobj.get("/Subtype") != "/Form":
            return
        if depth >= self.MAX_FORM_DEPTH:
            self.skipped_deep += 1  # counted: a page whose text is all down there is malformed, not empty
            return
        key = (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(xobj)
        if key in self._active:
            self.skipped_forms += 1  # a form that draws itself would only repeat its own text
            return
        if self.forms_run >= self.MAX_FORMS_PER_PAGE:
            raise _OverBudget
        self.forms_run += 1
        inner = state.copy()
        matrix = xobj.get("/Matrix")
        if isinstance(matrix, ArrayObject) and len(matrix) == 6:
            inner.ctm = _mult([float(v) for v in matrix], inner.ctm)
        form_resources = _resolve(xobj.get("/Resources")) or resources
        operations = self._forms.get(key)
        try:
            if operations is None:
                operations = read_operations(ContentStream(xobj, self.reader, "bytes"))
                if len(self._forms) < self._FORM_CACHE:
                    self._forms[key] = operations
        except Exception as exc:  # a broken form loses its own text only
            log.warning("form XObject %s unreadable: %s", name, exc)
            return
        self._active.add(key)
        try:
            self._run(operations, form_resources, inner, depth + 1)
        finally:
            self._active.discard(key)

    def _show(self, data: Any, tm: Matrix, state: TextState) -> Matrix:
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


_PATH_OPERATORS = {b"re", b"m", b"l", b"n", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"S", b"s"}
_FILL_COLOUR = {b"rg", b"g", b"k", b"sc", b"scn"}
_INLINE_IMAGE = {b"BI", b"INLINE IMAGE"}  # the fast parser's and pypdf's names for it


class _OverBudget(Exception):
    """The page used up its work budget; what was read so far is kept."""


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
