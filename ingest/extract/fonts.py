"""Fonts as the span reader needs them: decode bytes to text, measure widths, bold or not."""

from __future__ import annotations

import logging
import re
from typing import Any

from pypdf.generic import DictionaryObject, IndirectObject

try:  # pypdf >= 6: font decoding and glyph widths in one object
    from pypdf.generic._font import Font
except ImportError:  # pragma: no cover - guarded so the import error names what to install
    Font = None  # type: ignore[assignment,misc]

log = logging.getLogger("kb.extract")

BOLD_NAME = re.compile(r"bold|black|heavy|semibold|demibold|extrabold|ultra", re.IGNORECASE)
_FORCE_BOLD = 1 << 18


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
            return FontInfo(Font.from_font_resource(obj), identity=identity)
        except Exception as exc:  # a broken font loses its text, not the whole document
            log.warning("font %r unreadable: %s", ref, exc)
            return None
