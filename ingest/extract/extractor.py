"""The extractor: the stages of this package composed into ``Extractor()(path) -> Document``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pypdf import PageObject, PdfReader

from ingest import clean
from ingest.errors import ExtractionError
from ingest.extract.boxes import mark_boxes, mark_titles
from ingest.extract.fonts import Font, FontCache
from ingest.extract.footnotes import mark_footnotes, set_aside
from ingest.extract.front import is_front_matter
from ingest.extract.furniture import Furniture
from ingest.extract.headings import HeadingFinder
from ingest.extract.layout import body_size, page_kind, page_layout
from ingest.extract.lines import build_lines
from ingest.extract.paragraphs import ParagraphBuilder
from ingest.extract.pdf import CUT_OFF, is_cut_off, open_pdf
from ingest.extract.records import Line
from ingest.extract.slots import find_slot_lines
from ingest.extract.stream import SpanReader
from ingest.extract.tables import take_tables
from ingest.models import Document, PageInfo

# Part of an index's pipeline key: bump it whenever extracted text can change, so that an index
# built by an older extractor re-extracts every PDF instead of reusing stale passages.
EXTRACTOR_VERSION = "12"


class Extractor:
    """Turns a publisher PDF into clean blocks: ``Extractor()(path) -> Document``.

    Args:
        font_headings: find section titles from font size/weight; ``None`` (default) does so fully
            when the PDF has no outline and, beside an outline, only for bold titles set off from
            the text and no larger than its own (levels below it); ``True`` adds them all.
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
        self.heading_scale = heading_scale
        self.glued_words = glued_words
        self.furniture = Furniture(depth=furniture_depth)
        self.headings = HeadingFinder(font_headings=font_headings, heading_scale=heading_scale)
        self.paragraphs = ParagraphBuilder(self.clean)

    def __call__(self, path: Path, *, on_page: Callable[[int], None] | None = None) -> Document:
        """``on_page(1)`` is called after each page is read (progress bars)."""
        path = Path(path)
        reader = self.open(path)
        warnings: list[str] = []
        raw_pages = self.read_pages(reader, path, warnings, on_page)
        size = body_size(raw_pages)
        furniture = self.furniture.find(raw_pages)
        by_slot = find_slot_lines(raw_pages, size, size * self.heading_scale)
        furniture = [found | slot for found, slot in zip(furniture, by_slot, strict=True)]
        pages = self.furniture.drop(raw_pages, title_size=size * self.heading_scale, found=furniture)
        parts = [set_aside(lines) for lines in pages]
        layouts = [page_layout(number, body) for number, (body, _) in enumerate(parts, start=1)]
        for layout, (_, notes) in zip(layouts, parts, strict=True):
            layout.lines += notes
        for n, layout in enumerate(layouts):
            top = [ln.text for ln in raw_pages[n][: self.furniture.depth]]
            layout.kind = page_kind(layout, size, layouts[n - 1].kind if n else None, top)
            if layout.kind == "body" and is_front_matter(layout, size, [lay.kind for lay in layouts[:n]], len(layouts)):
                layout.kind = "front"
        self.headings(reader, layouts, size, warnings)
        mark_titles(layouts)
        blocks = self.paragraphs(layouts)
        labels = self.page_labels(reader) or self.furniture.labels(raw_pages, size * self.heading_scale, furniture)
        infos = [PageInfo(number=lay.number, label=labels[i], kind=lay.kind) for i, lay in enumerate(layouts)]
        return Document(pages=infos, blocks=blocks, warnings=warnings)

    def open(self, path: Path) -> PdfReader:
        """A reader for ``path``, or an ``ExtractionError`` that says what is wrong with the file."""
        return open_pdf(path)

    def read_pages(
        self, reader: PdfReader, path: Path, warnings: list[str], on_page: Callable[[int], None] | None = None
    ) -> list[list[Line]]:
        """Every page's raw lines; a page that cannot be read becomes empty with a warning."""
        fonts = FontCache()
        spans = SpanReader(reader, fonts)
        pages: list[list[Line]] = []
        failed = 0
        # Why a PDF without any text has none: where the walk refused to go (forms too deep or
        # drawing themselves, past the work budget) the file is malformed or hostile, and with no
        # image either it is blank or broken; only images and no text is a scan. The operator must
        # not go looking for OCR for a file that needs replacing.
        blocked: set[str] = set()
        first_failure: str | None = None  # for the log, when no page at all can be read
        for number, page in enumerate(reader.pages, start=1):
            refused = (spans.skipped_forms, spans.skipped_deep)
            try:
                pages.append(self.page_lines(page, spans))
            except Exception as exc:  # one broken page must not lose the other hundred
                failed += 1
                warnings.append(f"side {number}: kunne ikke læses ({exc})")
                first_failure = first_failure or f"page {number}: {type(exc).__name__}: {exc}"
                pages.append([])
            if spans.truncated:
                blocked.add("budget")
                warnings.append(
                    f"side {number}: for meget arbejde (form XObjects eller operatorer over grænsen); "
                    "resten af siden er sprunget over"
                )
            if spans.skipped_deep > refused[1]:
                blocked.add("deep")
            if spans.skipped_forms > refused[0]:
                blocked.add("cycle")
            if on_page is not None:
                on_page(1)
        if spans.skipped_rotated:
            warnings.append(f"{spans.skipped_rotated} tekststykker i roteret tekst er sprunget over")
        if spans.skipped_forms:
            warnings.append(f"{spans.skipped_forms} form XObjects, der tegner sig selv, er sprunget over")
        if spans.skipped_deep:
            warnings.append(f"{spans.skipped_deep} form XObjects indlejret mere end {spans.MAX_FORM_DEPTH} niveauer "
                            "dybt er sprunget over")
        if fonts.unmapped:
            warnings.append(f"{fonts.unmapped} tegn uden Unicode-kode i skriftens /ToUnicode er gengivet som \ufffd")
        if not any(pages):
            reason = self._no_text(len(pages), failed, spans.images, blocked, cut_off=is_cut_off(path))
            raise ExtractionError(f"PDF-filen {path.name} {reason}", detail=first_failure)
        empty = [str(n) for n, lines in enumerate(pages, start=1) if not lines]
        if empty and len(empty) < len(pages):
            warnings.append(f"sider uden tekst: {', '.join(empty)}")
        return pages

    @staticmethod
    def _no_text(pages: int, failed: int, images: int, blocked: set[str], *, cut_off: bool) -> str:
        """Why a PDF gave no text at all, in Danish, after "PDF-filen X"."""
        if cut_off:  # pypdf opens some cut-off files, without the pages' content
            return f"{CUT_OFF}, så dens sider kan ikke læses. Hent eller kopiér hele filen ind igen."
        if blocked:
            why = {
                "deep": f"dens form XObjects er indlejret mere end {SpanReader.MAX_FORM_DEPTH} niveauer dybt",
                "cycle": "dens form XObjects henviser til sig selv i ring",
                "budget": "dens sider kræver mere arbejde, end læseren tillader (form XObjects eller operatorer)",
            }
            found = " og ".join(why[kind] for kind in ("deep", "cycle", "budget") if kind in blocked)
            return (f"kan ikke læses, fordi den er unormalt opbygget: {found}. Det er ikke en scannet PDF; filen "
                    "er beskadiget eller bevidst manipuleret. Hent en ny kopi fra udgiveren.")
        if failed == pages:
            return "er beskadiget: ingen af dens sider kan læses. Hent en ny kopi fra udgiveren."
        if not images:
            return ("indeholder hverken tekst eller billeder: siderne er tomme eller tegner kun figurer, eller "
                    "deres indhold kan ikke afkodes. Er det den rigtige fil, og er den hel?")
        return ("indeholder ingen tekst, kun billeder (scannet uden OCR?). Kør tekstgenkendelse (OCR, fx ocrmypdf) "
                "på PDF'en, eller hent en udgave med tekst hos udgiveren, og læg den i korpusmappen.")

    def page_lines(self, page: PageObject, spans: SpanReader) -> list[Line]:
        """The raw lines of one page, top to bottom (before any cleaning): table rows read cell by
        cell, lines in shaded boxes and in the footnote area marked by their role."""
        runs = spans.read(page)
        rest, rows, tables = take_tables(runs, spans.shapes)
        lines = sorted(build_lines(rest) + rows, key=lambda ln: (-ln.y, ln.x0))
        lines = mark_boxes(lines, spans.shapes, tables)
        return mark_footnotes(lines, runs, spans.shapes)

    def clean(self, text: str) -> str:
        """Final text of a block: normalised, glued words split."""
        return clean.clean_block_text(text, glued=self.glued_words)

    def page_labels(self, reader: PdfReader) -> list[str | None] | None:
        """Printed page numbers from the PDF's /PageLabels entry; None when it has none (or a broken one)."""
        if "/PageLabels" not in reader.root_object:
            return None
        try:
            return [label or None for label in reader.page_labels]
        except Exception:  # a broken label tree: fall back to the printed numbers
            return None
