"""Fonts as the span reader needs them: decode bytes to text, measure widths, bold or not."""

from __future__ import annotations

import logging
import re
from typing import Any

from pypdf.generic import DictionaryObject, IndirectObject, NameObject

from ingest.extract.symbols import as_dingbat, dingbat_table, is_pua, pua_map, replace_pua

try:  # pypdf >= 6: font decoding and glyph widths in one object
    from pypdf.generic._font import Font
except ImportError:  # pragma: no cover - guarded so the import error names what to install
    Font = None  # type: ignore[assignment,misc]

log = logging.getLogger("kb.extract")

BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|ultra", re.IGNORECASE)
_FORCE_BOLD = 1 << 18
# The base encodings a font dictionary may name (PDF 32000-1 table 114); one named there replaces
# the embedded font program's own encoding.
_BASE_ENCODINGS = ("/MacRomanEncoding", "/MacExpertEncoding", "/WinAnsiEncoding")


class FontInfo:
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
        self._byte_text: dict[int, str] | None = None  # simple fonts: built on first use
        self._byte_width: list[float] = []
        self._char_text: dict[int, str] | None = None  # composite fonts: built on first use
        self._cmap: dict[str, str] | None = None  # /ToUnicode with PUA symbols replaced (``cmap``)

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

        Mirrors pypdf's own text extraction so text and widths agree with ``extract_text``. Fonts
        are decoded through tables built once per font (``str.translate`` and a width per code):
        a page shows some thousand strings, and a loop per character was a tenth of our time.
        """
        if self.simple:
            if self._byte_text is None:
                self._byte_text, self._byte_width = self._byte_tables()
            text = data.decode("latin-1").translate(self._byte_text)
            return text, sum(map(self._byte_width.__getitem__, data)), len(data), data.count(32)
        font = self.font
        try:
            raw = data.decode(font.encoding, "surrogatepass")
        except UnicodeDecodeError:  # odd byte count or unmapped codes, as pypdf does
            raw = data.decode(font.encoding, "replace")
        except LookupError:
            raw = data.decode("latin-1")
        width = 0.0
        for char in raw:
            w = self._widths.get(char)
            if w is None:
                w = self._widths[char] = self._width(char)
            width += w
        if self._char_text is None:
            self._char_text = self._char_table()
        if self._char_text:
            text = raw.translate(self._char_text)
        elif self.unmapped_as_unknown:  # a code several characters long: char by char
            text = "".join(self.cmap.get(c, "\ufffd") for c in raw)
        else:
            text = "".join(self.cmap.get(c, c) for c in raw) if self.cmap else raw
        if self.unmapped_as_unknown:
            self.unmapped += text.count("\ufffd")
        return text, width, len(raw), 0

    @property
    def cmap(self) -> dict[str, str]:
        """The font's /ToUnicode map with Private Use Area symbols read as what they stand for.

        Word maps Symbol and Wingdings glyphs to U+F020–U+F0FF (``symbols``); the replacement is made
        here, once per font, so the decode tables and every later stage see ordinary characters.
        """
        if self._cmap is None:
            cmap = self.font.character_map
            if any(is_pua(c) for text in cmap.values() for c in text):
                table = pua_map(self.font.name)
                cmap = {code: replace_pua(text, table) for code, text in cmap.items()}
            dingbats = dingbat_table(self.font.name)
            if dingbats is not None:  # no letters in such a font: "h" is Wingdings 3's up arrow
                cmap = {code: as_dingbat(text, dingbats) for code, text in cmap.items()}
            self._cmap = cmap
        return self._cmap

    def _width(self, char: str) -> float:
        if char == self.font.space_char:
            return self.space_units
        return float(self.font.character_widths.get(char, self.default_width))

    def _byte_tables(self) -> tuple[dict[int, str], list[float]]:
        """A simple font's text and width for each of its 256 codes: /Encoding, then /ToUnicode."""
        font = self.font
        cmap = self.cmap
        table = pua_map(font.name)
        dingbats = dingbat_table(font.name)
        text: dict[int, str] = {}
        widths: list[float] = []
        for code in range(256):
            mapped = font.encoding.get(code, chr(code))
            # The /Encoding itself may name a PUA code (a /Differences glyph "uniF0B7"): replaced too.
            text[code] = replace_pua("".join(cmap.get(c, c) for c in mapped) if cmap else mapped, table)
            if dingbats is not None:  # by the text, not the code: subsets may number their glyphs anew
                text[code] = as_dingbat(text[code], dingbats)
            widths.append(self._width(chr(code)))
        return text, widths

    def _char_table(self) -> dict[int, str]:
        """A composite font's /ToUnicode map for ``str.translate``; empty when a code is several
        characters long (the slow path then). Unmapped glyph ids read as U+FFFD (``_Unknown``)."""
        cmap = self.cmap
        if not cmap or any(len(k) != 1 for k in cmap):
            return {}
        table = _Unknown() if self.unmapped_as_unknown else {}
        table.update((ord(k), v) for k, v in cmap.items())
        return table


class _Unknown(dict[int, str]):
    """A translate table that turns every code it lacks into U+FFFD."""

    def __missing__(self, key: int) -> str:
        return "\ufffd"


class FontCache:
    """Fonts are shared by many pages; parsing a ToUnicode map once per document saves seconds."""

    def __init__(self) -> None:
        self._fonts: dict[Any, FontInfo | None] = {}

    @property
    def unmapped(self) -> int:
        """Glyphs drawn so far whose font gives them no text."""
        return sum(font.unmapped for font in self._fonts.values() if font is not None)

    def get(self, ref: Any) -> FontInfo | None:
        key = (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(ref)
        if key not in self._fonts:
            self._fonts[key] = self._load(ref)
        return self._fonts[key]

    @staticmethod
    def _load(ref: Any) -> FontInfo | None:
        try:
            obj = ref.get_object()
            if not isinstance(obj, DictionaryObject):
                return None
            identity = obj.get("/Encoding") in ("/Identity-H", "/Identity-V")
            return FontInfo(Font.from_font_resource(_declared_encoding_only(obj)), identity=identity)
        except Exception as exc:  # a broken font loses its text, not the whole document
            log.warning("font %r unreadable: %s", ref, exc)
            return None


def _resolved(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _declared_encoding_only(obj: DictionaryObject) -> DictionaryObject:
    """The font dictionary as pypdf should read it when the PDF's /Encoding overrides the font program's.

    For a Type1 font without /ToUnicode, pypdf turns the embedded program's built-in encoding
    (/FontFile, or a Type1C /FontFile3 read with fontTools) into a character map that wins over the
    dictionary's /Encoding. Per PDF 32000-1 9.6.6.1 the built-in encoding is only the default: a
    base encoding named in /Encoding (or its /BaseEncoding) replaces it, as poppler's Gfx8BitFont
    does (the font file's encoding is read only ``if (!baseEnc)``). InDesign CS5 subsets number
    their glyphs 1, 2, 3, ... yet declare /MacRomanEncoding and draw MacRoman codes, which read
    through the built-in encoding gave "Theanaturalmaunstoppable" for "The natural, unstoppable".
    So pypdf gets a copy of the dictionary whose descriptor lacks the font program; every other
    font is passed through untouched.
    """
    if obj.get("/Subtype") != "/Type1" or "/ToUnicode" in obj:
        return obj
    encoding = _resolved(obj.get("/Encoding"))
    base = _resolved(encoding.get("/BaseEncoding")) if isinstance(encoding, DictionaryObject) else encoding
    if base not in _BASE_ENCODINGS:
        return obj
    descriptor = _resolved(obj.get("/FontDescriptor"))
    programs = ("/FontFile", "/FontFile3")
    if not isinstance(descriptor, DictionaryObject) or not any(key in descriptor for key in programs):
        return obj
    bare = DictionaryObject(obj)
    bare[NameObject("/FontDescriptor")] = DictionaryObject(
        {key: value for key, value in descriptor.items() if key not in programs})
    return bare
