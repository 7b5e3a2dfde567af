"""Symbol and dingbat fonts: their Private Use Area codes read as the characters they stand for.

Word sets bullets, arrows and check marks in the Symbol and Wingdings fonts, and its PDF export maps
those glyphs to the Private Use Area: U+F020–U+F0FF, the font's own byte plus 0xF000 (U+F0B7 the
Symbol bullet, U+F0A7 the Wingdings square bullet, U+F0F0 a Wingdings arrow). Text in the PUA means
nothing outside that font: a reader sees a box, the lexical index an unknown token, and the answer
splitter, which knows lists by "•", no list. ``pua_map(font_name)`` gives what ``FontInfo`` puts in
place of such characters when it builds a font's decode tables, so every later stage sees the same
ordinary text.

The tables follow the standard mappings to Unicode: Adobe's for Symbol (symbol.txt) and the
Unicode 7.0 Wingdings/Wingdings 2/Wingdings 3 mappings, with three deliberate departures that
serve a reader and the index over glyph fidelity:

* small dots, squares and diamonds, which Word only ever uses as list bullets, read as "•";
* arrows outside the Arrows block (U+2190–U+21FF), mostly in the Supplemental Arrows-C plane that
  few text fonts carry, read as the plain arrow of their direction (←, →, ↑, ↓, ↖, ↗, ↘, ↙, ↔,
  ↕); arrowheads and pointing triangles as ◄ ► ▲ ▼; Word's arrow bullet (Wingdings 0xD8) as "➢";
* check marks and crosses read as "✓", "✗", "☑", "☒".

Other producers (InDesign) give a dingbat font's glyphs their own byte as text: "h" for Wingdings
3's up arrow, "¨" for its right arrow. A dingbat font (Wingdings 1–3, Marlett) has no letters, so
its byte selects the glyph from the same tables (``dingbat_table``, ``as_dingbat``); a stray "h"
would open a passage where the page shows an arrow.

A code a table leaves empty (glyph pieces such as Symbol's bracket parts, arrow shafts, undefined
codes), and any PUA character of a font not named here, is dropped: it would print as a box and
split or glue the words around it. For an unknown font U+F0B7 is the exception, the Symbol bullet
in practice whatever the font is called (a subset renamed by the exporter), and so are the legacy
fi/fl ligature codes U+F001/U+F002.
"""

from __future__ import annotations

import re

BULLET = "\u2022"

# Rows of 16 codes from 0x20; "\x00" marks a code with no character (dropped).
_SYMBOL = (
    " !∀#∃%&∋()∗+,−./",  # 0x20
    "0123456789:;<=>?",  # 0x30
    "≅ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟ",  # 0x40
    "ΠΘΡΣΤΥςΩΞΨΖ[∴]⊥_",  # 0x50
    "\x00αβχδεφγηιϕκλμνο",  # 0x60 (0x60: radical extender, a piece)
    "πθρστυϖωξψζ{|}∼\x00",  # 0x70
    "\x00" * 16,  # 0x80: undefined
    "\x00" * 16,  # 0x90: undefined
    "€ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓",  # 0xA0
    "°±″≥×∝∂•÷≠≡≈…\x00\x00↵",  # 0xB0 (0xBD, 0xBE: arrow extenders)
    "ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉",  # 0xC0
    "∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓",  # 0xD0
    "◊〈®©™∑" + "\x00" * 10,  # 0xE0 (0xE6–0xEF: bracket pieces)
    "\x00〉∫⌠\x00⌡" + "\x00" * 10,  # 0xF0 (0xF0 undefined; the rest integral and bracket pieces)
)

_WINGDINGS = (
    ' 🖉✂✁👓🕭🕮🕯🕿✆🖂🖃📪📫📬📭',  # 0x20
    '🗀🗁🗎🗏🗐🗄⌛🖮🖰🖲🖳🖴🖫🖬✇✍',  # 0x30
    '🖎✌🖏👍👎☜☞☝☟🖐☺😐☹💣🕱🏳',  # 0x40
    '🏱✈☼🌢❄🕆✞🕈✠✡☪☯🕉☸♈♉',  # 0x50
    '♊♋♌♍♎♏♐♑♒♓🙰🙵•🔾•□',  # 0x60
    '□❑❒•••••⌧⮹⌘🏵🏶🙶🙷▯',  # 0x70
    '⓪➀➁➂➃➄➅➆➇➈➉⓿➊➋➌➍',  # 0x80
    '➎➏➐➑➒➓🙢🙠🙡🙣🙞🙜🙝🙟••',  # 0x90
    '•⭘🞆🞈🞊🞋🔿•🞎🟁🟅★🟋🟏🟓🟑',  # 0xA0
    '⯐⌖⯎⯏⯑✪✰🕐🕑🕒🕓🕔🕕🕖🕗🕘',  # 0xB0
    '🕙🕚🕛⮰⮱⮲⮳⮴⮵⮶⮷🙪🙫🙕🙔🙗',  # 0xC0
    '🙖🙐🙑🙒🙓⌫⌦◄➢▲▼←→↑↓←',  # 0xD0
    '→↑↓↖↗↙↘←→↑↓↖↗↙↘⇦',  # 0xE0
    '⇨⇧⇩↔⇳↖↗↙↘\x00\x00✗✓☒☑\x00',  # 0xF0
)

_WINGDINGS_2 = (
    ' 🖊🖋🖌🖍✄✀🕾🕽🗅🗆🗇🗈🗉🗊🗋',  # 0x20
    '🗌🗍📋🗑🗔🖵🖶🖷🖸🖭🖯🖱🖒🖓🖘🖙',  # 0x30
    '🖚🖛👈👉🖜🖝🖞🖟🖠🖡👆👇🖢🖣🖑✗',  # 0x40
    '✓☒☑⮽☒⮾⮿🛇⦸🙱🙴🙲🙳‽🙹🙺',  # 0x50
    '🙻🙦🙤🙥🙧🙚🙘🙙🙛⓪①②③④⑤⑥',  # 0x60
    '⑦⑧⑨⑩⓿❶❷❸❹❺❻❼❽❾❿\x00',  # 0x70
    '☉🌕☽☾⸿✝🕇🕜🕝🕞🕟🕠🕡🕢🕣🕤',  # 0x80
    '🕥🕦🕧🙨🙩••••○🞅🞇🞉⊙⦿•',  # 0x90
    '•••□🞑🞒🞓🞔▣🞕🞖••••◇',  # 0xA0
    '🞚◈🞛🞜••••◊🞠◖◗⯊⯋⯀⯁',  # 0xB0
    '⬟⯂⬣⬢⯃⯄🞡🞢🞣🞤🞥🞦🞧🞨🞩🞪',  # 0xC0
    '🞫🞬🞭🞮🞯🞰🞱🞲🞳🞴🞵🞶🞷🞸🞹🞺',  # 0xD0
    '🞻🞼🞽🞾🞿🟀🟂🟄🟆🟉🟊✶🟌🟎🟐🟒',  # 0xE0
    '✹🟃🟇✯🟍🟔⯌⯍※⁂\x00\x00\x00\x00\x00\x00',  # 0xF0
)

_WINGDINGS_3 = (
    ' ←→↑↓↖↗↙↘←→↑↓↖↘↑',  # 0x20
    '↓↔↕←→↑↓↓↓↓↑↑←→←→',  # 0x30
    '⮐⮑⮒⮓←↓⭾⭿←→↑↓⮏⮍⮎⮌',  # 0x40
    '⭮⭯⎋⌤⌃⌥␣⍽⇪↑←→←→←→',  # 0x50
    '←→←→←→←→↑↓↖↗↙↘↔↕',  # 0x60
    '▲▼△▽◀►◁▷◣◢◤◥◄►▲\x00',  # 0x70
    '▼▲▼◄►◄►▲▼←→↑↓←→↑',  # 0x80
    '↓←→↑↓←→↑↓←→↑↓←→↑',  # 0x90
    '↓←→↑↓←→←→←→←\x00\x00\x00\x00',  # 0xA0
    '→←→←→←→↑↓←→↑↓←→↑',  # 0xB0
    '↓←→↑↓←→↑↓↓↓↑↑←→←',  # 0xC0
    '→←→↑↓↖↗↙↘←→↑↓↖↗↙',  # 0xD0
    '↘←→↑↓↖↗↙↘◄►▲▼←→↑',  # 0xE0
    '↓\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00',  # 0xF0
)

# Marlett, the Windows interface font that Word manuals borrow for pointer triangles and checks.
_MARLETT = {0x33: "◄", 0x34: "►", 0x35: "▲", 0x36: "▼", 0x61: "✓"}

# Adobe's own PUA names for Symbol glyphs that have no code of their own in its table above.
_ADOBE_SYMBOL = {0xF6D9: "©", 0xF6DA: "®", 0xF6DB: "™", 0xF8E8: "®", 0xF8E9: "©", 0xF8EA: "™"}


def _rows(rows: tuple[str, ...]) -> dict[int, str]:
    """{PUA code: text} from rows of 16 codes starting at 0x20 (U+F020)."""
    chars = "".join(rows)
    return {0xF020 + i: ("" if c == "\x00" else c) for i, c in enumerate(chars)}


_TABLES: dict[str, dict[int, str]] = {
    "symbol": {**_rows(_SYMBOL), **_ADOBE_SYMBOL},
    "wingdings": _rows(_WINGDINGS),
    "wingdings2": _rows(_WINGDINGS_2),
    "wingdings3": _rows(_WINGDINGS_3),
    "marlett": {0xF000 + code: text for code, text in _MARLETT.items()},
}
# An unknown font: the Symbol bullet, and the fi/fl ligatures that older Mac fonts keep at U+F001
# and U+F002 (dropped, they would take two letters out of a word: "ﬁnde" read as "nde").
_UNKNOWN: dict[int, str] = {0xF0B7: BULLET, 0xF001: "fi", 0xF002: "fl"}
_SUBSET = re.compile(r"^[A-Z]{6}\+")


def font_family(name: str | None) -> str | None:
    """Which table a font name selects: "symbol", "wingdings", "wingdings2", "wingdings3", "marlett"."""
    key = re.sub(r"[^a-z0-9]", "", _SUBSET.sub("", name or "").lower())
    for family in ("wingdings3", "wingdings2", "wingdings", "symbol", "marlett"):
        if key.startswith(family):
            return family
    return None


def pua_map(name: str | None) -> dict[int, str]:
    """The PUA code points a font's text may hold, each with its replacement (for a font's name)."""
    family = font_family(name)
    return _TABLES[family] if family else _UNKNOWN


DINGBAT_FAMILIES = ("wingdings", "wingdings2", "wingdings3", "marlett")


def dingbat_table(name: str | None) -> dict[int, str] | None:
    """For a dingbat font (Wingdings 1–3, Marlett), its glyphs by PUA code; None for any other font.

    Such a font has no letters: a /ToUnicode (or no map at all) that gives its glyphs their own byte
    as text ("h" for Wingdings 3's up arrow) is wrong, and the byte selects the glyph in the table.
    """
    family = font_family(name)
    return _TABLES[family] if family in DINGBAT_FAMILIES else None


def as_dingbat(text: str, table: dict[int, str]) -> str:
    """A dingbat font's character given as its own byte ("h", "¨", U+0093) read as the glyph that
    byte selects (Wingdings 3: "↑", "→", "↑"). Applying it twice changes nothing: no glyph in the
    tables is a character of that range."""
    return table.get(0xF000 + ord(text), "") if len(text) == 1 and 0x21 <= ord(text) <= 0xFF else text


def is_pua(char: str) -> bool:
    code = ord(char)
    return 0xE000 <= code <= 0xF8FF or code >= 0xF0000


def replace_pua(text: str, table: dict[int, str]) -> str:
    """``text`` with its PUA characters replaced by ``table`` (one a table lacks is dropped)."""
    if not any(map(is_pua, text)):
        return text
    return "".join(table.get(ord(c), "") if is_pua(c) else c for c in text)
