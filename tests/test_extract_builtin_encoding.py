"""Embedded Type 1C fonts whose own (built-in) encoding differs from the encoding the PDF declares.

InDesign CS5 subsets a font into CFF with a built-in encoding that numbers its glyphs 1, 2, 3, ...
in subset order, yet declares ``/Encoding /MacRomanEncoding`` in the font dictionary and draws the
text with MacRoman codes. The PDF's encoding wins (PDF 32000-1 9.6.6.1: a font program's built-in
encoding "may be overridden by including an Encoding entry"; poppler's ``Gfx8BitFont`` takes the
font file's encoding only when the dictionary names no base encoding). Without /Encoding, the
built-in encoding is the font's encoding. The font here is built with fontTools so both readings
differ on every letter: read through the built-in encoding, "Den unge" comes out as gibberish.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ingest.extract import Extractor
from tests.fixtures.pdfkit import write_objects

fontBuilder = pytest.importorskip("fontTools.fontBuilder")
t2 = pytest.importorskip("fontTools.pens.t2CharStringPen")

LINES = ["Den unge kan få hjælp, når skolen og", "sundhedsplejen samarbejder. Sagen", "følges op."]
TEXT = " ".join(LINES)


def _glyph_name(ch: str) -> str:
    from fontTools.agl import UV2AGL

    return UV2AGL[ord(ch)]


# Subset order, as InDesign numbers it: every printable ASCII character and the Danish letters, so
# built-in codes 1-101 overlap the MacRoman codes of the text and a wrong reading shows everywhere.
GLYPHS = [".notdef", *sorted({_glyph_name(chr(c)) for c in range(32, 127)} | {_glyph_name(c) for c in "æøåÆØÅ"})]


def type1c_font() -> bytes:
    """A CFF font program with the glyphs of ``GLYPHS`` and a built-in encoding numbering
    the glyphs 1, 2, 3, ... (as InDesign's subsets do), not by their MacRoman codes."""
    glyphs = GLYPHS
    fb = fontBuilder.FontBuilder(1000, isTTF=False)
    fb.setupGlyphOrder(glyphs)
    charstrings = {}
    for name in glyphs:
        pen = t2.T2CharStringPen(500, None)
        pen.moveTo((50, 0))
        pen.lineTo((450, 0))
        pen.lineTo((450, 700))
        pen.closePath()
        charstrings[name] = pen.getCharString()
    fb.setupCFF("ABCDEF+Testfont", {"FullName": "Testfont"}, charstrings, {})
    cff = fb.font["CFF "].cff
    top = cff.topDictIndex[0]
    encoding = [".notdef"] * 256
    for code, name in enumerate(glyphs[1:], start=1):
        encoding[code] = name
    top.Encoding = encoding
    out = io.BytesIO()
    cff.compile(out, fb.font)
    return out.getvalue()


def pdf_with_type1c(path: Path, *, encoding: bytes | None, codes: list[bytes], program: bytes) -> Path:
    """One page drawing ``codes`` in a simple Type1 font with the Type1C ``program`` embedded; a line
    per string in ``codes`` (a list of lines)."""
    lines = []
    for row, line in enumerate(codes):
        chunk = line.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        lines.append(b"BT /F1 11 Tf 60 %d Td (" % (780 - row * 14) + chunk + b") Tj ET")
    content = b"\n".join(lines)
    enc = b"/Encoding " + encoding if encoding else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+Testfont " + enc
        + b" /FirstChar 0 /LastChar 255 /Widths [" + b" 500" * 256 + b"] /FontDescriptor 6 0 R >>",
        b"<< /Type /FontDescriptor /FontName /ABCDEF+Testfont /Flags 32 /FontBBox [0 -200 1000 900] "
        b"/ItalicAngle 0 /Ascent 900 /Descent -200 /CapHeight 700 /StemV 80 /FontFile3 7 0 R >>",
        b"<< /Subtype /Type1C /Length %d >>\nstream\n" % len(program) + program + b"\nendstream",
    ]
    return write_objects(path, objects)


def _text(path: Path) -> str:
    return " ".join(block.text for block in Extractor()(path).blocks)


def test_declared_macroman_wins_over_the_font_programs_builtin_encoding(tmp_path: Path) -> None:
    """pdf.js issue 1002: /Encoding /MacRomanEncoding, codes in MacRoman, a CFF built-in encoding
    numbering glyphs 1, 2, 3, ...: the text is the MacRoman reading, as poppler and pdf.js show it."""
    path = pdf_with_type1c(tmp_path / "macroman.pdf", encoding=b"/MacRomanEncoding",
                           codes=[line.encode("mac_roman") for line in LINES], program=type1c_font())
    assert _text(path) == TEXT


def test_declared_winansi_wins_too(tmp_path: Path) -> None:
    path = pdf_with_type1c(tmp_path / "winansi.pdf", encoding=b"/WinAnsiEncoding",
                           codes=[line.encode("cp1252") for line in LINES], program=type1c_font())
    assert _text(path) == TEXT


def test_without_an_encoding_the_builtin_encoding_is_the_fonts(tmp_path: Path) -> None:
    """No /Encoding in the font dictionary: the codes are the font program's own, as before."""
    program = type1c_font()
    codes = [bytes(GLYPHS.index(_glyph_name(ch)) for ch in line) for line in LINES]
    path = pdf_with_type1c(tmp_path / "builtin.pdf", encoding=None, codes=codes, program=program)
    assert _text(path) == TEXT
