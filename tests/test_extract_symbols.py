"""Symbol and Wingdings glyphs that Word maps to the Private Use Area read as ordinary characters.

Word's PDF export sets list bullets, arrows and check marks in the Symbol and Wingdings fonts and
gives them /ToUnicode values in the Private Use Area (U+F0B7 the Symbol bullet, U+F0F0 a Wingdings
arrow). The pages here are drawn the way Word draws them: a composite Identity-H font named "Symbol"
(and a simple TrueType subset named "Wingdings") beside Helvetica text, the bullet and the item text
as separate runs a tab apart. The extractor must give "• item" list items exactly as for a text
bullet, an arrow where the arrow was, and no PUA character anywhere.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from ingest.extract import Extractor
from ingest.extract.fonts import FontCache, FontInfo
from ingest.extract.symbols import as_dingbat, dingbat_table, font_family, is_pua, pua_map, replace_pua

ITEMS = ["registrere nye brugere i systemet", "tildele roller til brugerne", "fjerne gamle brugerprofiler"]
INTRO = "Som administrator kan du:"
AFTER = "Ændringerne træder i kraft med det samme for alle brugere."


def _stream(data: bytes) -> StreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _to_unicode(pairs: dict[int, str], code_bytes: int) -> StreamObject:
    width = 2 * code_bytes
    lines = [f"<{code:0{width}X}> <{text.encode('utf-16-be').hex().upper()}>" for code, text in pairs.items()]
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Adobe-Identity-UCS def "
        "/CMapType 2 def 1 begincodespacerange <" + "00" * code_bytes + "> <" + "FF" * code_bytes + "> "
        f"endcodespacerange {len(lines)} beginbfchar " + " ".join(lines) + " endbfchar endcmap "
        "CMapName currentdict /CMap defineresource pop end end"
    )
    return _stream(cmap.encode())


def _symbol_type0(writer: PdfWriter, name: str, glyphs: dict[int, str]) -> object:
    """A Word-style composite font: Identity-H, glyph ids as codes, PUA text in /ToUnicode."""
    descendant = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/CIDFontType2"),
        NameObject("/BaseFont"): NameObject("/" + name),
        NameObject("/CIDSystemInfo"): DictionaryObject({
            NameObject("/Registry"): TextStringObject("Adobe"),
            NameObject("/Ordering"): TextStringObject("Identity"),
            NameObject("/Supplement"): NumberObject(0),
        }),
        NameObject("/DW"): NumberObject(1000),
        NameObject("/W"): ArrayObject(
            [x for gid in glyphs for x in (NumberObject(gid), ArrayObject([NumberObject(460)]))]
        ),
    })
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type0"),
        NameObject("/BaseFont"): NameObject("/" + name),
        NameObject("/Encoding"): NameObject("/Identity-H"),
        NameObject("/DescendantFonts"): ArrayObject([writer._add_object(descendant)]),
        NameObject("/ToUnicode"): writer._add_object(_to_unicode(glyphs, 2)),
    })
    return writer._add_object(font)


def _wingdings_simple(writer: PdfWriter, name: str, glyphs: dict[int, str]) -> object:
    """A simple TrueType subset whose single-byte codes map to PUA text."""
    first, last = min(glyphs), max(glyphs)
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/TrueType"),
        NameObject("/BaseFont"): NameObject("/" + name),
        NameObject("/FirstChar"): NumberObject(first),
        NameObject("/LastChar"): NumberObject(last),
        NameObject("/Widths"): ArrayObject([NumberObject(800)] * (last - first + 1)),
        NameObject("/ToUnicode"): writer._add_object(_to_unicode(glyphs, 1)),
    })
    return writer._add_object(font)


def _helvetica(writer: PdfWriter) -> object:
    return writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
        NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))


def _text(font: str, size: float, x: float, y: float, hexcodes: str) -> str:
    return f"BT /{font} {size} Tf 1 0 0 1 {x} {y} Tm <{hexcodes}> Tj ET\n"


def _latin(text: str) -> str:
    return text.encode("cp1252").hex()


def word_list_pdf(path: Path, bullet: str) -> Path:
    """One page: a sentence, three bulleted items, a sentence after and a menu path with an arrow.

    ``bullet``: "symbol" (U+F0B7 in a Type0 font named Symbol, as Word writes it), "text" (Helvetica's
    own "•") or "wingdings" (U+F0A7, Word's square bullet, in a simple font named Wingdings).
    """
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    fonts = DictionaryObject({
        NameObject("/F1"): _helvetica(writer),
        NameObject("/F2"): _symbol_type0(writer, "Symbol", {0x0078: "\uf0b7", 0x00A5: "\uf0ae"}),
        NameObject("/F3"): _wingdings_simple(
            writer, "ABCDEE+Wingdings", {0xA7: "\uf0a7", 0xF0: "\uf0f0", 0xFC: "\uf0fc"}
        ),
    })
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    ops = [_text("F1", 10, 72, 760, _latin(INTRO))]
    y = 745.0
    for item in ITEMS:
        if bullet == "symbol":
            ops.append(_text("F2", 10, 90, y, "0078"))
        elif bullet == "wingdings":
            ops.append(_text("F3", 10, 90, y, "A7"))
        else:
            ops.append(_text("F1", 10, 90, y, _latin("•")))
        ops.append(_text("F1", 10, 108, y, _latin(item)))
        y -= 13
    ops.append(_text("F1", 10, 72, y - 12, _latin(AFTER)))
    # "Vælg Fordele ⇨ Applikationsart ✓." and "Tryk på Gem → Luk." (the Symbol arrow)
    y -= 40
    ops += [_text("F1", 10, 72, y, _latin("Vælg Fordele ")), _text("F3", 10, 139.2, y, "F0"),
            _text("F1", 10, 150, y, _latin("Applikationsart")), _text("F3", 10, 222, y, "FC")]
    y -= 26
    ops += [_text("F1", 10, 72, y, _latin("Tryk på Gem ")), _text("F2", 10, 134, y, "00A5"),
            _text("F1", 10, 146, y, _latin("Luk."))]
    page[NameObject("/Contents")] = writer._add_object(_stream("".join(ops).encode()))
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


@pytest.fixture(autouse=True)
def _quiet_pypdf() -> None:
    logging.getLogger("pypdf").setLevel(logging.ERROR)


def _texts(path: Path) -> list[str]:
    return [b.text for b in Extractor()(path).blocks]


EXPECTED = [INTRO, *(f"• {item}" for item in ITEMS), AFTER, "Vælg Fordele ⇨ Applikationsart ✓", "Tryk på Gem → Luk."]


@pytest.mark.parametrize("bullet", ["symbol", "wingdings"])
def test_word_symbol_bullets_are_list_items_like_text_bullets(tmp_path: Path, bullet: str) -> None:
    texts = _texts(word_list_pdf(tmp_path / f"{bullet}.pdf", bullet))
    assert texts == _texts(word_list_pdf(tmp_path / "text.pdf", "text"))
    assert texts == EXPECTED
    assert not any(is_pua(c) for text in texts for c in text)


def test_font_names_select_their_table() -> None:
    assert font_family("Symbol") == font_family("BCDIEE+SymbolMT") == "symbol"
    assert font_family("ABCDEE+Wingdings") == font_family("BCDNEE+Wingdings-Regular") == "wingdings"
    assert font_family("Wingdings 2") == "wingdings2" and font_family("ABCDEF+Wingdings3") == "wingdings3"
    assert font_family("Arial") is None and font_family(None) is None
    # Every code U+F020–U+F0FF has an entry (an empty one: dropped): the rows of 16 add up.
    assert all(len(pua_map(name)) == 0xE0 for name in ("Wingdings", "Wingdings2", "Wingdings3"))
    assert set(range(0xF020, 0xF100)) <= set(pua_map("Symbol"))


@pytest.mark.parametrize(("font", "text", "expected"), [
    ("Symbol", "\uf0b7 punkt", "• punkt"),
    ("Symbol", "a \uf0ae b \uf0de c", "a → b ⇒ c"),
    ("Wingdings", "\uf0a7\uf0fc\uf0d8\uf076\uf0e0\uf0f0", "•✓➢•→⇨"),
    ("Wingdings 2", "\uf050\uf098", "✓•"),
    ("Wingdings 3", "\uf022\uf075", "→►"),
    ("Symbol", "Sym\uf0e6bol", "Symbol"),  # a bracket piece: no character, dropped from the word
    ("Arial", "\uf0b7 punkt", "• punkt"),  # an unknown font: only the Symbol bullet is known
    ("Arial", "Be\ue000mærk\U000f0001", "Bemærk"),  # any other PUA code is dropped (it prints as a box)
    ("Minion", "\uf001nde en \uf002ugtvej", "finde en flugtvej"),  # legacy Mac ligature codes
])
def test_pua_characters_read_as_what_they_stand_for(font: str, text: str, expected: str) -> None:
    assert replace_pua(text, pua_map(font)) == expected


def test_a_font_without_pua_keeps_its_own_map(tmp_path: Path) -> None:
    """Fonts without PUA text (all body fonts) are not copied or touched."""
    path = word_list_pdf(tmp_path / "text.pdf", "text")
    ref = PdfReader(path).pages[0]["/Resources"]["/Font"].raw_get("/F1")
    info = FontCache().get(ref)
    assert isinstance(info, FontInfo) and info.cmap is info.font.character_map


@pytest.mark.parametrize("composite", [True, False])
def test_dingbat_glyphs_mapped_to_their_own_byte_read_as_the_glyph(tmp_path: Path, composite: bool) -> None:
    """An InDesign book's arrows in Wingdings 3 (a composite Identity-H font) carry /ToUnicode "h"
    and "i", their bytes in the font: a passage must not open with a stray letter ("h Kontakt …")
    where the page shows "↑"."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    name = "EWVNYY+Wingdings3"
    arrows = (_symbol_type0(writer, name, {0x0003: "h", 0x0004: "i"}) if composite
              else _wingdings_simple(writer, name, {0x68: "h", 0x69: "i"}))
    fonts = DictionaryObject({NameObject("/F1"): _helvetica(writer), NameObject("/F3"): arrows})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    up, down = ("0003", "0004") if composite else ("68", "69")
    ops = [_text("F3", 10, 72, 760, up), _text("F1", 10, 86, 760, _latin("risikoen stiger, når den unge isoleres")),
           _text("F3", 10, 72, 745, down), _text("F1", 10, 86, 745, _latin("risikoen falder med en fast voksen"))]
    page[NameObject("/Contents")] = writer._add_object(_stream("".join(ops).encode()))
    path = tmp_path / "a.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    text = " ".join(_texts(path))
    assert "↑ risikoen stiger, når den unge isoleres" in text
    assert "↓ risikoen falder med en fast voksen" in text


@pytest.mark.parametrize(("font", "text", "expected"), [
    ("Wingdings3", "h", "↑"), ("Wingdings3", "\u00a8", "→"), ("Wingdings3", "\x93", "↑"), ("Wingdings2", "\u00a2", "•"),
    ("Wingdings3", "↑", "↑"),  # already a character of its own
])
def test_a_dingbat_character_given_as_its_byte_is_the_glyph(font: str, text: str, expected: str) -> None:
    table = dingbat_table(font)
    assert table is not None and as_dingbat(text, table) == expected
    assert dingbat_table("Arial") is None and dingbat_table("Symbol") is None


def test_a_renumbered_dingbat_subset_keeps_the_glyph_its_map_names(tmp_path: Path) -> None:
    """A simple subset may number its glyphs anew: code 0x21 with /ToUnicode U+F0FC is Wingdings'
    check mark (by its map), not the glyph at byte 0x21 of the whole font."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    fonts = DictionaryObject({
        NameObject("/F1"): _helvetica(writer),
        NameObject("/F3"): _wingdings_simple(writer, "ABCDEE+Wingdings", {0x21: "\uf0fc", 0x22: "\uf0a7"}),
    })
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    ops = [_text("F3", 10, 72, 760, "21"), _text("F1", 10, 86, 760, _latin("Planen er godkendt.")),
           _text("F3", 10, 72, 745, "22"), _text("F1", 10, 86, 745, _latin("Næste møde aftales."))]
    page[NameObject("/Contents")] = writer._add_object(_stream("".join(ops).encode()))
    path = tmp_path / "a.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    text = " ".join(_texts(path))
    assert "✓ Planen er godkendt." in text and "• Næste møde aftales." in text
