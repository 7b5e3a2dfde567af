"""Extraction speed on generated documents (the timings the tests no longer assert).

    .venv/bin/python bench/extract_speed.py

Prints seconds per page for our extractor and for pypdf's ``page.extract_text()`` on: 100 pages of
the fixture builder (one and two columns, glued justified lines, hyphenation), 120 pages of an
Identity-H TrueType document, a page of 20,000 tiny text objects, and a form XObject chain that
would draw itself 16^8 times without the work budget.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402

from ingest.extract import Extractor  # noqa: E402


def timed(path: Path) -> tuple[int, float, float]:
    start = time.perf_counter()
    doc = Extractor()(path)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for page in PdfReader(path).pages:
        page.extract_text()
    return len(doc.pages), ours, time.perf_counter() - start


def main() -> None:
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    from tests.fixtures.pdfkit import Heading, Para, PdfBuilder
    from tests.test_extract import HEADER, LONG
    from tests.test_extract_fonts import _fontset, build_long_fpdf
    from tests.test_extract_layouts import raw_page

    work = Path(tempfile.mkdtemp(prefix="kb-extract-speed-"))
    Extractor()(raw_page(work / "warm.pdf", ["BT /F1 10 Tf 72 700 Td (Opvarmning af ordlisten.) Tj ET"]))
    cases: dict[str, Path] = {}
    pdf = PdfBuilder(work / "fixture100.pdf", header=HEADER, outline=True, page_labels=True, hyphenate=True)
    for n in range(100):
        pdf.page(
            [Heading(f"Afsnit {n}"), Para(LONG * 2), Para(LONG * 2, glued=n % 2 == 0), Para(LONG * 2)],
            columns=2 if n % 3 == 0 else 1,
        )
    cases["fixture, 100 pages"] = pdf.save().path
    cases["Identity-H, 120 pages"] = build_long_fpdf(work / "long.pdf", _fontset("vera"), pages=120)
    ops = [f"BT /F1 4 Tf {40 + n % 60 * 8.5:.1f} {800 - n // 60 * 2.4:.1f} Td (a{n % 10}) Tj ET" for n in range(20_000)]
    cases["20,000 text objects, 1 page"] = raw_page(work / "tiny.pdf", ops)
    print(f"{'document':32} {'pages':>5} {'ours s/page':>12} {'pypdf s/page':>13} {'ratio':>6}")
    for name, path in cases.items():
        pages, ours, theirs = timed(path)
        print(f"{name:32} {pages:>5} {ours / pages:>12.4f} {theirs / pages:>13.4f} {ours / theirs:>6.2f}")


if __name__ == "__main__":
    main()
