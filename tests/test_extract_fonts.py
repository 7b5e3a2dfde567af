"""``Extractor`` on PDFs with embedded TrueType fonts, as InDesign exports of Danish guides have.

``tests/fixtures/pdfkit.py`` draws with reportlab's standard Type1 fonts (WinAnsi bytes). Real
publisher PDFs embed subsetted TrueType/OpenType fonts: composite Identity-H fonts whose two-byte
codes are glyph ids that only a /ToUnicode map turns into letters, ligature glyphs mapped to "fi",
soft hyphens, non-breaking spaces and glyphs shared by two characters. These tests draw the same
Danish pages three ways and compare the extractor's blocks with the text that was drawn:

* fpdf2 with ``add_font`` (Identity-H CID fonts with /ToUnicode, justified by ``TJ`` offsets),
* fpdf2 post-processed to look like InDesign (ligature glyphs mapped to two letters, the line-end
  hyphen mapped to a soft hyphen, no space glyphs: words placed by ``TJ`` offsets),
* reportlab with a registered ``TTFont`` (simple TrueType subsets with a custom code assignment).

Fonts: Bitstream Vera, which ships inside reportlab, so the tests run wherever reportlab does;
Liberation Sans (space and no-break space share a glyph) when the system has it.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject, ContentStream, NameObject, NumberObject

from ingest.extract import Extractor
from ingest.models import Document

fpdf = pytest.importorskip("fpdf")
reportlab = pytest.importorskip("reportlab")
PIL_Image = pytest.importorskip("PIL.Image")

VERA = Path(reportlab.__file__).parent / "fonts"
LIBERATION = Path("/usr/share/fonts/truetype/liberation")
HEADER = "Vejledning om æresrelaterede konflikter"


@dataclass(frozen=True)
class FontSet:
    regular: Path
    bold: Path


FONTS = {
    "vera": FontSet(VERA / "Vera.ttf", VERA / "VeraBd.ttf"),
    "liberation": FontSet(LIBERATION / "LiberationSans-Regular.ttf", LIBERATION / "LiberationSans-Bold.ttf"),
}


# --------------------------------------------------------------------------- content: what is drawn, what must come out


@dataclass(frozen=True)
class Item:
    """One thing drawn on a page and the block text the extractor must return for it.

    ``kind``: "h1"/"h2" (bold heading), "lines" (a paragraph drawn line by line as given, so line
    ends are exact), "justify" (a paragraph wrapped and justified by the generator), "bullet"
    (one list item), "image".
    """

    kind: str
    drawn: tuple[str, ...] = ()
    expected: str = ""


def heading(text: str, level: int = 1) -> Item:
    return Item(f"h{level}", (text,), text)


def lines(*drawn: str, expected: str) -> Item:
    return Item("lines", drawn, expected)


def justify(text: str, expected: str) -> Item:
    return Item("justify", (text,), expected)


def bullet(text: str) -> Item:
    # A no-break space after the bullet, as InDesign's bullet lists have.
    return Item("bullet", ("•\u00a0" + text,), "• " + text)


IMAGE = Item("image")

TOPICS = ["kommunen", "politiet", "skolen", "familien", "netværket", "krisecentret"]


def pages() -> list[list[Item]]:
    """Five pages of Danish guide text with every trap at a known place."""
    return [
        [
            heading("Æresrelaterede konflikter – en vejledning"),
            justify(
                "Den of\ufb01cielle vejledning er \ufb02eksibel, og afløsning af medarbejdere sker «hurtigt» – også "
                "når sagen gælder Ærø, Øresund eller Åbenrå. Det gælder i 10\u00a0% af sagerne efter "
                "§\u00a012, og “citater” står i anførselstegn.",
                "Den officielle vejledning er fleksibel, og afløsning af medarbejdere sker «hurtigt» – også "
                "når sagen gælder Ærø, Øresund eller Åbenrå. Det gælder i 10 % af sagerne efter "
                "§ 12, og “citater” står i anførselstegn.",
            ),
            # No soft hyphen inside a line: a drawn one is a visible hyphen (issue 8 §5), see test_extract_layouts.
            lines(
                "Sagsbehandleren skal derfor altid vurdere, om sags-",
                "behandlingen kan vente, og om barnet har brug for",
                "støtte. Det gælder også i børne- og ungeområdet, hvor",
                "den of\ufb01cielle plan er afgørende for en god afløsning.",
                expected="Sagsbehandleren skal derfor altid vurdere, om sagsbehandlingen kan vente, og om barnet har "
                "brug for støtte. Det gælder også i børne- og ungeområdet, hvor den officielle plan er afgørende "
                "for en god afløsning.",
            ),
        ],
        *[
            [
                heading(f"{n}. Samarbejdet med {topic}"),
                lines(
                    f"Når {topic} bliver opmærksom på en ung, der udsættes for",
                    "negativ social kontrol, skal medarbejderen straks tage",
                    "kontakt til den ansvarlige nøgleperson og beskrive sagen.",
                    expected=f"Når {topic} bliver opmærksom på en ung, der udsættes for negativ social kontrol, skal "
                    "medarbejderen straks tage kontakt til den ansvarlige nøgleperson og beskrive sagen.",
                ),
                *([IMAGE] if n == 3 else []),
                heading(f"Gode råd til {topic}", level=2),
                lines(
                    f"Medarbejdere hos {topic} skal være opmærksomme på:",
                    expected=f"Medarbejdere hos {topic} skal være opmærksomme på:",
                ),
                bullet(f"tegn på trusler mod den unge fra {topic} eller familien"),
                bullet("at den unge kan have brug for et sikkert opholdssted"),
                lines(
                    "Et \ufb02eksibelt samarbejde om den \ufb01nale afløs-",
                    f"ning af opgaverne hos {topic} giver de bedste Øst-",
                    f"jyske resultater for {topic}.",
                    expected=f"Et fleksibelt samarbejde om den finale afløsning af opgaverne hos {topic} giver de "
                    f"bedste Østjyske resultater for {topic}.",
                ),
            ]
            for n, topic in enumerate(TOPICS[:4], start=2)
        ],
        [IMAGE],  # a page with nothing but a picture (and the running header and footer)
    ]


def expected_blocks() -> list[tuple[str, str, int, int]]:
    """(kind, text, page, level) of every block; text blocks have level 1."""
    out: list[tuple[str, str, int, int]] = []
    for number, items in enumerate(pages(), start=1):
        for item in items:
            if item.kind != "image":
                kind = "heading" if item.kind.startswith("h") else "text"
                out.append((kind, item.expected, number, int(item.kind[1]) if kind == "heading" else 1))
    return out


# --------------------------------------------------------------------------- generators


def _image_png(path: Path) -> Path:
    img = PIL_Image.new("RGB", (240, 120), (180, 40, 40))
    for x in range(0, 240, 12):  # some structure, so it is not a flat colour
        for y in range(120):
            img.putpixel((x, y), (20, 20, 120))
    img.save(path)
    return path


def build_fpdf(path: Path, fonts: FontSet) -> Path:
    """The pages drawn by fpdf2: Identity-H CID fonts with /ToUnicode, like an InDesign export."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    image = _image_png(path.with_suffix(".png"))

    class Doc(FPDF):
        def header(self) -> None:
            self.set_font("Body", "", 8)
            self.cell(0, 10, HEADER, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(14)

        def footer(self) -> None:
            self.set_y(-40)
            self.set_font("Body", "", 8)
            self.cell(0, 10, f"Side {self.page_no()}", align="C")

    pdf = Doc(unit="pt", format="A4")
    pdf.add_font("Body", "", str(fonts.regular))
    pdf.add_font("Body", "B", str(fonts.bold))
    pdf.set_margins(70, 50, 70)
    pdf.set_auto_page_break(True, 60)
    for items in pages():
        pdf.add_page()
        for item in items:
            if item.kind in ("h1", "h2"):
                pdf.set_font("Body", "B", 16 if item.kind == "h1" else 12)
                pdf.multi_cell(0, 22, item.drawn[0], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(4)
                continue
            pdf.set_font("Body", "", 10)
            if item.kind == "image":
                pdf.image(str(image), w=240, h=120)
            elif item.kind == "justify":
                pdf.multi_cell(0, 13, item.drawn[0], align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            else:  # one cell per line: the line ends are the ones given; soft hyphens stay in the text
                for line in item.drawn:
                    pdf.multi_cell(0, 13, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT, print_sh=True)
            pdf.ln(9)
    pdf.output(str(path))
    return path


def build_reportlab(path: Path, fonts: FontSet) -> Path:
    """The pages drawn by reportlab with registered TrueType fonts (simple-font subsets, custom codes)."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(TTFont("KbBody", str(fonts.regular)))
    pdfmetrics.registerFont(TTFont("KbBold", str(fonts.bold)))
    body = ParagraphStyle("body", fontName="KbBody", fontSize=10, leading=13, spaceAfter=9)
    styles = {
        "h1": ParagraphStyle("h1", fontName="KbBold", fontSize=16, leading=22, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName="KbBold", fontSize=12, leading=16, spaceAfter=4),
        "justify": ParagraphStyle("justify", parent=body, alignment=TA_JUSTIFY),
        "lines": body,
        "bullet": body,
    }
    image = _image_png(path.with_suffix(".png"))

    def furniture(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont("KbBody", 8)
        canvas.drawString(70, 800, HEADER)
        canvas.drawCentredString(297.6, 30, f"Side {doc.page}")
        canvas.restoreState()

    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    story: list[object] = []
    for items in pages():
        for item in items:
            if item.kind == "image":
                story += [Image(str(image), width=240, height=120), Spacer(1, 9)]
            else:
                story.append(Paragraph("<br/>".join(escape(t) for t in item.drawn), styles[item.kind]))
        story.append(PageBreak())
    doc = SimpleDocTemplate(str(path), leftMargin=70, rightMargin=70, topMargin=60, bottomMargin=60, invariant=1)
    doc.build(story[:-1], onFirstPage=furniture, onLaterPages=furniture)
    return path


def build_long_fpdf(path: Path, fonts: FontSet, pages: int) -> Path:
    """``pages`` pages of one heading and six justified paragraphs each (for timing)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("Body", "", str(fonts.regular))
    pdf.add_font("Body", "B", str(fonts.bold))
    pdf.set_margins(70, 50, 70)
    pdf.set_auto_page_break(False)
    for n in range(pages):
        pdf.add_page()
        topic = TOPICS[n % len(TOPICS)]
        pdf.set_font("Body", "B", 16)
        pdf.cell(0, 22, f"{n + 1}. Samarbejdet med {topic}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Body", "", 10)
        for k in range(6):
            text = f"Afsnit {k} om {topic} på side {n + 1}: den of\ufb01cielle vejledning er \ufb02eksibel. " * 3
            pdf.multi_cell(0, 13, text, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(6)
    pdf.output(str(path))
    return path


# --------------------------------------------------------------------------- post-processing: InDesign habits


def _parse_cmap(text: str) -> dict[int, str]:
    """A /ToUnicode CMap as {code: text} (only the bfchar/bfrange forms fpdf2 writes)."""
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for code, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(code, 16)] = bytes.fromhex(uni).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, start in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = int(start, 16)
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def _write_cmap(mapping: dict[int, str]) -> bytes:
    mapping = {code: text for code, text in mapping.items() if text}  # "" leaves a code unmapped
    entries = "\n".join(
        f"<{code:04X}> <{text.encode('utf-16-be').hex().upper()}>" for code, text in sorted(mapping.items())
    )
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(mapping)} beginbfchar\n{entries}\nendbfchar\nendcmap\n"
        "CMapName currentdict /CMap defineresource pop\nend\nend\n"
    ).encode("latin-1")


def _cid_widths(widths: ArrayObject) -> dict[int, float]:
    """A descendant font's /W array as {cid: width}."""
    out: dict[int, float] = {}
    i = 0
    while i < len(widths):
        first, nxt = int(widths[i]), widths[i + 1]
        if isinstance(nxt, ArrayObject):
            out.update({first + k: float(w) for k, w in enumerate(nxt)})
            i += 2
        else:
            out.update(dict.fromkeys(range(first, int(nxt) + 1), float(widths[i + 2])))
            i += 3
    return out


@dataclass(frozen=True)
class _Recode:
    space: int  # the space glyph's old code: no longer drawn, the pen moves by its width instead
    space_width: float
    shift: int


INDESIGN_TEXT = {"\ufb01": "fi", "\ufb02": "fl", "-": "\u00ad"}


def indesignify(path: Path, shift: int = 300) -> Path:
    """Rewrite an fpdf2 PDF's composite fonts and text the way InDesign exports them.

    * codes are glyph ids of the whole font, not 1, 2, 3 in order of use: every code moves up by
      ``shift`` (code 32 is no longer the space, as in a real subset);
    * ligature glyphs map to two letters in /ToUnicode ("ﬁ" glyph → "fi");
    * the hyphen glyph maps to U+00AD (InDesign's text for a discretionary hyphen, and then for
      every hyphen drawn with that glyph);
    * no space glyph: the subset has none, /DW is 1000, and words are placed by ``TJ`` offsets.
    """
    writer = PdfWriter(clone_from=str(path))
    recoded: dict[int, _Recode] = {}
    for page in writer.pages:
        fonts = page["/Resources"]["/Font"]
        for name in fonts:
            font = fonts.raw_get(name)  # the reference: fonts are shared by pages
            obj = font.get_object()
            if obj.get("/Subtype") != "/Type0" or font.idnum in recoded:
                continue
            to_unicode = obj["/ToUnicode"].get_object()
            mapping = _parse_cmap(to_unicode.get_data().decode("latin-1"))
            space = next(code for code, text in mapping.items() if text == " ")
            descendant = obj["/DescendantFonts"][0].get_object()
            widths = _cid_widths(descendant["/W"])
            recoded[font.idnum] = _Recode(space, widths[space], shift)
            to_unicode.set_data(
                _write_cmap({c + shift: INDESIGN_TEXT.get(t, t) for c, t in mapping.items() if c and c != space})
            )
            new_w = ArrayObject()
            for code, width in sorted(widths.items()):
                if code and code != space:
                    new_w += [NumberObject(code + shift), ArrayObject([NumberObject(round(width))])]
            descendant[NameObject("/W")] = new_w
            descendant[NameObject("/DW")] = NumberObject(1000)
            gid_map = descendant["/CIDToGIDMap"].get_object()
            gid_map.set_data(b"\0\0" * shift + gid_map.get_data())
    for page in writer.pages:
        fonts = page["/Resources"]["/Font"]
        content = ContentStream(page.get_contents(), writer, "bytes")
        recode: _Recode | None = None
        operations = []
        for operands, operator in content.operations:
            if operator == b"Tf":
                recode = recoded.get(fonts.raw_get(operands[0]).idnum)
            if recode is not None and operator in (b"Tj", b"TJ"):
                items = operands[0] if operator == b"TJ" else [operands[0]]
                operations.append(([_recode_items(items, recode)], b"TJ"))
            else:
                operations.append((operands, operator))
        content.operations = operations
        page.replace_contents(content)
    buf = io.BytesIO()
    writer.write(buf)
    path.write_bytes(buf.getvalue())
    return path


def _recode_items(items: list[object], recode: _Recode) -> ArrayObject:
    out = ArrayObject()
    run = b""
    for item in items:
        if isinstance(item, bytes):
            for i in range(0, len(item), 2):
                code = int.from_bytes(item[i : i + 2], "big")
                if code == recode.space:
                    out += [ByteStringObject(run), NumberObject(-round(recode.space_width))]
                    run = b""
                else:
                    run += (code + recode.shift).to_bytes(2, "big")
        else:  # a TJ offset
            out += [ByteStringObject(run), item]
            run = b""
    out.append(ByteStringObject(run))
    return out


# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _quiet_pypdf() -> None:
    logging.getLogger("pypdf").setLevel(logging.ERROR)


def blocks(doc: Document) -> list[tuple[str, str, int, int]]:
    return [(b.kind, b.text, b.page, b.level) for b in doc.blocks]


def _fontset(name: str) -> FontSet:
    fonts = FONTS[name]
    if not fonts.regular.is_file() or not fonts.bold.is_file():
        pytest.skip(f"font {name} not installed")
    return fonts


BUILDERS: dict[str, Callable[[Path, FontSet], Path]] = {
    "fpdf2": build_fpdf,
    "fpdf2-indesign": lambda path, fonts: indesignify(build_fpdf(path, fonts)),
    "reportlab": build_reportlab,
}


@pytest.fixture(
    params=[("fpdf2", "vera"), ("fpdf2-indesign", "vera"), ("reportlab", "vera"), ("fpdf2", "liberation")],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def built(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    builder, font = request.param
    return BUILDERS[builder](tmp_path / f"{builder}-{font}.pdf", _fontset(font))


# --------------------------------------------------------------------------- tests


def test_blocks_are_exactly_the_drawn_text(built: Path) -> None:
    """Every block, in order: Danish letters, ligatures, hyphenation, spaces, headers and footers."""
    doc = Extractor()(built)
    assert blocks(doc) == expected_blocks()
    assert [p.kind for p in doc.pages] == ["body"] * len(pages())
    assert doc.warnings == []  # the picture page has text: its header and footer, dropped later


def test_no_character_is_lost_or_doubled(built: Path) -> None:
    """Letter counts over the whole document, so a lost "ø" or a doubled glyph cannot hide in a diff."""
    got = Counter("".join(b.text for b in Extractor()(built).blocks))
    want = Counter("".join(text for _, text, _, _ in expected_blocks()))
    assert {c: (got[c], want[c]) for c in got.keys() | want.keys() if got[c] != want[c]} == {}  # (got, want)
    assert sum(got[c] for c in "æøåÆØÅ") == sum(want[c] for c in "æøåÆØÅ") > 20
    text = " ".join(b.text for b in Extractor()(built).blocks)
    for absent in ("\u00ad", "\u00a0", "\ufb01", "\ufb02", "\ufffd", HEADER, "Side "):
        assert absent not in text


def test_glyphs_without_unicode_are_marked_not_guessed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ligature glyph the /ToUnicode map leaves out reads as U+FFFD with a warning, not as glyph id "Ŀ"."""
    monkeypatch.setitem(INDESIGN_TEXT, "\ufb01", "")  # "" = leave the code out of the map
    path = indesignify(build_fpdf(tmp_path / "a.pdf", _fontset("vera")))
    doc = Extractor()(path)
    first = doc.blocks[1].text
    assert first.startswith("Den of\ufffdcielle vejledning er fleksibel, og afløsning")
    assert any("\ufffd" in w and "Unicode" in w for w in doc.warnings), doc.warnings


def test_space_width_is_estimated_when_the_subset_has_no_space(tmp_path: Path) -> None:
    """Without a space glyph pypdf guesses half of /DW (500); word gaps are judged against ~0.3 em instead."""
    from ingest.extract.fonts import FontCache

    path = indesignify(build_fpdf(tmp_path / "a.pdf", _fontset("vera")))
    ref = PdfReader(path).pages[0]["/Resources"]["/Font"].raw_get("/F1")
    font = FontCache().get(ref)
    assert font is not None and font.font.space_width == 500  # what pypdf says
    assert 318 * 0.8 <= font.space_units <= 318 * 1.2  # Vera's space is 651/2048 em


def test_120_pages_parse_each_font_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 120-page Identity-H document: fonts (and their ToUnicode maps, and the decoding tables made
    from them) are built once per document, not per page or string. Timings are in bench/extract_speed.py."""
    from ingest.extract import fonts

    path = build_long_fpdf(tmp_path / "long.pdf", _fontset("vera"), pages=120)
    loads = 0
    original = fonts.Font.from_font_resource

    def counting(obj: object) -> object:
        nonlocal loads
        loads += 1
        return original(obj)

    monkeypatch.setattr(fonts.Font, "from_font_resource", counting)
    tables = 0
    char_table = fonts.FontInfo._char_table

    def counting_tables(self: fonts.FontInfo) -> dict[int, str]:
        nonlocal tables
        tables += 1
        return char_table(self)

    monkeypatch.setattr(fonts.FontInfo, "_char_table", counting_tables)
    doc = Extractor()(path)
    assert len(doc.pages) == 120 and sum(b.kind == "heading" for b in doc.blocks) == 120
    assert loads <= 3  # regular, bold, and the footer's font at most
    assert 1 <= tables <= loads


# --------------------------------------------------------------------------- soft hyphens, as text rules


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Sags\u00adbehandleren taler med barnet."], "Sagsbehandleren taler med barnet."),
        (["inden for børne\u00ad og ungeområdet"], "inden for børne- og ungeområdet"),
        (["inden for børne\u00ad", "og ungeområdet"], "inden for børne- og ungeområdet"),
        (["om sags\u00ad", "behandlingen"], "om sagsbehandlingen"),
        (["10\u00a0% efter §\u00a012"], "10 % efter § 12"),
    ],
)
def test_soft_hyphens_and_no_break_spaces(lines: list[str], expected: str) -> None:
    from ingest import clean

    assert clean.normalise(clean.join_hyphenated(lines)) == expected
