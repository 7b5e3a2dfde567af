"""The content-stream tokeniser: the same operations as pypdf's parser, with pypdf left out of plain text."""

from __future__ import annotations

from typing import Any

import pytest
from pypdf.errors import PdfReadError
from pypdf.generic import ContentStream, DecodedStreamObject, NameObject

from ingest.extract import content


def _stream(data: bytes) -> ContentStream:
    raw = DecodedStreamObject()
    raw.set_data(data)
    return ContentStream(raw, None, "bytes")


def _plain(value: Any) -> Any:
    """Values compared by what they hold: pypdf's wrapper types against plain ones."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, NameObject):
        return ("name", str(value))
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return float(value)
    return value


def _ops(operations: list[tuple[list[Any], bytes]]) -> list[tuple[Any, bytes]]:
    return [(_plain(operands), operator) for operands, operator in operations]


PAGE = (
    "BT /F1 10 Tf 1 0 0 1 72 700 Tm 12 TL (Kommunen skal handle straks.) Tj T* "
    "[(Negativ) -250 (social) -333.5 (kontrol) ] TJ\n"
    "<0041004200C6> Tj 0.5 Tc -.25 Tw 100 Tz ET\n"
    "q 0.9 g 72 600 451 40 re f Q 0 0 1 RG 72 590 m 523 590 l S\n"
    "/P <</MCID 4 /ActualText (\\(a\\))>> BDC (\\(note\\)\\2251) Tj EMC\n"
).encode("latin-1")

ODD = [
    rb"BT /F1 9 Tf (Paren \(inde\) og \\ backslash) Tj ET",
    rb"BT (nested (parens) here) Tj (oktal \346\370\345 og \101) Tj ET",
    b"BT (linje\\\nfortsat) Tj ET",
    rb"BT <48 65 6C 6C 6F> Tj <414> Tj ET",
    rb"/Span <</MCID 3 /ActualText (Stk. 2)>> BDC EMC /P <</MCID 4>> BDC EMC",
    rb"/Contents#20Heading <</MCID 0>> BDC EMC /Na#6De Do",
    b"% a comment\nBT /F1 10 Tf (Tekst) Tj % trailing\nET",
    rb"[(a) true (b) null] TJ [1 [2 3] (x)] d0",
    rb"1 2 3 4 5 6 cm +7 -.5 8. 9 re f",
    b"BT (\xe6\xf8\xe5) ' 1 2 (tekst) \" ET",
    rb"BT (\777 \q \t\0053) Tj (a\\) Tj ET",
    b"BT (a\\\r\nb) Tj (c\\\r\rd) Tj ET",
    rb"/P <</A 1 /A 2 /B [1 2] /C <</D (x)>>>> BDC /Q <</E>> BDC",
]


@pytest.mark.parametrize("data", [PAGE, *ODD])
def test_operations_match_pypdf(data: bytes) -> None:
    assert _ops(content.operations(_stream(data))) == _ops(_stream(data).operations)


def test_inline_images_are_left_to_pypdf() -> None:
    data = b"BT (Foer) Tj ET q BI /W 2 /H 1 /BPC 8 /CS /G ID \x00) EI Q BT (Efter) Tj ET"
    ops = content.operations(_stream(data))
    assert _ops(ops) == _ops(_stream(data).operations)
    assert [op for _, op in ops].count(b"INLINE IMAGE") == 1


def test_broken_objects_fail_as_pypdf_fails() -> None:
    for data in (rb"BT (Tekst) Tj } ET", rb"[(uden slut) TJ"):
        with pytest.raises(PdfReadError):
            _stream(data).operations  # noqa: B018 - parsing is what raises
        with pytest.raises(PdfReadError):
            content.parse(data)


def test_plain_text_pages_never_call_pypdfs_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """The speed-up: the common tokens are read by the regex alone, not object by object."""
    calls = []
    read = content.read_object

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return read(*args, **kwargs)

    monkeypatch.setattr(content, "read_object", counted)
    assert len(content.parse(PAGE * 50)) == 50 * 24
    assert calls == []
    content.parse(rb"/Contents#20Heading <</MCID 3 /MCID 4>> BDC (a (b)) Tj EMC")
    assert len(calls) == 3  # the escaped name, the repeated key, the nested parentheses
