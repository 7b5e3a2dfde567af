"""PDF → ``Document``: clean paragraphs and section titles in reading order, with pypdf.

    file           ─► a readable PDF with pages, or ExtractionError          pdf.open_pdf
    content stream ─► spans: text runs with glyph positions, font, size     stream.SpanReader (fonts.FontCache)
                   ─► lines: spans on one baseline, spaces from gaps         lines.build_lines
    all pages      ─► running headers/footers and page numbers dropped       furniture.Furniture
                   ─► page kinds (cover, toc)                                layout.page_kind
    each page      ─► reading order: columns read left to right per band     layout.reading_order
                   ─► section titles: outline, else font size/weight        headings.HeadingFinder
                   ─► paragraphs: gaps, headings, list items; clean text     paragraphs.ParagraphBuilder
    the stages     ─► one callable                                           extractor.Extractor

Why our own content-stream walk instead of ``page.extract_text()``: pypdf only inserts a space
where a ``TJ`` offset is at least ~0.475 of a space, so tightly justified exports whose words are
placed by offsets ("[(håndtere) -110 (sager)] TJ") come out glued, and its plain text has no
positions for columns or headings. We let pypdf parse the stream and decode fonts, and keep the
geometry ourselves. The pure text rules live in ``ingest/clean.py``.
"""

from ingest.extract.extractor import EXTRACTOR_VERSION, Extractor
from ingest.extract.layout import find_gutter, reading_order
from ingest.extract.lines import build_lines
from ingest.extract.pdf import open_pdf
from ingest.extract.records import Line, Span

__all__ = [
    "EXTRACTOR_VERSION",
    "Extractor",
    "Line",
    "Span",
    "build_lines",
    "find_gutter",
    "open_pdf",
    "reading_order",
]
