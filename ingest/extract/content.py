"""Content stream bytes → operations: the tokens text pages are made of, read by one regex.

pypdf reads a content stream a byte at a time through a file object; on text pages that parse is
about half of our extraction time and as much again of pypdf's own ``extract_text``. Numbers,
plain names, strings without escapes, hex strings and ``TJ`` arrays make up nearly all of a
text page, and one compiled regex reads them in a fraction of that time. Anything else (escaped
strings, dictionaries, names with ``#`` escapes, odd numbers) is handed to pypdf's own reader at
that offset, so it comes out exactly as pypdf reads it; a stream with an inline image is parsed by
pypdf whole (its binary data cannot be tokenised). The result has the shape of
``ContentStream.operations``: ``[(operands, operator), ...]`` with strings as ``bytes``.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, NameObject, read_object

_TOKEN = re.compile(
    rb"""[\x00\t\n\f\r ]*(?:
      (?P<num>[+\-.0-9][+,\-.0-9]*)
    | (?P<op>[A-Za-z'"][^\s()<>\[\]{}/%]*)
    | /(?P<name>[^\s()<>\[\]{}/%]*)
    | \((?P<str>(?:[^()\\]|\\.)*)\)
    | <(?P<hex>[0-9A-Fa-f]*)>
    | (?P<open>\[|<<)
    | (?P<close>\]|>>)
    | (?P<comment>%[^\r\n]*)
    | (?P<other>.)
    | (?P<end>$)
    )""",
    re.VERBOSE | re.DOTALL,
)
_INT = re.compile(rb"[+-]?\d+")
_FLOAT = re.compile(rb"[+-]?(?:\d+\.\d*|\.\d+)")
_PLAIN_NAME = re.compile(rb"[!-~]*")  # printable ASCII: no "#" escape to undo (checked apart)
_OPERATOR_LENGTH_LIMIT = 128  # as pypdf's
_WHITESPACE = b"\x00\t\n\f\r "  # pypdf's


class _Delegate(Exception):
    """A stream the fast path leaves to pypdf as a whole (an inline image)."""


def operations(stream: ContentStream) -> list[tuple[list[Any], bytes]]:
    """``stream.operations``, read faster where the tokens are plain (the same values either way)."""
    data = stream.get_data()
    try:
        return parse(data)
    except _Delegate:
        stream.set_data(data)
        return stream.operations


def parse(data: bytes) -> list[tuple[list[Any], bytes]]:
    """The operations of content-stream bytes; raises ``_Delegate`` for pypdf to read them instead."""
    ops: list[tuple[list[Any], bytes]] = []
    operands: list[Any] = []
    # Open arrays and dictionaries, innermost last: (what they go into, "[" or "<<"); their items
    # collect in ``target``. ``outer_start`` is where the outermost one began, to hand it to pypdf.
    open_: list[tuple[list[Any], bytes]] = []
    outer_start = 0
    target = operands
    pos = 0
    match = _TOKEN.match
    reader: BytesIO | None = None
    while True:
        m = match(data, pos)
        assert m is not None  # "other" and "end" match anything
        kind = m.lastgroup
        token = m.group(kind)  # type: ignore[arg-type]
        end = m.end()
        if kind == "num":
            if _INT.fullmatch(token):
                target.append(int(token))
            elif _FLOAT.fullmatch(token):
                target.append(float(token))
            else:
                kind = "other"
        elif kind == "str":
            target.append(_ESCAPE.sub(_unescape, token) if b"\\" in token else token)
        elif kind == "op":
            if open_ or len(token) > _OPERATOR_LENGTH_LIMIT:
                kind = "other"  # inside an array pypdf reads true/false/null; let it
            elif token == b"BI":
                raise _Delegate
            else:
                ops.append((operands, token))
                operands = target = []
        elif kind == "name":
            if b"#" in token or not _PLAIN_NAME.fullmatch(token):
                kind = "other"
            else:
                target.append(NameObject("/" + token.decode("ascii")))
        elif kind == "hex":
            target.append(bytes.fromhex(token.decode("ascii") + "0" * (len(token) % 2)))
        elif kind == "open":
            if not open_:
                outer_start = m.start(kind)
            open_.append((target, token))
            target = []
        elif kind == "close":
            done = _close(open_[-1][1], token, target, data, end) if open_ else None
            if done is None:
                kind = "other"
            else:
                target = open_.pop()[0]
                target.append(done)
        elif kind == "comment":
            if open_:
                kind = "other"
        elif kind == "end":
            if open_:
                kind = "other"  # an unclosed array: pypdf raises what it raises
            else:
                return ops
        if kind != "other":
            pos = end
            continue
        # Not a plain token: pypdf reads the object here (the outermost open array, if any).
        start = m.start() + len(m.group()) - len(m.group().lstrip(_WHITESPACE))
        if open_:
            start, target, open_ = outer_start, open_[0][0], []
        if reader is None:
            reader = BytesIO(data)
        reader.seek(start)
        target.append(read_object(reader, None, "bytes"))
        pos = reader.tell()


def _close(opened: bytes, closing: bytes, items: list[Any], data: bytes, end: int) -> Any:
    """The array or dictionary ``items`` make; None where pypdf would read it otherwise."""
    if opened == b"[":
        return ArrayObject(items) if closing == b"]" else None
    keys = items[::2]
    if (
        closing != b">>"
        or len(items) % 2
        or not all(isinstance(k, NameObject) for k in keys)
        or len(set(keys)) < len(keys)
        or data[end : end + 16].lstrip(_WHITESPACE).startswith(b"stream")
    ):
        return None  # odd entries, repeated keys or a stream: pypdf's own rules
    return DictionaryObject(zip(keys, items[1::2], strict=True))


_ESCAPE = re.compile(rb"\\([0-7]{1,3}|\r[\r\n]?|\n[\r\n]?|.)", re.DOTALL)
# pypdf's escapes (more than ISO 32000 lists); any other escaped byte keeps its backslash.
_ESCAPED = {
    b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f",
    **{c: c for c in (b"(", b")", b"/", b"\\", b" ", b"%", b"<", b">", b"[", b"]", b"#", b"_", b"&", b"$")},
}  # fmt: skip


def _unescape(m: re.Match[bytes]) -> bytes:
    """One escape in a literal string, undone as pypdf undoes it (so both read the same bytes)."""
    code = m.group(1)
    if code[:1] in b"\r\n":
        return b""  # an escaped line break continues the string
    if code[:1].isdigit() and code[:1] < b"8":
        value = int(code, 8)
        return bytes((value,)) if value <= 255 else b"\\" + code  # pypdf keeps "\\777" as it stands
    return _ESCAPED.get(code, b"\\" + code)
